/**
 * The optional native kernel pack: OpenBLAS matrix products registered as TensorFlow.js kernels
 * of the wasm backend (BatchMatMul, _FusedMatMul, Transpose), the fused attention-pooling encoder
 * and the fused fusion and heads of several models (lib/models/fused-encoder.ts, fused-heads.ts:
 * kernels the wasm backend does not have), plus four JavaScript kernels that avoid copies or slow
 * paths (Identity, Cast, SplitV, Tanh). Everything else stays the wasm backend's.
 * When the addon is not built or libopenblas is missing, `enableNativeKernels` reports why and
 * changes nothing; the native TensorFlow backends (tfjs-node) are never touched.
 * @see bench/README.md
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_ENCODER_GRAD_KERNEL, FUSED_ENCODER_KERNEL } from '../models/fused-encoder';
import { setFastTransposedMatMul } from '../models/transposed-matmul';
import { loadNativeAddon } from './addon';
import { nativeEncoderBackward, nativeEncoderForward } from './encoder-kernels';
import { nativeHeadKernels } from './heads-kernels';
import { nativeBatchMatMul, nativeFusedMatMul, nativeTranspose } from './wasm-kernels';
import { blockSplitV, sharedIdentity, sharedSameTypeCast, sigmoidTanh } from './wasm-js-kernels';

export { loadNativeAddon, type NativeAddon, type AddonLoad } from './addon';

/** What `enableNativeKernels` did. */
export interface NativeKernelReport {
  ok: boolean;
  /** Kernel names now replaced (the JavaScript ones even when the addon is absent). */
  kernels: string[];
  /** Why not, when not ok. */
  reason: string;
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

/**
 * Registers the faster wasm kernels (always) and the OpenBLAS ones (when the addon loads) for the
 * 'wasm' backend. Returns a report (ok: the addon loaded); never throws for a missing addon.
 * Idempotent. Works whether or not wasm is the active backend.
 */
export function enableNativeKernels(options: EnableOptions = {}): NativeKernelReport {
  const js = Object.entries(JS_KERNELS).filter(([name, f]) => replaceWasmKernel(name, f)).map(([name]) => name);
  const load = loadNativeAddon(options.env);
  if (!load.ok) {
    return { ok: false, kernels: js, reason: load.reason, message: `native kernels off: ${load.reason}; faster wasm kernels: ${js.join(', ')}` };
  }
  const { addon } = load;
  addon.setThreads(options.threads ?? 1);
  const native: Record<string, KernelFactory> = {
    BatchMatMul: (original) => nativeBatchMatMul(addon, original),
    _FusedMatMul: (original) => nativeFusedMatMul(addon, original),
    Transpose: (original) => nativeTranspose(addon, original),
  };
  const blasKernels = Object.entries(native).filter(([name, f]) => replaceWasmKernel(name, f)).map(([name]) => name);
  // sgemm takes transpose flags at no cost: the linear layers' gradients stop transposing first
  if (blasKernels.includes('BatchMatMul')) setFastTransposedMatMul('wasm', true);
  // an addon built before the fused kernels existed lacks their functions: skip them, keep the rest
  const fused: [string, tf.KernelConfig['kernelFunc']][] = typeof addon.encoderForward !== 'function' || typeof addon.fusionForward !== 'function' ? [] : [
    [FUSED_ENCODER_KERNEL, nativeEncoderForward(addon)],
    [FUSED_ENCODER_GRAD_KERNEL, nativeEncoderBackward(addon)],
    ...Object.entries(nativeHeadKernels(addon)),
  ];
  blasKernels.push(...fused.filter(([name, f]) => addWasmKernel(name, f)).map(([name]) => name));
  const info = addon.info();
  return {
    ok: true,
    kernels: [...blasKernels, ...js],
    reason: '',
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
}

/** Returns true while the native kernels are registered. */
export function nativeKernelsEnabled(): boolean {
  return originals.size > 0 || added.size > 0;
}
