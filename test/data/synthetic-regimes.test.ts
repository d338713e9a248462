import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateSynthetic, syntheticConfig, type SyntheticDataset } from '../../lib/data/synthetic';
import { correlationBeyondSentiment, ridgeProbe } from '../../lib/data/probe';
import { MODALITIES } from '../../lib/data/modalities';
import type { SplitName } from '../../lib/data/types';

/** SHA-256 over one split's ids, labels, lengths and features. */
function splitHash(d: SyntheticDataset, s: SplitName): string {
  const h = createHash('sha256');
  const bytes = (a: Float32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  h.update(d[s].ids.join('\n'));
  h.update(bytes(d[s].labels));
  for (const m of MODALITIES) h.update(bytes(d[s].features[m].data)).update(bytes(d[s].features[m].lengths));
  return h.digest('hex');
}

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const variance = (a: ArrayLike<number>): number => {
  const m = mean(a);
  return Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
};
const correlation = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const ma = mean(a);
  const mb = mean(b);
  const cov = Array.from(a).reduce((s, v, i) => s + (v - ma) * (b[i] - mb), 0) / a.length;
  return cov / Math.sqrt(variance(a) * variance(b));
};

test('counts.train sets the training-set size; valid and test stay byte-identical and a smaller set is a prefix', () => {
  const base = generateSynthetic(syntheticConfig('quick'));
  for (const n of [150, 4000]) {
    const d = generateSynthetic(syntheticConfig('quick', { counts: { train: n } }));
    assert.equal(d.train.labels.length, n);
    assert.equal(d.train.features.text.numClips, n);
    assert.equal(splitHash(d, 'valid'), splitHash(base, 'valid'));
    assert.equal(splitHash(d, 'test'), splitHash(base, 'test'));
  }
  const small = generateSynthetic(syntheticConfig('quick', { counts: { train: 150 } }));
  assert.deepEqual(small.train.ids, base.train.ids.slice(0, 150));
  assert.deepEqual([...small.train.labels], [...base.train.labels.subarray(0, 150)]);
  const f = small.train.features.audio;
  assert.deepEqual([...f.data], [...base.train.features.audio.data.subarray(0, f.data.length)]);
});

test('addedLabelNoise raises the variance of label minus sentiment by sigma^2 on train and valid; test labels and features do not move', () => {
  const counts = { train: 4000, valid: 4000 };
  const clean = generateSynthetic(syntheticConfig('quick', { counts }));
  const noisy = generateSynthetic(syntheticConfig('quick', { counts, addedLabelNoise: 0.5 }));
  const noisier = generateSynthetic(syntheticConfig('quick', { counts, addedLabelNoise: 1 }));
  for (const s of ['train', 'valid'] as const) {
    assert.deepEqual([...noisy.truth[s].cleanLabels], [...clean[s].labels], 'cleanLabels are the annotated labels');
    const gap = (d: SyntheticDataset): number[] => Array.from(d[s].labels, (y, i) => y - d.truth[s].latent[i]);
    for (const [d, sigma] of [[noisy, 0.5], [noisier, 1]] as const) {
      const added = variance(gap(d)) - variance(gap(clean));
      assert.ok(Math.abs(added - sigma ** 2) < 0.06 * sigma, `${s}: variance added ${added}, expected ${sigma ** 2}`);
    }
    const noise = Array.from(noisy[s].labels, (y, i) => y - clean[s].labels[i]);
    assert.ok(Math.abs(mean(noise)) < 0.03, `${s}: noise mean ${mean(noise)}`);
    assert.ok(Math.abs(Math.sqrt(variance(noise)) - 0.5) < 0.02, `${s}: noise std ${Math.sqrt(variance(noise))}`);
    assert.ok(Math.abs(correlation(noise, clean.truth[s].latent)) < 0.05, 'the noise is independent of the sentiment');
    // paired regimes: sigma 1 scales the same draws as sigma 0.5
    noise.forEach((e, i) => assert.ok(Math.abs(noisier[s].labels[i] - clean[s].labels[i] - 2 * e) < 1e-4));
  }
  assert.deepEqual([...noisier.test.labels], [...clean.test.labels], 'test labels stay as annotated');
  for (const s of ['train', 'valid', 'test'] as const) {
    for (const m of MODALITIES) assert.deepEqual(noisier[s].features[m].data, clean[s].features[m].data, `${s} ${m} features do not depend on label noise`);
  }
});

test('sharedBeyondLabel raises the correlation between modalities beyond the sentiment and leaves each modality alone as informative', () => {
  const measure = (share: number): { corr: Record<string, number>; r2: number[] } => {
    const d = generateSynthetic(syntheticConfig('quick', { sharedBeyondLabel: share, counts: { train: 1500, test: 1500 } }));
    return {
      corr: correlationBeyondSentiment(d.train, d.test, d.truth.train, d.truth.test),
      r2: MODALITIES.map((m) => ridgeProbe(d.train, d.test, m, 10).r2Eval),
    };
  };
  // the readings' errors correlate by exactly the share (unflipped clips)
  for (const share of [0, 0.5, 0.9]) {
    const d = generateSynthetic(syntheticConfig('quick', { sharedBeyondLabel: share, counts: { train: 4000 }, disagreementRate: 0 }));
    const error = (m: 'text' | 'audio' | 'vision'): number[] => Array.from(d.truth.train.readings[m], (r, i) => r - d.truth.train.latent[i]);
    const [t, a, v] = [error('text'), error('audio'), error('vision')];
    for (const [x, y, name] of [[t, a, 'text-audio'], [t, v, 'text-vision'], [a, v, 'audio-vision']] as const) {
      assert.ok(Math.abs(correlation(x, y) - share) < 0.04, `${name} reading errors correlate ${correlation(x, y)} at share ${share}`);
    }
    assert.ok(Math.abs(Math.sqrt(variance(a)) - 2.6) < 0.1, `audio reading error std ${Math.sqrt(variance(a))} stays cueNoise 2.6`);
  }
  const none = measure(0);
  const most = measure(0.9);
  for (const pair of ['text-audio', 'text-vision', 'audio-vision']) {
    assert.ok(most.corr[pair] > none.corr[pair] + 0.15, `${pair}: correlation beyond the sentiment ${none.corr[pair]} -> ${most.corr[pair]}`);
  }
  for (const [pair, c] of Object.entries(none.corr)) assert.ok(Math.abs(c) < 0.06, `${pair} shares nothing beyond the sentiment at 0: ${c}`);
  MODALITIES.forEach((m, k) => assert.ok(Math.abs(most.r2[k] - none.r2[k]) < 0.03, `${m}: probe R^2 ${none.r2[k]} -> ${most.r2[k]}`));
});

test('distractorDims appends dimensions without sentiment: informative dims unchanged, a linear probe learns less', () => {
  const counts = { train: 600, test: 600 };
  const plain = generateSynthetic(syntheticConfig('quick', { counts }));
  const hard = generateSynthetic(syntheticConfig('quick', { counts, modalities: { audio: { distractorDims: 300 } } }));
  assert.deepEqual(hard.meta.dims, { text: 64, audio: 305, vision: 20 });
  const a0 = plain.train.features.audio;
  const a1 = hard.train.features.audio;
  assert.equal(a1.dim, 305);
  for (let i = 0; i < a0.numClips; i += 37) {
    for (let t = 0; t < a0.seqLen; t++) {
      const src = a0.data.subarray((i * a0.seqLen + t) * 5, (i * a0.seqLen + t + 1) * 5);
      const row = a1.data.subarray((i * a1.seqLen + t) * 305, (i * a1.seqLen + t + 1) * 305);
      assert.deepEqual([...row.subarray(0, 5)], [...src], 'the informative dimensions come first, unchanged');
      if (t >= a1.lengths[i]) assert.ok(row.every((v) => v === 0), 'padding stays zero');
      else assert.ok(row.subarray(5).some((v) => v !== 0), 'distractors fill valid frames');
    }
  }
  assert.deepEqual(hard.train.features.vision.data, plain.train.features.vision.data, 'other modalities do not move');
  assert.deepEqual([...hard.test.labels], [...plain.test.labels]);
  const easy = ridgeProbe(plain.train, plain.test, 'audio', 100).r2Eval;
  const harder = ridgeProbe(hard.train, hard.test, 'audio', 100).r2Eval;
  assert.ok(harder < easy - 0.05, `audio probe R^2 ${easy} -> ${harder} with 300 distractor dimensions`);
});

test('a regime the generator cannot make is refused by field name', () => {
  assert.throws(() => syntheticConfig('quick', { counts: { train: 0 } }), /Expected counts\.train to be an integer >= 1, but got 0/);
  assert.throws(() => syntheticConfig('quick', { counts: { train: 2.5 } }), /Expected counts\.train/);
  assert.throws(() => syntheticConfig('quick', { addedLabelNoise: -0.1 }), /Expected addedLabelNoise to be a number >= 0, but got -0\.1/);
  assert.throws(() => syntheticConfig('quick', { addedLabelNoise: Number.NaN }), /Expected addedLabelNoise/);
  assert.throws(() => syntheticConfig('quick', { sharedBeyondLabel: 1.5 }), /Expected sharedBeyondLabel to be in \[0, 1\], but got 1\.5/);
  assert.throws(() => syntheticConfig('quick', { sharedBeyondLabel: -0.2 }), /Expected sharedBeyondLabel/);
  assert.throws(() => syntheticConfig('quick', { modalities: { vision: { distractorDims: -1 } } }), /Expected modalities\.vision\.distractorDims to be an integer/);
  assert.throws(() => syntheticConfig('quick', { modalities: { text: { distractorDims: 0.5 } } }), /Expected modalities\.text\.distractorDims/);
  assert.throws(() => syntheticConfig('quick', { modalities: { audio: { distractorDims: 200_000 } } }), /Expected modalities\.audio\.distractorDims/);
});
