/**
 * Matrix-product and transpose kernels for TensorFlow.js's wasm backend that run cblas_sgemm (OpenBLAS
 * through the native addon, or the SIMD128 sgemm of the WebAssembly module) directly on the wasm heap: no copies, the same TensorInfo in and out as the wasm kernels
 * they replace. Shapes the fast path does not cover (general batch broadcasting, empty tensors,
 * activations other than linear/relu, prelu weights, non-float32) go to the original kernel.
 * Gradients need nothing here: tfjs-core differentiates matMul with matMul, which lands here again.
 * @see bench/README.md
 */
import * as tf from '@tensorflow/tfjs';
import type { ProductPack } from './addon';
import { heapOffset as offsetOf, type KernelFunc, type WasmBackendLike } from './tfjs-internals';

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The plan of one product, or undefined when the fast path does not apply. */
interface ProductPlan {
  batch: number;
  m: number;
  n: number;
  k: number;
  aStride: number;
  bStride: number;
  outShape: number[];
}

function planProduct(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): ProductPlan | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transposeB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transposeB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) return undefined; // the original kernel throws its own message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  let outer: number[];
  if (outerA.join(',') === outerB.join(',')) outer = outerA;
  else if (batchB === 1 && outerB.length <= outerA.length) outer = outerA; // B broadcast over A's batch
  else if (batchA === 1 && outerA.length <= outerB.length) outer = outerB;
  else return undefined; // general broadcasting: leave it to the original kernel
  const batch = Math.max(batchA, batchB);
  if (batch === 0 || m === 0 || n === 0) return undefined;
  return { batch, m, n, k, aStride: batchA === 1 ? 0 : m * k, bStride: batchB === 1 ? 0 : k * n, outShape: [...outer, m, n] };
}

/** The products of each backend (the addon's, or the WebAssembly module instance linked into that backend). */
type PackFor = (backend: WasmBackendLike) => ProductPack;

function runProduct(packFor: PackFor, backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, plan: ProductPlan,
  transposeA: boolean, transposeB: boolean): tf.TensorInfo {
  const out = backend.makeOutput(plan.outShape, 'float32');
  // The heap may have grown in makeOutput: read its buffer after allocating.
  packFor(backend).batchMatMul(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out),
    plan.batch, plan.m, plan.n, plan.k, transposeA ? 1 : 0, transposeB ? 1 : 0, plan.aStride, plan.bStride);
  return out;
}

/** Returns the BatchMatMul kernel function over the pack, falling back to `original`. */
export function nativeBatchMatMul(packFor: PackFor, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const plan = planProduct(a, b, transposeA, transposeB);
    if (!plan) return original(args);
    return runProduct(packFor, args.backend as unknown as WasmBackendLike, a, b, plan, transposeA, transposeB);
  };
}

/** Returns the _FusedMatMul kernel function (bias + linear/relu) over the pack, falling back to `original`. */
export function nativeFusedMatMul(packFor: PackFor, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
    const act = activation ?? 'linear';
    const plan = a && b ? planProduct(a, b, transposeA, transposeB) : undefined;
    const biasFits = !bias || (bias.dtype === 'float32' && sizeOf(bias.shape) === plan?.n && bias.shape.slice(0, -1).every((s) => s === 1));
    if (!plan || preluActivationWeights || (act !== 'linear' && act !== 'relu') || !biasFits) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = runProduct(packFor, backend, a!, b!, plan, transposeA, transposeB);
    if (bias || act === 'relu') {
      packFor(backend).biasActivation(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, out), bias ? offsetOf(backend, bias) : -1,
        plan.batch * plan.m, plan.n, act === 'relu' ? 1 : 0);
    }
    return out;
  };
}

/** Returns the Transpose kernel function (float32 / int32) over the pack, falling back to `original`. */
export function nativeTranspose(packFor: PackFor, original: KernelFunc): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const perm = (args.attrs as unknown as { perm: number[] }).perm;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length > 8 || sizeOf(x.shape) === 0) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(perm.map((p) => x.shape[p]), x.dtype);
    packFor(backend).transpose(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, x), offsetOf(backend, out), [...x.shape], [...perm]);
    return out;
  };
}
