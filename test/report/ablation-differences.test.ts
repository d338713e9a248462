import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GridCell } from '../../lib/eval/grid-cell';
import { constantPredictorMae, median } from '../../lib/eval/constant-predictor';
import { ablationDifferenceFigure, ablationDifferenceRows } from '../../lib/report/ablation-differences';
import { groupedBarFigure } from '../../lib/report/bar-figures';

/** A cell whose six students score `mae` (P1) and whose teacher scores 0.7. */
const cell = (variant: string, seed: number, mae: number) => ({
  variant, seed, runDir: '', config: {}, kept: {}, computed: false,
  evaluation: { p1: ['tav', 'ta', 'tv', 'av', 't', 'a', 'v'].map((subset) => ({ subset, raw: { MAE: subset === 'tav' ? 0.7 : mae }, metrics: { MAE: subset === 'tav' ? 0.7 : mae }, n: 1 })) },
}) as unknown as GridCell;

test('ablationDifferenceRows pairs each variant with B2 by seed on the students; the figure draws the interval as the error bar', () => {
  const cells = [1, 2, 3].flatMap((s) => [cell('b2', s, 0.93 + 0.01 * s), cell('mmckd', s, 0.93 + 0.01 * s - 0.002), cell('mmckd-tau0.07', s, 0.93 + 0.01 * s + 0.001 * s)]);
  const rows = ablationDifferenceRows(cells, ['mmckd', 'b2', 'mmckd-tau0.07']);
  assert.deepEqual(rows.map((r) => r.variant), ['mmckd', 'mmckd-tau0.07'], 'the baseline is not compared with itself');
  assert.ok(Math.abs(rows[0].mean_diff + 0.002) < 1e-12);
  assert.equal(rows[0].verdict, 'better');
  assert.equal(rows[0].n, 3);
  assert.ok(Math.abs(rows[1].mean_diff - 0.002) < 1e-12);
  const fig = ablationDifferenceFigure(rows, { dataset: 'd', seeds: [1, 2, 3], backend: 'cpu' });
  const bar = fig.data[0] as unknown as { x: number[]; y: string[]; error_x: { array: number[] } };
  assert.deepEqual(bar.y, ['MM-CKD', 'MM-CKD, τ 0.07']);
  assert.deepEqual(bar.x, rows.map((r) => r.mean_diff));
  assert.ok(Math.abs(bar.error_x.array[1] - (rows[1].ci_high - rows[1].mean_diff)) < 1e-12);
  assert.match(fig.caption.title, /paired by seed \(95% interval\)/);
  assert.doesNotMatch(fig.caption.title, /s's/, "a label ending in s takes an apostrophe alone");
});

test('the constant predictor: the median training label for every clip; grouped bars draw it as a dashed line', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.throws(() => median([]), /at least one value/);
  assert.ok(Math.abs(constantPredictorMae([0, 1, 2], [1, 3, -1]) - (0 + 2 + 2) / 3) < 1e-12);
  const fig = groupedBarFigure({ id: 'p1', caption: { title: 't', dataset: 'd', seeds: [1], backend: 'cpu' }, categories: ['tav'], groups: [{ name: 'MM-CKD', mean: [0.8] }], yTitle: 'MAE', reference: { value: 1.1, label: 'constant predictor' } });
  const shapes = fig.layout.shapes as { y0: number; line: { dash: string } }[];
  assert.equal(shapes[0].y0, 1.1);
  assert.equal(shapes[0].line.dash, 'dash');
  assert.match((fig.layout.annotations as { text: string }[])[0].text, /^constant predictor: 1\.100$/);
});
