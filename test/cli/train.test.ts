import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '..', '..', 'bin', 'mmckd.cjs');

test('mmckd train with --layers 100000 or --d 50000 is refused by the option before anything is written', () => {
  const root = mkdtempSync(join(tmpdir(), 'mmckd-size-'));
  for (const [flag, value] of [['--layers', '100000'], ['--d', '50000']]) {
    const out = join(root, `run${flag}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'train', '--dataset', 'synthetic:quick', '--preset', 'quick', flag, value, '--heads', '2', '--out', out],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MMCKD_RUNS_DIR: join(root, 'runs') } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`over the memory budget of .*most of it is model\\.${flag.slice(2)} \\(${flag} ${value}\\)`));
    assert.ok(!existsSync(out) && !existsSync(join(root, 'runs')), 'nothing was written');
    assert.ok(Date.now() - t0 < 30_000, 'refused at once');
  }
});

test('mmckd train --out X writes nothing outside X: its stage-1 teacher is trained in X/stage1 even when MMCKD_RUNS_DIR is a file', () => {
  const root = mkdtempSync(join(tmpdir(), 'mmckd-out-'));
  const runsFile = join(root, 'runs-is-a-file');
  writeFileSync(runsFile, 'not a folder');
  const out = join(root, 'X');
  const r = spawnSync(process.execPath, [BIN, 'train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--method', 'b1', '--epochs', '1', '--pretrain-epochs', '1', '--out', out],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, MMCKD_RUNS_DIR: runsFile } });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(out, 'stage1', 'done.json')), 'the teacher is in the run folder');
  assert.equal(readFileSync(runsFile, 'utf8'), 'not a folder');
  assert.deepEqual(readdirSync(root).sort(), ['X', 'runs-is-a-file']);
  // without --out the shared folder is checked before anything is written
  const shared = spawnSync(process.execPath, [BIN, 'train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--epochs', '1'],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MMCKD_RUNS_DIR: runsFile } });
  assert.equal(shared.status, 1);
  assert.match(shared.stderr, /runs-is-a-file is not a folder/);
  assert.deepEqual(readdirSync(root).sort(), ['X', 'runs-is-a-file']);
});

test('mmckd eval prints its results even when saving them fails, then fails naming the file', () => {
  const root = mkdtempSync(join(tmpdir(), 'mmckd-eval-'));
  const out = join(root, 'run');
  const env = { ...process.env, MMCKD_RUNS_DIR: join(root, 'runs') };
  const trained = spawnSync(process.execPath, [BIN, 'train', '--dataset', 'synthetic:quick', '--preset', 'quick', '--method', 'b2', '--epochs', '1', '--pretrain-epochs', '0', '--out', out], { encoding: 'utf8', timeout: 300_000, env });
  assert.equal(trained.status, 0, trained.stderr);
  writeFileSync(join(out, 'tables'), 'a file where the tables folder goes'); // what a full or read-only disk does, in a form CI can make
  const r = spawnSync(process.execPath, [BIN, 'eval', '--run', out, '--protocol', 'P1'], { encoding: 'utf8', timeout: 300_000, env });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /P1 modality subsets \(test\)\n.*\ntav +\d\.\d{4}/);
  assert.match(r.stdout, /Tables: not saved/);
  assert.match(r.stderr, new RegExp(`${join(out, 'tables')}`));
});
