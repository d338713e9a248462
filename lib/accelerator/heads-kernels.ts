/**
 * The fused fusion and heads kernels (fused-heads.ts) for TensorFlow.js's wasm backend,
 * over the fusion/regression/projection functions (native/src/mmckd_heads.c) of the OpenBLAS addon
 * or of the WebAssembly module (wasm-module.ts), in place on the wasm heap.
 * @see bench/README.md
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_HEAD_KERNELS, type FusedHeadsAttrs } from './fused-heads';
import type { FusedKernelPack } from './addon';
import { heapOffset, type KernelFunc, type WasmBackendLike } from './tfjs-internals';

interface Call {
  inputs: Record<string, tf.TensorInfo>;
  attrs: FusedHeadsAttrs;
  backend: WasmBackendLike;
}

function call(args: Parameters<KernelFunc>[0]): Call {
  return { inputs: args.inputs as Record<string, tf.TensorInfo>, attrs: args.attrs as unknown as FusedHeadsAttrs, backend: args.backend as unknown as WasmBackendLike };
}

function offsetOf(backend: WasmBackendLike, t: tf.TensorInfo | undefined, name: string): number {
  if (!t || t.dtype !== 'float32') throw new Error(`Expected the fused heads' ${name} to be a float32 tensor, but got ${t ? t.dtype : 'none'}`);
  return heapOffset(backend, t);
}

/** Returns the offsets of inputs w0 .. w{count - 1}. */
function weights(c: Call, count: number): number[] {
  return Array.from({ length: count }, (_, q) => offsetOf(c.backend, c.inputs[`w${q}`], `w${q}`));
}

function dims(a: FusedHeadsAttrs): number[] {
  return [a.n, a.b, a.d, a.p, ...a.k];
}

function heap(c: Call): ArrayBuffer {
  return c.backend.wasm.HEAPU8.buffer as ArrayBuffer; // read after every makeOutput: the heap may have grown
}

/** Returns each model's modality count M, read from the spec. */
function modalityCounts(a: FusedHeadsAttrs): number[] {
  const counts: number[] = [];
  for (let at = 0; counts.length < a.n; at += 1 + 2 * a.spec[at]) counts.push(a.spec[at]);
  return counts;
}

/** Returns the six kernel functions over the pack of each backend, by kernel name. */
export function nativeHeadKernels(packFor: (backend: WasmBackendLike) => FusedKernelPack): Record<string, KernelFunc> {
  const K = FUSED_HEAD_KERNELS;
  return {
    [K.fusion]: (args) => { // f [n B, d], workspace (the concatenated inputs)
      const c = call(args);
      const { n, b, d } = c.attrs;
      const f = c.backend.makeOutput([n * b, d], 'float32');
      const ws = c.backend.makeOutput([modalityCounts(c.attrs).reduce((sum, m) => sum + b * m * d, 0)], 'float32');
      const pooled = c.attrs.k.map((k, m) => (k > 0 ? offsetOf(c.backend, c.inputs[`p${m}`], `p${m}`) : -1));
      packFor(c.backend).fusionForward(heap(c), [offsetOf(c.backend, f, 'f'), offsetOf(c.backend, ws, 'ws'), ...pooled, ...weights(c, 2 * n)], dims(c.attrs), c.attrs.spec);
      return [f, ws];
    },
    [K.fusionGrad]: (args) => { // dp{m} of the present modalities, then dWf, dbf per model
      const c = call(args);
      const { n, b, d } = c.attrs;
      const dpooled = c.attrs.k.map((k) => (k > 0 ? c.backend.makeOutput([b, k, d], 'float32') : undefined));
      const grads = modalityCounts(c.attrs).flatMap((m) => [c.backend.makeOutput([m * d, d], 'float32'), c.backend.makeOutput([d], 'float32')]);
      const offsets = [
        offsetOf(c.backend, c.inputs.dy, 'dy'), offsetOf(c.backend, c.inputs.f, 'f'), offsetOf(c.backend, c.inputs.ws, 'ws'),
        ...dpooled.map((t, m) => (t ? offsetOf(c.backend, t, `dp${m}`) : -1)), ...weights(c, n), ...grads.map((t) => offsetOf(c.backend, t, 'gradient')),
      ];
      packFor(c.backend).fusionBackward(heap(c), offsets, dims(c.attrs), c.attrs.spec);
      return [...dpooled.filter((t): t is tf.TensorInfo => t !== undefined), ...grads];
    },
    [K.regression]: (args) => { // y [n B, 1]
      const c = call(args);
      const y = c.backend.makeOutput([c.attrs.n * c.attrs.b, 1], 'float32');
      packFor(c.backend).regressionForward(heap(c), [offsetOf(c.backend, y, 'y'), offsetOf(c.backend, c.inputs.f, 'f'), ...weights(c, 2 * c.attrs.n)], dims(c.attrs));
      return y;
    },
    [K.regressionGrad]: (args) => { // df, then dwr, dbr per model
      const c = call(args);
      const { n, b, d } = c.attrs;
      const df = c.backend.makeOutput([n * b, d], 'float32');
      const grads = Array.from({ length: n }, () => [c.backend.makeOutput([d, 1], 'float32'), c.backend.makeOutput([1], 'float32')]).flat();
      const offsets = [offsetOf(c.backend, c.inputs.dy, 'dy'), offsetOf(c.backend, c.inputs.f, 'f'), ...weights(c, n), offsetOf(c.backend, df, 'df'),
        ...grads.map((t) => offsetOf(c.backend, t, 'gradient'))];
      packFor(c.backend).regressionBackward(heap(c), offsets, dims(c.attrs));
      return [df, ...grads];
    },
    [K.projection]: (args) => { // proj [n B, p], workspace (hidden activations, row scales)
      const c = call(args);
      const { n, b, d, p } = c.attrs;
      const proj = c.backend.makeOutput([n * b, p], 'float32');
      const ws = c.backend.makeOutput([n * b * (d + p + 1)], 'float32');
      packFor(c.backend).projectionForward(heap(c), [offsetOf(c.backend, proj, 'proj'), offsetOf(c.backend, ws, 'ws'), offsetOf(c.backend, c.inputs.f, 'f'), ...weights(c, 4 * n)],
        dims(c.attrs));
      return [proj, ws];
    },
    [K.projectionGrad]: (args) => { // df, then dWh, dbh, dWo, dbo per model
      const c = call(args);
      const { n, b, d, p } = c.attrs;
      const df = c.backend.makeOutput([n * b, d], 'float32');
      const grads = Array.from({ length: n }, () => [[d, d], [d], [d, p], [p]].map((s) => c.backend.makeOutput(s, 'float32'))).flat();
      const offsets = [offsetOf(c.backend, c.inputs.dy, 'dy'), offsetOf(c.backend, c.inputs.f, 'f'), offsetOf(c.backend, c.inputs.ws, 'ws'), ...weights(c, 2 * n),
        offsetOf(c.backend, df, 'df'), ...grads.map((t) => offsetOf(c.backend, t, 'gradient'))];
      packFor(c.backend).projectionBackward(heap(c), offsets, dims(c.attrs));
      return [df, ...grads];
    },
  };
}
