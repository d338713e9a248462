/**
 * One-line readings of the grid's tables (gridTables), as notebook 04 prints them under each
 * table: a metric at one missing rate, a paired difference with its interval and verdict, and the
 * teacher's test MAE before and after stage 2.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import type { MeanStdRow } from './mean-std';
import { TEACHER_SOURCES } from './grid-report';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Returns the mean of `metric` (default MAE) of `variant` at missing rate `rate` in a P2/P3/P3c table, or NaN when the table has no such row. */
export function meanAtRate(rows: readonly MeanStdRow[], variant: string, rate: number, metric = 'MAE'): number {
  const row = rows.find((r) => r.variant === variant && Math.abs(Number(r.rate) - rate) < 1e-9);
  return row ? Number(row[`${metric}_mean`]) : Number.NaN;
}

/**
 * Returns one row of `pairedSubsetTable` as a line: '<subset>: A - B = d, 95% CI [low, high] over
 * n seeds: verdict', with 'n/a' for an interval end that one seed leaves undefined.
 */
export function pairedDifferenceLine(row: MeanStdRow, names: readonly [string, string] = ['MM-CKD', 'B2']): string {
  const end = (x: unknown) => (Number.isFinite(Number(x)) ? Number(x).toFixed(4) : 'n/a');
  return `${row.subset}: ${names[0]} - ${names[1]} = ${Number(row.mean_diff).toFixed(4)}, 95% CI [${end(row.ci_low)}, ${end(row.ci_high)}] over ${plural(Number(row.n), 'seed')}: ${row.verdict}`;
}

/**
 * Returns the line of `teacherTable`'s mean row: each teacher of TEACHER_SOURCES with its test MAE
 * and, after the first, its change from the stage-1 teacher.
 */
export function teacherSummaryLine(teacherRows: readonly MeanStdRow[]): string {
  const mean = teacherRows.find((r) => r.seed === 'mean');
  const seeds = teacherRows.filter((r) => typeof r.seed === 'number').length;
  const test = (name: string) => Number(mean?.[`${name}_test_MAE`]);
  const first = test(TEACHER_SOURCES[0].name);
  const parts = TEACHER_SOURCES.map((t, i) => {
    const change = test(t.name) - first;
    return `${t.what} ${test(t.name).toFixed(4)}${i === 0 ? '' : ` (${change >= 0 ? '+' : ''}${change.toFixed(4)})`}`;
  });
  return `teacher test MAE, mean over ${plural(seeds, 'seed')}: ${parts.join('; ')}`;
}
