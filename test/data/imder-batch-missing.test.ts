import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IMDER_ONE_MODALITY_FRACTIONS, IMDER_TWO_MODALITY_FRACTIONS, imderBatchDenominator, imderBatchKept, imderBatchMissing, imderBatchPlan, imderRateIndex,
} from '../../lib/data/missing/imder-batch-missing';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { MODALITIES } from '../../lib/data/modalities';

const RATES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

/** [one-modality, two-modality, full] batch counts of a kept array. */
function counts(kept: Uint8Array): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (const k of kept) c[k - 1]++;
  return c;
}

// Counts from IMDer's loop (trains/singleTask/IMDER.py, do_test) copied into Python and run with numpy.
const IMDER_COUNTS: Record<number, [number, number, number][]> = {
  20: [[2, 2, 16], [4, 4, 12], [6, 6, 8], [10, 4, 6], [14, 2, 4], [18, 0, 2], [20, 0, 0]],
  37: [[4, 4, 29], [8, 8, 21], [12, 12, 13], [20, 8, 9], [28, 4, 5], [36, 0, 1], [37, 0, 0]],
  22: [[2, 2, 18], [4, 4, 14], [6, 6, 10], [10, 4, 8], [14, 2, 6], [18, 0, 4], [20, 0, 2]],
  25: [[2, 2, 21], [4, 4, 17], [6, 6, 13], [10, 4, 11], [14, 2, 9], [18, 0, 7], [20, 0, 5]],
  6: [[1, 1, 4], [2, 2, 2], [3, 3, 0], [5, 1, 0], [6, 0, 0], [6, 0, 0], [6, 0, 0]],
  5: RATES.map(() => [0, 0, 5]),
};

test("IMDer's denominator is round(batches / 10) * 10 with numpy's halves-to-even", () => {
  assert.deepEqual([0, 4, 5, 6, 15, 20, 22, 25, 35, 37, 45].map(imderBatchDenominator), [0, 0, 0, 10, 20, 20, 20, 20, 40, 40, 40]);
});

test('rates 0.1 .. 0.7 map to IMDer index 0 .. 6; other rates throw', () => {
  assert.deepEqual(RATES.map(imderRateIndex), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual([(1 + 2) / 10, 0.7000000000000001].map(imderRateIndex), [2, 6]);
  for (const bad of [0, 0.8, 0.25, 1]) assert.throws(() => imderRateIndex(bad), /IMDer missing rate/);
});

test("batch counts at every rate equal IMDer's loop for 20, 37, 22, 25, 6 and 5 batches", () => {
  for (const [nb, expected] of Object.entries(IMDER_COUNTS)) {
    RATES.forEach((rate, k) => assert.deepEqual(counts(imderBatchKept(Number(nb), rate)), expected[k], `${nb} batches, rate ${rate}`));
  }
});

test('with 20 batches the fractions are exact and the expected missing share is the rate (2/3 at 0.7)', () => {
  RATES.forEach((rate, k) => {
    const kept = imderBatchKept(20, rate);
    const [one, two] = counts(kept);
    assert.equal(one / 20, IMDER_ONE_MODALITY_FRACTIONS[k]);
    assert.equal(two / 20, IMDER_TWO_MODALITY_FRACTIONS[k]);
    const missing = kept.reduce((s, x) => s + 3 - x, 0) / (3 * 20);
    assert.ok(Math.abs(missing - (k === 6 ? 2 / 3 : rate)) < 1e-12, `rate ${rate}: missing share ${missing}`);
  });
});

test('one-modality batches come first, then two-modality batches, then full ones', () => {
  const kept = [...imderBatchKept(37, 0.4)];
  assert.deepEqual(kept, [...Array(20).fill(1), ...Array(8).fill(2), ...Array(9).fill(3)]);
});

test('the plan keeps the counted number of modalities per batch, each choice drawn, and is seeded', () => {
  const plan = imderBatchPlan(300, 0.3, 11);
  const singles = [0, 0, 0];
  const dropped = [0, 0, 0];
  for (let b = 0; b < 300; b++) {
    const row = [...plan.available.subarray(b * 3, b * 3 + 3)];
    assert.equal(row.reduce((s, x) => s + x, 0), plan.kept[b]);
    if (plan.kept[b] === 1) singles[row.indexOf(1)]++;
    if (plan.kept[b] === 2) dropped[row.indexOf(0)]++;
  }
  for (const c of [...singles, ...dropped]) assert.ok(c >= 15 && c <= 45, `each modality drawn about 30 times of 90: ${singles} / ${dropped}`);
  assert.deepEqual(plan, imderBatchPlan(300, 0.3, 11));
  assert.notDeepEqual([...plan.available], [...imderBatchPlan(300, 0.3, 12).available]);
});

const split = generateSynthetic(syntheticConfig('quick', { seed: 3, counts: { test: 700 } })).test;

test('imderBatchMissing: every clip of a batch keeps the same modalities; the last partial batch counts', () => {
  for (const shuffle of [false, true]) {
    const r = imderBatchMissing(split, 0.5, 4, { batchSize: 32, shuffle });
    assert.equal(r.plan.kept.length, 22, '700 clips: 21 full batches of 32 and a partial one of 28');
    const sizes = new Array(22).fill(0);
    for (let i = 0; i < 700; i++) {
      const b = r.batchOfClip[i];
      sizes[b]++;
      assert.deepEqual([...r.available.subarray(i * 3, i * 3 + 3)], [...r.plan.available.subarray(b * 3, b * 3 + 3)]);
      MODALITIES.forEach((m, mi) => {
        const f = r.split.features[m];
        const clip = f.data.subarray(i * f.seqLen * f.dim, (i + 1) * f.seqLen * f.dim);
        if (!r.available[i * 3 + mi]) assert.ok(clip.every((v) => v === 0) && r.masks[m].subarray(i * f.seqLen, (i + 1) * f.seqLen).every((v) => v === 0));
        else assert.deepEqual(clip, split.features[m].data.subarray(i * f.seqLen * f.dim, (i + 1) * f.seqLen * f.dim));
      });
    }
    assert.deepEqual(sizes, [...Array(21).fill(32), 28]);
    if (!shuffle) for (let i = 0; i < 700; i++) assert.equal(r.batchOfClip[i], Math.floor(i / 32), 'clips in split order');
  }
});

test('imderBatchMissing at 0.7 with 20 equal batches drops exactly 2/3 of (clip, modality) pairs; it is seeded', () => {
  const r = imderBatchMissing(split, 0.7, 1, { batchSize: 35 });
  assert.equal(r.plan.kept.length, 20);
  assert.equal(r.available.reduce((s, x) => s + x, 0), 700, 'one modality per clip');
  const again = imderBatchMissing(split, 0.7, 1, { batchSize: 35 });
  assert.deepEqual([...again.available], [...r.available]);
  assert.deepEqual([...again.batchOfClip], [...r.batchOfClip]);
  assert.notDeepEqual([...imderBatchMissing(split, 0.7, 2, { batchSize: 35 }).batchOfClip], [...r.batchOfClip]);
  const half = imderBatchMissing(split, 0.4, 1, { batchSize: 35 });
  const missing = 1 - half.available.reduce((s, x) => s + x, 0) / 2100;
  assert.ok(Math.abs(missing - 0.4) < 1e-12, `rate 0.4: missing share ${missing}`);
});
