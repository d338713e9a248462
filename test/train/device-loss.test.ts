/**
 * A backend that fails mid-stage (a lost GPU, injected here as a cpu read that throws at one step)
 * stops the run with a message naming the backend, the stage, the epoch and the step; started
 * again, the run resumes from its last committed epoch and ends bitwise where an uninterrupted
 * run ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { splitBatches } from '../../lib/train/batch-source';
import { disposeTrainedRun, runMethod, type TrainedRun } from '../../lib/experiments/run-method';
import { TrainingStepReadError } from '../../lib/train/trainer';
import { quickConfig, quickDataset } from './helpers';

/** Returns a hash of every model's weights and the history without its timings. */
async function fingerprint(run: TrainedRun): Promise<{ weights: string; history: unknown[] }> {
  const hash = createHash('sha256');
  for (const s of SUBSET_NAMES) {
    for (const v of run.models[s]!.variables()) hash.update(Buffer.from(((await v.data()) as Float32Array).buffer));
  }
  return { weights: hash.digest('hex'), history: run.history.map(({ seconds: _s, ...r }) => r) };
}

test('a backend failure at stage 2, epoch 1, step 2 names the backend and the step; the run resumes and ends bitwise as an uninterrupted one', async () => {
  const data = await quickDataset();
  const backend = await selectBackend({ force: 'cpu' });
  const config = quickConfig({ method: 'mmckd', pretrainEpochs: 1, epochs: 3, seed: 5 });
  const straight = await runMethod({ dataset: data, config, outDir: mkdtempSync(join(tmpdir(), 'mmckd-device-straight-')), batches: splitBatches, backend });
  const expected = await fingerprint(straight);
  disposeTrainedRun(straight);

  // The device is lost at the read of stage 2's epoch 1, step 2 (after 2 steps of that epoch).
  const kernelBackend = tf.backend() as unknown as { read(dataId: object): Promise<unknown> };
  const read = kernelBackend.read;
  let armed = false;
  kernelBackend.read = function (this: unknown, dataId: object) {
    if (armed) {
      armed = false;
      return Promise.reject(new Error('device lost (injected)'));
    }
    return read.call(this, dataId);
  };
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-device-lost-'));
  const before = tf.memory().numTensors;
  try {
    await assert.rejects(
      runMethod({
        dataset: data, config, outDir: dir, batches: splitBatches, backend,
        callbacks: { onStep: (p) => { if (p.stage === 'stage2' && p.epoch === 1 && p.step === 2) armed = true; } },
      }),
      (err: unknown) => err instanceof TrainingStepReadError && err.backend === 'cpu' && err.epoch === 1 && err.step === 2 &&
        /^stage2: the cpu backend failed at epoch 1, step 2 \(device lost \(injected\)\); the run stops here and resumes from its last completed epoch/.test(err.message),
    );
  } finally {
    kernelBackend.read = read;
  }
  assert.equal(tf.memory().numTensors, before, 'the failed run leaves no tensor behind');

  const logs: string[] = [];
  const resumed = await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend, callbacks: { log: (l) => logs.push(l) } });
  assert.ok(logs.some((l) => /stage2: resuming at epoch 1/.test(l)), logs.join('\n'));
  assert.deepEqual(await fingerprint(resumed), expected);
  disposeTrainedRun(resumed);
});
