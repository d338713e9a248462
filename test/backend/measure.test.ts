/**
 * The backend chosen by measurement (lib/backend-measure.ts through selectBackend) when more than
 * one CPU backend loads: tested with cpu and wasm (both load here; in use it compares tfjs-node and
 * wasm). The measured step is injected so the test decides which backend is faster; the cache
 * file is reused while its key matches and measured again when it does not; MMCKD_BACKEND still
 * forces; the real workload runs on wasm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../lib/backend';
import { selectMeasuredBackend, TRAINING_STEP_WORKLOAD, trainingStepWorkload } from '../../lib/train/measured-backend';
import { withoutNative } from './helpers';
import { MEASUREMENT_FILE, measureBackends, type MeasureStep } from '../../lib/backend-measure';


/** A step that takes `msOn[backend]` milliseconds (busy) plus a small op, and counts its runs per backend. */
function timedStep(msOn: Record<string, number>, runs: Record<string, number>): () => MeasureStep {
  return () => ({
    async run() {
      const backend = tf.getBackend();
      runs[backend] = (runs[backend] ?? 0) + 1;
      const small = tf.tidy(() => tf.sum(tf.matMul(tf.ones([8, 8]), tf.ones([8, 8]))));
      await small.data();
      small.dispose();
      const until = performance.now() + msOn[backend];
      while (performance.now() < until) { /* busy: the backend's "speed" */ }
    },
    dispose() {},
  });
}

test('with cpu and wasm both loading, the faster by measurement is chosen, reported and cached with the versions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-measure-'));
  try {
    const runs: Record<string, number> = {};
    const measure = { among: ['wasm', 'cpu'] as ('wasm' | 'cpu')[], steps: 3, makeStep: timedStep({ wasm: 12, cpu: 2 }, runs), workload: 'test-busy' };
    const r = await selectBackend({ load: withoutNative, env: { MMCKD_CACHE_DIR: dir }, measure });
    assert.equal(r.choice, 'cpu', 'cpu made faster here: it wins');
    assert.equal(tf.getBackend(), 'cpu');
    assert.ok(r.measurement && !r.measurement.cached);
    assert.deepEqual(Object.keys(r.measurement.ms).sort(), ['cpu', 'wasm']);
    assert.ok(r.measurement.ms.wasm > r.measurement.ms.cpu);
    assert.deepEqual(runs, { wasm: 4, cpu: 4 }, 'one warm-up and three timed steps each');
    assert.match(r.message, /chosen by measurement: wasm [\d.]+ ms, cpu [\d.]+ ms per training step/);
    assert.deepEqual(r.attempts.filter((a) => a.ok).map((a) => a.backend), ['wasm', 'cpu']);
    const file = join(dir, MEASUREMENT_FILE);
    assert.ok(existsSync(file));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string };
    for (const part of ['test-busy', process.version, tf.version.tfjs, 'wasm 4.22.0', 'kernel pack']) assert.ok(saved.key.includes(part) || saved.key.includes(part.split(' ')[0]), `cache key names ${part}`);

    // again: read from the cache, nothing measured
    const again = await selectBackend({ load: withoutNative, env: { MMCKD_CACHE_DIR: dir }, measure });
    assert.equal(again.choice, 'cpu');
    assert.equal(again.measurement?.cached, true);
    assert.match(again.message, /cached in/);
    assert.deepEqual(runs, { wasm: 4, cpu: 4 }, 'the cached result is used');

    // another key (an upgrade, here another workload): measured again; now wasm is faster
    const other = await selectBackend({ load: withoutNative, env: { MMCKD_CACHE_DIR: dir }, measure: { ...measure, workload: 'test-busy-2', makeStep: timedStep({ wasm: 1, cpu: 10 }, runs) } });
    assert.equal(other.choice, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(other.measurement?.cached, false);

    // MMCKD_BACKEND forces: no measurement
    const forced = await selectBackend({ load: withoutNative, env: { MMCKD_CACHE_DIR: dir, MMCKD_BACKEND: 'wasm' }, measure });
    assert.equal(forced.choice, 'wasm');
    assert.equal(forced.measurement, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a single CPU backend (wasm; cpu is not compared by default) is taken without measuring', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-measure-'));
  try {
    const r = await selectBackend({ load: withoutNative, env: { MMCKD_CACHE_DIR: dir } });
    assert.equal(r.choice, 'wasm');
    assert.equal(r.measurement, undefined);
    assert.ok(!existsSync(join(dir, MEASUREMENT_FILE)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the measured workload is the real MM-CKD training step (seven models, MOSI shapes): it runs on wasm', async () => {
  await selectBackend({ force: 'wasm', load: withoutNative });
  const before = tf.memory().numTensors;
  const m = await measureBackends([{ name: 'wasm', tfjsBackend: 'wasm', version: 'test' }], { steps: 1, makeStep: trainingStepWorkload, workload: TRAINING_STEP_WORKLOAD });
  assert.equal(m.choice, 'wasm');
  assert.ok(m.ms.wasm > 0 && Number.isFinite(m.ms.wasm));
  assert.equal(tf.memory().numTensors, before, 'the workload leaves no tensor behind');
});

test("the kit's entry (selectBackend of lib/index.ts) measures with the training step; lib/backend.ts alone measures nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-measure-'));
  try {
    const env = { MMCKD_CACHE_DIR: dir };
    const plain = await selectBackend({ load: withoutNative, env, measure: undefined });
    assert.equal(plain.measurement, undefined, 'no workload given: the first that loads wins');
    const r = await selectMeasuredBackend({ load: withoutNative, env, measure: { among: ['wasm', 'cpu'], steps: 1 } });
    assert.ok(r.measurement && r.measurement.ms.wasm > 0 && r.measurement.ms.cpu > 0, 'both timed');
    const saved = JSON.parse(readFileSync(join(dir, MEASUREMENT_FILE), 'utf8')) as { key: string };
    assert.equal(JSON.parse(saved.key).workload, TRAINING_STEP_WORKLOAD);
    const off = await selectMeasuredBackend({ load: withoutNative, env, measure: false });
    assert.equal(off.measurement, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
