/**
 * The embedded default dataset: a seeded synthetic multimodal sentiment set shaped like
 * CMU-MOSI aligned_50 (splits 1284 / 229 / 686, 50 frames, text 768-d, audio 5-d, vision 20-d).
 *
 * Generative process (every constant below is a field of `SyntheticConfig`):
 * 1. Latent sentiment s per clip from a mixture: with probability `neutralFraction` near 0
 *    (N(0, 0.35)), otherwise positive N(+mu, sigma) with probability `positiveFraction` of the
 *    rest, else negative N(-mu, sigma): mildly bimodal, slightly more positives, like MOSI.
 * 2. Label = mean of `annotators` integer ratings, each round(s + N(0, labelNoise)) clipped to
 *    [-3, 3]: multiples of 1/annotators (0.2 for 5), many near 0 but few exactly 0, and noisy
 *    (MOSI averages a few annotators' Likert ratings).
 * 3. Each modality m reads its own version of the sentiment, s_m = s + N(0, cueNoise_m): this is
 *    the modality's reliability (text strong, audio and vision both weak by default). On a
 *    `disagreementRate` fraction of clips one modality, drawn by `disagreementWeights` (text by
 *    default: sarcasm), carries -s_m instead: only a model that sees the other modalities can
 *    tell.
 * 4. Frames: every valid frame (length uniform in [minLength, seqLen], shared by the three
 *    modalities since the set is aligned) is offset_m + style_m[speaker] + N(0, noise^2 I).
 *    The style vector belongs to the speaker and is shared by all that speaker's clips; speakers
 *    are disjoint across splits (MOSI's standard folds are speaker independent), so style is a
 *    nuisance that does not transfer from train to test.
 * 5. Cues sit in a few frames only: round(cueFrameFraction * length) (at least 1) random frames
 *    get cueStrength_m * s_m * u_m (a fixed random unit direction per modality) plus
 *    intensityStrength_m * (|s_m| - 1) * v_m (an arousal-like cue of |s|, no sign). Mean pooling
 *    dilutes them; attention over time can find them.
 * 6. Each feature dimension is finally scaled by exp(N(0, dimScaleSpread)), as raw COVAREP /
 *    Facet features have wildly different scales; padding frames stay exactly zero.
 *
 * Regime knobs (lib/data/synthetic-regimes.ts; all off by default, so the default data is the
 * calibrated data byte for byte): `counts.train` sets the training-set size (valid and test do
 * not change); `addedLabelNoise` adds N(0, sigma^2) to the observed train and valid labels after
 * step 2; `sharedBeyondLabel` makes a fraction of each modality's reading error in step 3 a
 * per-clip factor common to all modalities; `modalities.<m>.distractorDims` appends feature
 * dimensions that carry everything of step 4 but no cue.
 *
 * Why this regime (calibration targets and measurements: docs/synthetic-data.md): like CMU-MOSI,
 * text carries most of the sentiment (a text-only model comes close to the full model), audio and
 * vision alone are weak (binary accuracy about 0.6), and the full model is the best. Distillation
 * has room where a student learns from labels alone with high variance: 768-d text with only
 * 1284 training clips, noisy labels, weak single-modality students. The generator favours no
 * training method: it only sets how much each modality says about s and how noisily.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from './modalities';
import { createRng, type Rng } from './random';
import { modalityReading, observedLabels, sharedFactors, validateRegimeKnobs, withDistractors } from './synthetic-regimes';
import { SPLIT_NAMES, type ModalityFeatures, type MultimodalDataset, type MultimodalSplit, type SplitName } from './types';

/** How one modality carries the sentiment. */
export interface SyntheticModalityConfig {
  /** Feature dimension D_m of the informative features (distractors come on top). */
  dim: number;
  /**
   * Extra feature dimensions that carry no sentiment, appended after the D_m informative ones (so
   * the dataset's dim is D_m + distractorDims): the cue sits in a few of many dimensions and the
   * modality is harder to learn from with the same information. An integer >= 0; default 0.
   */
  distractorDims: number;
  /** Amplitude of the signed sentiment cue along u_m in a cue frame. */
  cueStrength: number;
  /** Std of the modality's own error on s (its unreliability). */
  cueNoise: number;
  /** Amplitude of the unsigned intensity cue (|s_m| - 1) along v_m. */
  intensityStrength: number;
  /** Fraction of valid frames that carry the cue (at least one frame). */
  cueFrameFraction: number;
  /** Std of the per-speaker style vector. */
  styleScale: number;
}

/** Every parameter of the synthetic generator; `syntheticConfig` fills defaults. */
export interface SyntheticConfig {
  /** Preset the config started from. */
  preset: SyntheticPresetName;
  seed: number;
  /**
   * Clips per split. `counts.train` is the training-set size knob: valid and test do not change
   * with it, and a smaller training set is the first clips of a larger one.
   */
  counts: Record<SplitName, number>;
  /** Speakers per split (disjoint across splits). */
  speakers: Record<SplitName, number>;
  /** Frames per clip (all three modalities: the set is aligned). */
  seqLen: number;
  /** Shortest valid length; lengths are uniform in [minLength, seqLen]. */
  minLength: number;
  modalities: Record<Modality, SyntheticModalityConfig>;
  /** Std of the background noise of every valid frame element. */
  noise: number;
  /** Std of the per-modality constant offset vector. */
  offsetScale: number;
  /** Std of log feature scales (0 keeps every dimension at scale 1). */
  dimScaleSpread: number;
  /** Number of annotators whose integer ratings are averaged into a label. */
  annotators: number;
  /** Std of each annotator's error before rounding. */
  labelNoise: number;
  /** Fraction of clips with latent sentiment near 0. */
  neutralFraction: number;
  /** Fraction of the non-neutral clips that are positive. */
  positiveFraction: number;
  /** Mean |s| of the non-neutral mixture components. */
  sentimentMean: number;
  /** Std of the non-neutral mixture components. */
  sentimentStd: number;
  /** Fraction of clips where one modality's cue is flipped. */
  disagreementRate: number;
  /** Relative odds that each modality is the flipped one. */
  disagreementWeights: Record<Modality, number>;
  /**
   * Std of Gaussian noise added to the observed train and valid labels after annotation,
   * independent of the features and not clipped (noisy labels may pass [-3, 3]); test labels stay
   * as annotated. >= 0; default 0.
   */
  addedLabelNoise: number;
  /**
   * Fraction in [0, 1] of the variance of each modality's reading error (what it carries about a
   * clip beyond the label) that is one per-clip factor common to all modalities; default 0: the
   * modalities share nothing beyond the label.
   */
  sharedBeyondLabel: number;
}

/** Names of the built-in presets. */
export type SyntheticPresetName = 'mosi' | 'quick';

/** The names of the presets. */
export const SYNTHETIC_PRESETS: readonly SyntheticPresetName[] = ['mosi', 'quick'];

/** A partial config: top-level fields and per-modality fields may be given one by one. */
export type SyntheticOverrides = Partial<Omit<SyntheticConfig, 'modalities' | 'counts' | 'speakers' | 'disagreementWeights'>> & {
  counts?: Partial<Record<SplitName, number>>;
  speakers?: Partial<Record<SplitName, number>>;
  disagreementWeights?: Partial<Record<Modality, number>>;
  modalities?: Partial<Record<Modality, Partial<SyntheticModalityConfig>>>;
};

const MOSI_MODALITIES: Record<Modality, SyntheticModalityConfig> = {
  text: { dim: 768, distractorDims: 0, cueStrength: 4, cueNoise: 0.55, intensityStrength: 0.4, cueFrameFraction: 0.3, styleScale: 0.3 },
  audio: { dim: 5, distractorDims: 0, cueStrength: 0.5, cueNoise: 2.6, intensityStrength: 0.8, cueFrameFraction: 0.3, styleScale: 0.6 },
  vision: { dim: 20, distractorDims: 0, cueStrength: 0.6, cueNoise: 2.8, intensityStrength: 0.5, cueFrameFraction: 0.25, styleScale: 0.35 },
};

/** The default config: the 'mosi' preset (CMU-MOSI aligned_50 sizes). */
export const DEFAULT_SYNTHETIC_CONFIG: SyntheticConfig = {
  preset: 'mosi',
  seed: 1,
  counts: { train: 1284, valid: 229, test: 686 },
  speakers: { train: 52, valid: 10, test: 31 },
  seqLen: 50,
  minLength: 10,
  modalities: MOSI_MODALITIES,
  noise: 1,
  offsetScale: 0.5,
  dimScaleSpread: 0.5,
  annotators: 5,
  labelNoise: 0.8,
  neutralFraction: 0.12,
  positiveFraction: 0.57,
  sentimentMean: 1.4,
  sentimentStd: 0.8,
  disagreementRate: 0.1,
  disagreementWeights: { text: 1, audio: 0, vision: 0 },
  addedLabelNoise: 0,
  sharedBeyondLabel: 0,
};

/** The 'quick' preset: a small set for tests and MMCKD_QUICK runs, same generative process. */
const QUICK_SYNTHETIC_CONFIG: SyntheticConfig = {
  ...DEFAULT_SYNTHETIC_CONFIG,
  preset: 'quick',
  counts: { train: 192, valid: 64, test: 96 },
  speakers: { train: 16, valid: 6, test: 8 },
  seqLen: 20,
  minLength: 5,
  modalities: { ...MOSI_MODALITIES, text: { ...MOSI_MODALITIES.text, dim: 64 } },
};

/**
 * Returns a complete, validated config: the preset's defaults with the overrides applied.
 * Throws "Expected <field> to be ..., but got ..." on an out-of-range value.
 * @see notebooks/01-data-prep.ipynb
 */
export function syntheticConfig(preset: SyntheticPresetName = 'mosi', overrides: SyntheticOverrides = {}): SyntheticConfig {
  const base = preset === 'quick' ? QUICK_SYNTHETIC_CONFIG : preset === 'mosi' ? DEFAULT_SYNTHETIC_CONFIG : undefined;
  if (!base) throw new Error(`Expected preset to be one of ${SYNTHETIC_PRESETS.join(', ')}, but got '${String(preset)}'`);
  const modalities = {} as Record<Modality, SyntheticModalityConfig>;
  for (const m of MODALITIES) modalities[m] = { ...base.modalities[m], ...(overrides.modalities?.[m] ?? {}) };
  const config: SyntheticConfig = {
    ...base,
    ...overrides,
    preset,
    counts: { ...base.counts, ...(overrides.counts ?? {}) },
    speakers: { ...base.speakers, ...(overrides.speakers ?? {}) },
    modalities,
    disagreementWeights: { ...base.disagreementWeights, ...(overrides.disagreementWeights ?? {}) },
  };
  // fewer clips than the preset's speakers: one speaker per clip at most, unless given
  for (const s of SPLIT_NAMES) {
    if (overrides.speakers?.[s] === undefined) config.speakers[s] = Math.max(1, Math.min(config.speakers[s], config.counts[s]));
  }
  validateSyntheticConfig(config);
  return config;
}

function check(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new Error(`Expected ${field} to be ${expected}, but got ${JSON.stringify(got)}`);
}

/** Throws on the first out-of-range field of a config; returns nothing. */
function validateSyntheticConfig(c: SyntheticConfig): void {
  const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
  check(Number.isFinite(c.seed), 'seed', 'a finite number', c.seed);
  for (const s of SPLIT_NAMES) {
    check(isInt(c.counts[s], 1), `counts.${s}`, 'an integer >= 1', c.counts[s]);
    check(isInt(c.speakers[s], 1) && c.speakers[s] <= c.counts[s], `speakers.${s}`, `an integer in [1, counts.${s}]`, c.speakers[s]);
  }
  check(isInt(c.seqLen, 1), 'seqLen', 'an integer >= 1', c.seqLen);
  check(isInt(c.minLength, 1) && c.minLength <= c.seqLen, 'minLength', 'an integer in [1, seqLen]', c.minLength);
  for (const m of MODALITIES) {
    const mc = c.modalities[m];
    check(isInt(mc.dim, 1), `modalities.${m}.dim`, 'an integer >= 1', mc.dim);
    check(mc.cueFrameFraction > 0 && mc.cueFrameFraction <= 1, `modalities.${m}.cueFrameFraction`, 'in (0, 1]', mc.cueFrameFraction);
    for (const k of ['cueStrength', 'cueNoise', 'intensityStrength', 'styleScale'] as const) {
      check(Number.isFinite(mc[k]) && mc[k] >= 0, `modalities.${m}.${k}`, 'a number >= 0', mc[k]);
    }
  }
  for (const k of ['noise', 'offsetScale', 'dimScaleSpread', 'labelNoise', 'sentimentMean', 'sentimentStd'] as const) {
    check(Number.isFinite(c[k]) && c[k] >= 0, k, 'a number >= 0', c[k]);
  }
  check(isInt(c.annotators, 1), 'annotators', 'an integer >= 1', c.annotators);
  for (const k of ['neutralFraction', 'positiveFraction', 'disagreementRate'] as const) {
    check(c[k] >= 0 && c[k] <= 1, k, 'in [0, 1]', c[k]);
  }
  const w = MODALITIES.map((m) => c.disagreementWeights[m]);
  check(w.every((x) => x >= 0) && w.some((x) => x > 0), 'disagreementWeights', 'non-negative with a positive entry', c.disagreementWeights);
  validateRegimeKnobs(c);
}

/** Ground truth the generator knows and a real dataset would not (for notebooks and tests). */
export interface SyntheticTruth {
  /** Latent sentiment s per clip. */
  latent: Float32Array;
  /** Speaker index per clip (global across splits). */
  speakers: Int32Array;
  /** Index in MODALITIES of the flipped modality, or -1 when the modalities agree. */
  flipped: Int8Array;
  /** The annotated labels before `addedLabelNoise` (equal to the split's labels when it is 0, and on test). */
  cleanLabels: Float32Array;
  /** The per-clip factor z common to all modalities (`sharedBeyondLabel`; zeros when it is 0). */
  shared: Float32Array;
  /** Each modality's reading s_m of the sentiment, as its cue frames carry it (negated on a flipped clip). */
  readings: Record<Modality, Float32Array>;
}

/** A synthetic dataset: the usual splits plus the generator's ground truth per split. */
export interface SyntheticDataset extends MultimodalDataset {
  truth: Record<SplitName, SyntheticTruth>;
  config: SyntheticConfig;
}

interface ModalityConstants {
  offset: Float32Array;
  scale: Float32Array;
  cueDir: Float32Array;
  intensityDir: Float32Array;
}

function unitVector(rng: Rng, dim: number): Float32Array {
  const v = new Float32Array(dim);
  rng.addNormal(v, 0, dim, 1);
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

function modalityConstants(config: SyntheticConfig, m: Modality): ModalityConstants {
  const rng = createRng(config.seed).fork(`constants:${m}`);
  const dim = config.modalities[m].dim;
  const offset = new Float32Array(dim);
  rng.addNormal(offset, 0, dim, config.offsetScale);
  const scale = new Float32Array(dim);
  for (let d = 0; d < dim; d++) scale[d] = Math.exp(config.dimScaleSpread * rng.normal());
  return { offset, scale, cueDir: unitVector(rng, dim), intensityDir: unitVector(rng, dim) };
}

function sampleLatent(rng: Rng, c: SyntheticConfig): number {
  if (rng.next() < c.neutralFraction) return 0.35 * rng.normal();
  const sign = rng.next() < c.positiveFraction ? 1 : -1;
  return sign * c.sentimentMean + c.sentimentStd * rng.normal();
}

function annotatedLabel(rng: Rng, s: number, c: SyntheticConfig): number {
  let sum = 0;
  for (let k = 0; k < c.annotators; k++) {
    sum += Math.min(3, Math.max(-3, Math.round(s + c.labelNoise * rng.normal())));
  }
  return sum / c.annotators;
}

function pickFlipped(rng: Rng, c: SyntheticConfig): number {
  const w = MODALITIES.map((m) => c.disagreementWeights[m]);
  let u = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) {
    if (u < w[i]) return i;
    u -= w[i];
  }
  return w.length - 1;
}

function generateSplit(
  c: SyntheticConfig,
  split: SplitName,
  constants: Record<Modality, ModalityConstants>,
  speakerOffset: number,
): { split: MultimodalSplit; truth: SyntheticTruth } {
  const n = c.counts[split];
  const T = c.seqLen;
  const rng = createRng(c.seed).fork(`split:${split}`);
  const nSpeakers = c.speakers[split];
  // Per-speaker style vectors, one per modality: [S, D_m].
  const styles = {} as Record<Modality, Float32Array>;
  for (const m of MODALITIES) {
    const dim = c.modalities[m].dim;
    styles[m] = new Float32Array(nSpeakers * dim);
    rng.fork(`style:${m}`).addNormal(styles[m], 0, styles[m].length, c.modalities[m].styleScale);
  }
  const latent = new Float32Array(n);
  const labels = new Float32Array(n);
  const speakers = new Int32Array(n);
  const flipped = new Int8Array(n).fill(-1);
  const lengths = new Int32Array(n);
  const ids: string[] = [];
  const perSpeaker = new Int32Array(nSpeakers);
  const clipRng = rng.fork('clips');
  for (let i = 0; i < n; i++) {
    // every speaker gets at least one clip, the rest are random
    const spk = i < nSpeakers ? i : clipRng.int(nSpeakers);
    speakers[i] = speakerOffset + spk;
    ids.push(`syn${String(speakerOffset + spk).padStart(3, '0')}_${perSpeaker[spk]++}`);
    latent[i] = sampleLatent(clipRng, c);
    labels[i] = annotatedLabel(clipRng, latent[i], c);
    lengths[i] = c.minLength + clipRng.int(T - c.minLength + 1);
    if (clipRng.next() < c.disagreementRate) flipped[i] = pickFlipped(clipRng, c);
  }
  const shared = sharedFactors(c, split, n);
  const localSpeakers = speakers.map((x) => x - speakerOffset);
  const features = {} as Record<Modality, ModalityFeatures>;
  const readings = {} as Record<Modality, Float32Array>;
  const positions = new Int32Array(T);
  MODALITIES.forEach((m, mi) => {
    const mc = c.modalities[m];
    const D = mc.dim;
    const k = constants[m];
    const frameRng = rng.fork(`frames:${m}`);
    readings[m] = new Float32Array(n);
    const data = new Float32Array(n * T * D); // [N, T, D] clip, time, features
    for (let i = 0; i < n; i++) {
      const L = lengths[i];
      const base = i * T * D;
      // background noise in valid frames only; padding stays 0
      frameRng.addNormal(data, base, L * D, c.noise);
      const style = styles[m].subarray((speakers[i] - speakerOffset) * D, (speakers[i] - speakerOffset + 1) * D);
      for (let t = 0; t < L; t++) {
        const row = base + t * D;
        for (let d = 0; d < D; d++) data[row + d] += k.offset[d] + style[d];
      }
      // the modality's own reading of s, flipped on a disagreeing clip
      let sm = modalityReading(latent[i], mc.cueNoise, frameRng.normal(), shared[i], c.sharedBeyondLabel);
      if (flipped[i] === mi) sm = -sm;
      readings[m][i] = sm;
      const cueAmp = mc.cueStrength * sm;
      const intensityAmp = mc.intensityStrength * (Math.abs(sm) - 1);
      // sparse cue frames: a partial shuffle of the valid positions
      const nCue = Math.max(1, Math.round(mc.cueFrameFraction * L));
      for (let t = 0; t < L; t++) positions[t] = t;
      for (let j = 0; j < nCue; j++) {
        const r = j + frameRng.int(L - j);
        const tmp = positions[j];
        positions[j] = positions[r];
        positions[r] = tmp;
        const row = base + positions[j] * D;
        for (let d = 0; d < D; d++) data[row + d] += cueAmp * k.cueDir[d] + intensityAmp * k.intensityDir[d];
      }
      for (let t = 0; t < L; t++) {
        const row = base + t * D;
        for (let d = 0; d < D; d++) data[row + d] *= k.scale[d];
      }
    }
    const informative: ModalityFeatures = { data, numClips: n, seqLen: T, dim: D, lengths: lengths.slice() };
    features[m] = withDistractors(c, split, m, informative, localSpeakers, nSpeakers);
  });
  const truth: SyntheticTruth = { latent, speakers, flipped, cleanLabels: labels.slice(), shared, readings };
  return { split: { name: split, ids, labels: observedLabels(c, split, labels), features }, truth };
}

/**
 * Generates the synthetic dataset for a config (see the module comment for the process).
 * Same config and seed give byte-identical arrays.
 * @see notebooks/01-data-prep.ipynb
 */
export function generateSynthetic(config: SyntheticConfig = DEFAULT_SYNTHETIC_CONFIG): SyntheticDataset {
  validateSyntheticConfig(config);
  const constants = {} as Record<Modality, ModalityConstants>;
  for (const m of MODALITIES) constants[m] = modalityConstants(config, m);
  const out = {} as Record<SplitName, MultimodalSplit>;
  const truth = {} as Record<SplitName, SyntheticTruth>;
  let speakerOffset = 0;
  for (const s of SPLIT_NAMES) {
    const g = generateSplit(config, s, constants, speakerOffset);
    speakerOffset += config.speakers[s];
    out[s] = g.split;
    truth[s] = g.truth;
  }
  const dims = {} as Record<Modality, number>;
  const seqLens = {} as Record<Modality, number>;
  for (const m of MODALITIES) {
    dims[m] = config.modalities[m].dim + config.modalities[m].distractorDims;
    seqLens[m] = config.seqLen;
  }
  return {
    meta: {
      name: `synthetic-${config.preset}`,
      source: 'synthetic',
      aligned: true,
      dims,
      seqLens,
      details: { preset: config.preset, seed: config.seed, config },
    },
    train: out.train,
    valid: out.valid,
    test: out.test,
    truth,
    config,
  };
}
