/**
 * Per-call state of a forward pass: training flag and a deterministic stream of dropout seeds.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';

/** What a block needs to know about the current call. */
export interface ForwardContext {
  /** True while training: dropout is active. */
  training: boolean;
  /** Dropout rate of the model. */
  dropout: number;
  /** Returns the next dropout seed (distinct per call site within one apply). */
  nextSeed(): number;
}

/** Returns a context whose dropout seeds are seed, seed+1, ... in call-site order. */
export function forwardContext(training: boolean, dropout: number, seed: number): ForwardContext {
  let s = seed >>> 0;
  return { training, dropout, nextSeed: () => (s = (s + 1) >>> 0) };
}

/** Returns dropout(x) with an explicit seed while training, x itself otherwise. */
export function applyDropout<T extends tf.Tensor>(x: T, ctx: ForwardContext): T {
  if (!ctx.training || ctx.dropout <= 0) return x;
  return tf.dropout(x, ctx.dropout, undefined, ctx.nextSeed()) as T;
}
