/**
 * mvscLoss builds its class masks in JavaScript and subtracts the row max outside the tape; this
 * checks it against the tensor-mask formulation it replaced (kept here verbatim), values and
 * gradients, with and without detached views.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { mvscLoss, stopGradient } from '../../lib/losses';
import { mulberry32 } from '../../lib/models';

before(async () => {
  await selectBackend();
});

/** The previous mvscLoss body (tensor masks, broadcast Equal, stopGradient(max)). */
function previousMvsc(views: tf.Tensor2D[], classes: Int32Array, tau: number, detach?: boolean[]): tf.Scalar {
  const m = views.length;
  const n = views[0].shape[0];
  return tf.tidy(() => {
    const normalised = views.map((v, i) => {
      const z = tf.div(v, tf.sqrt(tf.add(tf.sum(tf.square(v), 1, true), 1e-12))) as tf.Tensor2D;
      return detach?.[i] ? stopGradient(z) : z;
    });
    const z = m === 1 ? normalised[0] : tf.concat(normalised, 0);
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), tau);
    const c = tf.tensor1d(classes, 'int32');
    const cAll = m === 1 ? c : tf.tile(c, [m]);
    const notSelf = tf.sub(1, tf.eye(m * n));
    const positive = tf.mul(tf.cast(tf.equal(cAll.expandDims(1), cAll.expandDims(0)), 'float32'), notSelf);
    const masked = tf.add(logits, tf.mul(tf.sub(notSelf, 1), 1e9));
    const shifted = tf.sub(masked, stopGradient(tf.max(masked, 1, true)));
    const logProb = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
    const positiveCount = tf.sum(positive, 1);
    const meanLogProb = tf.div(tf.sum(tf.mul(positive, logProb), 1), tf.maximum(positiveCount, 1));
    const hasPositive = tf.cast(tf.greater(positiveCount, 0), 'float32');
    const anchors = tf.maximum(tf.sum(hasPositive), 1);
    return tf.sub(0, tf.div(tf.sum(tf.mul(hasPositive, meanLogProb)), anchors)) as tf.Scalar;
  });
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-5 * Math.abs(b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

describe('mvscLoss with JavaScript masks', () => {
  const cases: Array<{ m: number; n: number; p: number; classes: number[]; detach?: boolean[] }> = [
    { m: 7, n: 8, p: 5, classes: [0, 1, 2, 0, 1, 3, 3, 6] },
    { m: 3, n: 4, p: 3, classes: [0, 1, 2, 3], detach: [true, false, false] }, // one clip per class
    { m: 1, n: 5, p: 4, classes: [2, 2, 1, 0, 2] },
    { m: 1, n: 3, p: 2, classes: [0, 1, 2] }, // no positives at all: the loss is +0
    { m: 2, n: 32, p: 8, classes: Array.from({ length: 32 }, (_, i) => (i * 7) % 5) },
  ];
  for (const [k, c] of cases.entries()) {
    it(`matches the tensor-mask formulation, value and gradients (case ${k}: ${c.m} views of ${c.n} clips${c.detach ? ', detached' : ''})`, () => {
      const rand = mulberry32(100 + k);
      const views = Array.from({ length: c.m }, () => tf.tensor2d(Float32Array.from({ length: c.n * c.p }, () => 2 * rand() - 1), [c.n, c.p]));
      const classes = Int32Array.from(c.classes);
      for (const tau of [0.07, 0.2]) {
        const f = (impl: typeof previousMvsc) => tf.grads((...vs: tf.Tensor[]) => impl(vs as tf.Tensor2D[], classes, tau, c.detach));
        const lossNew = tf.tidy(() => mvscLoss(views, classes, tau, { detach: c.detach }).dataSync()[0]);
        const lossOld = tf.tidy(() => previousMvsc(views, classes, tau, c.detach).dataSync()[0]);
        close([lossNew], [lossOld], `loss (tau ${tau})`);
        if (c.classes.every((x, i) => c.classes.indexOf(x) === i) && c.m === 1) assert.ok(Object.is(lossNew, 0));
        const gNew = f((vs, cl, t, d) => mvscLoss(vs, cl, t, { detach: d }))(views);
        const gOld = f(previousMvsc)(views);
        gNew.forEach((g, i) => close(g.dataSync(), gOld[i].dataSync(), `grad view ${i} (tau ${tau})`));
        tf.dispose([...gNew, ...gOld]);
      }
      tf.dispose(views);
    });
  }
});
