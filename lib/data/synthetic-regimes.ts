/**
 * The regime knobs of the synthetic generator: what decides whether a teacher can help a student
 * (docs/synthetic-data.md, "Regime knobs", gives each knob's model, source, default and range).
 * - `counts.train` (a field of long standing): how many clips a learner sees;
 * - `addedLabelNoise`: noise on the observed train and valid labels, independent of the features;
 * - `sharedBeyondLabel`: how much of each modality's reading of a clip beyond its label is a
 *   factor common to all modalities (the modality focusing hypothesis, Xue et al., ICLR 2023);
 * - `modalities.<m>.distractorDims`: feature dimensions that carry no sentiment, so that the cue
 *   sits in a few of many dimensions and a student's own features are harder to learn from.
 *
 * Every knob draws from its own fork of the config's seed (lib/data/random.ts), and only when it
 * is away from its default, so the default consumes no extra random number and generates the
 * calibrated data byte for byte. Draws are per clip in clip order, so a training set of 300 clips
 * is the first 300 clips of a larger one, and two noise levels (or sharing levels) of one seed
 * scale the same standard normal draws: regimes are paired.
 * @see notebooks/01-data-prep.ipynb
 */
import type { Modality } from './modalities';
import { createRng } from './random';
import type { ModalityFeatures, SplitName } from './types';

/** The largest feature dimension (informative plus distractor) the kit's dataset check accepts. */
const MAX_FEATURES_PER_FRAME = 100_000;

/** The splits whose observed labels `addedLabelNoise` perturbs (test labels stay as annotated). */
export const NOISY_LABEL_SPLITS: readonly SplitName[] = ['train', 'valid'];

/** The fields of a synthetic config that the regime knobs read. */
export interface RegimeKnobFields {
  seed: number;
  addedLabelNoise: number;
  sharedBeyondLabel: number;
  noise: number;
  offsetScale: number;
  dimScaleSpread: number;
  modalities: Record<Modality, { dim: number; distractorDims: number; styleScale: number }>;
}

function check(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new Error(`Expected ${field} to be ${expected}, but got ${JSON.stringify(got)}`);
}

/** Throws "Expected <field> to be ..., but got ..." on the first out-of-range regime knob; returns nothing. */
export function validateRegimeKnobs(c: RegimeKnobFields): void {
  check(typeof c.addedLabelNoise === 'number' && Number.isFinite(c.addedLabelNoise) && c.addedLabelNoise >= 0, 'addedLabelNoise', 'a number >= 0', c.addedLabelNoise);
  check(typeof c.sharedBeyondLabel === 'number' && c.sharedBeyondLabel >= 0 && c.sharedBeyondLabel <= 1, 'sharedBeyondLabel', 'in [0, 1]', c.sharedBeyondLabel);
  for (const [m, mc] of Object.entries(c.modalities)) {
    const k = mc.distractorDims;
    check(Number.isInteger(k) && k >= 0 && mc.dim + k <= MAX_FEATURES_PER_FRAME, `modalities.${m}.distractorDims`, `an integer in [0, ${MAX_FEATURES_PER_FRAME} - dim]`, k);
  }
}

/** Returns the split's generator stream for one knob: a fork that no other draw uses. */
function knobRng(c: RegimeKnobFields, split: SplitName, knob: string) {
  return createRng(c.seed).fork(`split:${split}`).fork(`regime:${knob}`);
}

/**
 * Returns the per-clip common factor z ~ N(0, 1) of a split (independent of the sentiment), or
 * zeros without a single draw when `sharedBeyondLabel` is 0.
 */
export function sharedFactors(c: RegimeKnobFields, split: SplitName, n: number): Float32Array {
  const z = new Float32Array(n);
  if (c.sharedBeyondLabel > 0) knobRng(c, split, 'shared').addNormal(z, 0, n, 1);
  return z;
}

/**
 * Returns a modality's reading of the sentiment s: s + cueNoise * e with unit-variance error
 * e = sqrt(1 - rho) * own + sqrt(rho) * z, where rho = `sharedBeyondLabel`. At rho = 0 it is the
 * calibrated s + cueNoise * own, computed the same way.
 */
export function modalityReading(s: number, cueNoise: number, own: number, z: number, sharedBeyondLabel: number): number {
  if (sharedBeyondLabel === 0) return s + cueNoise * own;
  return s + cueNoise * (Math.sqrt(1 - sharedBeyondLabel) * own + Math.sqrt(sharedBeyondLabel) * z);
}

/**
 * Returns the observed labels of a split: the annotated labels plus N(0, addedLabelNoise^2) on
 * train and valid; the annotated labels themselves (the same array) on test or when
 * `addedLabelNoise` is 0. Not clipped: a clip to [-3, 3] would pull the noise toward the centre
 * near the ends, making it depend on the sentiment, so observed labels may pass the ends.
 */
export function observedLabels(c: RegimeKnobFields, split: SplitName, annotated: Float32Array): Float32Array {
  if (c.addedLabelNoise === 0 || !NOISY_LABEL_SPLITS.includes(split)) return annotated;
  const noise = new Float32Array(annotated.length);
  knobRng(c, split, 'label-noise').addNormal(noise, 0, noise.length, c.addedLabelNoise);
  return noise.map((e, i) => annotated[i] + e);
}

/** One modality's distractor constants: offsets and feature scales of its extra dimensions. */
function distractorConstants(c: RegimeKnobFields, m: Modality, k: number): { offset: Float32Array; scale: Float32Array } {
  const rng = createRng(c.seed).fork(`constants:${m}`).fork('regime:distractors');
  const offset = new Float32Array(k);
  rng.addNormal(offset, 0, k, c.offsetScale);
  const scale = new Float32Array(k);
  for (let d = 0; d < k; d++) scale[d] = Math.exp(c.dimScaleSpread * rng.normal());
  return { offset, scale };
}

/**
 * Returns the modality's features with `distractorDims` dimensions appended to every frame
 * ([N, T, D] -> [N, T, D + k]); the features themselves when k is 0. A distractor dimension is
 * built like an informative one without its cue: offset + speaker style + N(0, noise^2) in valid
 * frames, times its scale; padding frames stay zero. `speakers` holds each clip's speaker index
 * within the split, `numSpeakers` their number.
 */
export function withDistractors(
  c: RegimeKnobFields,
  split: SplitName,
  m: Modality,
  f: ModalityFeatures,
  speakers: Int32Array,
  numSpeakers: number,
): ModalityFeatures {
  const k = c.modalities[m].distractorDims;
  if (k === 0) return f;
  const { numClips: n, seqLen: T, dim: D } = f;
  const W = D + k;
  const constants = distractorConstants(c, m, k);
  const rng = knobRng(c, split, `distractors:${m}`);
  // per-speaker style of the extra dimensions: [S, k]
  const styles = new Float32Array(numSpeakers * k);
  rng.fork('style').addNormal(styles, 0, styles.length, c.modalities[m].styleScale);
  const frameRng = rng.fork('frames');
  const data = new Float32Array(n * T * W); // [N, T, D + k] clip, time, features
  for (let i = 0; i < n; i++) {
    const style = styles.subarray(speakers[i] * k, (speakers[i] + 1) * k);
    for (let t = 0; t < f.lengths[i]; t++) {
      const src = (i * T + t) * D;
      const row = (i * T + t) * W;
      data.set(f.data.subarray(src, src + D), row);
      frameRng.addNormal(data, row + D, k, c.noise);
      for (let d = 0; d < k; d++) data[row + D + d] = (data[row + D + d] + constants.offset[d] + style[d]) * constants.scale[d];
    }
  }
  return { ...f, data, dim: W };
}
