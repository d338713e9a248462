/**
 * Figures and tables of training runs: curves from a run's history and the per-subset results
 * table, built from what the trainer and the evaluation return.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import type { EpochRecord } from '../train/resumable-stage';
import type { SubsetResult } from '../eval/evaluate-subsets';
import type { FigureCaption, FigureSpec } from './figure-spec';
import { lineCurvesFigure, type CurveSeries } from './line-figures';
import { LOSS_COLOR, subsetColor } from './layout';

/**
 * Returns training-loss and validation-MAE curves (two panels) of one stage of a history:
 * the total loss, and one validation curve per model in its subset colour (the live display's).
 */
export function trainingCurvesFigure(history: EpochRecord[], stage: string, id: string, caption: FigureCaption): FigureSpec {
  const rows = history.filter((r) => r.stage === stage);
  if (rows.length === 0) throw new Error(`Expected epochs of stage '${stage}' in the history, but found none`);
  const x = rows.map((r) => r.epoch + 1);
  const models = [...new Set(rows.flatMap((r) => Object.keys(r.validMae)))];
  const series: CurveSeries[] = [
    { name: 'training loss (total)', x, y: rows.map((r) => r.trainLoss.total), panel: 'training loss', color: LOSS_COLOR },
    ...models.map((m, i) => ({ name: m, x, y: rows.map((r) => (r.validMae as Record<string, number>)[m]), panel: 'validation MAE', color: subsetColor(m, i) })),
  ];
  return lineCurvesFigure({
    id,
    caption,
    series,
    panels: [
      { name: 'training loss', yTitle: 'mean loss per step' },
      { name: 'validation MAE', yTitle: 'MAE (validation split)' },
    ],
  });
}

/** Returns one table row per subset with MMSA's keys (rounded as MMSA reports), plus a label column. */
export function subsetResultRows(results: SubsetResult[], label?: string): Record<string, string | number>[] {
  return results.map((r) => ({ ...(label ? { method: label } : {}), subset: r.subset, n: r.n, ...r.metrics }));
}
