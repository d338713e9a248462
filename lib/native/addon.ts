/**
 * Loads the optional native kernel pack (native/, an N-API addon over OpenBLAS). The kit works
 * without it: `loadNativeAddon` returns the reason instead of throwing when it is not built, when
 * libopenblas is absent, or when MMCKD_NATIVE=0 turns it off.
 * @see bench/README.md
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { KIT_ROOT } from '../paths';

/** The addon's functions (see native/src/mmckd_blas.c). Offsets are bytes into `heap`. */
export interface NativeAddon {
  /** C[i] = op(A[i]) op(B[i]) for i < batch (row-major float32); strides are elements, 0 broadcasts. */
  batchMatMul(heap: ArrayBuffer, aOffset: number, bOffset: number, cOffset: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aStride: number, bStride: number): void;
  /** Adds bias [cols] (when biasOffset >= 0) and applies 0 linear / 1 relu to C [rows, cols] in place. */
  biasActivation(heap: ArrayBuffer, cOffset: number, biasOffset: number, rows: number, cols: number, activation: number): void;
  /** Writes x [shape] permuted by `perm` at yOffset (4-byte elements: float32, int32). */
  transpose(heap: ArrayBuffer, xOffset: number, yOffset: number, shape: number[], perm: number[]): void;
  /** Sets OpenBLAS's thread count (1 by default, like the wasm backend in Node). */
  setThreads(n: number): void;
  /** Returns OpenBLAS's build string and its thread count. */
  info(): { blas: string; threads: number };
}

/** The result of loading: the addon, or why it is not available. */
export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Environment variable: '0' turns the native kernels off; a path loads the addon from there. */
export const NATIVE_ENV = 'MMCKD_NATIVE';

/** Where `npm run build:native` puts the addon. */
export const DEFAULT_ADDON_PATH = resolve(KIT_ROOT, 'native', 'build', 'Release', 'mmckd_blas.node');

let cached: AddonLoad | undefined;

/** Returns the loaded addon or the one-line reason it is unavailable (cached per process). */
export function loadNativeAddon(env: Record<string, string | undefined> = process.env): AddonLoad {
  const setting = env[NATIVE_ENV]?.trim();
  if (setting === '0' || setting?.toLowerCase() === 'off') return { ok: false, reason: `${NATIVE_ENV}=${setting} turns them off` };
  if (cached) return cached;
  const path = setting && setting !== '1' ? resolve(setting) : DEFAULT_ADDON_PATH;
  if (!existsSync(path)) {
    cached = { ok: false, reason: `addon not built (${path} is missing; run npm run build:native, needs libopenblas-dev)` };
    return cached;
  }
  try {
    const addon = require(path) as NativeAddon;
    cached = { ok: true, addon, path };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
    cached = { ok: false, reason: `addon failed to load: ${first}` };
  }
  return cached;
}
