/**
 * The imputer interface both B5 imputers implement, and `buildImputer`, which builds either from
 * its config. An imputer reads the available modalities of a clip and returns frames for the
 * missing ones, which the frozen stage-1 teacher then consumes (lib/imputers/predictor.ts).
 * @see notebooks/05-computational-cost.ipynb
 */
import type * as tf from '@tensorflow/tfjs';
import type { Modality } from '../data/modalities';
import type { ModelInput } from '../models/model';
import { createAutoencoderImputer } from './autoencoder';
import { validateImputerConfig, type ImputerConfig, type ImputerKind } from './config';
import { createDiffusionImputer } from './diffusion';

/** Options of `Imputer.impute`. */
export interface ImputeOptions {
  /** Diffusion: seed of the sampler's initial noise (default 0: deterministic). */
  seed?: number;
  /** Diffusion: sampling steps K (default config.sampleSteps). */
  sampleSteps?: number;
}

/** An imputer with explicitly owned variables (a ParameterStore), like the MM-CKD models. */
export interface Imputer {
  readonly kind: ImputerKind;
  /** The validated config (its checkpoint topology). */
  readonly config: ImputerConfig;
  /** Seed of its initial weights. */
  readonly seed: number;
  /**
   * Returns imputed frames [B, T_m, D_m] for every modality outside `available` (zeros at frames
   * outside the imputed mask), reading only the available modalities. The caller owns the tensors.
   */
  impute(batch: ModelInput, available: readonly Modality[], options?: ImputeOptions): Partial<Record<Modality, tf.Tensor3D>>;
  /**
   * Training loss of complete clips under per-clip availability [B, 3] (1 = available): the masked
   * MSE of the missing modalities' valid frames (autoencoder: reconstruction; diffusion: noise
   * prediction). `seed` seeds the diffusion step's noise.
   */
  loss(batch: ModelInput, availability: tf.Tensor2D, seed: number): tf.Scalar;
  /** Returns every trainable variable. */
  variables(): tf.Variable[];
  /** Returns a copy of every weight by parameter name; the caller disposes the copies. */
  getWeights(): Record<string, tf.Tensor>;
  /** Assigns weights by parameter name (all names, exact shapes). */
  setWeights(weights: Record<string, tf.Tensor>): void;
  /** Returns the number of scalar parameters. */
  parameterCount(): number;
  /** Disposes every variable. */
  dispose(): void;
}

/**
 * Builds the imputer `config.kind` describes with weights from `seed`; the config is validated.
 * @see notebooks/05-computational-cost.ipynb
 */
export function buildImputer(config: Partial<ImputerConfig>, seed = 0): Imputer {
  const c = validateImputerConfig(config);
  return c.kind === 'autoencoder' ? createAutoencoderImputer(c, seed) : createDiffusionImputer(c, seed);
}
