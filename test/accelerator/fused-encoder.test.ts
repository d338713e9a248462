/**
 * The fused attention-pooling encoder (lib/accelerator/fused-encoder.ts over native/src/mmckd_encoder.c)
 * against the tfjs-ops formulation on the cpu backend: values and every weight gradient on random
 * shapes (k = 1 to 5 models, masks with padded frames, holes and empty clips, dropout on and off,
 * with and without tanh); its dropout stream against tf.randomUniform bit for bit; no leaks; and
 * a whole seven-model MM-CKD step (loss and every gradient; fused encoders and heads) on wasm vs
 * the tfjs ops on cpu. Each test runs once per engine: the OpenBLAS addon and the WebAssembly
 * kernels (the same C source); an engine that is not available here is skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import type { Batch } from '../../lib/data/types';
import { fusedEncoderAvailable, fusedPooledEncoder } from '../../lib/accelerator/fused-encoder';
import { tfjsPooledEncoder, type PooledEncoderWeights } from '../../lib/models/pooled-encoders';
import { fusedHeadsAvailable } from '../../lib/accelerator/fused-heads';
import { buildModelSet, disposeModelSet } from '../../lib/models/model-set';
import { loadWasmKernels, loadNativeAddon, wasmKernelPackFor, type FusedKernelPack } from '../../lib/accelerator/index';
import type { WasmBackendLike } from '../../lib/accelerator/tfjs-internals';
import { onlineDistillationObjective } from '../../lib/train/objectives';
import { assertClose, kernelEngines, randInt, randValues, rng, type EngineCase } from './helpers';
import { maskedStepBatch, STEP_BATCH } from '../models/helpers';

/** The engine the wasm runs of the test being run use (set at the start of each test). */
let engineEnv: Record<string, string | undefined> = process.env;

/** The engine's kernel functions on the active wasm backend. */
function packOf(e: EngineCase): FusedKernelPack {
  if (e.engine === 'blas') {
    const load = loadNativeAddon(e.env);
    if (!load.ok) throw new Error(load.reason);
    return load.addon;
  }
  const load = loadWasmKernels(e.env);
  if (!load.ok) throw new Error(load.reason);
  return wasmKernelPackFor(load.module)(tf.findBackend('wasm') as unknown as WasmBackendLike);
}

interface EncoderCase {
  b: number;
  t: number;
  dim: number;
  k: number;
  d: number;
  tanh: boolean;
  dropout: number;
  mask: Float32Array;
  label: string;
}

/** Random cases; every third has a clip with no frame, every other has non-prefix masks (holes). */
function encoderCases(seed: number, count: number): EncoderCase[] {
  const rand = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const [b, t, dim, k, d] = [randInt(rand, 1, 6), randInt(rand, 1, 9), randInt(rand, 1, 20), i === 0 ? 1 : randInt(rand, 1, 5), randInt(rand, 1, 12)];
    const mask = new Float32Array(b * t);
    for (let r = 0; r < b; r++) {
      const len = randInt(rand, 1, t);
      for (let s = 0; s < t; s++) mask[r * t + s] = i % 2 === 1 ? (rand() < 0.6 ? 1 : 0) : s < len ? 1 : 0;
    }
    if (i % 3 === 2) mask.fill(0, 0, t); // clip 0: the modality is missing
    const dropout = i % 4 === 3 ? 0 : [0.1, 0.5, 0.3][i % 3];
    const tanh = i % 5 !== 4;
    return { b, t, dim, k, d, tanh, dropout, mask, label: `B${b} T${t} D${dim} k${k} d${d} ${tanh ? 'tanh' : 'linear'} dropout ${dropout}` };
  });
}

/** Returns the pooled values and the gradients of sum(pooled * probe) to every weight, computed by `op` on `backend`. */
async function run(backend: string, c: EncoderCase, seed: number, op: typeof tfjsPooledEncoder): Promise<Float32Array[]> {
  await selectBackend({ force: backend as 'cpu' | 'wasm', env: engineEnv }); // wasm: with the kit's kernels
  const rand = rng(seed);
  const x = tf.tensor3d(randValues(rand, c.b * c.t * c.dim), [c.b, c.t, c.dim]);
  const mask = tf.tensor2d(c.mask, [c.b, c.t]);
  const make = (shape: number[], scale: number) => tf.tensor(randValues(rand, shape.reduce((a, v) => a * v, 1)).map((v) => v * scale), shape);
  const params = [
    ...Array.from({ length: c.k }, () => make([c.dim, c.d], 1.5)),
    ...Array.from({ length: c.k }, () => make([c.d], 0.5)),
    ...Array.from({ length: c.k }, () => make([c.d, 1], 2)),
    ...Array.from({ length: c.k }, () => make([1], 0.5)),
  ];
  const probe = make([c.b, c.k, c.d], 1);
  const seeds = Array.from({ length: c.k }, (_, j) => 1000 * seed + 17 * j);
  const split = (list: tf.Tensor[]): PooledEncoderWeights => ({ w: list.slice(0, c.k), b: list.slice(c.k, 2 * c.k), scoreW: list.slice(2 * c.k, 3 * c.k), scoreB: list.slice(3 * c.k) });
  const pooled = op(x, mask, split(params), { tanh: c.tanh, dropout: c.dropout, seeds });
  const grads = tf.grads((...ps: tf.Tensor[]) => tf.sum(tf.mul(op(x, mask, split(ps), { tanh: c.tanh, dropout: c.dropout, seeds }), probe)))(params);
  const out = [pooled, ...grads].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([x, mask, ...params, probe, pooled, ...grads]);
  return out;
}

for (const e of kernelEngines()) {
  const skip = e.skip;
  test(`the fused encoder's dropout stream is tf.randomUniform's, bit for bit (${e.label})`, { skip }, async () => {
    await selectBackend({ force: 'wasm', env: e.env });
    const pack = packOf(e);
    await selectBackend({ force: 'cpu' });
    for (const seed of [0, 1, 9, 41, 12345, 2 ** 31, 2 ** 32 - 1]) {
      const expected = tf.tidy(() => tf.randomUniform([3000], 0, 1, 'float32', seed).dataSync());
      const actual: Float32Array = pack.aleaUniform(seed, 3000);
      for (let i = 0; i < expected.length; i++) assert.equal(actual[i], expected[i], `seed ${seed}: number ${i}`);
    }
  });

  test(`the fused encoder equals the tfjs ops on cpu: pooled values and every weight gradient, random shapes (${e.label})`, { skip }, async () => {
    engineEnv = e.env;
    for (const [i, c] of encoderCases(5, 24).entries()) {
      const expected = await run('cpu', c, 50 + i, tfjsPooledEncoder);
      const actual = await run('wasm', c, 50 + i, fusedPooledEncoder);
      assert.ok(fusedEncoderAvailable(), 'the fused kernels are registered on wasm');
      const names = ['pooled', ...['w', 'b', 'scoreW', 'scoreB'].flatMap((n) => Array.from({ length: c.k }, (_, j) => `d${n}[${j}]`))];
      expected.forEach((e, n) => {
        const scale = Math.max(1, ...Array.from(e, Math.abs));
        assertClose(actual[n], e, `${c.label}: ${names[n]}`, 1e-5 * scale, 1e-5);
      });
    }
  });

  test(`the fused encoder keeps the dropout masks of the tfjs path: dropped features are exactly the same (${e.label})`, { skip }, async () => {
    engineEnv = e.env;
    // with score weights 0 the pooling is a masked mean; with x = 0 and bias 1 every kept feature is tanh(1) / keep
    const [b, t, d, k] = [3, 7, 16, 4];
    const values = async (backend: string, op: typeof tfjsPooledEncoder) => {
      await selectBackend({ force: backend as 'cpu' | 'wasm', env: engineEnv });
      return tf.tidy(() => {
        const weights = { w: [], b: [], scoreW: [], scoreB: [] } as PooledEncoderWeights;
        for (let j = 0; j < k; j++) {
          weights.w.push(tf.zeros([2, d]));
          weights.b.push(tf.ones([d]));
          weights.scoreW.push(tf.zeros([d, 1]));
          weights.scoreB.push(tf.zeros([1]));
        }
        const mask = tf.tensor2d(Array.from({ length: b * t }, (_, i) => (i % t === 0 ? 1 : 0)), [b, t]); // one frame per clip
        return op(tf.zeros([b, t, 2]), mask, weights, { tanh: true, dropout: 0.5, seeds: [3, 4, 5, 6] }).dataSync();
      });
    };
    const expected = await values('cpu', tfjsPooledEncoder);
    const actual = await values('wasm', fusedPooledEncoder);
    const dropped = (v: ArrayLike<number>) => Array.from(v, (x) => x === 0);
    assert.deepEqual(dropped(actual), dropped(expected));
    assert.ok(dropped(expected).some((z) => z) && dropped(expected).some((z) => !z), 'some features dropped, some kept');
  });

  test(`the fused encoder leaks no tensor over training steps (${e.label})`, { skip }, async () => {
    engineEnv = e.env;
    await selectBackend({ force: 'wasm', env: engineEnv });
    const c = encoderCases(9, 3)[2];
    await run('wasm', c, 1, fusedPooledEncoder); // warm up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await run('wasm', c, 2 + i, fusedPooledEncoder);
    tf.tidy(() => {
      const weights = { w: [tf.ones([c.dim, c.d])], b: [tf.ones([c.d])], scoreW: [tf.ones([c.d, 1])], scoreB: [tf.ones([1])] };
      fusedPooledEncoder(tf.ones([c.b, c.t, c.dim]) as tf.Tensor3D, tf.ones([c.b, c.t]) as tf.Tensor2D, weights, { tanh: true, dropout: 0.2, seeds: [1] });
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks (forward without tape, forward and backward with)');
  });
}

const { clips: B, frames: T, dims: DIMS } = STEP_BATCH;

function makeBatch(): Batch {
  const input = (m: keyof typeof DIMS, seed: number) => tf.tensor3d(randValues(rng(seed), B * T * DIMS[m]), [B, T, DIMS[m]]);
  return maskedStepBatch({ text: input('text', 1), audio: input('audio', 2), vision: input('vision', 3) });
}

/** The MM-CKD loss of the seven models and every gradient, on `backend`, with a fresh copy of the same models. */
async function mmckdStep(backend: 'cpu' | 'wasm', dropout: number): Promise<{ loss: number; grads: Map<string, Float32Array>; leaked: number }> {
  // keys: parameter names in creation order (variable names carry a per-build uid)
  await selectBackend({ force: backend, env: engineEnv });
  const before = tf.memory().numTensors;
  const models = buildModelSet({ d: 16, projectionDim: 8, dropout, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T } }, SUBSET_NAMES, 3);
  const vars = Object.values(models).flatMap((m) => m.variables());
  const batch = makeBatch();
  const objective = onlineDistillationObjective(models, { lambda: 0.1, tau: 0.5, classScheme: 7, detachTeacherViews: false }, true);
  let out = { loss: 0, grads: new Map<string, Float32Array>() };
  let counts: number[] = [];
  for (let step = 0; step < 3; step++) {
    const { value, grads } = tf.variableGrads(() => objective(batch, 5).total, vars);
    out = { loss: value.dataSync()[0], grads: new Map(vars.map((v, i) => [`${i} ${v.name.split('/').slice(1).join('/')}`, Float32Array.from(grads[v.name].dataSync())])) };
    tf.dispose([value, ...Object.values(grads)]);
    counts.push(tf.memory().numTensors);
  }
  assert.ok(counts.every((n) => n === counts[0]), `${backend}: live tensors flat across steps (${counts})`);
  tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
  disposeModelSet(models);
  counts = [];
  return { ...out, leaked: tf.memory().numTensors - before };
}

for (const [e, dropout] of kernelEngines().flatMap((en) => [0.1, 0].map((d) => [en, d] as const))) {
  test(`a whole MM-CKD step of the seven models: loss and every gradient fused on wasm equal the tfjs ops on cpu (dropout ${dropout}, ${e.label})`, { skip: e.skip }, async () => {
    engineEnv = e.env;
    const expected = await mmckdStep('cpu', dropout);
    const actual = await mmckdStep('wasm', dropout);
    assert.ok(fusedEncoderAvailable() && fusedHeadsAvailable(), 'the step ran the fused encoder and heads');
    assert.equal(actual.leaked, 0, 'no tensor leaks');
    assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-5 * Math.abs(expected.loss), `loss ${actual.loss} vs ${expected.loss}`);
    assert.equal(actual.grads.size, expected.grads.size);
    for (const [name, e] of expected.grads) {
      const scale = Math.max(1e-3, ...Array.from(e, Math.abs));
      assertClose(actual.grads.get(name)!, e, `gradient of ${name}`, 1e-4 * scale, 1e-4);
    }
  });
}
