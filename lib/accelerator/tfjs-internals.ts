/**
 * Every place where the kit reaches past TensorFlow.js's public API (tfjs-core and
 * tfjs-backend-wasm 4.22), listed here and nowhere else; test/architecture.test.ts fails when a
 * file outside lib/accelerator does it, or a file of lib/accelerator does it without being named
 * below. An upgrade of TensorFlow.js checks these first.
 *
 * The wasm backend (BackendWasm), through `WasmBackendLike` below:
 * - `dataIdMap.get(dataId).memoryOffset`, a tensor's byte offset on the wasm heap, where the
 *   kernels read and write in place (`heapOffset` here; wasm-js-kernels.ts);
 * - `wasm.HEAPU8`, the heap itself, re-read after every allocation because the heap may grow
 *   (encoder-kernels.ts, heads-kernels.ts, wasm-kernels.ts, wasm-js-kernels.ts, wasm-module.ts);
 * - `makeOutput`, `disposeData` and `incRef`: allocating outputs, freeing a temporary, sharing a
 *   tensor's data under a reference count (every kernel file; wasm-js-kernels.ts shares data);
 * - its Emscripten module's `wasm.asm.memory`, `wasm._malloc` and `wasm._free`: the
 *   WebAssembly kernels link into the backend's own memory (wasm-module.ts).
 * The engine (tf.engine()):
 * - `runKernel` of the kit's own kernel names, registered with tf.registerKernel, inside
 *   tf.customGrad (fused-encoder.ts, fused-heads.ts);
 * - `state.tensorInfo`, `state.gradientDepth`, `backend.incRef` and `makeTensorFromTensorInfo`:
 *   a reshape that shares the data without a kernel call (`reshapeView` here, for FlatAdam);
 * - `registeredVariables`: a variable by its name (`registeredVariable` here, for FlatAdam).
 * The webgpu backend (WebGPUBackend):
 * - `readSync` replaced and `hasReadSyncWarned` set: a synchronous read, which cannot work in
 *   Node, fails with the kit's message instead of tfjs's (`guardSynchronousReads` here, for
 *   lib/webgpu-backend.ts).
 * @see docs/native-kernels.md
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

/** Backends whose Reshape is a zero-copy view of the same data (no layout change). */
const VIEW_RESHAPE_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * Returns `t` reshaped to `shape`. On the wasm and cpu backends a reshape only shares the data
 * under a new shape: this does the same without a kernel call (hundreds per step in FlatAdam,
 * each paying the engine's per-kernel bookkeeping); elsewhere, and while a gradient is being
 * recorded, it is tf.reshape.
 */
export function reshapeView(t: tf.Tensor, shape: number[]): tf.Tensor {
  const engine = tf.engine();
  const onThisBackend = engine.state.tensorInfo.get(t.dataId)?.backend === engine.backend;
  if (!VIEW_RESHAPE_BACKENDS.has(engine.backendName) || !onThisBackend || engine.state.gradientDepth > 0) return tf.reshape(t, shape);
  engine.backend.incRef(t.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape, dtype: t.dtype });
}

/** Returns the variable registered under `name` (its tfjs name, as optimizers receive gradients by), or undefined. */
export function registeredVariable(name: string): tf.Variable | undefined {
  return tf.engine().registeredVariables[name];
}

/**
 * Makes the backend's synchronous reads fail with `message` where they would fail anyway (WebGPU
 * in Node has no OffscreenCanvas; values already on the CPU still read), and silences tfjs's
 * warning about their speed. Idempotent; returns nothing.
 */
export function guardSynchronousReads(backend: tf.KernelBackend, message: string): void {
  const b = backend as unknown as { readSync(dataId: object): unknown; hasReadSyncWarned?: boolean; mmckdGuarded?: boolean };
  if (b.mmckdGuarded) return;
  const original = b.readSync.bind(backend);
  b.hasReadSyncWarned = true; // its warning is about speed; the error below says what actually fails
  b.readSync = (dataId: object) => {
    try {
      return original(dataId);
    } catch (err) {
      if (err instanceof ReferenceError && /OffscreenCanvas/.test(err.message)) throw new Error(message);
      throw err;
    }
  };
  b.mmckdGuarded = true;
}
