/**
 * The kit's vocabulary, one place for each name a user meets in commands, files, tables and JSON:
 * the methods, the evaluation protocols, the metrics the reports show and the training presets.
 * Every layer imports these from here; docs/method.md defines them.
 */

/**
 * What to train.
 * - `mmckd`: teacher (stage 1 init) + six students jointly, sum of L1 + lambda * MVSC.
 * - `b1`: the stage-1 teacher alone; missing modalities are zero-filled at inference.
 * - `b2`: seven independent models (L1 only; lambda = 0, no interaction).
 * - `b3`: offline KD: students learn from the frozen stage-1 teacher (feature + output MSE).
 * - `b4`: unsupervised multi-view contrastive online KD (positives: the same clip only).
 */
export type MethodName = 'mmckd' | 'b1' | 'b2' | 'b3' | 'b4';

/** The methods, MM-CKD first: the CLI's choices and the rows of the main tables. */
export const METHOD_NAMES: readonly MethodName[] = ['mmckd', 'b1', 'b2', 'b3', 'b4'];

/** Returns true when the string names a method. */
export function isMethodName(s: unknown): s is MethodName {
  return (METHOD_NAMES as readonly unknown[]).includes(s);
}

/**
 * The evaluation protocols, one name each in code, files, tables and JSON (docs/method.md):
 * P1 modality subsets, P2 frame-level missing rates, P3 IMDer's per-batch modality-missing rate,
 * P3c the per-clip variant.
 */
export type ProtocolName = 'P1' | 'P2' | 'P3' | 'P3c';

/** Every protocol, in report order: the default of evaluations, grids and the CLI. */
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['P1', 'P2', 'P3', 'P3c'];

/** Reads a protocol name as a user types it: P1, P2, P3, P3c (any case); anything else is refused naming the accepted values. */
export function parseProtocolName(text: string, what = 'protocol'): ProtocolName {
  const exact = PROTOCOL_NAMES.find((p) => p.toLowerCase() === text.trim().toLowerCase());
  if (exact) return exact;
  throw new Error(`Expected ${what} to be ${PROTOCOL_NAMES.join(', ')}, but got '${text}'`);
}

/** MMSA's eight metric keys for MOSI / MOSEI regression, in MMSA's order. */
export const MSA_METRIC_KEYS = ['Has0_acc_2', 'Has0_F1_score', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_5', 'Mult_acc_7', 'MAE', 'Corr'] as const;

/** One of MMSA's metric keys. */
export type MsaMetricKey = (typeof MSA_METRIC_KEYS)[number];

/** The six metrics the kit's tables, figures and commands report, in their column order. */
export const REPORTED_METRICS = ['MAE', 'Corr', 'Has0_acc_2', 'Non0_acc_2', 'Non0_F1_score', 'Mult_acc_7'] as const satisfies readonly MsaMetricKey[];

/** One of the reported metrics. */
export type ReportedMetric = (typeof REPORTED_METRICS)[number];

/**
 * The training presets: `quick` for tests and the notebooks' quick setting, `mosi` (the
 * defaults), `mosei` (larger batches for MOSEI's 16k clips).
 */
export const TRAIN_PRESET_NAMES = ['quick', 'mosi', 'mosei'] as const;

/** Names of the presets. */
export type TrainPresetName = (typeof TRAIN_PRESET_NAMES)[number];

/** Returns true when the string names a training preset. */
export function isTrainPreset(s: string): s is TrainPresetName {
  return (TRAIN_PRESET_NAMES as readonly string[]).includes(s);
}
