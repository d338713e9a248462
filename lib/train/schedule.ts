/**
 * Learning-rate schedules and global-norm gradient clipping for the training loop.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ScheduleKind } from './config';

/** Where the loop is: epoch (0-based), step within the epoch, steps per epoch, total epochs. */
export interface SchedulePosition {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  epochs: number;
}

/**
 * Returns the learning rate at a position: linear warm-up over `warmupEpochs`, then constant,
 * cosine decay to 10% of `lr`, or step decay (x0.5 at 50% and 75% of the epochs).
 */
export function learningRateAt(lr: number, kind: ScheduleKind, warmupEpochs: number, at: SchedulePosition): number {
  const t = at.epoch + at.step / Math.max(1, at.stepsPerEpoch); // progress in epochs
  if (warmupEpochs > 0 && t < warmupEpochs) return lr * Math.max(0.05, t / warmupEpochs);
  const span = Math.max(1e-9, at.epochs - warmupEpochs);
  const frac = Math.min(1, Math.max(0, (t - warmupEpochs) / span));
  if (kind === 'cosine') return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * frac)));
  if (kind === 'step') return lr * (frac >= 0.75 ? 0.25 : frac >= 0.5 ? 0.5 : 1);
  return lr;
}

/**
 * Returns the L2 norm of a flat float32 vector read to the host, summed in float64 in index order
 * (the host sum keeps the norm, and so the clipping, bitwise the same on every backend's values).
 */
export function hostL2Norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/**
 * Scales a flat gradient (every gradient concatenated) whose global L2 norm `norm` the caller
 * measured (`hostL2Norm` of its values) so that the norm is at most `maxNorm` (0 disables): the
 * kit's one gradient clipping, one multiply when clipping. Returns a new tensor (a clone when no
 * clipping is needed); keeps the input: the caller disposes both.
 */
export function clipFlatByGlobalNorm(flat: tf.Tensor1D, maxNorm: number, norm: number): tf.Tensor1D {
  if (maxNorm <= 0 || !(norm > maxNorm)) return tf.clone(flat);
  return tf.mul(flat, maxNorm / (norm + 1e-6));
}

/**
 * `clipFlatByGlobalNorm` on gradients by name, reading their values once: returns the clipped
 * gradients as new tensors of the same shapes (the inputs are disposed) and the norm before
 * clipping.
 */
export async function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): Promise<{ grads: tf.NamedTensorMap; norm: number }> {
  const names = Object.keys(grads);
  const flat = tf.tidy(() => {
    const parts = names.map((n) => tf.reshape(grads[n], [-1]));
    return (parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts, 0)) as tf.Tensor1D;
  }); // [sum of sizes]
  let clipped: { flat: tf.Tensor1D; norm: number };
  try {
    const norm = hostL2Norm(await flat.data());
    clipped = { flat: clipFlatByGlobalNorm(flat, maxNorm, norm), norm };
  } catch (err) {
    tf.dispose(names.map((n) => grads[n]));
    throw err;
  } finally {
    flat.dispose();
  }
  const out: tf.NamedTensorMap = {};
  tf.tidy(() => {
    const parts = names.length === 1 ? [clipped.flat] : tf.split(clipped.flat, names.map((n) => grads[n].size));
    names.forEach((n, i) => (out[n] = tf.keep(tf.reshape(parts[i], grads[n].shape))));
  });
  clipped.flat.dispose();
  tf.dispose(names.map((n) => grads[n]));
  return { grads: out, norm: clipped.norm };
}
