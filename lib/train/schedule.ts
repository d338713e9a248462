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
 * Scales gradients so their global L2 norm is at most `maxNorm` (0 disables). Returns new
 * tensors (the inputs are disposed) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  const names = Object.keys(grads);
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))));
  const norm = normTensor.dataSync()[0];
  normTensor.dispose();
  if (maxNorm <= 0 || !(norm > maxNorm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const out: tf.NamedTensorMap = {};
  for (const n of names) {
    out[n] = tf.mul(grads[n], scale);
    grads[n].dispose();
  }
  return { grads: out, norm };
}
