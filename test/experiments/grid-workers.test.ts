import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { processAlive } from '../../lib/io/stale-temp-files';
import { isRunLocked } from '../../lib/experiments/run-lock';
import { gridWorkerArgs } from '../../lib/experiments/grid-workers';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '..', '..', 'bin', 'mmckd.cjs');
const GRID = ['grid', '--dataset', 'synthetic:quick', '--preset', 'quick', '--variants', 'mmckd,b1,b2', '--seeds', '1,2', '--epochs', '2', '--pretrain-epochs', '2', '--protocols', 'P1', '--no-figures'];

function grid(args: string[], base = GRID): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...base, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, err: r.stderr };
}

const tables = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(join(dir, 'tables')).filter((f) => f.endsWith('.csv')).map((f) => [f, readFileSync(join(dir, 'tables', f), 'utf8')]));

test('a grid with two workers writes the same tables as one worker, each cell trained once', () => {
  const root = mkdtempSync(join(tmpdir(), 'mmckd-workers-'));
  const one = grid(['--workers', '1', '--out', join(root, 'one')]);
  assert.equal(one.code, 0, one.err);
  const two = grid(['--workers', '2', '--out', join(root, 'two')]);
  assert.equal(two.code, 0, two.err);
  assert.match(two.err, /grid: worker \d+ started/);
  const trained = two.err.split('\n').filter((l) => /\] \S+ seed \d: training ->/.test(l));
  assert.equal(trained.length, 6, `each cell trained once:\n${trained.join('\n')}`);
  assert.ok(trained.some((l) => l.startsWith('worker ')), 'the worker trained cells too');
  assert.deepEqual(tables(join(root, 'two')), tables(join(root, 'one')));
});

test('a worker receives the config overrides whole (JSON), so every field reaches it; mmckd grid reads them back', () => {
  const overrides = { epochs: 2, lambda: 0.5, model: { d: 8, heads: 2 } };
  const args = gridWorkerArgs({ datasetSpec: 'synthetic:quick', preset: 'quick', variants: ['mmckd'], seeds: [1], protocols: ['P1'], outDir: 'x', overrides });
  assert.deepEqual(JSON.parse(args[args.indexOf('--overrides-json') + 1]), overrides);
  const base = GRID.filter((a, i) => !['--epochs', '--pretrain-epochs'].includes(a) && !['--epochs', '--pretrain-epochs'].includes(GRID[i - 1]));
  const listed = grid(['--list', '--overrides-json', JSON.stringify({ lambda: 0.5, pretrainEpochs: 2 }), '--epochs', '1', '--out', join(mkdtempSync(join(tmpdir(), 'mmckd-ov-')), 'g')], base);
  assert.equal(listed.code, 0, listed.err);
  const bad = grid(['--list', '--overrides-json', '{"lamda":0.5}'], base);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /Expected config fields among .*, but got 'lamda'/);
});

test('--list prints the cells and --cell K trains one cell alone; a final grid writes the tables', () => {
  const small = GRID.map((a) => (a === 'mmckd,b1,b2' ? 'mmckd,b2' : a === '1,2' ? '1' : a));
  const root = mkdtempSync(join(tmpdir(), 'mmckd-cells-'));
  const out = join(root, 'g');
  const list = spawnSync(process.execPath, [BIN, ...small, '--out', out, '--list'], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^ {2}1 {2}mmckd {16}seed 1 {4}to train/m);
  assert.match(list.stdout, /2 cells\n$/);
  for (const k of [1, 2]) {
    const r = grid(['--cell', String(k), '--out', out], small);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /1 cell\(s\) computed by this task/);
  }
  const bad = grid(['--cell', '3', '--out', out], small);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /Expected --cell between 1 and 2/);
  const final = grid(['--workers', '1', '--out', out], small);
  assert.equal(final.code, 0, final.err);
  assert.match(final.err, /2 cells \(0 computed now\)/);
});

/** Starts `mmckd grid --workers 2` and resolves once a worker has started training a cell; returns the parent, the worker's pid and the stderr so far. */
function startTwoWorkerGrid(out: string): Promise<{ parent: ChildProcess; workerPid: number; err: () => string }> {
  const many = GRID.map((a) => (a === '1,2' ? '1,2,3' : a === '2' ? '6' : a));
  const parent = spawn(process.execPath, [BIN, ...many, '--workers', '2', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`no worker started training:\n${err}`)), 120_000);
    parent.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      const m = /worker (\d+): \[\d+\/\d+\] \S+ seed \d: training ->/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveStart({ parent, workerPid: Number(m[1]), err: () => err });
      }
    });
  });
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) if (!processAlive(pid)) return true;
  return false;
}

test('SIGTERM to a grid is forwarded to its workers, which end before it does; a worker whose parent is killed ends by itself and its locks are taken over at once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mmckd-stop-'));
  const a = await startTwoWorkerGrid(join(root, 'a'));
  const exited = new Promise<number | null>((r) => a.parent.on('exit', (code, sig) => r(sig ? -1 : code)));
  a.parent.kill('SIGTERM');
  assert.ok(await waitUntilGone(a.workerPid, 30_000), `the worker ${a.workerPid} ended:\n${a.err()}`);
  assert.equal(await exited, -1, 'the parent ends by the signal');
  assert.match(a.err(), /grid: SIGTERM: stopping 1 worker\(s\), then this process/);

  const b = await startTwoWorkerGrid(join(root, 'b'));
  b.parent.kill('SIGKILL'); // the parent cannot forward anything now
  assert.ok(await waitUntilGone(b.workerPid, 10_000), `the orphaned worker ${b.workerPid} ended by itself`);
  // what the orphan held is free at once for the next run on this machine
  const cells = readdirSync(join(root, 'b')).filter((c) => /-seed\d$/.test(c));
  const t0 = Date.now();
  for (const c of cells) assert.equal(isRunLocked(join(root, 'b', c)), false, `${c} is not locked`);
  assert.ok(Date.now() - t0 < 1000);
});
