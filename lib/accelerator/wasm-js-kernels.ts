/**
 * Pure-JavaScript replacements of three wasm-backend kernels that the profile of the MM-CKD step
 * showed copying memory for nothing (they need no addon):
 * - Identity and same-dtype Cast: the wasm backend copies the tensor; tfjs-core calls Identity
 *   for every tensor a gradient saves (about 2,300 calls per MM-CKD step) and Cast(float32 ->
 *   float32) in the Multiply/Square/Relu gradients. Tensors are immutable, so sharing the data
 *   with a reference count (what the cpu backend and the wasm Reshape do) is enough.
 * - SplitV: the wasm backend slices each part element by element; here each part is a set of
 *   contiguous blocks copied with copyWithin (1.5 ms -> about 0.1 ms for [32, 12, 50, 8]).
 * - Tanh: the wasm backend's tanh is scalar (about 3.4 ms for [32, 50, 64], 12 calls per MM-CKD
 *   step), its sigmoid is XNNPACK's vectorised one (0.3 ms); tanh(x) = 2 sigmoid(2x) - 1 through
 *   it takes about 0.6 ms (absolute difference to tanh within 2.4e-7). Tanh's gradient is unchanged.
 * @see bench/README.md
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, WasmBackendLike } from './tfjs-internals';

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Returns Identity sharing the input's data (falls back to `original` for strings). */
export function sharedIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Returns Cast that shares the data when the dtype does not change, `original` otherwise. */
export function sharedSameTypeCast(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
    if (x.dtype !== dtype || x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Returns SplitV copying contiguous blocks (numeric dtypes), `original` for anything else. */
export function blockSplitV(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const bytes = BYTES[x.dtype];
    if (!bytes || x.shape.some((s) => s === 0)) return original(args);
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const backend = args.backend as unknown as WasmBackendLike;
    const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1) * bytes; // bytes per index of `axis`
    const rowBytes = x.shape[ax] * inner; // bytes of one outer row of x
    let begin = 0;
    const outs: tf.TensorInfo[] = [];
    for (const s of sizes) {
      const shape = [...x.shape];
      shape[ax] = s;
      const out = backend.makeOutput(shape, x.dtype);
      const heap = backend.wasm.HEAPU8; // read after makeOutput: the heap may have grown
      const src = backend.dataIdMap.get(x.dataId)!.memoryOffset + begin * inner;
      const dst = backend.dataIdMap.get(out.dataId)!.memoryOffset;
      const block = s * inner;
      if (block > 0) {
        for (let o = 0; o < outer; o++) heap.copyWithin(dst + o * block, src + o * rowBytes, src + o * rowBytes + block);
      }
      begin += s;
      outs.push(out);
    }
    return outs;
  };
}

/** Returns Tanh as 2 sigmoid(2x) - 1 over the backend's `sigmoid` kernel (float32), `original` otherwise. */
export function sigmoidTanh(original: KernelFunc, sigmoid: KernelFunc): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype !== 'float32') return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const n = tf.util.sizeFromShape(x.shape);
    const doubled = backend.makeOutput([...x.shape], 'float32');
    let heap = backend.wasm.HEAPU8;
    const xs = new Float32Array(heap.buffer, backend.dataIdMap.get(x.dataId)!.memoryOffset, n);
    const ds = new Float32Array(heap.buffer, backend.dataIdMap.get(doubled.dataId)!.memoryOffset, n);
    for (let i = 0; i < n; i++) ds[i] = 2 * xs[i];
    const out = sigmoid({ inputs: { x: doubled }, backend: args.backend, attrs: {} }) as tf.TensorInfo;
    backend.disposeData(doubled.dataId);
    heap = backend.wasm.HEAPU8; // the heap may have grown
    const ys = new Float32Array(heap.buffer, backend.dataIdMap.get(out.dataId)!.memoryOffset, n);
    for (let i = 0; i < n; i++) ys[i] = 2 * ys[i] - 1;
    return out;
  };
}
