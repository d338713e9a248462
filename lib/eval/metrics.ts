/**
 * The MSA metrics exactly as MMSA defines them for CMU-MOSI and CMU-MOSEI
 * (MMSA `src/MMSA/utils/metricsTop.py`, `MetricsTop.__eval_mosei_regression`, which
 * `__eval_mosi_regression` calls), key names included:
 *
 * - Has0_acc_2, Has0_F1_score: pred >= 0 vs truth >= 0 over all clips; F1 is sklearn's
 *   f1_score(..., average='weighted') (per-class F1 weighted by each class's support in y_true).
 * - Non0_acc_2, Non0_F1_score: clips with truth == 0 dropped, then pred > 0 vs truth > 0.
 * - Mult_acc_5, Mult_acc_7: np.clip to [-2, 2] / [-3, 3] of both, np.round (halves to even), equal.
 * - MAE: mean |pred - truth|. Corr: Pearson correlation as np.corrcoef.
 * - Each value rounded with Python's round(x, 4) (correctly rounded, halves to even).
 *
 * F1 argument order: current MMSA calls f1_score(binary_truth, binary_preds) (truth as y_true).
 * Before May 2021 it called f1_score(binary_preds, binary_truth), inherited from MulT's
 * eval_metrics.py; MMSA issue #17 fixed it and re-ran its tables. `f1Order: 'pred-first'`
 * reproduces the old numbers (some papers still report them). Accuracy is symmetric.
 *
 * Cases MMSA leaves undefined, and what we do:
 * - Corr with constant predictions or truth (zero variance), or fewer than 2 clips: numpy gives
 *   nan (with a warning); we return NaN (JSON output writes null).
 * - Non0 with every truth == 0: MMSA raises an IndexError (it indexes with an empty float array);
 *   we return NaN for Non0_acc_2 and Non0_F1_score.
 * - Empty input, different lengths, or a non-finite value: an error naming the index.
 * Arithmetic is float64 (MMSA feeds float32 torch tensors to numpy, so its MAE and Corr can
 * differ from ours in about the 7th digit).
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { roundHalfEven } from '../losses/label-classes';
import { MSA_METRIC_KEYS, type MsaMetricKey } from '../vocabulary';


/** A value per MMSA key (NaN where undefined, see the module doc). */
export type MsaMetricValues = Record<MsaMetricKey, number>;

/** Options of `msaMetrics`. */
export interface MsaMetricsOptions {
  /** Which argument sklearn's f1_score gets as y_true: 'truth-first' (MMSA now, default) or 'pred-first' (MMSA before 2021-05, MulT). */
  f1Order?: 'truth-first' | 'pred-first';
}

/** Result of `msaMetrics`: MMSA's rounded dict (the numbers to report) and the unrounded values. */
export interface MsaMetricsResult {
  /** Each value rounded like MMSA's round(x, 4). */
  rounded: MsaMetricValues;
  /** The same values before rounding (float64). */
  raw: MsaMetricValues;
  /** Clips scored, and clips with truth != 0 (the Non0 set). */
  counts: { n: number; nonZero: number };
}

/** Returns Python's round(x, digits) for a float: correctly rounded, exact halves to even. */
export function pythonRound(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const [intPart, decimals] = Math.abs(x).toFixed(30).split('.');
  const kept = BigInt(intPart + decimals.slice(0, digits)); // |x| * 10^digits, truncated
  const rest = decimals.slice(digits);
  const half = '5'.padEnd(rest.length, '0');
  const up = rest > half || (rest === half && kept % 2n === 1n);
  const n = up ? kept + 1n : kept;
  const value = Number(n) / 10 ** digits; // correctly rounded division: the double Python returns
  return x < 0 || Object.is(x, -0) ? -value : value;
}

/**
 * Returns sklearn's f1_score(yTrue, yPred, average='weighted') for boolean labels: per-class F1
 * (0 when a class is never predicted or never true) weighted by each class's count in yTrue,
 * over the classes present in either.
 */
export function weightedF1(yTrue: ArrayLike<boolean>, yPred: ArrayLike<boolean>): number {
  let tp1 = 0, fp1 = 0, fn1 = 0, tp0 = 0, fp0 = 0, fn0 = 0, support1 = 0, support0 = 0;
  let seen1 = false, seen0 = false;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i], p = yPred[i];
    if (t || p) seen1 = true;
    if (!t || !p) seen0 = true;
    if (t) support1++;
    else support0++;
    if (t && p) tp1++;
    else if (!t && p) (fp1++, fn0++);
    else if (t && !p) (fn1++, fp0++);
    else tp0++;
  }
  const f = (tp: number, fp: number, fn: number) => (2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  let num = 0, den = 0;
  if (seen0) (num += f(tp0, fp0, fn0) * support0, den += support0);
  if (seen1) (num += f(tp1, fp1, fn1) * support1, den += support1);
  return den === 0 ? 0 : num / den;
}

function accuracy(a: ArrayLike<boolean>, b: ArrayLike<boolean>): number {
  let hit = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hit++;
  return hit / a.length;
}

function multiclassAccuracy(pred: ArrayLike<number>, truth: ArrayLike<number>, bound: number): number {
  let hit = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = roundHalfEven(Math.min(bound, Math.max(-bound, pred[i])));
    const t = roundHalfEven(Math.min(bound, Math.max(-bound, truth[i])));
    if (p === t) hit++;
  }
  return hit / pred.length;
}

/** Returns np.corrcoef(x, y)[0][1]: NaN for fewer than 2 values or zero variance. */
function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) (mx += x[i], my += y[i]);
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // numpy: covariance / (N - 1), then divided by each standard deviation in turn, then clipped.
  const c = sxy / (n - 1) / Math.sqrt(sxx / (n - 1)) / Math.sqrt(syy / (n - 1));
  return Number.isNaN(c) ? NaN : Math.min(1, Math.max(-1, c));
}

function checkInputs(pred: ArrayLike<number>, truth: ArrayLike<number>): void {
  if (pred.length !== truth.length) {
    throw new Error(`Expected predictions and truth of the same length, but got ${pred.length} and ${truth.length}`);
  }
  if (pred.length === 0) throw new Error('Expected at least one prediction, but got none');
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(pred[i])) throw new Error(`Expected finite predictions, but prediction ${i} is ${pred[i]}`);
    if (!Number.isFinite(truth[i])) throw new Error(`Expected finite truth, but truth ${i} is ${truth[i]}`);
  }
}

/**
 * Returns MMSA's MOSI/MOSEI regression metrics of predictions vs truth: `rounded` (MMSA's dict,
 * 4 decimals) and `raw` (unrounded). See the module doc for definitions and edge cases.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function msaMetrics(pred: ArrayLike<number>, truth: ArrayLike<number>, options: MsaMetricsOptions = {}): MsaMetricsResult {
  checkInputs(pred, truth);
  const n = pred.length;
  const f1 = (t: boolean[], p: boolean[]) => (options.f1Order === 'pred-first' ? weightedF1(p, t) : weightedF1(t, p));
  let absSum = 0;
  for (let i = 0; i < n; i++) absSum += Math.abs(pred[i] - truth[i]);

  const nonZero: number[] = [];
  for (let i = 0; i < n; i++) if (truth[i] !== 0) nonZero.push(i);
  const nzTruth = nonZero.map((i) => truth[i] > 0);
  const nzPred = nonZero.map((i) => pred[i] > 0);
  const hasTruth = Array.from({ length: n }, (_, i) => truth[i] >= 0);
  const hasPred = Array.from({ length: n }, (_, i) => pred[i] >= 0);

  const raw: MsaMetricValues = {
    Has0_acc_2: accuracy(hasPred, hasTruth),
    Has0_F1_score: f1(hasTruth, hasPred),
    Non0_acc_2: nonZero.length === 0 ? NaN : accuracy(nzPred, nzTruth),
    Non0_F1_score: nonZero.length === 0 ? NaN : f1(nzTruth, nzPred),
    Mult_acc_5: multiclassAccuracy(pred, truth, 2),
    Mult_acc_7: multiclassAccuracy(pred, truth, 3),
    MAE: absSum / n,
    Corr: pearsonCorrelation(pred, truth),
  };
  const rounded = {} as MsaMetricValues;
  for (const k of MSA_METRIC_KEYS) rounded[k] = pythonRound(raw[k], 4);
  return { rounded, raw, counts: { n, nonZero: nonZero.length } };
}
