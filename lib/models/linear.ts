/**
 * Dense (linear) layer y = x W + b over the last axis of a tensor of any rank.
 *
 * Speed: on the wasm backend a matmul with a transpose flag (which tfjs's own matmul gradient
 * uses) runs about 10x slower than a plain one, so the layer carries its own gradient that
 * transposes explicitly: dx = dy W^T, dW = x^T dy, db = sum(dy) (transposed-matmul.ts: with the
 * OpenBLAS kernel pack the flag is free and the explicit transpose is skipped). For the input projection of
 * raw features (`inputGrad: false`) dx is not computed at all (the features are constants).
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { linearWeightInit, type ParameterStore } from './parameter-store';
import { matMulTransposeA, matMulTransposeB } from './transposed-matmul';

/** A dense layer's variables: w [in, out] and b [out]. */
export interface LinearParameters {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
}

/** A dense layer: its sizes, its variables and its forward function. */
export interface Linear {
  readonly inDim: number;
  readonly outDim: number;
  readonly parameters: LinearParameters;
  /** Returns x W + b (ReLU applied when asked): same leading shape as x, last axis outDim. */
  apply(x: tf.Tensor, activation?: 'linear' | 'relu'): tf.Tensor;
}

/** Options of `createLinear`. */
export interface LinearOptions {
  /** False when x never needs a gradient (raw input features): skips dx. Default true. */
  inputGrad?: boolean;
}

/** Returns x W + b for x [rows, in], W [in, out], b [out] with the explicit-transpose gradient. */
export const affine: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D = tf.customGrad(
  (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b) as tf.Tensor2D, // [rows, out]
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as tf.Tensor2D[];
        return [
          matMulTransposeB(dy, ws), // dx [rows, in]
          matMulTransposeA(xs, dy), // dW [in, out]
          tf.sum(dy, 0), // db [out]
        ];
      },
    };
  },
) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** Returns x W + b like `affine`, treating x as a constant (no dx computed). */
export function affineConstantInput(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [wi, bi, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.add(tf.matMul(x, wi), bi) as tf.Tensor2D, // [rows, out]
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
        matMulTransposeA(saved[0] as tf.Tensor2D, dy), // dW [in, out]
        tf.sum(dy, 0), // db [out]
      ],
    };
  });
  return f(w, b) as tf.Tensor2D;
}

/** Creates `${prefix}.w` [inDim, outDim] (initialised as the store's `linearInit` says) and `${prefix}.b` [outDim] (zeros). */
export function createLinear(
  store: ParameterStore,
  prefix: string,
  inDim: number,
  outDim: number,
  options: LinearOptions = {},
): Linear {
  const parameters: LinearParameters = {
    w: store.add(`${prefix}.w`, [inDim, outDim], linearWeightInit(store.linearInit, inDim, outDim)),
    b: store.add(`${prefix}.b`, [outDim], { kind: 'constant', value: 0 }),
  };
  const w = parameters.w as tf.Tensor as tf.Tensor2D;
  const b = parameters.b as tf.Tensor as tf.Tensor1D;
  const product = options.inputGrad === false ? affineConstantInput : affine;
  return {
    inDim,
    outDim,
    parameters,
    apply(x, activation = 'linear') {
      const lead = x.shape.slice(0, -1);
      const rows = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inDim]) as tf.Tensor2D; // [rows, inDim]
      let y: tf.Tensor = product(rows, w, b); // [rows, outDim]
      if (activation === 'relu') y = tf.relu(y);
      return lead.length === 1 ? y : y.reshape([...lead, outDim]); // [..., outDim]
    },
  };
}
