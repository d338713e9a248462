/**
 * The regression loss of every model and the offline distillation losses of baseline B3.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './stop-gradient';

function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new Error(`Expected ${what} inputs of the same shape, but got [${a.shape}] and [${b.shape}]`);
  }
}

/** Returns the mean absolute error mean(|pred - y|) (a scalar) of predictions [B] and labels [B]. */
export function l1Loss(pred: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  checkSameShape('l1Loss', pred, y);
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(pred, y))) as tf.Scalar);
}

/** Returns mean((student - teacher)^2) over all elements of [B, d] features; the teacher is a constant. */
export function featureMseLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  checkSameShape('featureMseLoss', student, teacher);
  return tf.tidy(() => tf.mean(tf.square(tf.sub(student, stopGradient(teacher)))) as tf.Scalar);
}

/** Returns mean((student - teacher)^2) of predictions [B]; the teacher's predictions are constants. */
export function outputMseLoss(student: tf.Tensor1D, teacher: tf.Tensor1D): tf.Scalar {
  checkSameShape('outputMseLoss', student, teacher);
  return tf.tidy(() => tf.mean(tf.square(tf.sub(student, stopGradient(teacher)))) as tf.Scalar);
}
