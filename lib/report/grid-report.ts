/**
 * Tables and figures of an experiment grid: P1 per subset, P2 curves and AUILC, P3 curves, and
 * the ablations, each as mean and std over seeds, from the cells `runGrid` returns.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { SUBSET_NAMES } from '../data/modalities';
import type { GridCell } from '../eval/experiment-grid';
import type { RateCurve } from '../eval/evaluate-protocols';
import type { FigureCaption, FigureSpec } from './figure-spec';
import { barFigure, groupedBarFigure } from './bar-figures';
import { rateCurveFigure } from './line-figures';
import { meanStdTable, type MeanStdRow } from './mean-std';
import type { TableRow } from './table-format';
import { writeTable } from './write-table';
import { formatMeanStd } from './table-format';

/** The metrics the tables report (MMSA keys). */
export const REPORT_METRICS = ['MAE', 'Corr', 'Has0_acc_2', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7'] as const;

/** Metrics whose AUILC is reported for P2 (Corr is undefined at rate 1.0, where predictions are constant). */
export const AUILC_METRICS = ['MAE', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7'] as const;

/** Aggregated tables of a grid. */
export interface GridTables {
  p1: MeanStdRow[];
  p2Auilc: MeanStdRow[];
  p2: MeanStdRow[];
  p3: MeanStdRow[];
  /** Mean over the six students (P1) per variant: the ablation summary. */
  students: MeanStdRow[];
}

/** Returns the seed-level records of P1 (one per variant, seed, subset). */
export function p1Records(cells: GridCell[]): TableRow[] {
  return cells.flatMap((c) =>
    (c.evaluation.p1 ?? []).map((r) => ({ variant: c.variant, seed: c.seed, subset: r.subset, ...pick(r.metrics, REPORT_METRICS) })),
  );
}

function pick(values: Record<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

function curveRecords(cells: GridCell[], which: 'p2' | 'p3'): TableRow[] {
  return cells.flatMap((c) => {
    const curve: RateCurve | undefined = c.evaluation[which];
    return (curve?.results ?? []).map((r) => ({ variant: c.variant, seed: c.seed, rate: r.rate, ...pick(r.raw, ['MAE', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7']) }));
  });
}

/** Aggregates a grid's cells into mean/std tables (sample std over seeds). */
export async function gridTables(cells: GridCell[]): Promise<GridTables> {
  const p1 = await meanStdTable(p1Records(cells), ['variant', 'subset'], [...REPORT_METRICS]);
  const auilcRecords = cells
    .filter((c) => c.evaluation.p2)
    .map((c) => ({ variant: c.variant, seed: c.seed, ...Object.fromEntries(AUILC_METRICS.map((k) => [`AUILC_${k}`, c.evaluation.p2!.auilc[k]!])) }));
  const p2Auilc = await meanStdTable(auilcRecords, ['variant'], AUILC_METRICS.map((k) => `AUILC_${k}`));
  const p2 = await meanStdTable(curveRecords(cells, 'p2'), ['variant', 'rate'], ['MAE', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7']);
  const p3 = await meanStdTable(curveRecords(cells, 'p3'), ['variant', 'rate'], ['MAE', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7']);
  const studentRecords = cells.map((c) => {
    const rows = (c.evaluation.p1 ?? []).filter((r) => r.subset !== 'tav');
    const mean = (k: string) => rows.reduce((s, r) => s + r.raw[k as keyof typeof r.raw], 0) / Math.max(1, rows.length);
    const noText = (c.evaluation.p1 ?? []).filter((r) => !r.subset.includes('t'));
    return {
      variant: c.variant,
      seed: c.seed,
      student_MAE: mean('MAE'),
      student_Non0_acc_2: mean('Non0_acc_2'),
      no_text_MAE: noText.reduce((s, r) => s + r.raw.MAE, 0) / Math.max(1, noText.length),
      teacher_MAE: (c.evaluation.p1 ?? []).find((r) => r.subset === 'tav')?.raw.MAE ?? NaN,
    };
  });
  const students = await meanStdTable(studentRecords, ['variant'], ['student_MAE', 'student_Non0_acc_2', 'no_text_MAE', 'teacher_MAE']);
  return { p1, p2Auilc, p2, p3, students };
}

/** Writes every table of a grid as CSV and Markdown under `dir`; returns the file names. */
export function writeGridTables(tables: GridTables, dir: string, prefix = 'grid'): string[] {
  const files: string[] = [];
  for (const [name, rows] of Object.entries(tables) as [string, MeanStdRow[]][]) {
    if (rows.length === 0) continue;
    files.push(...writeTable(rows, dir, `${prefix}-${name}`).map((f) => f.path));
  }
  return files;
}

function rowsOf(rows: MeanStdRow[], key: string, value: string | number): MeanStdRow[] {
  return rows.filter((r) => r[key] === value);
}

/** Returns the grid's figures: P1 bars, P2 and P3 curves (MAE and Acc-2), ablation bars. */
export function gridFigures(tables: GridTables, methods: readonly string[], ablations: readonly string[], caption: Omit<FigureCaption, 'title'>, prefix = 'grid'): FigureSpec[] {
  const figs: FigureSpec[] = [];
  const present = (v: string) => tables.p1.some((r) => r.variant === v);
  const shown = methods.filter(present);
  if (shown.length > 0) {
    figs.push(
      groupedBarFigure({
        id: `${prefix}-p1-mae`,
        caption: { ...caption, title: 'P1: test MAE per modality subset (mean ± std over seeds)' },
        categories: [...SUBSET_NAMES],
        groups: shown.map((v) => {
          const rows = rowsOf(tables.p1, 'variant', v);
          const of = (s: string) => rows.find((r) => r.subset === s);
          return { name: v, mean: SUBSET_NAMES.map((s) => Number(of(s)?.MAE_mean ?? NaN)), std: SUBSET_NAMES.map((s) => Number(of(s)?.MAE_std ?? 0) || 0) };
        }),
        yTitle: 'test MAE (lower is better)',
      }),
    );
  }
  for (const [which, title, rateTitle] of [
    ['p2', 'P2: frame-level missing rate', 'frame missing rate'],
    ['p3', 'P3: random modality-missing rate', 'modality missing rate'],
  ] as const) {
    const rows = tables[which];
    const withRows = shown.filter((v) => rows.some((r) => r.variant === v));
    if (withRows.length === 0) continue;
    for (const [metric, yTitle] of [
      ['MAE', 'test MAE'],
      ['Non0_acc_2', 'test Acc-2 (non-zero)'],
    ] as const) {
      figs.push(
        rateCurveFigure({
          id: `${prefix}-${which}-${metric.toLowerCase()}`,
          caption: { ...caption, title: `${title}: ${yTitle} (mean ± std over seeds)` },
          series: withRows.map((v) => {
            const r = rowsOf(rows, 'variant', v);
            return { name: v, rates: r.map((x) => Number(x.rate)), mean: r.map((x) => Number(x[`${metric}_mean`])), std: r.map((x) => Number(x[`${metric}_std`]) || 0) };
          }),
          yTitle,
          xTitle: rateTitle,
        }),
      );
    }
  }
  const abl = ablations.filter((v) => tables.students.some((r) => r.variant === v));
  if (abl.length > 1) {
    const rows = abl.map((v) => tables.students.find((r) => r.variant === v)!);
    figs.push(
      barFigure({
        id: `${prefix}-ablations`,
        caption: { ...caption, title: 'Ablations: mean test MAE of the six students (P1, mean ± std over seeds)' },
        labels: abl,
        mean: rows.map((r) => Number(r.student_MAE_mean)),
        std: rows.map((r) => Number(r.student_MAE_std) || 0),
        xTitle: 'variant',
        yTitle: 'mean student MAE (lower is better)',
        highlight: abl.indexOf('mmckd') >= 0 ? abl.indexOf('mmckd') : undefined,
      }),
    );
  }
  return figs;
}

/**
 * Returns display rows: the `keys` columns as they are, `n`, and each metric as 'mean ± std'
 * (std omitted when n = 1). For notebooks and the README; the CSV keeps the numbers.
 */
export function meanStdDisplayRows(rows: MeanStdRow[], keys: readonly string[], metrics: readonly string[], digits = 4): Record<string, string | number>[] {
  return rows.map((r) => {
    const out: Record<string, string | number> = {};
    for (const k of keys) out[k] = r[k];
    out.n = r.n;
    for (const m of metrics) {
      const std = Number(r[`${m}_std`]);
      out[m] = formatMeanStd(Number(r[`${m}_mean`]), Number.isFinite(std) ? std : undefined, digits);
    }
    return out;
  });
}
