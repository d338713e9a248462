import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyModalitySubset, droppedFraction, effectiveModalityMissingRate, frameMissing, randomModalityMissing } from '../../lib/data/missing';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { MODALITIES, SUBSET_NAMES, subsetModalities } from '../../lib/data/modalities';
import { createHash } from 'node:crypto';
import type { MultimodalSplit } from '../../lib/data/types';

const d = generateSynthetic(syntheticConfig('quick', { seed: 9, counts: { test: 400 } }));
const split = d.test;

function splitHash(s: MultimodalSplit): string {
  const h = createHash('sha256');
  for (const m of MODALITIES) {
    h.update(new Uint8Array(s.features[m].data.buffer));
    h.update(new Uint8Array(s.features[m].lengths.buffer));
  }
  h.update(new Uint8Array(s.labels.buffer));
  return h.digest('hex');
}
const before = splitHash(split);

test('P1 zeroes exactly the modalities outside the subset, for all seven subsets', () => {
  for (const name of SUBSET_NAMES) {
    const r = applyModalitySubset(split, name);
    const keep = subsetModalities(name);
    MODALITIES.forEach((m, mi) => {
      const f = r.split.features[m];
      if (keep.includes(m)) {
        assert.equal(f.data, split.features[m].data, `${name}: ${m} shared unchanged`);
        assert.ok(r.masks[m].some((v) => v === 1));
      } else {
        assert.ok(f.data.every((v) => v === 0), `${name}: ${m} zeroed`);
        assert.ok(r.masks[m].every((v) => v === 0));
      }
      assert.deepEqual([...f.lengths], [...split.features[m].lengths], 'lengths kept');
      for (let i = 0; i < split.labels.length; i++) assert.equal(r.available[i * 3 + mi], keep.includes(m) ? 1 : 0);
    });
  }
  assert.equal(splitHash(split), before, 'input unchanged');
});

test('P2 drops about `rate` of the valid frames per modality, zeroes them, keeps padding at 0', () => {
  for (const rate of [0, 0.3, 0.7, 1]) {
    const r = frameMissing(split, rate, 123);
    const frac = droppedFraction(split, r);
    for (const m of MODALITIES) {
      assert.ok(Math.abs(frac[m] - rate) < 0.03, `${m} rate ${rate}: dropped ${frac[m]}`);
      const f = r.split.features[m];
      const T = f.seqLen;
      const D = f.dim;
      for (let row = 0; row < f.numClips * T; row++) {
        const t = row % T;
        const i = (row - t) / T;
        if (t >= f.lengths[i]) assert.equal(r.masks[m][row], 0, 'padding never present');
        if (!r.masks[m][row]) assert.ok(f.data.subarray(row * D, (row + 1) * D).every((v) => v === 0));
        else assert.deepEqual(f.data.subarray(row * D, (row + 1) * D), split.features[m].data.subarray(row * D, (row + 1) * D));
      }
    }
  }
  assert.equal(splitHash(split), before, 'input unchanged');
});

test('P2 is seeded, with a different stream per modality, and can keep text ends', () => {
  const a = frameMissing(split, 0.5, 7);
  const b = frameMissing(split, 0.5, 7);
  const c = frameMissing(split, 0.5, 8);
  assert.deepEqual(a.masks.text, b.masks.text);
  assert.notDeepEqual(a.masks.text, c.masks.text);
  assert.notDeepEqual(a.masks.text, a.masks.audio, 'separate seed per modality');
  const k = frameMissing(split, 1, 7, { keepTextEnds: true });
  const T = split.features.text.seqLen;
  for (let i = 0; i < split.labels.length; i++) {
    const L = split.features.text.lengths[i];
    assert.equal(k.masks.text[i * T], 1);
    assert.equal(k.masks.text[i * T + L - 1], 1);
  }
});

test('P3c (per clip) never drops all modalities; observed rate matches rate - rate^3/3', () => {
  for (const rate of [0.1, 0.4, 0.7]) {
    const r = randomModalityMissing(split, rate, 99);
    const n = split.labels.length;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const kept = r.available[i * 3] + r.available[i * 3 + 1] + r.available[i * 3 + 2];
      assert.ok(kept >= 1, 'at least one modality');
      dropped += 3 - kept;
      MODALITIES.forEach((m, mi) => {
        const f = r.split.features[m];
        const clip = f.data.subarray(i * f.seqLen * f.dim, (i + 1) * f.seqLen * f.dim);
        if (!r.available[i * 3 + mi]) assert.ok(clip.every((v) => v === 0));
      });
    }
    const observed = dropped / (3 * n);
    assert.ok(Math.abs(observed - effectiveModalityMissingRate(rate)) < 0.035, `rate ${rate}: observed ${observed}`);
  }
  assert.equal(splitHash(split), before, 'input unchanged');
});

test('P3c is seeded, and keeps one modality in about 78% of clips at 0.7 (IMDer: every clip)', () => {
  const a = randomModalityMissing(split, 0.7, 5);
  assert.deepEqual([...a.available], [...randomModalityMissing(split, 0.7, 5).available]);
  assert.notDeepEqual([...a.available], [...randomModalityMissing(split, 0.7, 6).available]);
  const n = split.labels.length;
  let one = 0;
  for (let i = 0; i < n; i++) if (a.available[i * 3] + a.available[i * 3 + 1] + a.available[i * 3 + 2] === 1) one++;
  const expected = 3 * 0.7 * 0.7 * 0.3 + 0.7 ** 3; // one kept, or all dropped and one restored
  assert.ok(Math.abs(one / n - expected) < 0.06, `one-modality share ${one / n} vs ${expected}`);
});
