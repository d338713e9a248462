/**
 * The kit's own operations, each with its forward value and its gradients, as cases the GPU check
 * runs on every backend and compares with the cpu backend:
 * - the custom gradients (tf.customGrad) every backend runs: `affine` and `affineConstantInput`
 *   (lib/models/linear.ts), `layerNorm` (lib/models/layer-norm.ts), `stopGradient`
 *   (lib/losses/stop-gradient.ts), and `mvscLoss` with its row-max shift (lib/losses/mvsc-loss.ts);
 * - the kernels the wasm kernel pack replaces (lib/accelerator: BatchMatMul, _FusedMatMul, Transpose,
 *   Identity, Cast, SplitV): on wasm they run the pack, elsewhere the backend's own kernels.
 * Inputs are fixed seeded values; every case reads its outputs asynchronously (webgpu in Node
 * has no synchronous read) and disposes everything.
 */
import * as tf from '@tensorflow/tfjs';
import { affine, affineConstantInput } from '../../lib/models/linear';
import { layerNorm } from '../../lib/models/layer-norm';
import { stopGradient } from '../../lib/losses/stop-gradient';
import { mvscLoss } from '../../lib/losses/mvsc-loss';
import { randomValues, rng } from './numeric';

/** One operation case: the names of its outputs and a function returning them as tensors. */
export interface OpCase {
  name: string;
  /** 'custom gradient' or 'kernel pack'. */
  group: string;
  outputs: string[];
  /** Runs on the current backend; returns the outputs (forward value first, then gradients). */
  run(): tf.Tensor[];
}

const t2 = (seed: number, r: number, c: number, scale = 1) => tf.tensor2d(randomValues(rng(seed), r * c, scale), [r, c]);
const t1 = (seed: number, n: number, scale = 1) => tf.tensor1d(randomValues(rng(seed), n, scale));

function affineCase(rows: number, inDim: number, outDim: number): OpCase {
  return {
    name: `affine [${rows},${inDim}]x[${inDim},${outDim}]`,
    group: 'custom gradient',
    outputs: ['y', 'dx', 'dW', 'db'],
    run() {
      const x = t2(1, rows, inDim);
      const w = t2(2, inDim, outDim, 0.1);
      const b = t1(3, outDim);
      const up = t2(4, rows, outDim); // a non-trivial upstream gradient
      const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(affine(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), up));
      return [affine(x, w, b), ...tf.grads(f)([x, w, b])];
    },
  };
}

function constantInputCase(rows: number, inDim: number, outDim: number): OpCase {
  return {
    name: `affineConstantInput [${rows},${inDim}]x[${inDim},${outDim}]`,
    group: 'custom gradient',
    outputs: ['y', 'dW', 'db'],
    run() {
      const x = t2(5, rows, inDim);
      const w = t2(6, inDim, outDim, 0.1);
      const b = t1(7, outDim);
      const up = t2(8, rows, outDim);
      const f = (wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(affineConstantInput(x, wi as tf.Tensor2D, bi as tf.Tensor1D), up));
      return [affineConstantInput(x, w, b), ...tf.grads(f)([w, b])];
    },
  };
}

const LAYER_NORM: OpCase = {
  name: 'layerNorm [32,50,64]',
  group: 'custom gradient',
  outputs: ['y', 'dx', 'dgamma', 'dbeta'],
  run() {
    const x = tf.tensor3d(randomValues(rng(9), 32 * 50 * 64, 2), [32, 50, 64]);
    const gamma = t1(10, 64);
    const beta = t1(11, 64);
    const up = tf.tensor3d(randomValues(rng(12), 32 * 50 * 64), [32, 50, 64]);
    const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(xi, g as tf.Tensor1D, b as tf.Tensor1D), up));
    return [layerNorm(x, gamma, beta), ...tf.grads(f)([x, gamma, beta])];
  },
};

const STOP_GRADIENT: OpCase = {
  name: 'stopGradient in sum(stop(x) * x)',
  group: 'custom gradient',
  outputs: ['value', 'dx (= x)'],
  run() {
    const x = t1(13, 500);
    const f = (xi: tf.Tensor) => tf.sum(tf.mul(stopGradient(xi), xi));
    const { value, grad } = tf.valueAndGrad(f)(x);
    return [value, grad];
  },
};

const MVSC: OpCase = {
  name: 'mvscLoss 7 views [32,64], tau 0.2',
  group: 'custom gradient',
  outputs: ['loss', 'dviews'],
  run() {
    const rand = rng(14);
    const classes = Int32Array.from({ length: 32 }, () => Math.floor(rand() * 7));
    const views = Array.from({ length: 7 }, (_, m) => t2(20 + m, 32, 64));
    const f = (...vs: tf.Tensor[]) => mvscLoss(vs as tf.Tensor2D[], classes, 0.2);
    const grads = tf.grads(f)(views);
    return [mvscLoss(views, classes, 0.2), tf.concat(grads.map((g) => tf.reshape(g, [-1])))];
  },
};

const BATCH_MATMUL: OpCase = {
  name: 'BatchMatMul [3,17,29]x[3,13,29]^T',
  group: 'kernel pack',
  outputs: ['y', 'dA', 'dB'],
  run() {
    const a = tf.tensor3d(randomValues(rng(30), 3 * 17 * 29), [3, 17, 29]);
    const b = tf.tensor3d(randomValues(rng(31), 3 * 13 * 29), [3, 13, 29]);
    const up = tf.tensor3d(randomValues(rng(32), 3 * 17 * 13), [3, 17, 13]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, false, true), up));
    return [tf.matMul(a, b, false, true), ...tf.grads(f)([a, b])];
  },
};

const FUSED_MATMUL: OpCase = {
  name: '_FusedMatMul [40,30]x[30,20] + bias, relu',
  group: 'kernel pack',
  outputs: ['y', 'dA', 'dB', 'dbias'],
  run() {
    const a = t2(33, 40, 30);
    const b = t2(34, 30, 20);
    const bias = t1(35, 20);
    const up = t2(36, 40, 20);
    const g = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' });
    return [g(a, b, bias), ...tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(g(x, y, z), up)))([a, b, bias])];
  },
};

const LAYOUT_KERNELS: OpCase = {
  name: 'Transpose [8,50,3,16] (0,2,1,3), [1600,768] (1,0); SplitV; Cast; Identity',
  group: 'kernel pack',
  outputs: ['transpose4d', 'transpose2d', 'splitV[1]', 'cast', 'identity'],
  run() {
    const x = tf.tensor4d(randomValues(rng(37), 8 * 50 * 3 * 16), [8, 50, 3, 16]);
    const m = t2(38, 1600, 768);
    const s = t2(39, 40, 30);
    return [tf.transpose(x, [0, 2, 1, 3]), tf.transpose(m, [1, 0]), tf.split(s, [7, 13, 10], 1)[1], tf.cast(s, 'float32'), tf.clone(s)];
  },
};

/** Every case the check runs, custom gradients first. */
export const OP_CASES: readonly OpCase[] = [
  affineCase(37, 23, 11),
  affineCase(1600, 768, 64),
  constantInputCase(1600, 768, 64),
  LAYER_NORM,
  STOP_GRADIENT,
  MVSC,
  BATCH_MATMUL,
  FUSED_MATMUL,
  LAYOUT_KERNELS,
];

/** Runs a case on the current backend and returns its outputs' values (read asynchronously). */
export async function runOpCase(c: OpCase): Promise<Float32Array[]> {
  const outs = tf.tidy(() => c.run());
  try {
    return await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(outs);
  }
}
