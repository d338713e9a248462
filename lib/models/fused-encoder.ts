/**
 * The attention-pooling encoders of the k models that read one modality as ONE kernel call forward
 * and one backward: projection, bias, tanh, dropout, scores, masked softmax and pooling. The step
 * of the seven models is bound by per-kernel overhead (tfjs's tape and dispatch), not arithmetic,
 * and this replaces about 60 kernel calls per modality and step by two (bench/README.md).
 *
 * This file only defines the op and its gradient over two kernel names; a backend provides them
 * (lib/native registers them for wasm over the OpenBLAS addon, native/src/mmckd_encoder.c). Where
 * no backend does, `fusedEncoderAvailable()` is false and vectorised-encoders.ts keeps its tfjs ops.
 *
 * The kernel draws the dropout masks from the same seeds as tf.randomUniform (the same numbers, bit
 * for bit: test/native/fused-encoder.test.ts), and treats the frames x and the mask as data: they
 * get no gradient, as in the tfjs path (affineConstantInput).
 */
import * as tf from '@tensorflow/tfjs';
import { MASKED_SCORE } from './attention';
import { affineConstantInput } from './linear';
import type { ModelConfig } from './config';

/** Kernel name of the forward: inputs x [B, T, D], mask [B, T], w{j}, b{j}, sw{j}, sb{j}; outputs pooled [B, k, d] and a workspace. */
export const FUSED_ENCODER_KERNEL = 'MmckdFusedEncoder';

/** Kernel name of the backward: inputs dy [B, k, d], x, mask, ws, sw{j}; outputs dw{j}, db{j}, dsw{j}, dsb{j} in the weights' shapes. */
export const FUSED_ENCODER_GRAD_KERNEL = 'MmckdFusedEncoderGrad';

/** Attributes of both kernels. */
export interface FusedEncoderAttrs {
  /** Models (k >= 1). */
  k: number;
  /** Width d of each model. */
  d: number;
  /** True: tanh after the projection. */
  tanh: boolean;
  /** 1 - dropout rate; 1 means no dropout. */
  keep: number;
  /** Model j's dropout seed (uint32), the seed tf.randomUniform would get. */
  seeds: number[];
}

/** The weights of the k models, in model order: projection w [D, d], b [d]; score w [d, 1], b [1]. */
export interface FusedEncoderWeights {
  w: tf.Tensor[];
  b: tf.Tensor[];
  scoreW: tf.Tensor[];
  scoreB: tf.Tensor[];
}

/** Options of `fusedPooledEncoder`. */
export interface FusedEncoderOptions {
  /** Per-frame tanh after the projection. */
  tanh: boolean;
  /** Dropout rate, 0 for none (not training). */
  dropout: number;
  /** Model j's dropout seed, as tf.randomUniform takes it (ignored without dropout). */
  seeds: readonly number[];
}

/** True when an encoder of this config is the fused kernel's computation: projection (+ tanh), dropout and attention pooling, no transformer layer and no positions. */
export function isPoolingEncoder(config: Pick<ModelConfig, 'layers' | 'positional' | 'pooling'>): boolean {
  return config.layers === 0 && config.positional === 'none' && config.pooling === 'attention';
}

/** Returns true when the active backend has both fused-encoder kernels. */
export function fusedEncoderAvailable(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(FUSED_ENCODER_KERNEL, backend) !== undefined && tf.getKernel(FUSED_ENCODER_GRAD_KERNEL, backend) !== undefined;
}

/** Returns true when the fused kernels can take these frames and mask (the backend has them; float32; not empty). */
export function fusedEncoderApplies(x: tf.Tensor, mask: tf.Tensor): boolean {
  return fusedEncoderAvailable() && x.dtype === 'float32' && mask.dtype === 'float32' && x.size > 0;
}

/** Returns the kernels' inputs for the weights: w0..w{k-1}, b0.., sw0.., sb0.. */
function weightInputs(weights: FusedEncoderWeights, only?: 'scoreW'): tf.NamedTensorMap {
  const map: tf.NamedTensorMap = {};
  weights.scoreW.forEach((t, j) => (map[`sw${j}`] = t));
  if (only) return map;
  weights.w.forEach((t, j) => (map[`w${j}`] = t));
  weights.b.forEach((t, j) => (map[`b${j}`] = t));
  weights.scoreB.forEach((t, j) => (map[`sb${j}`] = t));
  return map;
}

/**
 * Returns pooled [B, k, d]: model j's attention-pooled encoder output of frames x [B, T, D] under
 * the [B, T] 1/0 mask, with gradients to every weight (one kernel call each way).
 */
export function fusedPooledEncoder(x: tf.Tensor3D, mask: tf.Tensor2D, weights: FusedEncoderWeights, options: FusedEncoderOptions): tf.Tensor3D {
  const k = weights.w.length;
  const d = weights.w[0].shape[1]!;
  if ([weights.b, weights.scoreW, weights.scoreB].some((list) => list.length !== k)) {
    throw new Error(`Expected ${k} weights of each kind for the fused encoder, but got ${[weights.b, weights.scoreW, weights.scoreB].map((l) => l.length)}`);
  }
  const dropout = options.dropout > 0;
  const attrs: FusedEncoderAttrs = {
    k,
    d,
    tanh: options.tanh,
    keep: dropout ? 1 - options.dropout : 1,
    seeds: dropout ? options.seeds.slice(0, k).map((s) => s >>> 0) : new Array<number>(k).fill(0),
  };
  const params = [...weights.w, ...weights.b, ...weights.scoreW, ...weights.scoreB];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[params.length] as tf.GradSaveFunc;
    const inputs = { x, mask, ...weightInputs(weights) };
    const [pooled, workspace] = tf.engine().runKernel(FUSED_ENCODER_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([workspace, x, mask]);
    return {
      value: pooled as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ws, xs, ms] = saved;
        const gradInputs = { dy, x: xs, mask: ms, ws, ...weightInputs(weights, 'scoreW') };
        return tf.engine().runKernel(FUSED_ENCODER_GRAD_KERNEL, gradInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      },
    };
  });
  return op(...params) as tf.Tensor3D;
}

/** Returns pooled [B, k, d] like `fusedPooledEncoder`, with tfjs ops (about 20 kernel calls forward, 40 backward). */
export function tfjsPooledEncoder(x: tf.Tensor3D, mask: tf.Tensor2D, weights: FusedEncoderWeights, options: FusedEncoderOptions): tf.Tensor3D {
  const [b, t, dim] = x.shape;
  const k = weights.w.length;
  const d = weights.w[0].shape[1]!;
  // One product for the k projections: [B*T, D] x [D, k*d] + [k*d]
  const w = k === 1 ? weights.w[0] : tf.concat(weights.w, 1);
  const bias = k === 1 ? weights.b[0] : tf.concat(weights.b, 0);
  let h = affineConstantInput(x.reshape([b * t, dim]) as tf.Tensor2D, w as tf.Tensor2D, bias as tf.Tensor1D).reshape([b, t, k, d]) as tf.Tensor4D;
  if (options.tanh) h = tf.tanh(h);
  if (options.dropout > 0) {
    // tf.dropout's own formula, with each model's noise drawn from its own seed and shape
    const keep = 1 - options.dropout;
    const noise = tf.stack(weights.w.map((_, j) => tf.randomUniform([b, t, d], 0, 1, 'float32', options.seeds[j] >>> 0)), 2); // [B, T, k, d]
    h = tf.mul(h, tf.div(tf.floor(tf.add(noise, keep)), keep)) as tf.Tensor4D;
  }
  // Attention pooling per model: score = w . h_t + c, softmax over the valid frames, weighted sum
  const scoreW = tf.concat(weights.scoreW.map((v) => v.reshape([1, d])), 0); // [k, d]
  const scoreB = k === 1 ? weights.scoreB[0] : tf.concat(weights.scoreB, 0); // [k]
  const scores = tf.add(tf.sum(tf.mul(h, scoreW), 3), scoreB); // [B, T, k]
  const m3 = mask.reshape([b, t, 1]);
  const biased = tf.add(scores, tf.mul(tf.sub(1, m3), MASKED_SCORE)); // padded frames -> -1e9
  const a = tf.mul(tf.softmax(tf.transpose(biased, [0, 2, 1])), mask.reshape([b, 1, t])); // [B, k, T]; an empty clip -> 0
  return tf.sum(tf.mul(h, tf.expandDims(tf.transpose(a, [0, 2, 1]), 3)), 1) as tf.Tensor3D; // [B, k, d]
}

/** Returns pooled [B, k, d]: through the fused kernels where the backend has them, else through `tfjsPooledEncoder` (same values). */
export function pooledEncoder(x: tf.Tensor3D, mask: tf.Tensor2D, weights: FusedEncoderWeights, options: FusedEncoderOptions): tf.Tensor3D {
  return (fusedEncoderApplies(x, mask) ? fusedPooledEncoder : tfjsPooledEncoder)(x, mask, weights, options);
}
