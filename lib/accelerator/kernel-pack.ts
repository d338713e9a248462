/**
 * The kit's kernel pack for TensorFlow.js's wasm backend, from the first engine that loads:
 * - 'blas': the OpenBLAS N-API addon (native/, built by `npm ci` where libopenblas-dev and a C
 *   compiler exist): matrix products (BatchMatMul, _FusedMatMul, Transpose) plus the fused
 *   attention-pooling encoder and the fused fusion and heads of several models
 *   (fused-encoder.ts, fused-heads.ts: kernels the wasm backend does not have);
 * - 'wasm': the same kernels (products and fused ones) compiled from the same C sources to
 *   WebAssembly (native/wasm/mmckd_kernels.wasm, SIMD128 sgemm instead of OpenBLAS, committed;
 *   needs Node alone), sharing the backend's memory;
 * - 'stock': neither (MMCKD_NATIVE=0 and MMCKD_WASM_KERNELS=0, or nothing loads).
 * Always, four JavaScript kernels that avoid copies or slow paths (Identity, Cast, SplitV, Tanh).
 * Everything else stays the wasm backend's. `enableNativeKernels` reports what it registered and
 * why the others did not load; it never throws for a missing engine, and never touches the native
 * TensorFlow backends (tfjs-node). Once they are registered, model-forward.ts runs the models'
 * forward passes through the fused kernels. lib/backend.ts calls `enableNativeKernels` when it
 * selects wasm.
 * @see docs/native-kernels.md
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_ENCODER_GRAD_KERNEL, FUSED_ENCODER_KERNEL } from './fused-encoder';
import { setFastTransposedMatMul } from '../models/transposed-matmul';
import { loadNativeAddon, type FusedKernelPack, type ProductPack } from './addon';
import { nativeEncoderBackward, nativeEncoderForward } from './encoder-kernels';
import { nativeHeadKernels } from './heads-kernels';
import { nativeBatchMatMul, nativeFusedMatMul, nativeTranspose } from './wasm-kernels';
import { blockSplitV, sharedIdentity, sharedSameTypeCast, sigmoidTanh } from './wasm-js-kernels';
import { loadWasmKernels, wasmKernelPackFor } from './wasm-module';
import type { WasmBackendLike } from './tfjs-internals';

export { loadNativeAddon, type NativeAddon, type AddonLoad, type FusedKernelPack } from './addon';
export { loadWasmKernels, wasmKernelPackFor, WASM_KERNELS_ENV, type WasmKernelsLoad } from './wasm-module';

/** Which kernel pack runs the fused kernels: the OpenBLAS addon, the WebAssembly module, or none. */
export type KernelEngine = 'blas' | 'wasm' | 'stock';

/** What `enableNativeKernels` did. */
export interface NativeKernelReport {
  /** True when the OpenBLAS addon loaded (engine 'blas'). */
  ok: boolean;
  /** The engine now registered. */
  engine: KernelEngine;
  /** Kernel names now replaced (the JavaScript ones even when the addon is absent). */
  kernels: string[];
  /** Why the OpenBLAS addon is not used, when not ok. */
  reason: string;
  /** Why the WebAssembly kernels are not used (empty when they are). */
  wasmReason: string;
  /** One line for the backend report, e.g. 'native kernels: OpenBLAS 0.3.21 ... (BatchMatMul, _FusedMatMul)'. */
  message: string;
}

type KernelFactory = (original: tf.KernelConfig['kernelFunc']) => tf.KernelConfig['kernelFunc'];

/** The wasm backend's Sigmoid kernel (what the faster Tanh runs on). */
function wasmSigmoid(): tf.KernelConfig['kernelFunc'] {
  const k = tf.getKernelsForBackend('wasm').find((c) => c.kernelName === 'Sigmoid');
  if (!k) throw new Error('the wasm backend has no Sigmoid kernel');
  return k.kernelFunc;
}

/** Pure-JavaScript wasm kernels (no addon needed): zero-copy Identity and Cast, block SplitV, Tanh over sigmoid. */
const JS_KERNELS: Record<string, KernelFactory> = {
  Identity: sharedIdentity,
  Cast: sharedSameTypeCast,
  SplitV: blockSplitV,
  Tanh: (original) => sigmoidTanh(original, wasmSigmoid()),
};

const originals = new Map<string, tf.KernelConfig>();
/** Kernels the pack adds (the wasm backend has none of that name): unregistered on disable. */
const added = new Set<string>();

function addWasmKernel(name: string, kernelFunc: tf.KernelConfig['kernelFunc']): boolean {
  if (added.has(name)) return true;
  if (tf.getKernel(name, 'wasm')) return false;
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  added.add(name);
  return true;
}

function replaceWasmKernel(name: string, factory: KernelFactory): boolean {
  if (originals.has(name)) return true;
  const original = tf.getKernelsForBackend('wasm').find((k) => k.kernelName === name);
  if (!original) return false;
  originals.set(name, original);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: factory(original.kernelFunc) });
  return true;
}

/** Options of `enableNativeKernels`. */
export interface EnableOptions {
  /** OpenBLAS threads (default 1, like the wasm backend in Node). */
  threads?: number;
  env?: Record<string, string | undefined>;
}

/** The engine registered now (undefined: none). */
let registered: KernelEngine | undefined;

function fusedKernels(packFor: (backend: WasmBackendLike) => FusedKernelPack): [string, tf.KernelConfig['kernelFunc']][] {
  return [
    [FUSED_ENCODER_KERNEL, nativeEncoderForward(packFor)],
    [FUSED_ENCODER_GRAD_KERNEL, nativeEncoderBackward(packFor)],
    ...Object.entries(nativeHeadKernels(packFor)),
  ];
}

/** Replaces BatchMatMul, _FusedMatMul and Transpose with the pack's; returns the names replaced. */
function registerProducts(packFor: (backend: WasmBackendLike) => ProductPack): string[] {
  const products: Record<string, KernelFactory> = {
    BatchMatMul: (original) => nativeBatchMatMul(packFor, original),
    _FusedMatMul: (original) => nativeFusedMatMul(packFor, original),
    Transpose: (original) => nativeTranspose(packFor, original),
  };
  const names = Object.entries(products).filter(([name, f]) => replaceWasmKernel(name, f)).map(([name]) => name);
  // sgemm takes transpose flags at no cost: the linear layers' gradients stop transposing first
  if (names.includes('BatchMatMul')) setFastTransposedMatMul('wasm', true);
  return names;
}

/**
 * Registers, for the 'wasm' backend, the faster JavaScript kernels (always) and the kernels of the
 * first engine that loads: the OpenBLAS addon (MMCKD_NATIVE=0 skips it), else the WebAssembly
 * module (MMCKD_WASM_KERNELS=0 skips it), else none. Returns a report; never throws for a missing
 * engine. Idempotent; asked for another engine than the registered one (another env), it
 * unregisters first. Works whether or not wasm is the active backend.
 */
export function enableNativeKernels(options: EnableOptions = {}): NativeKernelReport {
  const env = options.env ?? process.env;
  const load = loadNativeAddon(env);
  let wasmLoad = load.ok ? undefined : loadWasmKernels(env);
  if (wasmLoad?.ok) {
    // link it into the wasm backend now when that backend is up, so that a failure falls back to stock here, not in a training step
    const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | undefined;
    try {
      if (backend) wasmKernelPackFor(wasmLoad.module)(backend);
    } catch (err) {
      wasmLoad = { ok: false, reason: `the WebAssembly kernels did not link: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` };
    }
  }
  const engine: KernelEngine = load.ok ? 'blas' : wasmLoad?.ok ? 'wasm' : 'stock';
  if (registered !== undefined && registered !== engine) disableNativeKernels();
  registered = engine;
  const js = Object.entries(JS_KERNELS).filter(([name, f]) => replaceWasmKernel(name, f)).map(([name]) => name);
  const wasmReason = wasmLoad && !wasmLoad.ok ? wasmLoad.reason : '';
  if (!load.ok) {
    if (wasmLoad?.ok) {
      const packFor = wasmKernelPackFor(wasmLoad.module);
      const kernels = registerProducts(packFor);
      kernels.push(...fusedKernels(packFor).filter(([name, f]) => addWasmKernel(name, f)).map(([name]) => name));
      return {
        ok: false, engine, kernels: [...kernels, ...js], reason: load.reason, wasmReason,
        message: `kernel pack: WebAssembly SIMD128 kernels (${kernels.join(', ')}; the OpenBLAS addon is off: ${load.reason}); faster wasm kernels: ${js.join(', ')}`,
      };
    }
    return {
      ok: false, engine, kernels: js, reason: load.reason, wasmReason,
      message: `native kernels off: ${load.reason}; WebAssembly kernels off: ${wasmReason}; faster wasm kernels: ${js.join(', ')}`,
    };
  }
  const { addon } = load;
  addon.setThreads(options.threads ?? 1);
  const blasKernels = registerProducts(() => addon);
  // an addon built before the fused kernels existed lacks their functions: skip them, keep the rest
  const fused = typeof addon.encoderForward !== 'function' || typeof addon.fusionForward !== 'function' ? [] : fusedKernels(() => addon);
  blasKernels.push(...fused.filter(([name, f]) => addWasmKernel(name, f)).map(([name]) => name));
  const info = addon.info();
  return {
    ok: true,
    engine,
    kernels: [...blasKernels, ...js],
    reason: '',
    wasmReason: '',
    message: `native kernels: ${info.blas.trim()}, ${info.threads} thread(s) (${blasKernels.join(', ')}); faster wasm kernels: ${js.join(', ')}`,
  };
}

/** Restores the wasm backend's own kernels. */
export function disableNativeKernels(): void {
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
  }
  originals.clear();
  for (const name of added) tf.unregisterKernel(name, 'wasm');
  added.clear();
  setFastTransposedMatMul('wasm', false);
  registered = undefined;
}

/** Returns the engine registered now (undefined before `enableNativeKernels` or after disabling). */
export function nativeKernelEngine(): KernelEngine | undefined {
  return registered;
}
