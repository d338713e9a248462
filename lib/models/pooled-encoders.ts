/**
 * The attention-pooling encoders of the k models that read one modality, in tfjs ops: per-frame
 * projection (+ tanh), dropout, attention scores, masked softmax and pooling, each model with its
 * own weights and dropout seed. vectorised-encoders.ts runs the seven models' encoders through it;
 * lib/accelerator computes the same values with one fused kernel each way.
 * @see docs/method.md
 */
import * as tf from '@tensorflow/tfjs';
import { MASKED_SCORE } from './attention';
import type { ModelConfig } from './config';
import { affineConstantInput } from './linear';

/** The weights of the k models, in model order: projection w [D, d], b [d]; score w [d, 1], b [1]. */
export interface PooledEncoderWeights {
  w: tf.Tensor[];
  b: tf.Tensor[];
  scoreW: tf.Tensor[];
  scoreB: tf.Tensor[];
}

/** Options of a pooled-encoder computation. */
export interface PooledEncoderOptions {
  /** Per-frame tanh after the projection. */
  tanh: boolean;
  /** Dropout rate, 0 for none (not training). */
  dropout: number;
  /** Model j's dropout seed, as tf.randomUniform takes it (ignored without dropout). */
  seeds: readonly number[];
}

/** A computation of pooled [B, k, d] from frames x [B, T, D], the [B, T] mask and the k models' weights. */
export type PooledEncoderOp = (x: tf.Tensor3D, mask: tf.Tensor2D, weights: PooledEncoderWeights, options: PooledEncoderOptions) => tf.Tensor3D;

/** True when an encoder of this config is projection (+ tanh), dropout and attention pooling alone: no transformer layer and no positions. */
export function isPoolingEncoder(config: Pick<ModelConfig, 'layers' | 'positional' | 'pooling'>): boolean {
  return config.layers === 0 && config.positional === 'none' && config.pooling === 'attention';
}

/**
 * Returns pooled [B, k, d]: model j's attention-pooled encoder output of frames x [B, T, D] under
 * the [B, T] 1/0 mask, with gradients to every weight (about 20 kernel calls forward, 40 backward).
 */
export const tfjsPooledEncoder: PooledEncoderOp = (x, mask, weights, options) => {
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
};
