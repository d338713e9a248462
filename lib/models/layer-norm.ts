/**
 * Layer normalisation over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gamma + beta.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from './parameter-store';

/** A layer norm: returns the normalised tensor, same shape as its input. */
export interface LayerNorm {
  apply(x: tf.Tensor): tf.Tensor;
}

/** Creates `${prefix}.gamma` (ones) and `${prefix}.beta` (zeros) of size `dim`; eps 1e-5 as in PyTorch. */
export function createLayerNorm(store: ParameterStore, prefix: string, dim: number, eps = 1e-5): LayerNorm {
  const gamma = store.add(`${prefix}.gamma`, [dim], { kind: 'constant', value: 1 });
  const beta = store.add(`${prefix}.beta`, [dim], { kind: 'constant', value: 0 });
  return {
    apply(x) {
      const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
    },
  };
}
