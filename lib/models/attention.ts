/**
 * Multi-head self-attention (Vaswani et al. 2017) with all heads batched: one matmul makes Q, K
 * and V, one batched matmul makes the [B*H, T, T] scores, one makes the outputs.
 *
 * Key-padding mask: `keyBias` [B, 1, 1, T] holds 0 for valid keys and -1e9 for padded ones and is
 * added to the scores before the softmax, so padded keys get exactly zero weight. A row whose keys
 * are ALL padded (a modality missing entirely) gets the same bias on every key and so attends
 * uniformly over the (zero-filled) frames: finite, and later discarded by masked pooling.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from './parameter-store';
import { createLinear } from './linear';

/** Large negative added to the scores of padded keys. */
export const MASKED_SCORE = -1e9;

/** A self-attention block: returns [B, T, d] from [B, T, d]. */
export interface SelfAttention {
  apply(x: tf.Tensor3D, keyBias?: tf.Tensor4D): tf.Tensor3D;
}

/** Returns the additive key bias [B, 1, 1, T] (0 valid, -1e9 padded) of a [B, T] 1/0 mask. */
export function keyPaddingBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [b, t] = mask.shape;
  return tf.mul(tf.sub(1, mask), MASKED_SCORE).reshape([b, 1, 1, t]); // [B, 1, 1, T]
}

/** Creates `${prefix}.qkv` (d -> 3d) and `${prefix}.out` (d -> d) for `heads` heads of size d / heads. */
export function createSelfAttention(store: ParameterStore, prefix: string, d: number, heads: number): SelfAttention {
  const qkv = createLinear(store, `${prefix}.qkv`, d, 3 * d);
  const out = createLinear(store, `${prefix}.out`, d, d);
  const dh = d / heads;
  const scale = 1 / Math.sqrt(dh);
  return {
    apply(x, keyBias) {
      const [b, t] = x.shape;
      const proj = qkv.apply(x).reshape([b, t, 3 * heads, dh]); // [B, T, 3H, dh]
      // Rank-4 transposes only: wasm transposes rank 5 about 50x slower.
      const [q, k, v] = tf
        .split(tf.transpose(proj, [0, 2, 1, 3]), 3, 1) // 3 x [B, H, T, dh]
        .map((part) => part.reshape([b * heads, t, dh]) as tf.Tensor3D); // [B*H, T, dh]
      let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), scale); // [B*H, T, T]
      if (keyBias) scores = tf.add(scores.reshape([b, heads, t, t]), keyBias); // [B, H, T, T]
      const weights = tf.softmax(scores).reshape([b * heads, t, t]); // [B*H, T, T]
      const context = tf.matMul(weights, v).reshape([b, heads, t, dh]); // [B, H, T, dh]
      const merged = tf.transpose(context, [0, 2, 1, 3]).reshape([b, t, d]); // [B, T, d]
      return out.apply(merged) as tf.Tensor3D;
    },
  };
}
