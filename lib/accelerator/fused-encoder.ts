/**
 * The attention-pooling encoders of the k models that read one modality as ONE kernel call forward
 * and one backward: projection, bias, tanh, dropout, scores, masked softmax and pooling, the same
 * values as lib/models/pooled-encoders.ts's tfjs ops. The step of the seven models is bound by
 * per-kernel overhead (tfjs's tape and dispatch), not arithmetic, and this replaces about 60 kernel
 * calls per modality and step by two (bench/README.md).
 *
 * This file defines the op and its gradient over two kernel names; kernel-pack.ts registers
 * kernels of those names for wasm (over the OpenBLAS addon or the WebAssembly module,
 * native/src/mmckd_encoder.c). Where no backend has them, `fusedEncoderAvailable()` is false and
 * model-forward.ts keeps the models' tfjs ops.
 *
 * The kernel draws the dropout masks from the same seeds as tf.randomUniform (the same numbers, bit
 * for bit: test/accelerator/fused-encoder.test.ts), and treats the frames x and the mask as data:
 * they get no gradient, as in the tfjs path (affineConstantInput).
 */
import * as tf from '@tensorflow/tfjs';
import type { PooledEncoderOp, PooledEncoderOptions, PooledEncoderWeights } from '../models/pooled-encoders';
import { tfjsPooledEncoder } from '../models/pooled-encoders';

/** Kernel name of the forward: inputs x [B, T, D], mask [B, T], w{j}, b{j}, sw{j}, sb{j}; outputs pooled [B, k, d] and a workspace. */
export const FUSED_ENCODER_KERNEL = 'MmckdFusedEncoder';

/** Kernel name of the backward: inputs dy [B, k, d], x, mask, ws, sw{j}; outputs dw{j}, db{j}, dsw{j}, dsb{j} in the weights' shapes. */
export const FUSED_ENCODER_GRAD_KERNEL = 'MmckdFusedEncoderGrad';

/** Attributes of both kernels. */
export interface FusedEncoderAttrs {
  /** Models (k >= 1). */
  k: number;
  /** Width d of each model. */
  d: number;
  /** True: tanh after the projection. */
  tanh: boolean;
  /** 1 - dropout rate; 1 means no dropout. */
  keep: number;
  /** Model j's dropout seed (uint32), the seed tf.randomUniform would get. */
  seeds: number[];
}

/** Returns true when the active backend has both fused-encoder kernels. */
export function fusedEncoderAvailable(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(FUSED_ENCODER_KERNEL, backend) !== undefined && tf.getKernel(FUSED_ENCODER_GRAD_KERNEL, backend) !== undefined;
}

/** Returns true when the fused kernels can take these frames and mask (the backend has them; float32; not empty). */
export function fusedEncoderApplies(x: tf.Tensor, mask: tf.Tensor): boolean {
  return fusedEncoderAvailable() && x.dtype === 'float32' && mask.dtype === 'float32' && x.size > 0;
}

/** Returns the kernels' inputs for the weights: w0..w{k-1}, b0.., sw0.., sb0.. */
function weightInputs(weights: PooledEncoderWeights, only?: 'scoreW'): tf.NamedTensorMap {
  const map: tf.NamedTensorMap = {};
  weights.scoreW.forEach((t, j) => (map[`sw${j}`] = t));
  if (only) return map;
  weights.w.forEach((t, j) => (map[`w${j}`] = t));
  weights.b.forEach((t, j) => (map[`b${j}`] = t));
  weights.scoreB.forEach((t, j) => (map[`sb${j}`] = t));
  return map;
}

/**
 * Returns pooled [B, k, d]: model j's attention-pooled encoder output of frames x [B, T, D] under
 * the [B, T] 1/0 mask, with gradients to every weight (one kernel call each way).
 */
export function fusedPooledEncoder(x: tf.Tensor3D, mask: tf.Tensor2D, weights: PooledEncoderWeights, options: PooledEncoderOptions): tf.Tensor3D {
  const k = weights.w.length;
  const d = weights.w[0].shape[1]!;
  if ([weights.b, weights.scoreW, weights.scoreB].some((list) => list.length !== k)) {
    throw new Error(`Expected ${k} weights of each kind for the fused encoder, but got ${[weights.b, weights.scoreW, weights.scoreB].map((l) => l.length)}`);
  }
  const dropout = options.dropout > 0;
  const attrs: FusedEncoderAttrs = {
    k,
    d,
    tanh: options.tanh,
    keep: dropout ? 1 - options.dropout : 1,
    seeds: dropout ? options.seeds.slice(0, k).map((s) => s >>> 0) : new Array<number>(k).fill(0),
  };
  const params = [...weights.w, ...weights.b, ...weights.scoreW, ...weights.scoreB];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[params.length] as tf.GradSaveFunc;
    const inputs = { x, mask, ...weightInputs(weights) };
    const [pooled, workspace] = tf.engine().runKernel(FUSED_ENCODER_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([workspace, x, mask]);
    return {
      value: pooled as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ws, xs, ms] = saved;
        const gradInputs = { dy, x: xs, mask: ms, ws, ...weightInputs(weights, 'scoreW') };
        return tf.engine().runKernel(FUSED_ENCODER_GRAD_KERNEL, gradInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      },
    };
  });
  return op(...params) as tf.Tensor3D;
}

/** Returns pooled [B, k, d]: through the fused kernels where the backend has them and they take these inputs, else through the models' `tfjsPooledEncoder` (same values). */
export const acceleratedPooledEncoder: PooledEncoderOp = (x, mask, weights, options) =>
  (fusedEncoderApplies(x, mask) ? fusedPooledEncoder : tfjsPooledEncoder)(x, mask, weights, options);
