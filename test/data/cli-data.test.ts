import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { command } from '../../cli/commands/data';
import { fixture } from './helpers';

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  // strings are the command's output; buffers are the test runner's own messages, passed through
  process.stdout.write = ((s: string | Uint8Array, ...rest: unknown[]) => (typeof s === 'string' ? (out.push(s), true) : (w1 as (...a: unknown[]) => boolean)(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: unknown[]) => (typeof s === 'string' ? (err.push(s), true) : (w2 as (...a: unknown[]) => boolean)(s, ...rest))) as typeof process.stderr.write;
  try {
    const code = await command.run(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test('data inspect synthetic:quick --json prints counts and shapes', async () => {
  const r = await capture(['inspect', 'synthetic:quick', '--json']);
  assert.equal(r.code, 0);
  const s = JSON.parse(r.out);
  assert.equal(s.splits.train.clips, 192);
  assert.deepEqual(s.splits.test.shapes.text, [96, 20, 64]);
  assert.ok(s.splits.train.labels.min >= -3 && s.splits.train.labels.max <= 3);
});

test('data inspect <fixture.pkl> --json and a bad file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-cli-'));
  process.env.MMCKD_CACHE_DIR = dir;
  try {
    const r = await capture(['inspect', fixture('mmsa_aligned_np1.pkl'), '--json']);
    assert.equal(r.code, 0);
    const s = JSON.parse(r.out);
    assert.equal(s.splits.valid.clips, 2);
    assert.deepEqual(s.splits.train.shapes.audio, [4, 6, 5]);
    assert.equal(s.splits.train.labels.zero, 0.25);
    const bad = await capture(['inspect', fixture('bad_label_range.pkl')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /split 'train', key 'regression_labels'/);
    assert.equal((await capture(['nope'])).code, 2);
  } finally {
    delete process.env.MMCKD_CACHE_DIR;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('data inspect <file.csd> --csd-max-gib sets the budget, and a FIFO or a device is refused as not a regular file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-cli-'));
  try {
    const ok = await capture(['inspect', fixture('sdk_covarep.csd'), '--csd-max-gib', '1']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /computational sequence 'COVAREP', 2 videos/);
    const zero = await capture(['inspect', fixture('sdk_covarep.csd'), '--csd-max-gib', '0']);
    assert.equal(zero.code, 1);
    assert.match(zero.err, /csd-max-gib/);
    const fifo = join(dir, 'pipe.pkl');
    execFileSync('mkfifo', [fifo]);
    const devZero = join(dir, 'zero.pkl');
    symlinkSync('/dev/zero', devZero);
    const csdFifo = join(dir, 'pipe.csd');
    execFileSync('mkfifo', [csdFifo]);
    for (const path of [fifo, devZero, csdFifo]) {
      const r = await capture(['inspect', path]);
      assert.equal(r.code, 1, `${path}: ${r.err}`);
      assert.match(r.err, /not a regular file/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
