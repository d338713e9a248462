/**
 * Discrete sentiment classes of regression labels, for the supervised contrastive loss.
 * @see notebooks/03-online-mmckd.ipynb
 */

/** The class schemes: 7 (rounded intensity), 3 (sign), 2 (non-negative vs negative). */
export type ClassScheme = 7 | 3 | 2;

/** Returns x rounded to the nearest integer with halves to even, like numpy's np.round / np.rint. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up (toward +inf) in JS
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * Returns the class of each label under `scheme`:
 * - 7: round(clip(y, -3, 3)) with numpy rounding (halves to even), shifted to 0..6
 *   (so -0.5 -> -0 -> class 3, 0.5 -> class 3, 1.5 -> class 5, 2.5 -> class 5);
 * - 3: sign of y: 0 negative, 1 zero, 2 positive;
 * - 2: y >= 0 -> 1, else 0 (MMSA's Has0 convention: zero counts as non-negative).
 */
export function labelClasses(y: ArrayLike<number>, scheme: ClassScheme): Int32Array {
  if (scheme !== 7 && scheme !== 3 && scheme !== 2) {
    throw new Error(`Expected scheme to be 7, 3 or 2, but got ${String(scheme)}`);
  }
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v)) throw new Error(`Expected finite labels, but label ${i} is NaN`);
    if (scheme === 7) out[i] = roundHalfEven(Math.min(3, Math.max(-3, v))) + 3;
    else if (scheme === 3) out[i] = v < 0 ? 0 : v === 0 ? 1 : 2;
    else out[i] = v >= 0 ? 1 : 0;
  }
  return out;
}
