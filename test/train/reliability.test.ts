import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, appendFileSync, truncateSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import { splitBatches } from '../../lib/train/batch-source';
import { loadModel, loadTensors, saveTensors } from '../../lib/train/checkpoint';
import { removeKitRuns } from '../../lib/experiments/kit-folders';
import { lockRunFolder, RunLockedError, LOCK_NAME, LOCK_OWNER_NAME } from '../../lib/experiments/run-lock';
import { disposeTrainedRun, runMethod } from '../../lib/experiments/run-method';
import { validateTrainConfig } from '../../lib/train/config';
import { runGrid } from '../../lib/experiments/experiment-grid';
import type { ProtocolName } from '../../lib/vocabulary';
import { selectBackend } from '../../lib/backend';
import * as tf from '@tensorflow/tfjs';
import { quickConfig, quickDataset } from './helpers';

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `mmckd-${label}-`));
const BIN = resolve(__dirname, '..', '..', 'bin', 'mmckd.cjs');

/** Runs the CLI in a child process; returns its exit code and output. */
function cli(args: string[], timeoutMs = 120_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, MMCKD_BACKEND: 'cpu' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--fresh removes a run folder but refuses a folder of user files, deleting nothing', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const config = quickConfig({ method: 'b2', epochs: 1, pretrainEpochs: 0 });
  const user = tmp('user');
  mkdirSync(join(user, 'chapter'));
  writeFileSync(join(user, 'notes.txt'), 'mine');
  writeFileSync(join(user, 'chapter', 'draft.md'), 'mine too');
  await assert.rejects(runMethod({ dataset: data, config, outDir: user, batches: splitBatches, backend, fresh: true }), /--fresh removes only folders the kit made/);
  assert.deepEqual(readdirSync(user).sort(), ['chapter', 'notes.txt']);
  assert.equal(readFileSync(join(user, 'chapter', 'draft.md'), 'utf8'), 'mine too');

  // a real run folder is removed and retrained; a stray file inside it makes --fresh refuse
  const dir = tmp('fresh-run');
  disposeTrainedRun(await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend }));
  const created = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).created;
  writeFileSync(join(dir, 'my-notes.txt'), 'keep');
  await assert.rejects(runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend, fresh: true }), /'my-notes\.txt' is not the kit's/);
  assert.ok(existsSync(join(dir, 'my-notes.txt')) && existsSync(join(dir, 'run.json')));
  require('node:fs').rmSync(join(dir, 'my-notes.txt'));
  disposeTrainedRun(await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend, fresh: true }));
  assert.notEqual(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).created, created);
  assert.ok(!existsSync(join(dir, LOCK_NAME)) && !existsSync(join(dir, LOCK_OWNER_NAME)), 'the lock is released');
});

test('reproduce --fresh over runs/ removes the kit\'s folders and keeps a user\'s', () => {
  const runs = tmp('runs');
  const write = (rel: string, text = '{}') => {
    mkdirSync(join(runs, rel, '..'), { recursive: true });
    writeFileSync(join(runs, rel), text);
  };
  write('synthetic-mmckd-mosi-seed1/run.json', JSON.stringify({ kind: 'mmckd-run' }));
  write('grid-synthetic-mosi/grid.json');
  write('grid-synthetic-mosi/b2-seed1/run.json', JSON.stringify({ kind: 'mmckd-run' }));
  write('grid-synthetic-mosi/_stage1/synthetic-mosi-seed1-abc/done.json');
  write('_stage1/synthetic-mosi-seed1-abc/done.json');
  write('my-experiment/notes.txt', 'mine');
  const logs: string[] = [];
  const r = removeKitRuns(runs, (l) => logs.push(l));
  assert.deepEqual(readdirSync(runs), ['my-experiment']);
  assert.deepEqual(r.kept, ['my-experiment']);
  assert.ok(logs.some((l) => /kept .*my-experiment/.test(l)));
});

test('a run folder refuses a second process, and a dead process\'s lock is taken over and said so', async () => {
  const dir = tmp('lock');
  const held = await lockRunFolder(dir);
  await assert.rejects(lockRunFolder(dir), (err: unknown) => err instanceof RunLockedError && new RegExp(`in use by process ${process.pid} on ${hostname()}`).test((err as Error).message));
  await held.release();
  // a lock whose owner (on this machine) is gone: pid 4194305 is above Linux's default pid range
  mkdirSync(join(dir, LOCK_NAME));
  writeFileSync(join(dir, LOCK_OWNER_NAME), JSON.stringify({ pid: 4194305, host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'mmckd train' }));
  const logs: string[] = [];
  mkdirSync(join(dir, 'checkpoints', '.tav.tmp-4194305'), { recursive: true }); // a checkpoint write killed mid-way
  writeFileSync(join(dir, '.run.json.tmp-4194305'), '{');
  const taken = await lockRunFolder(dir, { log: (l) => logs.push(l) });
  assert.ok(logs.some((l) => /taking over the lock of process 4194305 .* no longer running/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /removed 2 temporary file\(s\) left by processes that died/.test(l)), logs.join('\n'));
  assert.ok(!existsSync(join(dir, 'checkpoints', '.tav.tmp-4194305')) && !existsSync(join(dir, '.run.json.tmp-4194305')));
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_OWNER_NAME), 'utf8')).pid, process.pid);
  await taken.release();
});

test('two trainings of one run folder: the second refuses by name while the first trains', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const config = quickConfig({ method: 'b2', epochs: 2, pretrainEpochs: 0 });
  const dir = tmp('two-trains');
  let second: unknown = 'not tried';
  // The second training starts while the first is between two epochs: it holds the lock then.
  const first = await runMethod({
    dataset: data, config, outDir: dir, batches: splitBatches, backend,
    callbacks: {
      onEpochEnd: async () => {
        if (second === 'not tried') second = await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend }).then((r) => (disposeTrainedRun(r), 'trained'), (err: unknown) => err);
      },
    },
  });
  disposeTrainedRun(first);
  assert.ok(second instanceof RunLockedError, `the second training was refused (got ${String(second)})`);
  assert.match((second as Error).message, new RegExp(`in use by process ${process.pid}`));
});

test('two grids on one folder end with the same results as one grid, and no cell trains twice', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const spec = { dataset: data, datasetSpec: 'synthetic:quick', preset: 'quick' as const, variants: ['mmckd', 'b1', 'b2'], seeds: [1, 2], protocols: ['P1'] as ProtocolName[], backend, overrides: { epochs: 2, pretrainEpochs: 2 } };
  const one = await runGrid({ ...spec, outDir: tmp('grid-one') });
  const shared = tmp('grid-two');
  const logs: string[] = [];
  const [a, b] = await Promise.all([
    runGrid({ ...spec, outDir: shared, callbacks: { log: (l) => logs.push(`A ${l}`) } }),
    new Promise((r) => setTimeout(r, 200)).then(() => runGrid({ ...spec, outDir: shared, callbacks: { log: (l) => logs.push(`B ${l}`) } })),
  ]);
  const computed = [...a, ...b].filter((c) => c.computed).length;
  assert.equal(computed, 6, `each of the 6 cells trains once (computed ${computed}):\n${logs.join('\n')}`);
  assert.ok(b.some((c) => c.computed), 'the second grid took cells of its own');
  for (const cells of [a, b]) {
    assert.deepEqual(cells.map((c) => c.evaluation.p1), one.map((c) => c.evaluation.p1));
  }
});

test('a run folder refuses another dataset, keeping its metrics', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const config = quickConfig({ method: 'b2', epochs: 1, pretrainEpochs: 0 });
  const dir = tmp('dataset');
  disposeTrainedRun(await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend }));
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.match(run.dataset.fingerprint, /^sha256:[0-9a-f]{16}$/);
  const other = standardizeDataset(loadDataset('synthetic:quick', { synthetic: { seed: 99 } })).dataset;
  assert.equal(other.train.ids.length, data.train.ids.length, 'same name and counts: only the content differs');
  await assert.rejects(runMethod({ dataset: other, config, outDir: dir, batches: splitBatches, backend }), /run\.json: this run was trained on synthetic-quick .* not on synthetic-quick .*sha256/);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')), run);
});

test('a truncated, padded or edited checkpoint is refused naming the file and the weight', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const dir = tmp('ckpt');
  disposeTrainedRun(await runMethod({ dataset: data, config: quickConfig({ method: 'b2', epochs: 1, pretrainEpochs: 0 }), outDir: dir, batches: splitBatches, backend }));
  const ck = join(dir, 'checkpoints', 'ta');
  const bin = join(ck, 'weights.bin');
  const original = readFileSync(bin);
  const json = readFileSync(join(ck, 'model.json'), 'utf8');
  (await loadModel(ck)).dispose();

  truncateSync(bin, 16);
  await assert.rejects(loadModel(ck), /weights\.bin: weight '.+' \[.*\] needs bytes .* but the file has 16: truncated/);
  writeFileSync(bin, original);
  appendFileSync(bin, Buffer.alloc(8));
  await assert.rejects(loadModel(ck), /weights\.bin: holds \d+ bytes but the manifest's weights take \d+: 8 bytes were appended/);
  writeFileSync(bin, original);
  writeFileSync(join(ck, 'model.json'), json.replace('"float32"', '"int32"'));
  await assert.rejects(loadModel(ck), /model\.json: the weight manifest .* does not match its recorded checksum/);
  // an older checkpoint without the record still has its manifest checked against the model
  const parsed = JSON.parse(json);
  delete parsed.weightsFile;
  parsed.weightsManifest[0].weights[0].dtype = 'int32';
  writeFileSync(join(ck, 'model.json'), JSON.stringify(parsed));
  await assert.rejects(loadModel(ck), /model\.json: weight '.+' is stored as int32 \[.*\] but the model needs float32/);
  writeFileSync(join(ck, 'model.json'), json);
  (await loadModel(ck)).dispose();

  // saved tensors (resumable state) are checked the same way
  const t = tf.tensor([1, 2, 3, 4]);
  await saveTensors({ w: t }, join(dir, 'state'), 'opt');
  t.dispose();
  appendFileSync(join(dir, 'state', 'opt.bin'), Buffer.alloc(4));
  assert.throws(() => loadTensors(join(dir, 'state'), 'opt'), /opt\.bin: holds 20 bytes but the manifest's weights take 16: 4 bytes were appended/);
});

test('configs are checked in full before anything is written', () => {
  assert.throws(() => validateTrainConfig({ model: { d: 0 } }, 'quick'), /Expected d to be an integer >= 1/);
  assert.throws(() => validateTrainConfig({ model: { d: 64, heads: 3 } }, 'mosi'), /Expected heads to divide d/);
  assert.throws(() => validateTrainConfig({ seed: 1e300 }, 'quick'), /Expected seed to be an integer from 0 to 4294967295/);
});

test('the CLI refuses bad input in one line with exit 1 and writes nothing', () => {
  const root = tmp('cli');
  const out = join(root, 'run');
  for (const args of [
    ['train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--d', '0', '--out', out],
    ['train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--heads', '3', '--d', '16', '--out', out],
    ['train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--seed', '1e300', '--out', out],
    ['train', '--dataset', 'synthetic:quick', '--preset', 'quick', 'stray', '--out', out],
    ['train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--out', '/proc/self/mmckd-run'],
    ['eval', '--run', out, '--eval-seed', '-5'],
    ['eval', '--run', out, '--eval-seed', '0.5'],
  ]) {
    const r = cli(args);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.err}`);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('mmckd: ') && !l.startsWith("mmckd: TensorFlow.js backend"));
    assert.equal(lines.length, 1, r.err);
  }
  assert.ok(!existsSync(out), 'no run folder was made');
  // metrics: hexadecimal and overflowing numbers are named as such
  writeFileSync(join(root, 'p.txt'), '0x10\n1\n');
  writeFileSync(join(root, 't.json'), '[1e400, 1]');
  const hex = cli(['metrics', '--pred', join(root, 'p.txt'), '--truth', join(root, 't.json')]);
  assert.match(hex.err, /p\.txt: line 1: expected a finite decimal number, but got '0x10'/);
  writeFileSync(join(root, 'p.txt'), '1\n1\n');
  const big = cli(['metrics', '--pred', join(root, 'p.txt'), '--truth', join(root, 't.json')]);
  assert.match(big.err, /t\.json: index 0: expected a finite number, but got Infinity \(a number past float64's range\)/);
});
