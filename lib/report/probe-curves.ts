/**
 * MVSC at work, drawn: curves of what the stage-2 probe (lib/train/distillation-probe.ts)
 * recorded in each run's history, one panel per run (MM-CKD beside B4 and B2, say), one line per
 * model in its subset colour. The measure is a probe group ('valid.separation') or a function of
 * the probe record (the ratio of the two terms' gradients).
 * @see notebooks/03-online-mmckd.ipynb
 */
import type { SubsetName } from '../data/modalities';
import type { EpochRecord } from '../train/resumable-stage';
import type { ProbeRecord } from '../train/trainer';
import type { FigureCaption, FigureSpec } from './figure-spec';
import { FigureInputError } from './figure-spec';
import { lineCurvesFigure, type CurveSeries } from './line-figures';
import { subsetColor } from './layout';

/** One run's curves: its label (a panel title) and its history. */
export interface ProbedRun {
  label: string;
  history: readonly EpochRecord[];
}

/** What to draw of each epoch's probe: a group's name, or a function returning a number per model. */
export type ProbeMeasure = string | ((probe: ProbeRecord) => Partial<Record<string, number>>);

/** Input of `probeCurvesFigure`. */
export interface ProbeCurvesInput {
  id: string;
  caption: FigureCaption;
  runs: readonly ProbedRun[];
  measure: ProbeMeasure;
  /** The models drawn, in this order (default every model the measure names). */
  models?: readonly SubsetName[];
  yTitle: string;
}

/**
 * Returns a figure with one panel per run and one curve per model of `measure` against the
 * stage-2 epoch. Throws naming the run when it has no probe records (a run trained before the
 * kit recorded them, or a method without stage 2 models).
 * @see notebooks/03-online-mmckd.ipynb
 */
export function probeCurvesFigure(input: ProbeCurvesInput): FigureSpec {
  const read = typeof input.measure === 'string' ? ((name: string) => (p: ProbeRecord) => p[name] ?? {})(input.measure) : input.measure;
  const series: CurveSeries[] = [];
  for (const run of input.runs) {
    const rows = run.history.filter((r) => r.stage === 'stage2' && r.probe);
    if (rows.length === 0) throw new FigureInputError(`Expected probe records in the stage-2 history of '${run.label}', but found none`);
    const values = rows.map((r) => read(r.probe!));
    const models = input.models ?? ([...new Set(values.flatMap((v) => Object.keys(v)))] as SubsetName[]);
    for (const [i, m] of models.entries()) {
      if (!values.some((v) => v[m] !== undefined)) continue;
      series.push({ name: m, x: rows.map((r) => r.epoch + 1), y: values.map((v) => v[m] ?? NaN), panel: run.label, color: subsetColor(m, i) });
    }
  }
  return lineCurvesFigure({
    id: input.id,
    caption: input.caption,
    series,
    panels: input.runs.map((r) => ({ name: r.label, yTitle: input.yTitle })),
  });
}
