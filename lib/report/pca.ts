/**
 * Two-component PCA for plotting projection spaces: covariance in float64, orthogonal (block
 * power) iteration on the top-2 subspace, then a 2x2 Rayleigh-Ritz step to get the individual
 * components. Deterministic: fixed start vectors and a sign convention (see pca2d).
 * @see notebooks/03-online-mmckd.ipynb
 */

/** Result of pca2d. */
export interface Pca2d {
  /** Scores on the first / second principal component, one per row. */
  pc1: Float64Array;
  pc2: Float64Array;
  /** Unit-length component directions, each of length dim. */
  components: [Float64Array, Float64Array];
  /** Variances along the two components (eigenvalues of the covariance, divisor n-1). */
  explainedVariance: [number, number];
  /** explainedVariance divided by the total variance (trace of the covariance). */
  explainedVarianceRatio: [number, number];
  /** Column means that were subtracted. */
  mean: Float64Array;
  /** Iterations used until the subspace stopped moving. */
  iterations: number;
}

/**
 * Returns the first two principal components of `rows` (n x dim, row-major). Each component's
 * entry with the largest absolute value is made positive, so the result does not depend on the
 * iteration's sign. Requires n >= 2 and dim >= 2.
 */
export function pca2d(rows: Float32Array | Float64Array, n: number, dim: number, maxIterations = 2000): Pca2d {
  if (!Number.isInteger(n) || n < 2) throw new Error(`Expected n to be an integer >= 2, but got ${n}`);
  if (!Number.isInteger(dim) || dim < 2) throw new Error(`Expected dim to be an integer >= 2, but got ${dim}`);
  if (rows.length !== n * dim) throw new Error(`Expected rows to have n*dim = ${n * dim} values, but got ${rows.length}`);

  // column means
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;

  // covariance C = Xc^T Xc / (n-1), [dim, dim], upper triangle then mirrored
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
    trace += cov[a * dim + a];
  }

  // orthogonal iteration on Q = [q1 q2], deterministic start
  let q1 = new Float64Array(dim);
  let q2 = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    q1[j] = 1 + j / dim;
    q2[j] = j % 2 === 0 ? 1 : -1 - j / dim;
  }
  orthonormalize(q1, q2);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const z1 = matVec(cov, q1, dim);
    const z2 = matVec(cov, q2, dim);
    if (!orthonormalize(z1, z2)) break; // covariance of rank < 2: keep the last basis
    // subspace change: 1 - smallest singular value of Q_old^T Q_new, approximated by projections
    const moved = 2 - (dot(q1, z1) ** 2 + dot(q1, z2) ** 2 + dot(q2, z1) ** 2 + dot(q2, z2) ** 2);
    q1 = z1;
    q2 = z2;
    if (moved < 1e-15) {
      iterations++;
      break;
    }
  }

  // Rayleigh-Ritz: B = Q^T C Q (2x2), rotate Q to B's eigenvectors
  const c1 = matVec(cov, q1, dim);
  const c2 = matVec(cov, q2, dim);
  const b11 = dot(q1, c1);
  const b12 = dot(q1, c2);
  const b22 = dot(q2, c2);
  const theta = 0.5 * Math.atan2(2 * b12, b11 - b22);
  const cs = Math.cos(theta);
  const sn = Math.sin(theta);
  let v1 = new Float64Array(dim);
  let v2 = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    v1[j] = cs * q1[j] + sn * q2[j];
    v2[j] = -sn * q1[j] + cs * q2[j];
  }
  let l1 = dot(v1, matVec(cov, v1, dim));
  let l2 = dot(v2, matVec(cov, v2, dim));
  if (l2 > l1) {
    [v1, v2] = [v2, v1];
    [l1, l2] = [l2, l1];
  }
  fixSign(v1);
  fixSign(v2);

  // scores
  const pc1 = new Float64Array(n);
  const pc2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < dim; j++) {
      const c = rows[i * dim + j] - mean[j];
      s1 += c * v1[j];
      s2 += c * v2[j];
    }
    pc1[i] = s1;
    pc2[i] = s2;
  }
  const ratio = (l: number) => (trace > 0 ? l / trace : 0);
  return {
    pc1,
    pc2,
    components: [v1, v2],
    explainedVariance: [l1, l2],
    explainedVarianceRatio: [ratio(l1), ratio(l2)],
    mean,
    iterations,
  };
}

function matVec(m: Float64Array, v: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    let s = 0;
    const row = a * dim;
    for (let b = 0; b < dim; b++) s += m[row + b] * v[b];
    out[a] = s;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Gram-Schmidt in place; returns false when either vector collapses to zero. */
function orthonormalize(a: Float64Array, b: Float64Array): boolean {
  const na = Math.sqrt(dot(a, a));
  if (!(na > 1e-300)) return false;
  for (let j = 0; j < a.length; j++) a[j] /= na;
  const p = dot(a, b);
  for (let j = 0; j < b.length; j++) b[j] -= p * a[j];
  const nb = Math.sqrt(dot(b, b));
  if (!(nb > 1e-300 * Math.max(1, na))) return false;
  for (let j = 0; j < b.length; j++) b[j] /= nb;
  return true;
}

/** Makes the entry with the largest absolute value positive. */
function fixSign(v: Float64Array): void {
  let k = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[k])) k = j;
  if (v[k] < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j];
}
