/**
 * Layer normalisation over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gamma + beta.
 *
 * The gradient is written out (tf.customGrad) instead of left to autodiff, which differentiates
 * tf.moments through a dozen small kernels per call. With x_hat = (x - mean) * rstd,
 * rstd = 1 / sqrt(var + eps), g = dy * gamma and means over the last axis (size D):
 *   dx     = rstd * (g - mean(g) - x_hat * mean(g * x_hat))
 *   dgamma = sum over the leading axes of dy * x_hat,   dbeta = sum over the leading axes of dy
 * (the leading-axis sums as [1, R] x [R, D] matmuls against ones).
 * test/models/layer-norm.test.ts checks it against autodiff and float64 finite differences.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from './parameter-store';

/** A layer norm: returns the normalised tensor, same shape as its input. */
export interface LayerNorm {
  apply(x: tf.Tensor): tf.Tensor;
}

/** Returns layer norm of `x` over its last axis with scale `gamma` [D] and shift `beta` [D]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  return layerNormOp(eps)(x, gamma, beta);
}

const ops = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

function layerNormOp(eps: number): (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
  let op = ops.get(eps);
  if (op) return op;
  op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.mean(x, -1, true); // [..., 1]
    const centred = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)); // [..., 1]
    const xHat = tf.mul(centred, rstd);
    save([xHat, rstd, gamma]);
    return {
      value: tf.add(tf.mul(xHat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, g0] = saved;
        const d = xh.shape[xh.rank - 1];
        const rows = xh.size / d;
        const g = tf.mul(dy, g0);
        const dx = tf.mul(rs, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xh, tf.mean(tf.mul(g, xh), -1, true))));
        // Column sums over the R rows of the leading axes as ones[1, R] x [R, D] matmuls (a sum
        // over axis 0 makes the wasm backend transpose first; a concat along axis 1 is slower still).
        const ones = tf.ones([1, rows]);
        const columnSum = (t: tf.Tensor) => tf.reshape(tf.matMul(ones, tf.reshape(t, [rows, d])), [d]);
        return [dx, columnSum(tf.mul(dy, xh)), columnSum(dy)];
      },
    };
  }) as unknown as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
  ops.set(eps, op);
  return op;
}

/** Creates `${prefix}.gamma` (ones) and `${prefix}.beta` (zeros) of size `dim`; eps 1e-5 as in PyTorch. */
export function createLayerNorm(store: ParameterStore, prefix: string, dim: number, eps = 1e-5): LayerNorm {
  const gamma = store.add(`${prefix}.gamma`, [dim], { kind: 'constant', value: 1 }) as tf.Variable<tf.Rank.R1>;
  const beta = store.add(`${prefix}.beta`, [dim], { kind: 'constant', value: 0 }) as tf.Variable<tf.Rank.R1>;
  return {
    apply(x) {
      return layerNorm(x, gamma, beta, eps);
    },
  };
}
