/**
 * The fused fusion and heads (lib/accelerator/fused-heads.ts over native/src/mmckd_heads.c) against
 * each model's own `applyPooled` on the cpu backend: predictions, projections, fused features and
 * the gradients of a loss on all three to the pooled features and every fusion and head weight,
 * for model sets with one to three modalities per model and one to four models per modality; no
 * leaks. Once per engine (the OpenBLAS addon, the WebAssembly kernels); an engine not available
 * here is skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../lib/backend';
import { MODALITIES, SUBSET_NAMES, type Modality, type SubsetName } from '../../lib/data/modalities';
import { canFuseHeads, fusedHeads, fusedHeadsAvailable } from '../../lib/accelerator/fused-heads';
import type { MsaModel } from '../../lib/models/model';
import { buildModelSet, disposeModelSet } from '../../lib/models/model-set';
import { assertClose, kernelEngines, randValues, rng } from './helpers';

/** The engine the wasm runs of the test being run use. */
let engineEnv: Record<string, string | undefined> = process.env;

const B = 5;
const D = 12;
const P = 7;
const DIMS = { text: 6, audio: 3, vision: 4 };
/** The fusion and head variables of a model, read from its typed parameters. */
function headVariables(model: MsaModel): tf.Variable[] {
  const { fusion, regression, projection } = model.parameters;
  return [fusion.concat!.w, fusion.concat!.b, regression.w, regression.b, projection.hidden.w, projection.hidden.b, projection.out.w, projection.out.b];
}

/** Slot of model i in modality m: its rank among the models that read m. */
function slotsOf(models: MsaModel[]): Partial<Record<Modality, number>>[] {
  return models.map((model, i) => Object.fromEntries(model.modalities.map((m) => [m, models.slice(0, i).filter((o) => o.modalities.includes(m)).length])));
}

/**
 * Returns the outputs and the gradients of sum(y c1) + sum(proj c2) + sum(f c3) to the pooled
 * tensors and the head weights, fused (`fused` true, on wasm) or model by model (cpu).
 */
async function headsAndGrads(subsets: SubsetName[], fused: boolean, seed: number): Promise<Float32Array[]> {
  await selectBackend({ force: fused ? 'wasm' : 'cpu', env: engineEnv });
  const models = Object.values(buildModelSet({ d: D, projectionDim: P, inputDims: DIMS, seqLens: { text: 4, audio: 4, vision: 4 } }, subsets, seed));
  const rand = rng(seed);
  const k = (m: Modality) => models.filter((model) => model.modalities.includes(m)).length;
  const present = MODALITIES.filter((m) => k(m) > 0);
  const pooled = present.map((m) => tf.tensor3d(randValues(rand, B * k(m) * D), [B, k(m), D]));
  const probes = models.map(() => [tf.tensor1d(randValues(rand, B)), tf.tensor2d(randValues(rand, B * P), [B, P]), tf.tensor2d(randValues(rand, B * D), [B, D])]);
  const weights: tf.Tensor[] = models.flatMap(headVariables);
  const slots = slotsOf(models);
  const outputs = (ps: tf.Tensor[]) => {
    const byModality = Object.fromEntries(present.map((m, j) => [m, ps[j]])) as Partial<Record<Modality, tf.Tensor3D>>;
    if (fused) return fusedHeads(models, byModality, slots);
    return models.map((model, i) => {
      const own = Object.fromEntries(model.modalities.map((m) => [m, tf.squeeze(tf.slice(byModality[m]!, [0, slots[i][m]!, 0], [B, 1, D]), [1])]));
      return model.applyPooled(own, { training: true, seed: 1 });
    });
  };
  const loss = (...ps: tf.Tensor[]) => tf.addN(outputs(ps).flatMap((o, i) => [o.prediction, o.projection, o.fused].map((t, q) => tf.sum(tf.mul(t, probes[i][q]))))) as tf.Scalar;
  const values = tf.tidy(() => outputs(pooled).flatMap((o) => [o.prediction, o.projection, o.fused].map((t) => Float32Array.from(t.dataSync()))));
  const { grads } = tf.variableGrads(() => loss(...pooled), models.flatMap(headVariables));
  const poolGrads = tf.grads(loss)(pooled);
  const out = [...values, ...weights.map((w) => Float32Array.from(grads[(w as tf.Variable).name].dataSync())), ...poolGrads.map((g) => Float32Array.from(g.dataSync()))];
  tf.dispose([...pooled, ...probes.flat(), ...Object.values(grads), ...poolGrads]);
  disposeModelSet(Object.fromEntries(models.map((m) => [m.name, m])) as Record<SubsetName, MsaModel>);
  return out;
}

for (const [e, subsets] of kernelEngines().flatMap((en) => ([[...SUBSET_NAMES], ['t', 'ta'], ['av'], ['tav', 'v', 'ta', 'a']] as SubsetName[][]).map((s) => [en, s] as const))) {
  test(`fused heads equal each model's applyPooled on cpu: outputs and every gradient (${subsets.join(', ')}; ${e.label})`, { skip: e.skip }, async () => {
    engineEnv = e.env;
    const expected = await headsAndGrads(subsets, false, 7);
    const actual = await headsAndGrads(subsets, true, 7);
    assert.ok(fusedHeadsAvailable(), 'the fused heads kernels are registered on wasm');
    assert.equal(actual.length, expected.length);
    expected.forEach((e, n) => {
      const scale = Math.max(1, ...Array.from(e, Math.abs));
      assertClose(actual[n], e, `value or gradient ${n}`, 1e-5 * scale, 1e-5);
    });
  });
}

for (const e of kernelEngines()) test(`fused heads leak no tensor and need concat fusion (${e.label})`, { skip: e.skip }, async () => {
  await selectBackend({ force: 'wasm', env: e.env });
  const models = buildModelSet({ d: D, projectionDim: P, inputDims: DIMS, seqLens: { text: 4, audio: 4, vision: 4 } }, ['ta', 't'], 1);
  const list = Object.values(models);
  assert.ok(canFuseHeads(list));
  const pooled = { text: tf.ones([B, 2, D]) as tf.Tensor3D, audio: tf.ones([B, 1, D]) as tf.Tensor3D };
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const { grads, value } = tf.variableGrads(() => tf.addN(fusedHeads(list, pooled, slotsOf(list)).map((o) => tf.sum(o.projection))) as tf.Scalar);
    tf.dispose([value, ...Object.values(grads)]);
    tf.tidy(() => {
      fusedHeads(list, pooled, slotsOf(list)); // without a tape nothing is saved
    });
    assert.equal(tf.memory().numTensors, before, `step ${i}: no tensor leaks`);
  }
  tf.dispose(Object.values(pooled));
  disposeModelSet(models);
  const transformer = buildModelSet({ d: 8, heads: 2, fusion: 'transformer', fusionLayers: 1, projectionDim: 4, inputDims: DIMS, seqLens: { text: 4, audio: 4, vision: 4 } }, ['t', 'a'], 1);
  assert.equal(canFuseHeads(Object.values(transformer)), false);
  disposeModelSet(transformer);
});
