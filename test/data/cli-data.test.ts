import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command } from '../../cli/commands/data';
import { fixture } from './helpers';

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
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
