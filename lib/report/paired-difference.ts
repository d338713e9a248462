/**
 * Telling a gain from noise: the paired difference of two methods trained with the same seeds,
 * with a two-sided Student t confidence interval on its mean (the paired t-test's interval).
 * Pairing by seed removes what the seeds share (data order, initialisation), so a difference
 * smaller than the spread over seeds can still be a finding, and a larger one can still be noise.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { studentTQuantile } from './student-t';

/** What a paired difference says: a clear gain, a clear loss, or an interval that contains 0. */
export type PairedVerdict = 'better' | 'worse' | 'within noise';

/** The paired difference a - b and its t-interval. */
export interface PairedDifference {
  /** Number of pairs. */
  n: number;
  /** Mean of a_i - b_i. */
  meanDiff: number;
  /** Sample standard deviation of the differences (divisor n - 1; NaN when n < 2). */
  sd: number;
  /** Two-sided interval mean ± t_{(1+level)/2, n-1} sd / sqrt(n) (NaN when n < 2). */
  ciLow: number;
  ciHigh: number;
  /** The interval's confidence level (default 0.95). */
  level: number;
  /** 'better' when the interval lies entirely on the good side of 0 for a, 'worse' on the bad side. */
  verdict: PairedVerdict;
}

/** Options of `pairedDifference`. */
export interface PairedDifferenceOptions {
  /** Confidence level of the interval (default 0.95). */
  level?: number;
  /** True (default) for errors such as MAE, where a negative a - b favours a. */
  lowerIsBetter?: boolean;
}

/** Returns the sample mean and standard deviation (divisor n - 1; NaN when n < 2) of finite values. */
export function sampleMeanSd(values: readonly number[]): { n: number; mean: number; sd: number } {
  const n = values.length;
  const mean = n > 0 ? values.reduce((s, v) => s + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, sd };
}

/**
 * Returns the paired difference a - b (a[i] and b[i] from the same seed): mean, sd, n, the
 * Student t-interval and a verdict. With fewer than two pairs the interval is NaN and the
 * verdict 'within noise'. Throws when the lengths differ or a value is not finite.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function pairedDifference(a: readonly number[], b: readonly number[], options: PairedDifferenceOptions = {}): PairedDifference {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new Error(`Expected level to be in (0, 1), but got ${level}`);
  if (a.length !== b.length) throw new Error(`Expected paired arrays of the same length, but got ${a.length} and ${b.length}`);
  const diffs = a.map((x, i) => {
    if (!Number.isFinite(x) || !Number.isFinite(b[i])) throw new Error(`Expected finite values at pair ${i}, but got ${x} and ${b[i]}`);
    return x - b[i];
  });
  const { n, mean, sd } = sampleMeanSd(diffs);
  const half = n > 1 ? (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n) : NaN;
  const ciLow = mean - half;
  const ciHigh = mean + half;
  const lowerIsBetter = options.lowerIsBetter ?? true;
  const good = lowerIsBetter ? ciHigh < 0 : ciLow > 0; // NaN compares false: 'within noise'
  const bad = lowerIsBetter ? ciLow > 0 : ciHigh < 0;
  return { n, meanDiff: mean, sd, ciLow, ciHigh, level, verdict: good ? 'better' : bad ? 'worse' : 'within noise' };
}
