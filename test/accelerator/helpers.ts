/** Helpers of the native-kernel tests: a seeded generator and a tolerant array comparison. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Returns a deterministic generator on [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Returns an integer in [lo, hi]. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Returns `size` uniform values in [-1, 1). */
export function randValues(rand: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => 2 * rand() - 1);
}

/** Asserts |actual - expected| <= atol + rtol |expected| elementwise, naming the case and index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-4, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: expected ${expected.length} values, but got ${actual.length}`);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${what}: expected ${expected[i]} at ${i}, but got ${actual[i]}`);
    }
  }
}

/** Runs `f` on `backend` and returns the values of every tensor it returns (then disposes them). */
export async function valuesOn(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = f();
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

/** One engine of the kit's kernel pack, as the native tests run it. */
export interface EngineCase {
  engine: 'blas' | 'wasm';
  /** Words for test names: 'OpenBLAS addon', 'WebAssembly kernels'. */
  label: string;
  /** The environment that makes `selectBackend({ force: 'wasm', env })` and `enableNativeKernels({ env })` choose it. */
  env: Record<string, string | undefined>;
  /** false, or why this machine cannot test it. */
  skip: string | false;
}

/** The two engines: the OpenBLAS addon (skipped where it is not built) and the WebAssembly kernels (skipped where the module is missing). */
export function kernelEngines(): EngineCase[] {
  // imported here, not at the top: helpers stay usable by tests that never load lib/accelerator
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadNativeAddon, loadWasmKernels } = require('../../lib/accelerator/index') as typeof import('../../lib/accelerator/index');
  const blasEnv = { ...process.env, MMCKD_NATIVE: '1', MMCKD_WASM_KERNELS: '0' };
  const wasmEnv = { ...process.env, MMCKD_NATIVE: '0', MMCKD_WASM_KERNELS: '1' };
  const addon = loadNativeAddon(blasEnv);
  const wasm = loadWasmKernels(wasmEnv);
  return [
    { engine: 'blas', label: 'OpenBLAS addon', env: blasEnv, skip: addon.ok ? false : `native addon not built, untested here (${addon.reason})` },
    { engine: 'wasm', label: 'WebAssembly kernels', env: wasmEnv, skip: wasm.ok ? false : `WebAssembly kernels unavailable, untested here (${wasm.reason})` },
  ];
}
