/**
 * layerNorm's hand-written gradient (tf.customGrad) against autodiff through tf.moments (the
 * formulation it replaced, kept here) and against float64 central finite differences.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { layerNorm, mulberry32 } from '../../lib/models';

before(async () => {
  await selectBackend();
});

/** The previous layer norm: autodiff differentiates tf.moments. */
function autodiffLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Float64 layer norm of rows of length d, then the weighted sum sum(w * y). */
function lossF64(x: Float64Array, gamma: Float64Array, beta: Float64Array, w: Float64Array, d: number, eps = 1e-5): number {
  let total = 0;
  for (let r = 0; r < x.length / d; r++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += x[r * d + k] / d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x[r * d + k] - mean) ** 2 / d;
    const rstd = 1 / Math.sqrt(v + eps);
    for (let k = 0; k < d; k++) total += w[r * d + k] * ((x[r * d + k] - mean) * rstd * gamma[k] + beta[k]);
  }
  return total;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string, atol: number, rtol: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

describe('layerNorm (closed-form gradient)', () => {
  for (const shape of [[5, 8], [3, 4, 6], [2, 50, 32], [7, 1, 3]]) {
    it(`matches autodiff through tf.moments, forward and gradients, shape [${shape}]`, () => {
      const rand = mulberry32(shape.reduce((a, b) => a * 31 + b, 7));
      const d = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Float32Array.from({ length: size }, () => 3 * rand() - 1), shape);
      const gamma = tf.tensor1d(Float32Array.from({ length: d }, () => 0.5 + rand()));
      const beta = tf.tensor1d(Float32Array.from({ length: d }, () => rand() - 0.5));
      const w = tf.tensor(Float32Array.from({ length: size }, () => 2 * rand() - 1), shape);
      const yNew = tf.tidy(() => layerNorm(x, gamma, beta).dataSync());
      const yOld = tf.tidy(() => autodiffLayerNorm(x, gamma, beta).dataSync());
      close(yNew, yOld, 'forward', 1e-6, 1e-6);
      const gNew = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D), w)))([x, gamma, beta]);
      const gOld = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(autodiffLayerNorm(a, g, b), w)))([x, gamma, beta]);
      ['dx', 'dgamma', 'dbeta'].forEach((name, i) => close(gNew[i].dataSync(), gOld[i].dataSync(), name, 2e-5, 1e-4));
      tf.dispose([x, gamma, beta, w, ...gNew, ...gOld]);
    });
  }

  it('matches float64 central finite differences', () => {
    const rand = mulberry32(42);
    const [rows, d] = [4, 6];
    const x64 = Float64Array.from({ length: rows * d }, () => 2 * rand() - 1);
    const g64 = Float64Array.from({ length: d }, () => 0.5 + rand());
    const b64 = Float64Array.from({ length: d }, () => rand() - 0.5);
    const w64 = Float64Array.from({ length: rows * d }, () => 2 * rand() - 1);
    const w = tf.tensor2d(Float32Array.from(w64), [rows, d]);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D), w)))(
      [tf.tensor2d(Float32Array.from(x64), [rows, d]), tf.tensor1d(Float32Array.from(g64)), tf.tensor1d(Float32Array.from(b64))],
    );
    const h = 1e-6;
    const numeric = (arr: Float64Array) => Array.from(arr, (_, i) => {
      const keep = arr[i];
      arr[i] = keep + h;
      const up = lossF64(x64, g64, b64, w64, d);
      arr[i] = keep - h;
      const down = lossF64(x64, g64, b64, w64, d);
      arr[i] = keep;
      return (up - down) / (2 * h);
    });
    close(grads[0].dataSync(), numeric(x64), 'dx', 1e-4, 1e-4);
    close(grads[1].dataSync(), numeric(g64), 'dgamma', 1e-4, 1e-4);
    close(grads[2].dataSync(), numeric(b64), 'dbeta', 1e-4, 1e-4);
    tf.dispose([w, ...grads]);
  });

  it('leaves no tensors behind after a gradient', () => {
    const x = tf.ones([2, 3, 4]);
    const gamma = tf.ones([4]) as tf.Tensor1D;
    const beta = tf.zeros([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const g = tf.grads((a: tf.Tensor) => tf.sum(layerNorm(a, gamma, beta)))([x]);
    assert.equal(tf.memory().numTensors, before + 1);
    tf.dispose([x, gamma, beta, ...g]);
  });
});
