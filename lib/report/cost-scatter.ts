/**
 * The points of notebook 05's accuracy-versus-cost scatters: every row of a cost report that has
 * an accuracy (the teacher, the imputers + teacher, the students' mean, the six students),
 * labelled short and grouped as the legend names them.
 * @see notebooks/05-computational-cost.ipynb
 */
import type { CostReport, CostRow } from '../eval/cost';
import type { ScatterPoint } from './scatter-figures';

/** Returns the legend group of a cost row: imputer + teacher (B5), the teacher, or an MM-CKD student (one or their mean). */
export function costGroupLabel(row: CostRow): string {
  if (row.group === 'imputer+teacher') return 'imputer + teacher (B5)';
  if (row.group === 'teacher') return 'teacher (all modalities)';
  return 'MM-CKD student';
}

/**
 * Returns one scatter point per cost row with an accuracy: x from `x` (e.g. `(r) => r.flops`),
 * y the row's test MAE; the teacher is drawn last, as a ring, so a student at nearly the same
 * cost and accuracy (ta, tv) does not hide it.
 */
export function costScatterPoints(report: CostReport, x: (row: CostRow) => number): ScatterPoint[] {
  const scored = report.rows.filter((r) => r.accuracy !== undefined);
  const ordered = [...scored.filter((r) => r.group !== 'teacher'), ...scored.filter((r) => r.group === 'teacher')];
  return ordered.map((r) => ({
    x: x(r),
    y: r.accuracy!.MAE,
    label: r.name.replace(' + teacher', '').replace('student ', ''),
    group: costGroupLabel(r),
    ...(r.group === 'teacher' ? { symbol: 'circle-open' } : {}),
  }));
}
