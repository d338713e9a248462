/**
 * The fused encoder's two kernels (fused-encoder.ts) for TensorFlow.js's wasm backend,
 * over encoderForward / encoderBackward (native/src/mmckd_encoder.c) of the OpenBLAS addon or of
 * the WebAssembly module (wasm-module.ts), which read and write the wasm heap in place.
 * @see bench/README.md
 */
import * as tf from '@tensorflow/tfjs';
import { type FusedEncoderAttrs } from './fused-encoder';
import type { FusedKernelPack } from './addon';
import { heapOffset as offsetOf, type KernelFunc, type WasmBackendLike } from './tfjs-internals';

function float32(t: tf.TensorInfo | undefined, name: string): tf.TensorInfo {
  if (!t || t.dtype !== 'float32') throw new Error(`Expected the fused encoder's ${name} to be a float32 tensor, but got ${t ? t.dtype : 'none'}`);
  return t;
}

/** Returns the rows of the [rows] mask that are not 0 (the frames the kernel projects). */
function validRows(backend: WasmBackendLike, mask: tf.TensorInfo, rows: number): number {
  const values = new Float32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, mask), rows);
  let n = 0;
  for (let i = 0; i < rows; i++) if (values[i] !== 0) n++;
  return n;
}

/** Returns the workspace's length in floats (mmckd_encoder_workspace_size in C). */
function workspaceSize(b: number, t: number, attrs: FusedEncoderAttrs, valid: number): number {
  return valid * attrs.k * attrs.d * (attrs.keep < 1 ? 2 : 1) + b * attrs.k * t;
}

function dims(x: tf.TensorInfo, attrs: FusedEncoderAttrs): number[] {
  const [b, t, dim] = x.shape;
  return [b, t, dim, attrs.k, attrs.d, attrs.tanh ? 1 : 0, attrs.keep < 1 ? 1 : 0];
}

/** Returns the forward kernel: pooled [B, k, d] and the workspace the backward reads. */
export function nativeEncoderForward(packFor: (backend: WasmBackendLike) => FusedKernelPack): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const attrs = args.attrs as unknown as FusedEncoderAttrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const x = float32(inputs.x, 'x');
    const mask = float32(inputs.mask, 'mask');
    const [b, t] = x.shape;
    const names = ['w', 'b', 'sw', 'sb'].flatMap((p) => Array.from({ length: attrs.k }, (_, j) => `${p}${j}`));
    const weights = names.map((n) => float32(inputs[n], n));
    const pooled = backend.makeOutput([b, attrs.k, attrs.d], 'float32');
    const workspace = backend.makeOutput([workspaceSize(b, t, attrs, validRows(backend, mask, b * t))], 'float32');
    // The heap may have grown in makeOutput: offsets and buffer are read after allocating.
    const offsets = [x, mask, pooled, workspace, ...weights].map((ti) => offsetOf(backend, ti));
    packFor(backend).encoderForward(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, dims(x, attrs), attrs.seeds, attrs.keep);
    return [pooled, workspace];
  };
}

/** Returns the backward kernel: dw{j} [D, d], db{j} [d], dsw{j} [d, 1], dsb{j} [1]. */
export function nativeEncoderBackward(packFor: (backend: WasmBackendLike) => FusedKernelPack): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const attrs = args.attrs as unknown as FusedEncoderAttrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const x = float32(inputs.x, 'x');
    const { k, d } = attrs;
    const dim = x.shape[2];
    const scoreW = Array.from({ length: k }, (_, j) => float32(inputs[`sw${j}`], `sw${j}`));
    const shapes = [[dim, d], [d], [d, 1], [1]];
    const grads = shapes.flatMap((shape) => Array.from({ length: k }, () => backend.makeOutput(shape, 'float32')));
    const reads = [x, float32(inputs.mask, 'mask'), float32(inputs.ws, 'workspace'), float32(inputs.dy, 'dy'), ...scoreW];
    const offsets = [...reads, ...grads].map((ti) => offsetOf(backend, ti));
    packFor(backend).encoderBackward(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, dims(x, attrs));
    return grads;
  };
}
