import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type MsaModel } from '../../lib/models/model';
import { splitBatches } from '../../lib/train/batch-source';
import { regressionObjective } from '../../lib/train/objectives';
import { runStage, type StageOptions } from '../../lib/train/resumable-stage';
import { modelConfigFor } from '../../lib/train/run-method';
import { quickConfig, quickDataset } from './helpers';

const weightsOf = (model: MsaModel) => model.variables().map((v) => Array.from(v.dataSync()));

async function stageOptions(dir: string, teacher: MsaModel, extra: Partial<StageOptions> = {}): Promise<StageOptions> {
  const data = await quickDataset();
  const c = quickConfig();
  return {
    stage: 'stage1', models: { tav: teacher }, trainable: ['tav'], objective: regressionObjective({ tav: teacher }),
    loop: { seed: 2, batchSize: 32, epochs: 3, lr: 3e-3, clipNorm: 1, schedule: 'cosine', warmupEpochs: 1, patience: 5 },
    weightDecay: c.weightDecay, train: data.train, valid: data.valid, batches: splitBatches, runSeed: 2, dir, ...extra,
  };
}

test('an interrupted stage resumes from state.json and ends bitwise where an uninterrupted stage ends; a finished one is reused', async () => {
  const data = await quickDataset();
  const config = modelConfigFor(data, quickConfig(), 'tav');
  const straight = buildModel(config, 7);
  const straightDir = mkdtempSync(join(tmpdir(), 'mmckd-stage-'));
  const expected = await runStage(await stageOptions(straightDir, straight));

  const before = tf.memory().numTensors;
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-stage-'));
  const first = buildModel(config, 7);
  class Interrupt extends Error {}
  await assert.rejects(
    runStage(await stageOptions(dir, first, { callbacks: { onEpochEnd: (r) => { if (r.epoch === 1) throw new Interrupt(); } } })),
    Interrupt,
  );
  first.dispose();
  assert.equal(tf.memory().numTensors, before, 'an interrupted stage leaks nothing');
  // The committed state keeps the run folder's format: records and best checkpoints by validation MAE.
  const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  assert.equal(saved.nextEpoch, 2);
  assert.deepEqual(Object.keys(saved.history[0]), ['stage', 'epoch', 'lr', 'trainLoss', 'validMae', 'improved', 'gradNorm', 'seconds']);
  assert.deepEqual(Object.keys(saved.best.tav), ['epoch', 'validMae']);

  const logs: string[] = [];
  const resumedModel = buildModel(config, 7);
  const resumed = await runStage(await stageOptions(dir, resumedModel, { callbacks: { log: (l) => logs.push(l) } }));
  assert.ok(logs.some((l) => /stage1: resuming at epoch 2/.test(l)), logs.join('\n'));
  assert.deepEqual(weightsOf(resumedModel), weightsOf(straight));
  const strip = (s: typeof expected) => ({ ...s, history: s.history.map(({ seconds, ...r }) => r) });
  assert.deepEqual(strip(resumed), strip(expected));
  assert.ok(!existsSync(join(dir, 'state.json')) && existsSync(join(dir, 'done.json')), 'the resumable state is dropped at the end');

  const reused = buildModel(config, 8);
  const again = await runStage(await stageOptions(dir, reused, { callbacks: { log: (l) => logs.push(l) } }));
  assert.ok(logs.some((l) => /stage1: already finished/.test(l)));
  assert.deepEqual(weightsOf(reused), weightsOf(straight));
  assert.deepEqual(strip(again), strip(expected));
  for (const m of [straight, resumedModel, reused]) m.dispose();
});
