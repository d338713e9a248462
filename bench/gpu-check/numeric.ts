/**
 * Comparisons of the GPU check: a result against the cpu backend's, by relative L2 error
 * ||a - b|| / max(||b||, floor) (float64 sums); NaN never passes. The floor keeps a quantity that is
 * zero in exact arithmetic (the gradient of a bias before a softmax, which ignores shifts) from
 * turning rounding noise into a large relative error: the step check sets it from the norm of all
 * the gradients together.
 */

/** One compared output: its name, the error and whether it is within the tolerance. */
export interface Comparison {
  what: string;
  /** ||a - b|| / max(||b||, floor); Infinity when a length differs or a value is not finite. */
  relError: number;
  /** max |a_i - b_i|. */
  maxAbs: number;
  tolerance: number;
  pass: boolean;
}

/** Returns the relative L2 error (denominator at least `floor`) and max absolute difference of `actual` against `expected`. */
export function compareValues(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, floor = 1e-30): Comparison {
  if (actual.length !== expected.length) {
    return { what: `${what} (expected ${expected.length} values, but got ${actual.length})`, relError: Infinity, maxAbs: Infinity, tolerance, pass: false };
  }
  let diff = 0;
  let ref = 0;
  let maxAbs = 0;
  let finite = true;
  for (let i = 0; i < expected.length; i++) {
    const d = actual[i] - expected[i];
    if (!Number.isFinite(actual[i])) finite = false;
    diff += d * d;
    ref += expected[i] * expected[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  const relError = finite ? Math.sqrt(diff) / Math.max(Math.sqrt(ref), floor) : Infinity;
  return { what, relError, maxAbs: finite ? maxAbs : Infinity, tolerance, pass: finite && relError <= tolerance };
}

/** Returns the comparison of every output pair (same order), named `${what} ${names[i]}`. */
export function compareAll(what: string, names: string[], actual: Float32Array[], expected: Float32Array[], tolerance: number): Comparison[] {
  if (actual.length !== expected.length) {
    return [{ what: `${what} (expected ${expected.length} outputs, but got ${actual.length})`, relError: Infinity, maxAbs: Infinity, tolerance, pass: false }];
  }
  return expected.map((e, i) => compareValues(`${what} ${names[i] ?? i}`, actual[i], e, tolerance));
}

/** Returns a deterministic generator on [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Returns `size` uniform values in [-scale, scale). */
export function randomValues(rand: () => number, size: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, () => scale * (2 * rand() - 1));
}

/** Returns the L2 norm of the values (float64 sum). */
export function l2Norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/** Returns the median of the numbers (NaN for none). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
