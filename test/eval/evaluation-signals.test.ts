/**
 * A long evaluation yields to the event loop after every batch, so a process holding a run lock
 * (whose signal handlers wait for the event loop) still ends within about a second of SIGTERM,
 * and removes its lock on the way out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { LOCK_NAME } from '../../lib/experiments/run-lock';

test('SIGTERM during a long evaluation under a run lock ends the process within a few seconds and releases the lock', async () => {
  const root = resolve(__dirname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-eval-signal-'));
  // Every batch's prediction takes 300 ms of synchronous work: all four protocols take ~20 s.
  const script = `require('tsx/cjs');
const tf = require('@tensorflow/tfjs');
const { lockRunFolder } = require('./lib/experiments/run-lock.ts');
const { evaluateProtocols } = require('./lib/eval/evaluate-protocols.ts');
const { SUBSET_NAMES } = require('./lib/data/modalities.ts');
const { quickDataset } = require('./test/train/helpers.ts');
(async () => {
  const data = await quickDataset();
  await lockRunFolder(process.argv[1]);
  const slow = (batch) => {
    const until = Date.now() + 300;
    while (Date.now() < until) {}
    return tf.zeros([batch.masks.text.shape[0]]);
  };
  const predictors = Object.fromEntries(SUBSET_NAMES.map((s) => [s, slow]));
  process.stdout.write('evaluating handlers ' + process.listenerCount('SIGTERM') + '\\n');
  await evaluateProtocols(predictors, data.test);
  process.stdout.write('finished\\n');
})();`;
  const child = spawn(process.execPath, ['-e', script, dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MMCKD_BACKEND: 'cpu' } });
  let out = '';
  await new Promise<void>((r) => child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), out.includes('evaluating') && r())));
  assert.match(out, /evaluating handlers [1-9]/, 'the lock installs signal handlers');
  assert.ok(existsSync(join(dir, LOCK_NAME)));
  await new Promise((r) => setTimeout(r, 1500)); // well inside the evaluation
  const t0 = Date.now();
  child.kill('SIGTERM');
  const signal = await new Promise((r) => child.on('exit', (_code, sig) => r(sig)));
  const ms = Date.now() - t0;
  assert.equal(signal, 'SIGTERM');
  assert.ok(!out.includes('finished'), 'the evaluation was cut short');
  assert.ok(ms < 3000, `ended ${ms} ms after SIGTERM`);
  assert.ok(!existsSync(join(dir, LOCK_NAME)), 'the lock was removed on the way out');
});
