import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { batches, batchCount } from '../../lib/data/batches';
import { disposeBatch } from '../../lib/data/types';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { randomModalityMissing } from '../../lib/data/missing';

before(async () => {
  await selectBackend();
});

const d = generateSynthetic(syntheticConfig('quick', { seed: 2, counts: { train: 70 } }));

test('an epoch covers every clip exactly once, last partial batch kept, no tensor leaks', () => {
  const start = tf.memory().numTensors;
  const seen: number[] = [];
  const sizes: number[] = [];
  for (const b of batches(d.train, { batchSize: 16, seed: 1 })) {
    sizes.push(b.labels.shape[0]);
    seen.push(...b.indices);
    assert.deepEqual(b.inputs.text.shape, [b.indices.length, 20, 64]);
    assert.deepEqual(b.masks.audio.shape, [b.indices.length, 20]);
    disposeBatch(b);
  }
  assert.deepEqual(sizes, [16, 16, 16, 16, 6]);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 70 }, (_, i) => i));
  assert.notDeepEqual(seen, Array.from({ length: 70 }, (_, i) => i), 'shuffled');
  assert.equal(tf.memory().numTensors, start);
  assert.equal(batchCount(70, 16, true), 4);
  assert.equal([...batches(d.train, { batchSize: 16, seed: 1, dropLast: true })].map((b) => (disposeBatch(b), b.indices.length)).length, 4);
  assert.equal(tf.memory().numTensors, start);
});

test('batch tensors hold the split rows, masks follow lengths, labels match', () => {
  const b = batches(d.train, { batchSize: 8, seed: 3 }).next().value!;
  try {
    const x = b.inputs.vision.arraySync();
    const mk = b.masks.vision.arraySync();
    const y = b.labels.arraySync();
    const f = d.train.features.vision;
    b.indices.forEach((i, k) => {
      assert.equal(y[k], d.train.labels[i]);
      assert.equal(x[k][2][4], f.data[(i * 20 + 2) * 20 + 4]);
      assert.equal(mk[k].reduce((a, v) => a + v, 0), f.lengths[i]);
    });
  } finally {
    disposeBatch(b);
  }
});

test('per-clip availability zeroes a clip’s missing modality and its mask', () => {
  const r = randomModalityMissing(d.train, 0.5, 4);
  for (const b of batches(d.train, { batchSize: 32, available: r.available })) {
    const x = b.inputs.audio.arraySync();
    const mk = b.masks.audio.arraySync();
    b.indices.forEach((i, k) => {
      if (!r.available[i * 3 + 1]) {
        assert.ok(x[k].every((row) => row.every((v) => v === 0)));
        assert.ok(mk[k].every((v) => v === 0));
      }
    });
    disposeBatch(b);
  }
  assert.throws(() => batches(d.train, { available: new Uint8Array(3) }).next(), /Expected available/);
});
