import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command, readNumbers } from '../../cli/commands/metrics';

function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  return fn().finally(() => {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

describe('mmckd metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-metrics-'));
  const pred = join(dir, 'p.json');
  const truth = join(dir, 't.txt');
  writeFileSync(pred, '[0.5, -1.2, 2.4, 0.1, -0.3]');
  writeFileSync(truth, '1\n-1\n2.2\n\n0\n-2\n');

  it('reads a JSON array or one number per line', () => {
    assert.deepEqual(readNumbers(pred), [0.5, -1.2, 2.4, 0.1, -0.3]);
    assert.deepEqual(readNumbers(truth), [1, -1, 2.2, 0, -2]);
  });

  it('prints the eight MMSA keys', async () => {
    const r = await capture(() => command.run(['--pred', pred, '--truth', truth]));
    assert.equal(r.code, 0);
    for (const k of ['Has0_acc_2', 'Has0_F1_score', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_5', 'Mult_acc_7', 'MAE', 'Corr']) {
      assert.match(r.out, new RegExp(`^${k} +\\d\\.\\d{4}$`, 'm'));
    }
    const j = await capture(() => command.run(['--pred', pred, '--truth', truth, '--json']));
    assert.equal(JSON.parse(j.out).rounded.MAE, 0.54);
  });

  it('names the file and line or index at fault', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1\n2\nnope\n');
    const r = await capture(() => command.run(['--pred', pred, '--truth', bad]));
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.txt: line 3: expected a finite decimal number, but got 'nope'/);
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '[1, null]');
    assert.throws(() => readNumbers(badJson), /bad\.json: index 1/);
    const short = join(dir, 'short.json');
    writeFileSync(short, '[1, 2]');
    const m = await capture(() => command.run(['--pred', pred, '--truth', short]));
    assert.match(m.err, /p\.json has 5 values but .*short\.json has 2/);
  });

  it('refuses a FIFO, a device and a folder as not regular files instead of blocking', async () => {
    const fifo = join(dir, 'pred.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero', dir]) {
      const r = await capture(() => command.run(['--pred', path, '--truth', truth]));
      assert.equal(r.code, 2, `${path}: ${r.err}`);
      assert.match(r.err, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read \\(not a regular file\\)`));
    }
  });
});
