/**
 * MVSC: multi-view supervised contrastive loss, the distillation signal of MM-CKD.
 * In the spirit of SupConLoss (Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020),
 * made multi-view as in MCL-OKD (Yang et al., "Multi-View Contrastive Learning for Online
 * Knowledge Distillation", ICASSP 2021): every model's projection of every clip is one view.
 *
 * Shapes: M views (one per model) of N clips, each [N, p]; Z = stack(l2normalize(view)) [M*N, p].
 * For anchor i (of M*N), with A(i) = all views except i and
 * P(i) = { a in A(i) : class(a) = class(i) } (the same clip from other models, and other clips
 * of the same class from any model):
 *
 *   L_i = -1/|P(i)| * sum_{p in P(i)} log( exp(z_i.z_p / tau) / sum_{a in A(i)} exp(z_i.z_a / tau) )
 *   L   = mean of L_i over anchors with |P(i)| > 0  (0 when there are none).
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './stop-gradient';

/** Options of the contrastive losses. */
export interface ContrastiveOptions {
  /** detach[m] = true stops gradients through view m (e.g. the teacher's, for offline ablations). */
  detach?: boolean[];
}

function checkViews(views: tf.Tensor2D[], tau: number, detach: boolean[] | undefined): void {
  if (views.length === 0) throw new Error('Expected at least one view, but got none');
  const [n, p] = views[0].shape;
  for (const [m, v] of views.entries()) {
    if (v.rank !== 2 || v.shape[0] !== n || v.shape[1] !== p) {
      throw new Error(`Expected view ${m} to have shape [${n}, ${p}], but got [${v.shape}]`);
    }
  }
  if (!(tau > 0)) throw new Error(`Expected tau > 0, but got ${tau}`);
  if (detach && detach.length !== views.length) {
    throw new Error(`Expected detach to have one entry per view (${views.length}), but got ${detach.length}`);
  }
}

/**
 * Returns the MVSC loss (a scalar) of M views [N, p] of the same N clips with classes [N]
 * (a class per clip; every view of a clip shares it) at temperature `tau`.
 * @see notebooks/03-online-mmckd.ipynb
 */
export function mvscLoss(
  views: tf.Tensor2D[],
  classes: Int32Array | tf.Tensor1D,
  tau: number,
  options: ContrastiveOptions = {},
): tf.Scalar {
  checkViews(views, tau, options.detach);
  const m = views.length;
  const n = views[0].shape[0];
  const classCount = classes instanceof Int32Array ? classes.length : classes.shape[0];
  if (classCount !== n) throw new Error(`Expected ${n} classes (one per clip), but got ${classCount}`);
  return tf.tidy(() => {
    const normalised = views.map((v, i) => {
      const z = tf.div(v, tf.sqrt(tf.add(tf.sum(tf.square(v), 1, true), 1e-12))) as tf.Tensor2D; // [N, p]
      return options.detach?.[i] ? stopGradient(z) : z;
    });
    const z = m === 1 ? normalised[0] : tf.concat(normalised, 0); // [M*N, p]
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), tau); // [M*N, M*N]
    // masks
    const c = classes instanceof Int32Array ? tf.tensor1d(classes, 'int32') : tf.cast(classes, 'int32');
    const cAll = m === 1 ? c : tf.tile(c, [m]); // [M*N] class of every view
    const notSelf = tf.sub(1, tf.eye(m * n)); // [M*N, M*N] mask self-contrast
    const positive = tf.mul(tf.cast(tf.equal(cAll.expandDims(1), cAll.expandDims(0)), 'float32'), notSelf); // [M*N, M*N]
    // stable log-sum-exp over A(i): self gets -1e9, then subtract the row max (no gradient needed)
    const masked = tf.add(logits, tf.mul(tf.sub(notSelf, 1), 1e9)); // [M*N, M*N]
    const shifted = tf.sub(masked, stopGradient(tf.max(masked, 1, true))); // [M*N, M*N], row max 0
    const logProb = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))); // [M*N, M*N], sum >= 1
    // mean over positives, then over anchors that have any
    const positiveCount = tf.sum(positive, 1); // [M*N]
    const meanLogProb = tf.div(tf.sum(tf.mul(positive, logProb), 1), tf.maximum(positiveCount, 1)); // [M*N]
    const hasPositive = tf.cast(tf.greater(positiveCount, 0), 'float32'); // [M*N]
    const anchors = tf.maximum(tf.sum(hasPositive), 1);
    return tf.sub(0, tf.div(tf.sum(tf.mul(hasPositive, meanLogProb)), anchors)) as tf.Scalar; // 0 - x: +0, never -0, without anchors
  });
}
