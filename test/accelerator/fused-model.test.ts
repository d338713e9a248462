/**
 * One model's forward through the fused kernels (`acceleratedApply`: encoders with k = 1, heads
 * with n = 1; what inference, the offline-KD baseline and model-by-model training run) on wasm
 * against the models' tfjs ops on cpu: every output in training (dropout on) and inference mode, and the loss and every
 * gradient of the model-by-model L1 and offline-KD objectives; the architectures the kernels
 * compute in part (transformer encoders or the transformer fusion); the model's own call seeds
 * when none is given. Once per engine (the OpenBLAS addon,
 * the WebAssembly kernels); an engine not available here is skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import type { Batch } from '../../lib/data/types';
import { fusedEncoderAvailable } from '../../lib/accelerator/fused-encoder';
import { acceleratedApply } from '../../lib/accelerator/model-forward';
import { fusedHeadsAvailable } from '../../lib/accelerator/fused-heads';
import type { ModelConfig } from '../../lib/models/config';
import { deriveSeed } from '../../lib/models/init';
import { buildModel, type MsaModel } from '../../lib/models/model';
import { buildModelSet, disposeModelSet } from '../../lib/models/model-set';
import { offlineDistillationObjective, regressionObjective } from '../../lib/train/objectives';
import { assertClose, kernelEngines, randValues, rng } from './helpers';

const B = 6;
const T = 5;
const DIMS = { text: 9, audio: 4, vision: 6 };

function makeBatch(): Batch {
  const mask = Array.from({ length: B * T }, (_, i) => ((i % T) < 1 + (Math.floor(i / T) % T) ? 1 : 0));
  const missing = mask.slice();
  missing.fill(0, 2 * T, 3 * T); // clip 2 has no vision
  return {
    inputs: {
      text: tf.tensor3d(randValues(rng(4), B * T * DIMS.text), [B, T, DIMS.text]),
      audio: tf.tensor3d(randValues(rng(5), B * T * DIMS.audio), [B, T, DIMS.audio]),
      vision: tf.tensor3d(randValues(rng(6), B * T * DIMS.vision), [B, T, DIMS.vision]),
    },
    masks: { text: tf.tensor2d(mask, [B, T]), audio: tf.ones([B, T]) as tf.Tensor2D, vision: tf.tensor2d(missing, [B, T]) },
    labels: tf.tensor1d(Float32Array.from({ length: B }, (_, i) => i - 2.5)),
    labelValues: Float32Array.from({ length: B }, (_, i) => i - 2.5),
    indices: new Int32Array(B),
  };
}

/** Every value the seven models' apply returns, then loss and gradients (by variable position) of two model-by-model objectives. */
async function run(backend: 'cpu' | 'wasm', env: Record<string, string | undefined>): Promise<Float32Array[]> {
  await selectBackend({ force: backend, env });
  const before = tf.memory().numTensors;
  const models = buildModelSet({ d: 12, projectionDim: 6, dropout: 0.2, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T } }, SUBSET_NAMES, 11);
  const batch = makeBatch();
  const out: Float32Array[] = [];
  for (const training of [true, false]) {
    for (const model of Object.values(models)) {
      tf.tidy(() => {
        const o = acceleratedApply(model, batch, { training, seed: 21 });
        for (const t of [o.prediction, o.projection, o.fused, ...model.modalities.map((m) => o.pooled[m]!)]) out.push(Float32Array.from(t.dataSync()));
      });
    }
  }
  const { tav, ...students } = models;
  for (const objective of [regressionObjective(models, { vectorise: false }), offlineDistillationObjective(tav, students, { kdFeatureWeight: 1, kdOutputWeight: 0.5 })]) {
    const vars = Object.values(models).flatMap((m) => m.variables());
    const { value, grads } = tf.variableGrads(() => objective(batch, 3).total, vars);
    out.push(Float32Array.from(value.dataSync()));
    for (const v of vars) if (grads[v.name]) out.push(Float32Array.from(grads[v.name].dataSync()));
    out.push(Float32Array.of(Object.keys(grads).length)); // the same variables get a gradient
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
  disposeModelSet(models);
  assert.equal(tf.memory().numTensors, before, `${backend}: no tensor leaks`);
  return out;
}

for (const e of kernelEngines()) test(`one model's forward through the fused kernels equals the tfjs ops on cpu: outputs, losses and gradients (${e.label})`, { skip: e.skip }, async () => {
  const expected = await run('cpu', e.env);
  const actual = await run('wasm', e.env);
  assert.ok(fusedEncoderAvailable() && fusedHeadsAvailable(), 'the fused kernels ran');
  assert.equal(actual.length, expected.length);
  expected.forEach((e, n) => {
    const scale = Math.max(1, ...Array.from(e, Math.abs));
    assertClose(actual[n], e, `value ${n}`, 1e-5 * scale, 1e-5);
  });
});

/** The outputs of each model's forward, in training (dropout on) and inference mode, for one architecture. */
async function outputs(backend: 'cpu' | 'wasm', env: Record<string, string | undefined>, config: Partial<ModelConfig>): Promise<Float32Array[]> {
  await selectBackend({ force: backend, env });
  const before = tf.memory().numTensors;
  const models = buildModelSet({ d: 8, heads: 2, projectionDim: 4, dropout: 0.2, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T }, ...config }, ['tav', 'ta', 'v'], 5);
  const batch = makeBatch();
  const out: Float32Array[] = [];
  for (const training of [true, false]) {
    for (const model of Object.values(models)) {
      tf.tidy(() => {
        const o = acceleratedApply(model, batch, { training, seed: 9 });
        for (const t of [o.prediction, o.projection, o.fused, ...model.modalities.map((m) => o.pooled[m]!)]) out.push(Float32Array.from(t.dataSync()));
      });
    }
  }
  tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
  disposeModelSet(models);
  assert.equal(tf.memory().numTensors, before, `${backend}: no tensor leaks`);
  return out;
}

// transformer encoders with the concat fusion: the model's own encoders, then the fused heads;
// pooling encoders with the transformer fusion: the fused encoders, then the model's own fusion,
// its dropout seeds continuing after the encoders' as in `apply`
const PARTLY_FUSED: [string, Partial<ModelConfig>][] = [['transformer encoders, concat fusion', { layers: 1 }], ['pooling encoders, transformer fusion', { fusion: 'transformer' }]];
for (const e of kernelEngines()) {
  for (const [what, config] of PARTLY_FUSED) {
    test(`one model's forward with ${what} equals the tfjs ops on cpu (${e.label})`, { skip: e.skip }, async () => {
      const expected = await outputs('cpu', e.env, config);
      const actual = await outputs('wasm', e.env, config);
      assert.equal(actual.length, expected.length);
      expected.forEach((v, n) => assertClose(actual[n], v, `value ${n}`, 1e-5 * Math.max(1, ...Array.from(v, Math.abs)), 1e-5));
    });
  }
  test(`without a seed, the fused forward takes the model's own call seeds, as apply does (${e.label})`, { skip: e.skip }, async () => {
    await selectBackend({ force: 'wasm', env: e.env });
    const config = { d: 8, projectionDim: 4, dropout: 0.5, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T }, subset: 'tav' as const };
    const [own, seeded] = [buildModel(config, 3), buildModel(config, 3)];
    const batch = makeBatch();
    const predictions = (model: MsaModel, seeds: (number | undefined)[]) => seeds.map((seed) => tf.tidy(() => Array.from(acceleratedApply(model, batch, { training: true, seed }).prediction.dataSync())));
    assert.deepEqual(predictions(own, [undefined, undefined]), predictions(seeded, [deriveSeed(3, 'call0'), deriveSeed(3, 'call1')]));
    tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
    own.dispose();
    seeded.dispose();
  });
}
