/**
 * The GPU check's training run is the kit's own `runMethod` (quick preset) on the backend in use:
 * tried here on cpu, one epoch per stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { quickTrain } from '../../bench/gpu-check/quick-train';

test("the GPU check's quick run trains MM-CKD with runMethod: each model's validation MAE per epoch, nothing left behind", async () => {
  await selectBackend({ force: 'cpu' });
  const folders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mmckd-gpu-check-run-')).length;
  const [tensors, before] = [tf.memory().numTensors, folders()];
  const r = await quickTrain(1);
  assert.equal(r.epochs, 1);
  assert.equal(r.validMae.length, 1);
  assert.deepEqual(Object.keys(r.validMae[0]).sort(), [...SUBSET_NAMES].sort());
  for (const v of Object.values(r.validMae[0])) assert.ok(v! > 0 && v! < 3, `validation MAE ${v}`);
  assert.ok(Number.isFinite(r.trainLoss[0]) && r.seconds > 0);
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  assert.equal(folders(), before, 'the temporary run folder is removed');
});
