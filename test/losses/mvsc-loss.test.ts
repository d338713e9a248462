import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { labelClasses, multiViewContrastiveLoss, mvscLoss, type ClassScheme } from '../../lib/losses';
import { mulberry32 } from '../../lib/models';

before(async () => {
  await selectBackend();
});

type Views = number[][][]; // [M][N][p]

/** Direct float64 MVSC with plain loops: the definition in lib/losses/mvsc-loss.ts, written independently. */
function referenceMvsc(views: Views, classes: ArrayLike<number>, tau: number): number {
  const z: number[][] = [];
  const cls: number[] = [];
  for (const view of views) {
    for (const [i, row] of view.entries()) {
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0) + 1e-12);
      z.push(row.map((v) => v / norm));
      cls.push(classes[i]);
    }
  }
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < z.length; i++) {
    const logits: number[] = [];
    for (let a = 0; a < z.length; a++) logits.push(z[i].reduce((s, v, k) => s + v * z[a][k], 0) / tau);
    let sumExp = 0;
    for (let a = 0; a < z.length; a++) if (a !== i) sumExp += Math.exp(logits[a]);
    const logDen = Math.log(sumExp);
    let pos = 0;
    let sum = 0;
    for (let p = 0; p < z.length; p++) {
      if (p === i || cls[p] !== cls[i]) continue;
      pos++;
      sum += logits[p] - logDen;
    }
    if (pos > 0) {
      total += -sum / pos;
      anchors++;
    }
  }
  return anchors === 0 ? 0 : total / anchors;
}

function randomViews(m: number, n: number, p: number, seed: number): Views {
  const rand = mulberry32(seed);
  return Array.from({ length: m }, () => Array.from({ length: n }, () => Array.from({ length: p }, () => 2 * rand() - 1)));
}

function randomLabels(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  // Some exact integers and zeros so that every scheme sees ties and neutral clips.
  return Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? Math.round(6 * rand() - 3) : 6.6 * rand() - 3.3));
}

function tfLoss(views: Views, classes: Int32Array, tau: number, detach?: boolean[]): number {
  return tf.tidy(() => {
    const ts = views.map((v) => tf.tensor2d(v));
    return mvscLoss(ts, classes, tau, { detach }).dataSync()[0];
  });
}

describe('mvscLoss', () => {
  for (const scheme of [7, 3, 2] as ClassScheme[]) {
    for (const tau of [0.07, 0.2, 0.5]) {
      for (const m of [1, 2, 7]) {
        it(`matches the float64 reference (scheme ${scheme}, tau ${tau}, ${m} views)`, () => {
          const n = 9;
          const views = randomViews(m, n, 5, 100 * m + scheme);
          const classes = labelClasses(randomLabels(n, scheme + m), scheme);
          const expected = referenceMvsc(views, classes, tau);
          const got = tfLoss(views, classes, tau);
          assert.ok(Number.isFinite(got));
          assert.ok(Math.abs(got - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `got ${got}, expected ${expected}`);
        });
      }
    }
  }


  it('does not depend on the order of the views', () => {
    const views = randomViews(7, 8, 4, 2);
    const classes = labelClasses(randomLabels(8, 3), 7);
    const a = tfLoss(views, classes, 0.07);
    const b = tfLoss([views[3], views[6], views[0], views[5], views[1], views[4], views[2]], classes, 0.07);
    assert.ok(Math.abs(a - b) < 1e-5 * Math.abs(a), `${a} vs ${b}`);
  });

  it('has the gradient of the reference (central differences in float64)', () => {
    const views = randomViews(2, 3, 3, 4);
    const classes = Int32Array.from([0, 1, 0]);
    const tau = 0.5;
    const grads = tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => mvscLoss([a as tf.Tensor2D, b as tf.Tensor2D], classes, tau));
      return g([tf.tensor2d(views[0]), tf.tensor2d(views[1])]).map((t) => t.arraySync() as number[][]);
    });
    const h = 1e-6;
    let worst = 0;
    for (let m = 0; m < 2; m++) {
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 3; k++) {
          const plus = structuredClone(views);
          const minus = structuredClone(views);
          plus[m][i][k] += h;
          minus[m][i][k] -= h;
          const numeric = (referenceMvsc(plus, classes, tau) - referenceMvsc(minus, classes, tau)) / (2 * h);
          worst = Math.max(worst, Math.abs(numeric - grads[m][i][k]));
        }
      }
    }
    assert.ok(worst < 1e-4, `largest gradient difference ${worst}`);
  });

  it('excludes anchors without positives, and returns 0 without NaN when no anchor has one', () => {
    // M = 1: clip 0 is alone in its class, so it is not an anchor; clips 1 and 2 are.
    const views = randomViews(1, 3, 4, 5);
    const classes = Int32Array.from([2, 5, 5]);
    const got = tfLoss(views, classes, 0.07);
    assert.ok(Number.isFinite(got));
    assert.ok(Math.abs(got - referenceMvsc(views, classes, 0.07)) < 1e-4);
    assert.equal(tfLoss(views, Int32Array.from([0, 1, 2]), 0.07), 0);
    assert.equal(tfLoss(randomViews(1, 1, 4, 6), Int32Array.from([3]), 0.07), 0);
    const grad = tf.tidy(() => {
      const g = tf.grad((a: tf.Tensor) => mvscLoss([a as tf.Tensor2D], Int32Array.from([0]), 0.07));
      return Array.from(g(tf.tensor2d([[1, 2, 3]])).dataSync());
    });
    assert.ok(grad.every(Number.isFinite));
  });

  it('stops gradients through detached views without changing the value', () => {
    const views = randomViews(2, 4, 3, 7);
    const classes = Int32Array.from([0, 1, 0, 1]);
    assert.ok(Math.abs(tfLoss(views, classes, 0.2, [true, false]) - tfLoss(views, classes, 0.2)) < 1e-6);
    const grads = tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => mvscLoss([a as tf.Tensor2D, b as tf.Tensor2D], classes, 0.2, { detach: [true, false] }));
      return g([tf.tensor2d(views[0]), tf.tensor2d(views[1])]).map((t) => Array.from(t.dataSync()));
    });
    assert.ok(grads[0].every((v) => v === 0));
    assert.ok(grads[1].some((v) => v !== 0));
  });

  it('rejects mismatched shapes, a class count that is not N, and tau <= 0', () => {
    tf.tidy(() => {
      const a = tf.zeros([3, 2]) as tf.Tensor2D;
      const b = tf.zeros([4, 2]) as tf.Tensor2D;
      assert.throws(() => mvscLoss([a, b], Int32Array.from([0, 0, 0]), 0.1), /view 1 to have shape \[3, 2\]/);
      assert.throws(() => mvscLoss([a], Int32Array.from([0, 0]), 0.1), /Expected 3 classes/);
      assert.throws(() => mvscLoss([a], Int32Array.from([0, 0, 0]), 0), /tau > 0/);
    });
  });

  it('leaks no tensor', () => {
    const views = randomViews(3, 4, 3, 8).map((v) => tf.tensor2d(v));
    const before = tf.memory().numTensors;
    mvscLoss(views, Int32Array.from([0, 1, 0, 1]), 0.1).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(views);
  });
});

describe('multiViewContrastiveLoss', () => {
  it('equals the reference with one class per clip (positives: the same clip in other views)', () => {
    const views = randomViews(3, 5, 4, 9);
    const expected = referenceMvsc(views, [0, 1, 2, 3, 4], 0.2);
    const got = tf.tidy(() => multiViewContrastiveLoss(views.map((v) => tf.tensor2d(v)), 0.2).dataSync()[0]);
    assert.ok(Math.abs(got - expected) < 1e-4 * Math.abs(expected));
    assert.equal(tf.tidy(() => multiViewContrastiveLoss([tf.tensor2d(views[0])], 0.2).dataSync()[0]), 0);
  });
});
