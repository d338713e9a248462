/**
 * The benchmark's engine names (bench/backends.ts): wasm+kernels runs the WebAssembly kernels with
 * the addon off, wasm runs stock wasm (both off), wasm+blas the OpenBLAS addon (an error naming the
 * reason where it is not built).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBenchBackend, engineEnv } from '../../bench/backends';
import { fusedEncoderAvailable } from '../../lib/accelerator/fused-encoder';
import { loadNativeAddon, loadWasmKernels, nativeKernelEngine } from '../../lib/accelerator/index';

test('bench engine names map to kernel engines', () => {
  assert.equal(engineEnv('wasm+kernels')?.engine, 'wasm');
  assert.equal(engineEnv('wasm+blas')?.engine, 'blas');
  assert.equal(engineEnv('wasm')?.engine, 'stock');
  assert.equal(engineEnv('cpu'), undefined);
});

test('wasm+kernels activates the WebAssembly kernels, wasm the stock backend', { skip: loadWasmKernels({}).ok ? false : 'WebAssembly kernels unavailable' }, async () => {
  const message = await activateBenchBackend('wasm+kernels');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(nativeKernelEngine(), 'wasm');
  assert.ok(fusedEncoderAvailable());
  assert.match(message, /WebAssembly SIMD128 kernels/);
  await activateBenchBackend('wasm');
  assert.equal(nativeKernelEngine(), 'stock');
  assert.ok(!fusedEncoderAvailable());
  if (loadNativeAddon({}).ok) {
    await activateBenchBackend('wasm+blas');
    assert.equal(nativeKernelEngine(), 'blas');
  } else await assert.rejects(activateBenchBackend('wasm+blas'));
});
