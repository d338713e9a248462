import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { featureMseLoss, l1Loss, outputMseLoss, stopGradient } from '../../lib/losses';

before(async () => {
  await selectBackend();
});

describe('regression and offline distillation losses', () => {
  it('l1Loss is the mean absolute error', () => {
    const v = tf.tidy(() => l1Loss(tf.tensor1d([1, -2, 0.5]), tf.tensor1d([0, 1, 0.5])).dataSync()[0]);
    assert.ok(Math.abs(v - 4 / 3) < 1e-6);
    assert.throws(() => tf.tidy(() => l1Loss(tf.tensor1d([1]), tf.tensor1d([1, 2]))), /same shape/);
  });

  it('featureMseLoss and outputMseLoss treat the teacher as a constant', () => {
    const [value, gs, gt] = tf.tidy(() => {
      const f = (s: tf.Tensor, t: tf.Tensor) => featureMseLoss(s, t);
      const s = tf.tensor2d([[1, 2], [3, 4]]);
      const t = tf.tensor2d([[0, 2], [3, 2]]);
      const [a, b] = tf.grads(f)([s, t]);
      return [f(s, t).dataSync()[0], Array.from(a.dataSync()), Array.from(b.dataSync())];
    }) as [number, number[], number[]];
    assert.ok(Math.abs(value - 5 / 4) < 1e-6);
    assert.deepEqual(gs, [0.5, 0, 0, 1]); // 2 (s - t) / 4
    assert.deepEqual(gt, [0, 0, 0, 0]);
    const [ov, og] = tf.tidy(() => {
      const t = tf.tensor1d([1, 1]);
      const g = tf.grad((s: tf.Tensor) => outputMseLoss(s as tf.Tensor1D, t))(tf.tensor1d([2, 3]));
      return [outputMseLoss(tf.tensor1d([2, 3]), t).dataSync()[0], Array.from(g.dataSync())];
    }) as [number, number[]];
    assert.ok(Math.abs(ov - 2.5) < 1e-6);
    assert.deepEqual(og, [1, 2]);
  });

  it('stopGradient is the identity forward', () => {
    assert.deepEqual(tf.tidy(() => Array.from(stopGradient(tf.tensor1d([1, 2])).dataSync())), [1, 2]);
  });
});
