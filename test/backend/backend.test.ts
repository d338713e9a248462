import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, backendInfo, type ModuleLoader } from '../../lib/backend';
import { withoutNative } from './helpers';


/** A loader whose native package is installed but broken (libtensorflow missing). */
const brokenNative: ModuleLoader = (name) => {
  if (name === '@tensorflow/tfjs-node-gpu' || name === '@tensorflow/tfjs-node') {
    throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');
  }
  return require(name);
};

test('falls back past missing native backends to wasm and says why', async () => {
  const r = await selectBackend({ load: withoutNative, env: {} });
  assert.equal(r.choice, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(r.native, false);
  assert.deepEqual(r.attempts.map((a) => [a.backend, a.ok]), [['node-gpu', false], ['webgpu', false], ['node', false], ['wasm', true]]);
  assert.match(r.message, /backend 'wasm'/);
  assert.match(r.message, /tfjs-node is not installed \(optional; its install step downloads libtensorflow/);
  assert.equal(backendInfo(), r);
});

test('a native package that fails to load is reported with its error', async () => {
  const r = await selectBackend({ load: brokenNative, env: {} });
  assert.equal(r.choice, 'wasm');
  assert.match(r.attempts.find((a) => a.backend === 'node')!.reason, /@tensorflow\/tfjs-node failed to load: libtensorflow\.so\.2/);
});

test('MMCKD_BACKEND forces a backend and the report says so', async () => {
  const r = await selectBackend({ load: withoutNative, env: { MMCKD_BACKEND: 'cpu' } });
  assert.equal(r.choice, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(r.forced, true);
  assert.match(r.message, /forced by MMCKD_BACKEND/);
  assert.equal(tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]), 6);
});

test('a forced backend that cannot load is an error naming it, not a silent fallback', async () => {
  await assert.rejects(
    selectBackend({ load: withoutNative, env: { MMCKD_BACKEND: 'node' } }),
    /MMCKD_BACKEND=node was asked for, but @tensorflow\/tfjs-node is not installed/,
  );
});

test('an unknown MMCKD_BACKEND value is rejected with the allowed names', async () => {
  await assert.rejects(selectBackend({ env: { MMCKD_BACKEND: 'cuda' } }), /one of node-gpu, webgpu, node, wasm, cpu, but got 'cuda'/);
});

test('the wasm backend computes what the cpu backend computes', async () => {
  const x = [[0.5, -1.25], [2, 3.5]];
  await selectBackend({ force: 'cpu', load: withoutNative });
  const onCpu = tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(x)).arraySync());
  await selectBackend({ force: 'wasm', load: withoutNative });
  const onWasm = tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(x)).arraySync());
  assert.deepEqual(onWasm, onCpu);
  assert.deepEqual(onCpu, [[-2.25, -5], [8, 9.75]]);
});
