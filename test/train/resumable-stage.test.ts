import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import fs, { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type MsaModel } from '../../lib/models/model';
import { splitBatches } from '../../lib/train/batch-source';
import { regressionObjective } from '../../lib/train/objectives';
import { runStage, type StageOptions } from '../../lib/train/resumable-stage';
import { modelConfigFor } from '../../lib/train/train-method';
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

/** The file-system calls that put an epoch on disk: each one may fail (ENOSPC, a crash). */
const WRITE_CALLS = ['writeFileSync', 'renameSync'] as const;

/**
 * Runs `body` with every write call under `dir` reported to `onCall(op, path)`, which may throw
 * (an injected failure) as the real call would.
 */
async function withWriteCalls<T>(dir: string, onCall: (op: string, path: string) => void, body: () => Promise<T>): Promise<T> {
  const mocks = WRITE_CALLS.map((op) => {
    const real = fs[op] as (...args: unknown[]) => unknown;
    return mock.method(fs, op, (...args: unknown[]) => {
      if (String(args[0]).startsWith(dir)) onCall(op, String(args[0]));
      return real.apply(fs, args);
    });
  });
  try {
    return await body();
  } finally {
    for (const m of mocks) m.mock.restore();
  }
}

test('a save that fails at any file of an epoch (injected ENOSPC) resumes from the last complete epoch and ends bitwise where an uninterrupted stage ends', async () => {
  const data = await quickDataset();
  const config = modelConfigFor(data, quickConfig(), 'tav');
  const strip = (s: { history: { seconds: number }[] }) => ({ ...s, history: s.history.map(({ seconds, ...r }) => r) });
  const straight = buildModel(config, 7);
  const straightDir = mkdtempSync(join(tmpdir(), 'mmckd-stage-'));
  // the write calls of epoch 1's save: those between epoch 0's commit and epoch 1's
  const calls: string[] = [];
  let epochDone = -1;
  const expected = await withWriteCalls(straightDir, (op, path) => void (epochDone === 0 && calls.push(`${op} ${path.slice(straightDir.length)}`)),
    async () => runStage(await stageOptions(straightDir, straight, { callbacks: { onEpochEnd: (r) => void (epochDone = r.epoch) } })));
  assert.ok(calls.length >= 8, `epoch 1's save makes ${calls.length} write calls: ${calls.join(', ')}`);
  assert.ok(calls[calls.length - 1].startsWith('renameSync /.state.json.tmp-'), `state.json's rename commits the epoch, last: ${calls.at(-1)}`);

  for (let failAt = 0; failAt < calls.length; failAt++) {
    const dir = mkdtempSync(join(tmpdir(), 'mmckd-stage-'));
    const first = buildModel(config, 7);
    let n = 0;
    let epoch = -1;
    await assert.rejects(
      withWriteCalls(dir, (op, path) => {
        if (epoch === 0 && n++ === failAt) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
      }, async () => runStage(await stageOptions(dir, first, { callbacks: { onEpochEnd: (r) => void (epoch = r.epoch) } }))),
      /ENOSPC/,
      `failure at ${calls[failAt]}`,
    );
    first.dispose();
    const committed = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    // every failure, the commit's own rename included, leaves epoch 0 as the last committed
    assert.equal(committed.nextEpoch, 1, `after a failure at ${calls[failAt]}, epoch 0 is the last committed`);
    const logs: string[] = [];
    const resumedModel = buildModel(config, 7);
    const resumed = await runStage(await stageOptions(dir, resumedModel, { callbacks: { log: (l) => logs.push(l) } }));
    assert.ok(logs.some((l) => /stage1: resuming at epoch 1 /.test(l)), `${calls[failAt]}: ${logs.join('\n')}`);
    assert.deepEqual(weightsOf(resumedModel), weightsOf(straight), `weights after a failure at ${calls[failAt]}`);
    assert.deepEqual(strip(resumed), strip(expected), `state after a failure at ${calls[failAt]}`);
    assert.deepEqual(readdirSync(dir).sort(), ['best', 'done.json'], `nothing else is left after a failure at ${calls[failAt]}`);
    resumedModel.dispose();
  }
  straight.dispose();
});
