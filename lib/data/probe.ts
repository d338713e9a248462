/**
 * A linear probe: how much of the label a modality's mean-pooled features explain. Ridge
 * regression fitted on one split, R^2 measured on another. It is a diagnostic of the data (the
 * reliability of each modality), not a model of the kit.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from './modalities';
import type { ModalityFeatures, MultimodalSplit } from './types';

/** Returns [N, D] float64 means over each clip's valid frames (zeros for an empty clip). */
function meanPool(f: ModalityFeatures): Float64Array {
  const { numClips: n, seqLen: T, dim: D, data, lengths } = f;
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const L = lengths[i];
    if (L <= 0) continue;
    for (let t = 0; t < L; t++) {
      const row = (i * T + t) * D;
      for (let d = 0; d < D; d++) out[i * D + d] += data[row + d];
    }
    for (let d = 0; d < D; d++) out[i * D + d] /= L;
  }
  return out;
}

/** Solves the symmetric positive definite system A x = b in place by Cholesky; returns x. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let k = 0; k < j; k++) s -= A[j * n + k] * A[j * n + k];
    if (s <= 0) throw new Error('ridge system is not positive definite');
    const ljj = Math.sqrt(s);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = A[i * n + j];
      for (let k = 0; k < j; k++) v -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = v / ljj;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= A[i * n + k] * y[k];
    y[i] = v / A[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < n; k++) v -= A[k * n + i] * x[k];
    x[i] = v / A[i * n + i];
  }
  return x;
}

/** Result of `ridgeProbe`. */
export interface ProbeResult {
  /** The modalities whose mean-pooled features were concatenated. */
  modalities: Modality[];
  /** R^2 on the fitting split. */
  r2Fit: number;
  /** R^2 on the evaluation split (may be negative). */
  r2Eval: number;
  /** The probe's predictions for the evaluation split's clips. */
  evalPredictions: Float64Array;
}

/** Returns 1 - SS_res / SS_tot of predictions against labels. */
function rSquared(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < labels.length; i++) mean += labels[i];
  mean /= labels.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < labels.length; i++) {
    res += (labels[i] - pred[i]) ** 2;
    tot += (labels[i] - mean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : 0;
}

/** Returns [N, sum D_m] float64: the mean-pooled features of the modalities side by side. */
function pooledFeatures(split: MultimodalSplit, modalities: readonly Modality[]): { X: Float64Array; D: number } {
  const parts = modalities.map((m) => ({ pooled: meanPool(split.features[m]), dim: split.features[m].dim }));
  const D = parts.reduce((s, p) => s + p.dim, 0);
  const n = split.labels.length;
  const X = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    let offset = 0;
    for (const p of parts) {
      X.set(p.pooled.subarray(i * p.dim, (i + 1) * p.dim), i * D + offset);
      offset += p.dim;
    }
  }
  return { X, D };
}

/**
 * Fits ridge regression (penalty `lambda` on standardised mean-pooled features) of the label on
 * one modality of `fit`, or several side by side, and returns R^2 on `fit` and on `evaluate`
 * with the predictions for `evaluate`.
 * @see notebooks/01-data-prep.ipynb
 */
export function ridgeProbe(fit: MultimodalSplit, evaluate: MultimodalSplit, modalities: Modality | readonly Modality[], lambda = 1): ProbeResult {
  const mods: Modality[] = typeof modalities === 'string' ? [modalities] : [...modalities];
  const { X: Xf, D } = pooledFeatures(fit, mods);
  const { X: Xe } = pooledFeatures(evaluate, mods);
  const n = fit.labels.length;
  // standardise with the fitting split's statistics
  const mu = new Float64Array(D);
  const sd = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mu[d] += Xf[i * D + d] / n;
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) sd[d] += (Xf[i * D + d] - mu[d]) ** 2 / n;
  for (let d = 0; d < D; d++) sd[d] = Math.sqrt(sd[d]) || 1;
  const norm = (X: Float64Array): void => {
    for (let i = 0; i < X.length; i++) X[i] = (X[i] - mu[i % D]) / sd[i % D];
  };
  norm(Xf);
  norm(Xe);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += fit.labels[i] / n;
  // (X^T X + lambda I) w = X^T (y - mean)
  const A = new Float64Array(D * D);
  const b = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const yi = fit.labels[i] - yMean;
    for (let p = 0; p < D; p++) {
      const xp = Xf[i * D + p];
      if (xp === 0) continue;
      b[p] += xp * yi;
      const rowA = p * D;
      for (let q = 0; q <= p; q++) A[rowA + q] += xp * Xf[i * D + q];
    }
  }
  for (let p = 0; p < D; p++) {
    for (let q = 0; q < p; q++) A[q * D + p] = A[p * D + q];
    A[p * D + p] += lambda;
  }
  const w = choleskySolve(A, b, D);
  const predict = (X: Float64Array, count: number): Float64Array => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let v = yMean;
      for (let d = 0; d < D; d++) v += w[d] * X[i * D + d];
      out[i] = v;
    }
    return out;
  };
  const evalPredictions = predict(Xe, evaluate.labels.length);
  return {
    modalities: mods,
    r2Fit: rSquared(predict(Xf, n), fit.labels),
    r2Eval: rSquared(evalPredictions, evaluate.labels),
    evalPredictions,
  };
}

/** Returns y minus its least-squares fit on [1, s, |s|, s^2]: what y holds beyond the sentiment s. */
function beyondSentiment(y: ArrayLike<number>, s: ArrayLike<number>): Float64Array {
  const P = 4;
  const basis = (i: number): number[] => [1, s[i], Math.abs(s[i]), s[i] * s[i]];
  const M = Array.from({ length: P }, () => new Array<number>(P + 1).fill(0)); // normal equations [A | b]
  for (let i = 0; i < s.length; i++) {
    const r = basis(i);
    for (let p = 0; p < P; p++) {
      for (let q = 0; q < P; q++) M[p][q] += r[p] * r[q];
      M[p][P] += r[p] * y[i];
    }
  }
  // Gaussian elimination, then back substitution
  for (let p = 0; p < P; p++) {
    for (let r = p + 1; r < P; r++) {
      const f = M[r][p] / M[p][p];
      for (let q = p; q <= P; q++) M[r][q] -= f * M[p][q];
    }
  }
  const w = new Array<number>(P).fill(0);
  for (let p = P - 1; p >= 0; p--) {
    let v = M[p][P];
    for (let q = p + 1; q < P; q++) v -= M[p][q] * w[q];
    w[p] = v / M[p][p];
  }
  return Float64Array.from({ length: s.length }, (_, i) => y[i] - basis(i).reduce((acc, x, k) => acc + x * w[k], 0));
}

/** Returns the Pearson correlation of two equal-length series (0 when one is constant). */
function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i] / a.length;
    mb += b[i] / a.length;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Returns the values minus the mean of their speaker's values (speaker style is a per-speaker constant). */
function withinSpeaker(values: Float64Array, speakers: Int32Array): Float64Array {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  speakers.forEach((spk, i) => {
    sum.set(spk, (sum.get(spk) ?? 0) + values[i]);
    count.set(spk, (count.get(spk) ?? 0) + 1);
  });
  return values.map((v, i) => v - sum.get(speakers[i])! / count.get(speakers[i])!);
}

/** What a synthetic split's ground truth holds that `correlationBeyondSentiment` needs, per clip. */
export interface ClipTruth {
  /** The latent sentiment. */
  latent: Float32Array;
  /** The speaker index. */
  speakers: Int32Array;
}

/**
 * Returns, per pair of modalities ('text-audio', 'text-vision', 'audio-vision'), the correlation
 * of what their linear readings of a clip hold beyond its sentiment and its speaker: each
 * modality's ridge probe is fitted to the latent sentiment on `fit`, its predictions on `evaluate`
 * are freed of their least-squares fit on [1, s, |s|, s^2] and then of their speaker's mean (a
 * speaker's style is a per-speaker constant, and with a few dozen speakers two independent styles
 * can correlate by chance), and the remainders are correlated. Near 0 when modalities share
 * only the sentiment; the synthetic generator's `sharedBeyondLabel` raises it. Needs the ground
 * truth, so synthetic data only.
 * @see docs/synthetic-data.md
 */
export function correlationBeyondSentiment(fit: MultimodalSplit, evaluate: MultimodalSplit, truthFit: ClipTruth, truthEval: ClipTruth, lambda = 10): Record<string, number> {
  const beyond = MODALITIES.map((m) => {
    const probe = ridgeProbe({ ...fit, labels: truthFit.latent }, { ...evaluate, labels: truthEval.latent }, m, lambda);
    return withinSpeaker(beyondSentiment(probe.evalPredictions, truthEval.latent), truthEval.speakers);
  });
  const out: Record<string, number> = {};
  for (let a = 0; a < MODALITIES.length; a++) {
    for (let b = a + 1; b < MODALITIES.length; b++) out[`${MODALITIES[a]}-${MODALITIES[b]}`] = pearson(beyond[a], beyond[b]);
  }
  return out;
}
