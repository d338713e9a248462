/**
 * Attention pooling over time: a learned score per frame, a softmax over the valid frames, and
 * the weighted sum of the frames. It lets an encoder find the few frames that carry a sentiment
 * cue, which masked mean pooling dilutes by the clip's length (see docs/recipe-search.md).
 *
 *   score_t = w . h_t + b                     [B, T]
 *   a_t     = softmax_t(score_t + bias_t) * m_t  (bias_t = 0 valid, -1e9 padded; m the 1/0 mask)
 *   pooled  = sum_t a_t h_t                   [B, d]
 *
 * Multiplying the weights by the mask after the softmax makes a clip with no valid frame (a
 * missing modality) pool to exactly zero, as masked mean pooling does.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MASKED_SCORE } from './attention';
import { createLinear, type LinearParameters } from './linear';
import type { ParameterStore } from './parameter-store';

/** An attention-pooling block. */
export interface AttentionPooling {
  /** The score layer's variables: w [d, 1], b [1]. */
  readonly score: LinearParameters;
  /** Returns pooled [B, d] from frames h [B, T, d] and the [B, T] 1/0 mask. */
  apply(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D;
}

/** Returns the pooling weights [B, T]: softmax of `scores` over the valid frames, zero elsewhere. */
export function maskedSoftmaxWeights(scores: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  const biased = tf.add(scores, tf.mul(tf.sub(1, mask), MASKED_SCORE)); // [B, T] padded -> -1e9
  return tf.mul(tf.softmax(biased), mask) as tf.Tensor2D; // [B, T] an empty clip -> all zero
}

/** Creates `${prefix}.score` (d -> 1). */
export function createAttentionPooling(store: ParameterStore, prefix: string, d: number): AttentionPooling {
  const score = createLinear(store, `${prefix}.score`, d, 1);
  return {
    score: score.parameters,
    apply(h, mask) {
      const [b, t] = h.shape;
      const scores = score.apply(h).reshape([b, t]) as tf.Tensor2D; // [B, T]
      const weights = maskedSoftmaxWeights(scores, mask); // [B, T]
      return tf.sum(tf.mul(h, tf.expandDims(weights, 2)), 1) as tf.Tensor2D; // [B, d]
    },
  };
}
