/**
 * What the kit's wasm kernels need of tfjs-backend-wasm 4.22's backend: the tensors' byte offsets
 * on the wasm heap (where the addon reads and writes in place), output allocation and reference
 * counts. One description for every kernel file of lib/native.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend (BackendWasm) the kernels use. */
export interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
  wasm: { HEAPU8: Uint8Array };
}

/** A TensorFlow.js kernel function. */
export type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Returns the byte offset of a wasm tensor's data on the heap; throws for a tensor of another backend. */
export function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('Expected a tensor of the wasm backend, but its data is not on the wasm heap');
  return data.memoryOffset;
}
