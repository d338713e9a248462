import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { buildModelSet, disposeModelSet, type MsaModel } from '../../lib/models';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import type { Batch } from '../../lib/data/types';
import { onlineDistillationObjective } from '../../lib/train/objectives';
import { clipByGlobalNorm, clipFlatByGlobalNorm, hostL2Norm } from '../../lib/train/schedule';
import { FlatAdam, clipAndApplyFlatGradients, flattenGradients, flattenTensors } from '../../lib/train/flat-adam';
import { TINY, randomInput, disposeInput } from '../models/helpers';

/** The trainer's clip-and-apply, with the norm read on its own (the trainer reads it with the loss terms): resolves to the norm. */
async function clipAndApplyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, clipNorm: number): Promise<number> {
  const g = flattenGradients(grads);
  const norm = hostL2Norm(await g.flat.data());
  clipAndApplyFlatGradients(optimizer, g, clipNorm, norm);
  return norm;
}

before(async () => {
  await selectBackend();
});

interface Setup {
  models: Record<SubsetName, MsaModel>;
  vars: tf.Variable[];
  step(seed: number, apply: (grads: tf.NamedTensorMap) => unknown): Promise<void>;
  weights(): Float32Array[];
  dispose(): void;
}

/** Seven tiny models trained online with MVSC (the MM-CKD step), on a fixed batch. */
function setup(batch: Batch): Setup {
  const models = buildModelSet(TINY, SUBSET_NAMES, 3);
  const objective = onlineDistillationObjective(models, { lambda: 0.5, tau: 0.2, classScheme: 7, detachTeacherViews: false }, true);
  const vars = SUBSET_NAMES.flatMap((s) => models[s].variables());
  return {
    models,
    vars,
    async step(seed, apply) {
      const { value, grads } = tf.variableGrads(() => objective(batch, seed).total, vars);
      value.dispose();
      await apply(grads);
    },
    weights: () => vars.map((v) => Float32Array.from(v.dataSync())),
    dispose: () => disposeModelSet(models),
  };
}

function makeBatch(seed: number): Batch {
  const lengths = { text: [6, 4, 2, 6, 5, 3], audio: [5, 5, 1, 2, 4, 3], vision: [4, 1, 3, 2, 4, 4] };
  const x = randomInput(6, TINY, lengths, seed);
  return { inputs: x.inputs, masks: x.masks, labels: x.labels, labelValues: x.labels.dataSync() as Float32Array, indices: Int32Array.from([0, 1, 2, 3, 4, 5]) } as Batch;
}

/** Largest |a - b| / max(|b|, 1e-3) over every value of every variable. */
function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, k) => {
    worst = Math.max(worst, Math.abs(v - b[i][k]) / Math.max(Math.abs(b[i][k]), 1e-3));
  }));
  return worst;
}

const lrAt = (step: number) => 1e-3 * (1 + 0.5 * Math.sin(step)); // a schedule, set each step

describe('FlatAdam', () => {
  it('uses tf.train.adam defaults (epsilon = backend epsilon, 1e-7 in float32)', () => {
    const ref = tf.train.adam(1e-3);
    const flat = new FlatAdam(1e-3);
    assert.deepEqual(flat.getConfig(), ref.getConfig());
    assert.equal(flat.epsilon, 1e-7);
    ref.dispose();
    flat.dispose();
  });

  it('matches tf.train.adam over 20 clipped steps on the seven MM-CKD models, with a schedule', async () => {
    const batch = makeBatch(11);
    const a = setup(batch);
    const b = setup(batch);
    const ref = tf.train.adam(1e-3);
    const flat = new FlatAdam(1e-3);
    const normsA: number[] = [];
    const normsB: number[] = [];
    for (let s = 0; s < 20; s++) {
      (ref as unknown as { learningRate: number }).learningRate = lrAt(s);
      (flat as unknown as { learningRate: number }).learningRate = lrAt(s);
      await a.step(s, async (grads) => {
        const c = await clipByGlobalNorm(grads, 0.5);
        normsA.push(c.norm);
        ref.applyGradients(c.grads as tf.NamedTensorMap as never);
        tf.dispose(c.grads);
      });
      await b.step(s, async (grads) => normsB.push(await clipAndApplyGradients(flat, grads, 0.5)));
    }
    assert.ok(normsA.some((n) => n > 0.5), `clipping should be exercised: norms ${normsA.join(', ')}`);
    normsA.forEach((n, i) => assert.ok(Math.abs(n - normsB[i]) <= 1e-6 * n, `norm at step ${i}: ${normsB[i]} vs ${n}`));
    const diff = maxRelDiff(b.weights(), a.weights());
    console.log(`FlatAdam vs tf.train.adam after 20 steps: max relative difference ${diff}`);
    assert.ok(diff <= 1e-6, `max relative difference after 20 steps: ${diff}`);
    // The weights moved (the comparison is not trivially between initial weights).
    const fresh = setup(batch);
    assert.ok(maxRelDiff(a.weights(), fresh.weights()) > 1e-3);
    fresh.dispose();
    ref.dispose();
    flat.dispose();
    a.dispose();
    b.dispose();
    disposeInput(batch);
  });

  it('takes a NamedTensorMap in applyGradients (no clipping) like tf.train.adam, and sees variables assigned between steps', async () => {
    const batch = makeBatch(12);
    const a = setup(batch);
    const b = setup(batch);
    const ref = tf.train.adam(2e-3);
    const flat = new FlatAdam(2e-3);
    for (let s = 0; s < 5; s++) {
      if (s === 3) {
        // A variable assigned between steps (as a best-checkpoint restore does) is picked up.
        for (const x of [a, b]) x.vars[0].assign(tf.fill(x.vars[0].shape, 0.25));
      }
      await a.step(s, (g) => { ref.applyGradients(g as never); tf.dispose(g); });
      await b.step(s, (g) => { flat.applyGradients(g); tf.dispose(g); });
    }
    const diff = maxRelDiff(b.weights(), a.weights());
    assert.ok(diff <= 1e-6, `max relative difference: ${diff}`);
    ref.dispose();
    flat.dispose();
    a.dispose();
    b.dispose();
    disposeInput(batch);
  });

  it('resumes through getWeights/setWeights (its own and tf.train.adam\'s format) where an uninterrupted run ends', async () => {
    const batch = makeBatch(13);
    const straight = setup(batch);
    const resumedFlat = setup(batch);
    const resumedRef = setup(batch);
    const opt = new FlatAdam(1e-3);
    const firstFlat = new FlatAdam(1e-3);
    const firstRef = tf.train.adam(1e-3);
    for (let s = 0; s < 6; s++) {
      await straight.step(s, (g) => clipAndApplyGradients(opt, g, 1));
      await resumedFlat.step(s, (g) => clipAndApplyGradients(firstFlat, g, 1));
      await resumedRef.step(s, (g) => clipAndApplyGradients(firstRef, g, 1));
    }
    // Save (as run-method does), drop the first optimizers, restore into fresh FlatAdams.
    const savedFlat = (await firstFlat.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
    const savedRef = (await firstRef.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
    assert.deepEqual(savedFlat.map((w) => w.name.replace(/^.*?\//, '')), savedRef.map((w) => w.name.replace(/^.*?\//, '')));
    assert.deepEqual(savedFlat.map((w) => w.tensor.shape), savedRef.map((w) => w.tensor.shape));
    assert.equal(savedFlat[0].tensor.dataSync()[0], 6);
    firstFlat.dispose();
    firstRef.dispose();
    const restoredFlat = new FlatAdam(1e-3);
    await restoredFlat.setWeights(savedFlat);
    const restoredRef = new FlatAdam(1e-3);
    await restoredRef.setWeights(savedRef);
    tf.dispose([...savedFlat, ...savedRef].map((w) => w.tensor));
    assert.equal(restoredFlat.iterations, 6);
    for (let s = 6; s < 12; s++) {
      await straight.step(s, (g) => clipAndApplyGradients(opt, g, 1));
      await resumedFlat.step(s, (g) => clipAndApplyGradients(restoredFlat, g, 1));
      await resumedRef.step(s, (g) => clipAndApplyGradients(restoredRef, g, 1));
    }
    assert.equal(maxRelDiff(resumedFlat.weights(), straight.weights()), 0, 'FlatAdam -> FlatAdam resume is exact');
    const refDiff = maxRelDiff(resumedRef.weights(), straight.weights());
    assert.ok(refDiff <= 1e-6, `tf.train.adam -> FlatAdam resume: ${refDiff}`);
    // And a FlatAdam checkpoint restores into tf.train.adam.
    const back = tf.train.adam(1e-3);
    const w = await opt.getWeights();
    await back.setWeights(w);
    assert.equal((await back.getWeights()).length, w.length);
    back.dispose();
    for (const o of [opt, restoredFlat, restoredRef]) o.dispose();
    for (const s of [straight, resumedFlat, resumedRef]) s.dispose();
    disposeInput(batch);
  });

  it('rejects restored moments that do not fit the variables, naming the variable', async () => {
    const v = tf.variable(tf.zeros([2, 3]), true, 'flat-adam-test/w');
    const opt = new FlatAdam();
    await opt.setWeights([
      { name: 'iter', tensor: tf.scalar(1, 'int32') },
      { name: 'x/m', tensor: tf.zeros([3, 2]) },
      { name: 'x/v', tensor: tf.zeros([3, 2]) },
    ]);
    assert.throws(() => opt.applyGradients({ [v.name]: tf.ones([2, 3]) }), /flat-adam-test\/w.*\[2,3\].*\[3,2\]/);
    opt.dispose();
    v.dispose();
  });

  it('keeps the live tensor count flat across steps and getWeights, and releases everything on dispose', async () => {
    const batch = makeBatch(14);
    const before = tf.memory().numTensors;
    const a = setup(batch);
    const opt = new FlatAdam(1e-3);
    const counts: number[] = [];
    for (let s = 0; s < 6; s++) {
      await a.step(s, (g) => clipAndApplyGradients(opt, g, 1));
      await opt.getWeights(); // the trainer's epoch-end snapshot: not disposed by the caller
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]), `live tensors: ${counts.join(', ')}`);
    opt.dispose();
    a.dispose();
    assert.equal(tf.memory().numTensors, before);
    disposeInput(batch);
  });

  it('clipByGlobalNorm is clipFlatByGlobalNorm with the host norm on named gradients: same norm, same values, inputs released', async () => {
    const grads = { a: tf.tensor2d([[3, 0], [0, 4]]), b: tf.tensor1d([12]) } as tf.NamedTensorMap; // norm 13
    const flat = flattenTensors([grads.a, grads.b]);
    const norm = hostL2Norm(await flat.data());
    assert.ok(Math.abs(norm - 13) < 1e-6);
    const c = clipFlatByGlobalNorm(flat, 1, norm);
    const inputs = [grads.a, grads.b];
    const m = await clipByGlobalNorm(grads, 1);
    assert.ok(inputs.every((t) => t.isDisposed), 'the input gradients are disposed');
    assert.equal(m.norm, norm);
    assert.deepEqual(m.grads.a.shape, [2, 2]);
    assert.deepEqual(Array.from(await c.data()), [...(await m.grads.a.data()), ...(await m.grads.b.data())]);
    assert.ok(Math.abs((await c.data())[4] - 12 / 13) < 1e-6);
    const kept = clipFlatByGlobalNorm(flat, 100, norm);
    assert.deepEqual(Array.from(await kept.data()), [3, 0, 0, 4, 12]);
    tf.dispose([flat, c, kept, ...Object.values(m.grads)]);
  });
});
