/**
 * Measures of the projection space that the contrastive losses shape: how well a model's unit
 * projections z of the same clips agree with another model's (same-clip alignment), and how well
 * the classes of MVSC's supervision separate (within- minus between-class cosine). Plain
 * JavaScript over row-major arrays: the training probe and the evaluation both read them.
 * @see notebooks/03-online-mmckd.ipynb
 */

/** Projections of a split: row-major [n, dim]. */
export interface Projections {
  data: Float32Array;
  n: number;
  dim: number;
}

/** Returns the mean cosine similarity of two models' projections of the same clips. */
export function crossModelAgreement(a: Projections, b: Projections): number {
  if (a.n !== b.n || a.dim !== b.dim) throw new Error(`Expected projections of the same shape, but got [${a.n}, ${a.dim}] and [${b.n}, ${b.dim}]`);
  let sum = 0;
  for (let i = 0; i < a.n; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < a.dim; k++) {
      const x = a.data[i * a.dim + k];
      const y = b.data[i * b.dim + k];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    sum += dot / Math.sqrt(Math.max(1e-24, na * nb));
  }
  return sum / Math.max(1, a.n);
}

/**
 * Returns how well classes separate in a projection space: mean cosine similarity to clips of
 * the same class minus mean cosine similarity to clips of other classes (higher is better;
 * 0 when classes mix completely). Pairs of a clip with itself are excluded.
 */
export function classSeparation(p: Projections, classes: ArrayLike<number>): number {
  // Class centroids of unit vectors make this O(n * dim): sum over pairs = |sum of vectors|^2.
  const sums = new Map<number, Float64Array>();
  const counts = new Map<number, number>();
  const total = new Float64Array(p.dim);
  for (let i = 0; i < p.n; i++) {
    const c = classes[i];
    if (!sums.has(c)) sums.set(c, new Float64Array(p.dim));
    const s = sums.get(c)!;
    for (let k = 0; k < p.dim; k++) {
      s[k] += p.data[i * p.dim + k];
      total[k] += p.data[i * p.dim + k];
    }
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const sq = (v: Float64Array) => v.reduce((a, x) => a + x * x, 0);
  let within = 0;
  let withinPairs = 0;
  for (const [c, s] of sums) {
    const n = counts.get(c)!;
    within += sq(s) - n; // pairs i != j in the class (|z_i| = 1)
    withinPairs += n * (n - 1);
  }
  const all = sq(total) - p.n;
  const allPairs = p.n * (p.n - 1);
  const between = all - within;
  const betweenPairs = allPairs - withinPairs;
  if (withinPairs === 0 || betweenPairs === 0) return NaN;
  return within / withinPairs - between / betweenPairs;
}

/**
 * Returns how spread a projection cloud is: 1 minus the mean cosine similarity over all pairs of
 * distinct clips (0 when every z is the same direction, about 1 for directions spread evenly).
 * Class separation is a difference of cosines, so a tight cloud scores near 0 whatever its
 * classes do; read the two together.
 */
export function projectionSpread(p: Projections): number {
  if (p.n < 2) return NaN;
  const total = new Float64Array(p.dim);
  for (let i = 0; i < p.n; i++) for (let k = 0; k < p.dim; k++) total[k] += p.data[i * p.dim + k];
  const sq = total.reduce((a, x) => a + x * x, 0);
  return 1 - (sq - p.n) / (p.n * (p.n - 1));
}
