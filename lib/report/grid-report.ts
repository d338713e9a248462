/**
 * Tables and figures of an experiment grid: P1 per subset, P2 curves and AUILC, P3 (IMDer, per
 * batch) and P3c (per clip) curves, and the ablations, each as mean and std over seeds, from the
 * cells `runGrid` returns; and two paired-by-seed tables: MM-CKD minus B2 per subset with its
 * t-interval, and the teacher before and after stage 2.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { REPORTED_METRICS } from '../vocabulary';
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { GridCell } from '../eval/grid-cell';
import type { RateCurve } from '../eval/evaluate-protocols';
import type { FigureCaption, FigureSpec } from './figure-spec';
import { barFigure, groupedBarFigure } from './bar-figures';
import { rateCurveFigure } from './line-figures';
import { meanStdTable, type MeanStdRow } from './mean-std';
import { pairedDifference, sampleMeanSd } from './paired-difference';
import type { TableRow } from './table-format';
import { writeTable } from './write-table';
import { formatMeanStd, relabelColumns } from './table-format';
import { variantLabel } from './variant-labels';

/** Metrics whose AUILC is reported for P2 (Corr is undefined at rate 1.0, where predictions are constant). */
const AUILC_METRICS = ['MAE', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7'] as const;

/** Aggregated tables of a grid. */
export interface GridTables {
  p1: MeanStdRow[];
  p2Auilc: MeanStdRow[];
  p2: MeanStdRow[];
  /** P3, IMDer's per-batch modality-missing rate. */
  p3: MeanStdRow[];
  /** P3c, the per-clip modality-missing rate. */
  p3c: MeanStdRow[];
  /** Mean over the six students (P1) per variant: the ablation summary. */
  students: MeanStdRow[];
  /** MM-CKD minus B2, test MAE per P1 subset, paired by seed (`pairedSubsetTable`). */
  mmckdVsB2: MeanStdRow[];
  /** The teacher's test and valid MAE after stage 1, after MM-CKD and after stage 2 with lambda 0 (`teacherTable`). */
  teacher: MeanStdRow[];
}

/** Returns the seed-level records of P1 (one per variant, seed, subset). */
function p1Records(cells: GridCell[]): TableRow[] {
  return cells.flatMap((c) =>
    (c.evaluation.p1 ?? []).map((r) => ({ variant: c.variant, seed: c.seed, subset: r.subset, ...pick(r.metrics, REPORTED_METRICS) })),
  );
}

function pick(values: Record<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

function curveRecords(cells: GridCell[], which: 'p2' | 'p3' | 'p3c'): TableRow[] {
  return cells.flatMap((c) => {
    const curve: RateCurve | undefined = c.evaluation[which];
    return (curve?.results ?? []).map((r) => ({ variant: c.variant, seed: c.seed, rate: r.rate, ...pick(r.raw, AUILC_METRICS) }));
  });
}

/** Aggregates a grid's cells into mean/std tables (sample std over seeds). */
export async function gridTables(cells: GridCell[]): Promise<GridTables> {
  const p1 = await meanStdTable(p1Records(cells), ['variant', 'subset'], [...REPORTED_METRICS]);
  const auilcRecords = cells
    .filter((c) => c.evaluation.p2)
    .map((c) => ({ variant: c.variant, seed: c.seed, ...Object.fromEntries(AUILC_METRICS.map((k) => [`AUILC_${k}`, c.evaluation.p2!.auilc[k]!])) }));
  const p2Auilc = await meanStdTable(auilcRecords, ['variant'], AUILC_METRICS.map((k) => `AUILC_${k}`));
  const p2 = await meanStdTable(curveRecords(cells, 'p2'), ['variant', 'rate'], AUILC_METRICS);
  const p3 = await meanStdTable(curveRecords(cells, 'p3'), ['variant', 'rate'], AUILC_METRICS);
  const p3c = await meanStdTable(curveRecords(cells, 'p3c'), ['variant', 'rate'], AUILC_METRICS);
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
  return { p1, p2Auilc, p2, p3, p3c, students, mmckdVsB2: pairedSubsetTable(cells, 'mmckd', 'b2'), teacher: teacherTable(cells) };
}

/** The row label of the mean over the six students in `pairedSubsetTable`. */
const STUDENTS_ROW = 'students';

function p1Mae(cell: GridCell, subset: SubsetName | typeof STUDENTS_ROW): number {
  const rows = (cell.evaluation.p1 ?? []).filter((r) => (subset === STUDENTS_ROW ? r.subset !== 'tav' : r.subset === subset));
  return rows.length === (subset === STUDENTS_ROW ? SUBSET_NAMES.length - 1 : 1) ? rows.reduce((s, r) => s + r.raw.MAE, 0) / rows.length : NaN;
}

/**
 * Returns the paired difference `a` minus `b` of test MAE per P1 subset, plus a row for the mean
 * of the six students, over the seeds where both variants have a cell: columns subset, n,
 * mean_diff, sd, ci_low, ci_high (95% Student t-interval) and verdict ('better' when the interval
 * lies below 0: `a` has the lower MAE). Empty when the grid lacks either variant.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function pairedSubsetTable(cells: GridCell[], a = 'mmckd', b = 'b2'): MeanStdRow[] {
  const bySeed = (v: string) => new Map(cells.filter((c) => c.variant === v).map((c) => [c.seed, c]));
  const ca = bySeed(a);
  const cb = bySeed(b);
  const seeds = [...ca.keys()].filter((s) => cb.has(s)).sort((x, y) => x - y);
  if (seeds.length === 0) return [];
  return [...SUBSET_NAMES, STUDENTS_ROW as typeof STUDENTS_ROW].flatMap((subset) => {
    const pairs = seeds.map((s) => [p1Mae(ca.get(s)!, subset), p1Mae(cb.get(s)!, subset)]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pairs.length === 0) return [];
    const d = pairedDifference(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    return [{ subset, n: d.n, mean_diff: d.meanDiff, sd: d.sd, ci_low: d.ciLow, ci_high: d.ciHigh, verdict: d.verdict }];
  });
}

/** The three teachers of `teacherTable`: the column prefix, the variant whose 'tav' model it is, and how tables label it. */
export const TEACHER_SOURCES: readonly { name: string; variant: string; what: string; label: string }[] = [
  { name: 'stage1', variant: 'b1', what: 'the stage-1 teacher (B1)', label: 'stage 1' },
  { name: 'mmckd', variant: 'mmckd', what: 'the teacher after online MM-CKD', label: 'after MM-CKD' },
  { name: 'b2', variant: 'b2', what: 'the teacher after stage 2 with L1 only (lambda 0, B2)', label: 'after B2' },
];

/**
 * Readable column labels for the grid tables' derived columns (the tables and the CSV files the
 * grid writes keep the field names; MMSA metric keys such as MAE or Non0_acc_2 stay as they are).
 */
export const GRID_COLUMN_LABELS: Readonly<Record<string, string>> = {
  student_MAE: 'students MAE (mean of six)',
  student_Non0_acc_2: 'students Non0_acc_2 (mean of six)',
  no_text_MAE: 'no-text students MAE (a, v, av)',
  teacher_MAE: 'teacher MAE',
  ...Object.fromEntries(AUILC_METRICS.map((k) => [`AUILC_${k}`, `AUILC of ${k}`])),
  mean_diff: 'mean MAE difference',
  sd: 'sd of differences',
  ci_low: '95% CI low',
  ci_high: '95% CI high',
  ...Object.fromEntries(TEACHER_SOURCES.flatMap((t) => [[`${t.name}_checkpoint`, `${t.label}: kept checkpoint`], [`${t.name}_test_MAE`, `${t.label}: test MAE`], [`${t.name}_valid_MAE`, `${t.label}: valid MAE`]])),
};

/** Names a kept checkpoint as tables print it, e.g. 'stage-2 epoch 0' (epochs 0-based, as in history.json). */
export function checkpointLabel(k: { stage: string; epoch: number } | undefined): string {
  return k ? `${k.stage.replace(/^stage(\d)$/, 'stage-$1')} epoch ${k.epoch}` : '';
}

/**
 * Returns the teacher ('tav' model) per seed, then mean and std rows: columns seed ('mean',
 * 'std' on the last two rows) and, for each source of TEACHER_SOURCES present in the grid,
 * `<source>_checkpoint` (the checkpoint the run kept, e.g. 'stage-1 epoch 21': a stage-2 teacher
 * replaces the stage-1 one only when it beats it on validation; the mean row counts how many seeds
 * kept a stage-2 teacher), `<source>_test_MAE` (P1) and `<source>_valid_MAE` (of the kept
 * checkpoint). Empty when none is present.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function teacherTable(cells: GridCell[]): MeanStdRow[] {
  const sources = TEACHER_SOURCES.filter((t) => cells.some((c) => c.variant === t.variant));
  if (sources.length === 0) return [];
  const seeds = [...new Set(cells.filter((c) => sources.some((t) => t.variant === c.variant)).map((c) => c.seed))].sort((x, y) => x - y);
  const cell = (variant: string, seed: number) => cells.find((c) => c.variant === variant && c.seed === seed);
  const rows: MeanStdRow[] = seeds.map((seed) => ({ seed }));
  const mean: MeanStdRow = { seed: 'mean' };
  const std: MeanStdRow = { seed: 'std' };
  for (const t of sources) {
    const kept = seeds.map((seed) => cell(t.variant, seed)?.kept?.tav);
    const test = seeds.map((seed) => {
      const c = cell(t.variant, seed);
      return c ? p1Mae(c, 'tav') : NaN;
    });
    const valid = kept.map((k) => k?.validMae ?? NaN);
    const known = kept.filter((k) => k !== undefined);
    rows.forEach((r, i) => Object.assign(r, { [`${t.name}_checkpoint`]: checkpointLabel(kept[i]), [`${t.name}_test_MAE`]: test[i], [`${t.name}_valid_MAE`]: valid[i] }));
    mean[`${t.name}_checkpoint`] = known.length === 0 ? '' : `stage 2 in ${known.filter((k) => k!.stage === 'stage2').length} of ${known.length}`;
    std[`${t.name}_checkpoint`] = '';
    for (const [col, values] of [[`${t.name}_test_MAE`, test], [`${t.name}_valid_MAE`, valid]] as const) {
      const st = sampleMeanSd(values.filter(Number.isFinite));
      mean[col] = st.mean;
      std[col] = st.sd;
    }
  }
  rows.push(mean, std);
  return rows;
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

/** Options of gridFigures. */
export interface GridFigureOptions {
  /** Test MAE of the constant predictor (`constantPredictorMae`), drawn as a dashed line on every MAE figure (P1 bars, P2, P3 and P3c curves). */
  constantMae?: number;
}

/** Returns the grid's figures: P1 bars, P2, P3 and P3c curves (MAE and Acc-2), ablation bars. */
export function gridFigures(tables: GridTables, methods: readonly string[], ablations: readonly string[], caption: Omit<FigureCaption, 'title'>, prefix = 'grid', options: GridFigureOptions = {}): FigureSpec[] {
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
          return { name: variantLabel(v), mean: SUBSET_NAMES.map((s) => Number(of(s)?.MAE_mean ?? NaN)), std: SUBSET_NAMES.map((s) => Number(of(s)?.MAE_std ?? 0) || 0) };
        }),
        yTitle: 'test MAE (lower is better)',
        constantMae: options.constantMae,
      }),
    );
  }
  for (const [which, title, rateTitle] of [
    ['p2', 'P2: frame-level missing rate', 'frame missing rate'],
    ['p3', 'P3 (IMDer, per batch): modality-missing rate', 'modality missing rate (IMDer, per batch)'],
    ['p3c', 'P3c (per clip): modality-missing rate', 'modality missing rate (per clip)'],
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
            return { name: variantLabel(v), rates: r.map((x) => Number(x.rate)), mean: r.map((x) => Number(x[`${metric}_mean`])), std: r.map((x) => Number(x[`${metric}_std`]) || 0) };
          }),
          yTitle,
          xTitle: rateTitle,
          constantMae: metric === 'MAE' ? options.constantMae : undefined,
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
        labels: abl.map(variantLabel),
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
 * Returns display rows: the `keys` columns as labels (a number as JavaScript prints it: rate 0.1), `n`, and each metric as 'mean ± std'
 * (std omitted when n = 1), columns labelled by `labels` (default GRID_COLUMN_LABELS). For
 * notebooks and the README; the CSV keeps the numbers.
 */
export function meanStdDisplayRows(
  rows: MeanStdRow[],
  keys: readonly string[],
  metrics: readonly string[],
  digits = 4,
  labels: Readonly<Record<string, string>> = GRID_COLUMN_LABELS,
): Record<string, string | number>[] {
  return relabelColumns(
    rows.map((r) => {
      const out: Record<string, string | number> = {};
      for (const k of keys) out[k] = typeof r[k] === 'number' ? String(r[k]) : r[k]; // a key is a label: rate 0.1, not 0.1000
      out.n = r.n;
      for (const m of metrics) {
        const std = Number(r[`${m}_std`]);
        out[m] = formatMeanStd(Number(r[`${m}_mean`]), Number.isFinite(std) ? std : undefined, digits);
      }
      return out;
    }),
    labels,
  );
}
