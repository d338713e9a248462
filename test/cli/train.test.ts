import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
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
