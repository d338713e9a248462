/**
 * Seeded Gaussian noise for the diffusion imputer. tf.randomNormal treats a seed of 0 as "no
 * seed" and then draws from Math.random (tfjs-core's MPRandGauss: `seed ? seed : Math.random()`),
 * so a run whose step seed or sampler seed happens to be 0 (seed 0, epoch 0, step 0; the sampler's
 * default seed 0 for text) was not reproducible. Every draw goes through `seededNormal`, which
 * never passes 0.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';

/** The seed used where (seed * 3 + stream) is 0: any fixed non-zero value. */
const ZERO_SEED_REPLACEMENT = 0x9e3779b9;

/** Returns the uint32 tf.randomNormal seed of stream `stream` (0, 1, 2: one per modality) of `seed`; never 0. */
export function noiseSeed(seed: number, stream: number): number {
  if (!Number.isFinite(seed)) throw new Error(`Expected the noise seed to be a finite number, but got ${seed}`);
  const s = (Math.floor(seed) * 3 + stream) >>> 0;
  return s === 0 ? ZERO_SEED_REPLACEMENT : s;
}

/** Returns standard normal noise of `shape` drawn from (seed, stream) only: the same pair gives the same tensor. */
export function seededNormal<R extends tf.Rank>(shape: tf.ShapeMap[R], seed: number, stream: number): tf.Tensor<R> {
  return tf.randomNormal(shape, 0, 1, 'float32', noiseSeed(seed, stream)) as tf.Tensor<R>;
}
