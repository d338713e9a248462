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

/**
 * Returns x - max(x, rows) with the max treated as a constant: the gradient is dy itself. The max
 * is computed outside the tape, so autodiff does not differentiate it (a broadcast Equal and more).
 */
const subtractRowMax = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  return { value: tf.sub(x, tf.max(x, 1, true)), gradFunc: (dy: tf.Tensor) => tf.clone(dy) };
}) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;

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
  classes: Int32Array,
  tau: number,
  options: ContrastiveOptions = {},
): tf.Scalar {
  checkViews(views, tau, options.detach);
  const m = views.length;
  const n = views[0].shape[0];
  if (classes.length !== n) throw new Error(`Expected ${n} classes (one per clip), but got ${classes.length}`);
  // Masks from the classes, in JavaScript (no kernels): positive[i][a] = 1 when a != i shares
  // i's class; selfBias = -1e9 on the diagonal (self is not in A(i)), 0 elsewhere.
  const size = m * n;
  const positive = new Float32Array(size * size);
  const selfBias = new Float32Array(size * size);
  const positiveCount = new Float32Array(size);
  const hasPositive = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const ci = classes[i % n];
    let count = 0;
    for (let a = 0; a < size; a++) {
      if (a !== i && classes[a % n] === ci) {
        positive[i * size + a] = 1;
        count++;
      }
    }
    selfBias[i * size + i] = -1e9;
    positiveCount[i] = Math.max(count, 1);
    hasPositive[i] = count > 0 ? 1 : 0;
  }
  const anchors = Math.max(hasPositive.reduce((s, x) => s + x, 0), 1);
  return tf.tidy(() => {
    // Detaching a view before or after its normalisation gives the same values and no gradient.
    const raw = views.map((v, i) => (options.detach?.[i] ? stopGradient(v) : v));
    const x = m === 1 ? raw[0] : tf.concat(raw, 0); // [M*N, p]
    const z = tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D; // [M*N, p], rows l2-normalised
    const logits = tf.div(tf.matMul(z, tf.transpose(z)), tau); // [M*N, M*N]
    // stable log-sum-exp over A(i): self gets -1e9, then subtract the row max (no gradient through it)
    const masked = tf.add(logits, tf.tensor2d(selfBias, [size, size])); // [M*N, M*N]
    const shifted = subtractRowMax(masked as tf.Tensor2D); // [M*N, M*N], row max 0
    const logProb = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))); // [M*N, M*N], sum >= 1
    // mean over positives, then over anchors that have any
    const positiveMask = tf.tensor2d(positive, [size, size]);
    const meanLogProb = tf.div(tf.sum(tf.mul(positiveMask, logProb), 1), tf.tensor1d(positiveCount)); // [M*N]
    return tf.sub(0, tf.div(tf.sum(tf.mul(tf.tensor1d(hasPositive), meanLogProb)), anchors)) as tf.Scalar; // 0 - x: +0, never -0, without anchors
  });
}
