/**
 * The two heads over the fused representation f [B, d]: regression y_hat = w.f + b [B], and the
 * projection head z = l2normalize(W2 relu(W1 f + b1) + b2) [B, p] used only by the MVSC loss.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { createLinear, type LinearParameters } from './linear';
import type { ParameterStore } from './parameter-store';

/** Returns x / sqrt(sum x^2 + eps) row-wise: unit rows (a zero row stays zero), [N, p]. */
function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), eps))) as tf.Tensor2D; // [N, p]
}

/** The regression head. */
export interface RegressionHead {
  /** Its variables: w [d, 1], b [1]. */
  readonly parameters: LinearParameters;
  /** Returns y_hat [B] from f [B, d]. */
  apply(f: tf.Tensor2D): tf.Tensor1D;
}

/** The projection head's two dense layers. */
export interface ProjectionHeadParameters {
  readonly hidden: LinearParameters;
  readonly out: LinearParameters;
}

/** The projection head. */
export interface ProjectionHead {
  /** Its variables: hidden w [d, d], b [d]; out w [d, p], b [p]. */
  readonly parameters: ProjectionHeadParameters;
  /** Returns unit-norm z [B, p] from f [B, d]. */
  apply(f: tf.Tensor2D): tf.Tensor2D;
}

/** Creates `${prefix}.w` [d, 1] and `${prefix}.b` [1]. */
export function createRegressionHead(store: ParameterStore, prefix: string, d: number): RegressionHead {
  const linear = createLinear(store, prefix, d, 1);
  return { parameters: linear.parameters, apply: (f) => linear.apply(f).reshape([-1]) as tf.Tensor1D }; // [B]
}

/** Creates `${prefix}.hidden` (d -> d) and `${prefix}.out` (d -> p). */
export function createProjectionHead(store: ParameterStore, prefix: string, d: number, p: number): ProjectionHead {
  const hidden = createLinear(store, `${prefix}.hidden`, d, d);
  const out = createLinear(store, `${prefix}.out`, d, p);
  return {
    parameters: { hidden: hidden.parameters, out: out.parameters },
    apply: (f) => l2Normalize(out.apply(hidden.apply(f, 'relu')) as tf.Tensor2D),
  };
}
