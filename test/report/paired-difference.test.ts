import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedDifference, sampleMeanSd } from '../../lib/report/paired-difference';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('pairedDifference: mean, sd and the 95% t-interval of a - b (scipy values), verdict better', () => {
  const d = pairedDifference([0.8, 0.82, 0.79, 0.81, 0.78], [0.85, 0.84, 0.83, 0.86, 0.82]);
  assert.equal(d.n, 5);
  close(d.meanDiff, -0.04, 'mean');
  close(d.sd, 0.012247448713915856, 'sd');
  close(d.ciLow, -0.05520721613791626, 'ci low'); // scipy.stats.t.interval(0.95, 4, ...)
  close(d.ciHigh, -0.024792783862083632, 'ci high');
  assert.equal(d.level, 0.95);
  assert.equal(d.verdict, 'better');
});

test('pairedDifference: worse above 0, within noise when the interval holds 0, flipped for higher-is-better', () => {
  assert.equal(pairedDifference([0.85, 0.84, 0.83, 0.86, 0.82], [0.8, 0.82, 0.79, 0.81, 0.78]).verdict, 'worse');
  const noisy = pairedDifference([0.80, 0.90, 0.70], [0.85, 0.80, 0.80]);
  assert.ok(noisy.ciLow < 0 && noisy.ciHigh > 0);
  assert.equal(noisy.verdict, 'within noise');
  assert.equal(pairedDifference([0.7, 0.72, 0.71], [0.6, 0.61, 0.62], { lowerIsBetter: false }).verdict, 'better');
  // a two-point pair: half width t_{0.975,1} * sd / sqrt(2)
  const two = pairedDifference([1, 2], [0, 0]);
  close(two.ciHigh - two.meanDiff, (12.706204736174694 * Math.SQRT1_2) / Math.sqrt(2), 'df 1 half width');
});

test('pairedDifference: one pair has no interval; mismatched or non-finite inputs throw', () => {
  const one = pairedDifference([0.5], [0.7]);
  assert.equal(one.n, 1);
  close(one.meanDiff, -0.2, 'mean');
  assert.ok(Number.isNaN(one.sd) && Number.isNaN(one.ciLow) && Number.isNaN(one.ciHigh));
  assert.equal(one.verdict, 'within noise');
  assert.throws(() => pairedDifference([1, 2], [1]), /same length, but got 2 and 1/);
  assert.throws(() => pairedDifference([1, NaN], [1, 2]), /finite values at pair 1/);
  assert.throws(() => pairedDifference([1, 2], [1, 2], { level: 1 }), /level/);
});

test('sampleMeanSd uses the n - 1 divisor', () => {
  assert.deepEqual(sampleMeanSd([1, 2, 3, 4]), { n: 4, mean: 2.5, sd: Math.sqrt(5 / 3) });
  assert.ok(Number.isNaN(sampleMeanSd([3]).sd));
});
