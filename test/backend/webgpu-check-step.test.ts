/**
 * The GPU check's training step (bench/gpu-check/async-step.ts), which reads asynchronously
 * because webgpu in Node cannot read synchronously, must compute what the kit's own step computes
 * (bench/workload.ts, written as lib/train/trainer.ts runs it, with dataSync): same losses, same
 * weights after a few steps, on the wasm backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { disposeBatch } from '../../lib/data/types';
import { buildModelSet, disposeModelSet } from '../../lib/models/index';
import { onlineDistillationObjective } from '../../lib/train/objectives';
import { FlatAdam } from '../../lib/train/flat-adam';
import { BENCH_TRAIN, makeTrainingStep, randomBatch } from '../../bench/workload';
import { asyncTrainingStep, labelValuesOf } from '../../bench/gpu-check/async-step';

const MODEL = { d: 16, projectionDim: 16 };
const BATCH = 8;
const SEEDS = [3, 4, 5];

test("the GPU check's asynchronous step matches the kit's synchronous step: losses and weights", async () => {
  await selectBackend({ force: 'wasm' });
  const before = tf.memory().numTensors;

  const kit = makeTrainingStep(MODEL, BATCH);
  const kitLosses = SEEDS.map((s) => kit.run(s));
  const kitWeights = Object.values(kit.models).flatMap((m) => m.variables().map((v) => Array.from(v.dataSync())));
  kit.dispose();

  const models = buildModelSet(MODEL, SUBSET_NAMES, 0);
  const batch = randomBatch(BATCH, 1234);
  const optimizer = new FlatAdam(BENCH_TRAIN.lr);
  const objective = onlineDistillationObjective(models, BENCH_TRAIN, true);
  const variables = Object.values(models).flatMap((m) => m.variables());
  const labels = await labelValuesOf(batch);
  const losses: number[] = [];
  for (const s of SEEDS) losses.push((await asyncTrainingStep(objective, variables, optimizer, batch, labels, s, BENCH_TRAIN.clipNorm)).loss);
  const weights = variables.map((v) => Array.from(v.dataSync()));
  optimizer.dispose();
  disposeBatch(batch);
  disposeModelSet(models);

  assert.deepEqual(losses, kitLosses);
  assert.equal(weights.length, kitWeights.length);
  weights.forEach((w, i) => assert.deepEqual(w, kitWeights[i], `variable ${i} after ${SEEDS.length} steps`));
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
