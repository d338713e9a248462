/**
 * Fixed sinusoidal positions (Vaswani et al. 2017): PE[t, 2i] = sin(t / 10000^(2i/d)),
 * PE[t, 2i+1] = cos(t / 10000^(2i/d)).
 * @see notebooks/02-teacher-pretraining.ipynb
 */

/** Returns the row-major [T, d] sinusoidal position table as float32 values. */
export function sinusoidalPositions(seqLen: number, d: number): Float32Array {
  const out = new Float32Array(seqLen * d);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < d; i++) {
      const angle = t / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
      out[t * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}
