/**
 * Configuration of the imputation baselines (B5): the imputer architecture (one typed object per
 * kind, shared fields first), its training options, their defaults, named presets, and
 * `validateImputerConfig` / `validateImputerTrainOptions`, which fill defaults and name the field
 * at fault.
 * @see notebooks/05-computational-cost.ipynb
 */
import { MODALITIES, MOSI_FEATURE_DIMS, type Modality } from '../data/modalities';
import type { LoopOptions, ScheduleKind } from '../train/config';

/** B5a: MMIN-style cascaded residual autoencoder; B5b: IMDer-style conditional diffusion. */
export type ImputerKind = 'autoencoder' | 'diffusion';

/** The two imputer kinds, autoencoder first. */
export const IMPUTER_KINDS: readonly ImputerKind[] = ['autoencoder', 'diffusion'];

/** Noise schedule of the diffusion imputer: cosine (Nichol & Dhariwal 2021) or linear (Ho et al. 2020). */
export type NoiseScheduleKind = 'cosine' | 'linear';

/** Every hyperparameter of one imputer. */
export interface ImputerConfig {
  kind: ImputerKind;
  /** Feature size D_m per modality (from the data). */
  inputDims: Record<Modality, number>;
  /** Padded length T_m per modality (from the data; sizes the position tables). */
  seqLens: Record<Modality, number>;
  /** Width d of each available modality's clip code (pooled features -> d). */
  d: number;
  /** Width h of the frame decoder (autoencoder) or of the denoiser (diffusion). */
  hidden: number;
  /** Autoencoder: residual autoencoder blocks in the cascade (MMIN uses several). */
  aeBlocks: number;
  /** Autoencoder: bottleneck width of each residual block. */
  bottleneck: number;
  /** Diffusion: steps of the training noise schedule (T of DDPM). */
  diffusionSteps: number;
  /** Diffusion: sampling steps K at inference (strided DDIM over the T training steps). */
  sampleSteps: number;
  /** Diffusion: noise schedule. */
  noiseSchedule: NoiseScheduleKind;
  /** Diffusion: the sampler clips its x0 estimate to [-x0Clip, x0Clip] (features are standardised). */
  x0Clip: number;
}

/** Defaults: small enough to train in minutes on 2 CPU cores (wasm), K = 50 sampling steps. */
const DEFAULT_IMPUTER_CONFIG: Readonly<ImputerConfig> = Object.freeze({
  kind: 'autoencoder' as ImputerKind,
  inputDims: MOSI_FEATURE_DIMS as Record<Modality, number>,
  seqLens: Object.freeze({ text: 50, audio: 50, vision: 50 }) as Record<Modality, number>,
  d: 32,
  hidden: 64,
  aeBlocks: 3,
  bottleneck: 32,
  diffusionSteps: 200,
  sampleSteps: 50,
  noiseSchedule: 'cosine' as NoiseScheduleKind,
  x0Clip: 5,
});

/** Training options of an imputer (`trainImputer`, through the kit's one trainer): the kit's loop options. */
export type ImputerTrainOptions = LoopOptions;

/** Training defaults (the full setting). */
const DEFAULT_IMPUTER_TRAIN_OPTIONS: Readonly<ImputerTrainOptions> = Object.freeze({
  seed: 1,
  batchSize: 32,
  epochs: 20,
  lr: 1e-3,
  clipNorm: 1,
  schedule: 'cosine' as ScheduleKind,
  warmupEpochs: 1,
  patience: 5,
});

/** Names of the imputer presets. */
export type ImputerPresetName = 'quick' | 'default';

/** Named presets: `quick` for tests and notebooks' quick setting (K = 10), `default` (K = 50). */
const IMPUTER_PRESETS: Readonly<Record<ImputerPresetName, { model: Partial<ImputerConfig>; train: Partial<ImputerTrainOptions> }>> = Object.freeze({
  quick: { model: { d: 16, hidden: 32, aeBlocks: 2, bottleneck: 16, diffusionSteps: 100, sampleSteps: 10 }, train: { epochs: 8, patience: 8, warmupEpochs: 0 } },
  default: { model: {}, train: {} },
});

function checkInteger(field: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`Expected ${field} to be an integer >= ${min}, but got ${String(value)}`);
  }
}

/** Returns a complete imputer config: preset, then `partial`, over the defaults. Throws naming the field. */
export function validateImputerConfig(partial: Partial<ImputerConfig> = {}, preset: ImputerPresetName = 'default'): ImputerConfig {
  const p = IMPUTER_PRESETS[preset];
  if (!p) throw new Error(`Expected preset to be quick or default, but got '${String(preset)}'`);
  const c: ImputerConfig = {
    ...DEFAULT_IMPUTER_CONFIG,
    ...p.model,
    ...partial,
    inputDims: { ...DEFAULT_IMPUTER_CONFIG.inputDims, ...(partial.inputDims ?? {}) },
    seqLens: { ...DEFAULT_IMPUTER_CONFIG.seqLens, ...(partial.seqLens ?? {}) },
  };
  if (!IMPUTER_KINDS.includes(c.kind)) throw new Error(`Expected kind to be 'autoencoder' or 'diffusion', but got '${String(c.kind)}'`);
  for (const m of MODALITIES) {
    checkInteger(`inputDims.${m}`, c.inputDims[m], 1);
    checkInteger(`seqLens.${m}`, c.seqLens[m], 1);
  }
  checkInteger('d', c.d, 1);
  checkInteger('hidden', c.hidden, 1);
  checkInteger('aeBlocks', c.aeBlocks, 0);
  checkInteger('bottleneck', c.bottleneck, 1);
  checkInteger('diffusionSteps', c.diffusionSteps, 2);
  checkInteger('sampleSteps', c.sampleSteps, 1);
  if (c.sampleSteps > c.diffusionSteps) {
    throw new Error(`Expected sampleSteps <= diffusionSteps (${c.diffusionSteps}), but got ${c.sampleSteps}`);
  }
  if (c.noiseSchedule !== 'cosine' && c.noiseSchedule !== 'linear') {
    throw new Error(`Expected noiseSchedule to be 'cosine' or 'linear', but got '${String(c.noiseSchedule)}'`);
  }
  if (!(typeof c.x0Clip === 'number' && c.x0Clip > 0)) throw new Error(`Expected x0Clip to be a number > 0, but got ${String(c.x0Clip)}`);
  return c;
}

/** Returns complete training options: preset, then `partial`, over the defaults. Throws naming the field. */
export function validateImputerTrainOptions(partial: Partial<ImputerTrainOptions> = {}, preset: ImputerPresetName = 'default'): ImputerTrainOptions {
  const p = IMPUTER_PRESETS[preset];
  if (!p) throw new Error(`Expected preset to be quick or default, but got '${String(preset)}'`);
  const o: ImputerTrainOptions = { ...DEFAULT_IMPUTER_TRAIN_OPTIONS, ...p.train, ...partial };
  checkInteger('seed', o.seed, 0);
  checkInteger('batchSize', o.batchSize, 2);
  checkInteger('epochs', o.epochs, 0);
  checkInteger('warmupEpochs', o.warmupEpochs, 0);
  checkInteger('patience', o.patience, 1);
  if (!(typeof o.lr === 'number' && o.lr > 0)) throw new Error(`Expected lr to be a positive number, but got ${String(o.lr)}`);
  if (!(typeof o.clipNorm === 'number' && o.clipNorm >= 0)) throw new Error(`Expected clipNorm to be a number >= 0, but got ${String(o.clipNorm)}`);
  if (!['constant', 'cosine', 'step'].includes(o.schedule)) throw new Error(`Expected schedule to be 'constant', 'cosine' or 'step', but got '${String(o.schedule)}'`);
  return o;
}
