import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
