/**
 * Loads the optional native kernel pack (native/, an N-API addon over OpenBLAS). The kit works
 * without it: `loadNativeAddon` returns the reason instead of throwing when it is not built, when
 * libopenblas is absent, or when MMCKD_NATIVE=0 turns it off.
 * @see bench/README.md
 */
import { existsSync, readFileSync } from 'node:fs';
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
  /**
   * The fused encoder's forward (native/src/mmckd_encoder.c): offsets of x, mask, pooled, workspace,
   * then w{j}, b{j}, sw{j}, sb{j}; dims [B, T, D, k, d, tanh 1/0, dropout 1/0]; seeds[j] uint32; keep = 1 - rate.
   */
  encoderForward(heap: ArrayBuffer, offsets: number[], dims: number[], seeds: number[], keep: number): void;
  /** The fused encoder's backward: offsets of x, mask, workspace, dpooled, sw{j}, then dw{j}, db{j}, dsw{j}, dsb{j}. */
  encoderBackward(heap: ArrayBuffer, offsets: number[], dims: number[]): void;
  /**
   * The concat fusion of n models (native/src/mmckd_heads.c): offsets of f, workspace, pooled per
   * modality (-1 absent), then Wf, bf per model; dims [n, B, d, p, k_t, k_a, k_v]; spec per model M then M pairs (modality, slot).
   */
  fusionForward(heap: ArrayBuffer, offsets: number[], dims: number[], spec: number[]): void;
  /** Its backward: offsets of df, f, workspace, dpooled per modality (-1 absent), Wf per model, then dWf, dbf per model. */
  fusionBackward(heap: ArrayBuffer, offsets: number[], dims: number[], spec: number[]): void;
  /** The regression heads: offsets of y, f, then wr, br per model. */
  regressionForward(heap: ArrayBuffer, offsets: number[], dims: number[]): void;
  /** Their backward: offsets of dy, f, wr per model, df, then dwr, dbr per model. */
  regressionBackward(heap: ArrayBuffer, offsets: number[], dims: number[]): void;
  /** The projection heads: offsets of proj, workspace, f, then Wh, bh, Wo, bo per model. */
  projectionForward(heap: ArrayBuffer, offsets: number[], dims: number[]): void;
  /** Their backward: offsets of dproj, f, workspace, Wh, Wo per model, df, then dWh, dbh, dWo, dbo per model. */
  projectionBackward(heap: ArrayBuffer, offsets: number[], dims: number[]): void;
  /** Returns the first n numbers tf.randomUniform(shape, 0, 1, 'float32', seed) draws (the kernel's dropout stream). */
  aleaUniform(seed: number, n: number): Float32Array;
  /** Sets OpenBLAS's thread count (1 by default, like the wasm backend in Node). */
  setThreads(n: number): void;
  /** Returns OpenBLAS's build string and its thread count. */
  info(): { blas: string; threads: number };
}

/**
 * The fused kernels' functions (encoder, fusion, heads, the dropout stream): what the OpenBLAS
 * addon and the WebAssembly module (wasm-module.ts) both provide, with the same
 * arguments. Offsets are bytes into the wasm backend's heap.
 */
export type FusedKernelPack = Pick<NativeAddon, 'encoderForward' | 'encoderBackward' | 'fusionForward' | 'fusionBackward' | 'regressionForward'
  | 'regressionBackward' | 'projectionForward' | 'projectionBackward' | 'aleaUniform'>;

/** The matrix products, bias + activation and transpose (native/src/mmckd_products.c), in the addon and in the WebAssembly module alike. */
export type ProductPack = Pick<NativeAddon, 'batchMatMul' | 'biasActivation' | 'transpose'>;

/** The result of loading: the addon, or why it is not available. */
export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Environment variable: '0' turns the native kernels off; a path loads the addon from there. */
const NATIVE_ENV = 'MMCKD_NATIVE';

/** Where `npm run build:native` puts the addon. */
const DEFAULT_ADDON_PATH = resolve(KIT_ROOT, 'native', 'build', 'Release', 'mmckd_blas.node');

let cached: AddonLoad | undefined;

/** OpenBLAS's variable that names the kernels it uses, instead of the ones it picks for the CPU. */
const CORETYPE_ENV = 'OPENBLAS_CORETYPE';

/**
 * The OpenBLAS kernels the addon asks for on this machine: 'Haswell' on Linux x64 with AVX2 and FMA,
 * otherwise none (OpenBLAS picks). OpenBLAS picks its kernels and their blocking for the CPU it
 * finds, so the same product rounds differently on SkylakeX machines than on Haswell and Zen ones
 * (whose bits agree: test/train/bitwise-run.test.ts's fixture was recorded on Zen), and a run's
 * numbers with them; one set of kernels gives the same bits on every such machine.
 */
export function pinnedOpenBlasKernels(): 'Haswell' | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  return flags.has('avx2') && flags.has('fma') ? 'Haswell' : undefined;
}

/**
 * Runs `load` (which loads OpenBLAS) with OPENBLAS_CORETYPE set to the pinned kernels, then removes
 * it again: OpenBLAS reads it once, as it loads, and the processes the kit starts (the PyTorch
 * reference links Debian's OpenBLAS too) keep their own choice. A value the user set wins.
 */
function withPinnedOpenBlasKernels<T>(load: () => T): T {
  const kernels = pinnedOpenBlasKernels();
  if (!kernels || process.env[CORETYPE_ENV]) return load();
  process.env[CORETYPE_ENV] = kernels;
  try {
    return load();
  } finally {
    delete process.env[CORETYPE_ENV];
  }
}

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
    const addon = withPinnedOpenBlasKernels(() => require(path) as NativeAddon);
    cached = { ok: true, addon, path };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
    cached = { ok: false, reason: `addon failed to load: ${first}` };
  }
  return cached;
}
