/**
 * What both imputers share: the availability code of a clip, the six random missing patterns of
 * training, the condition encoder over the available modalities, the mask a missing modality's
 * imputed frames get, and the masked MSE of the reconstruction loss.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, SUBSET_NAMES, subsetModalities, type Modality } from '../data/modalities';
import { createRng } from '../data/random';
import { createLinear, type Linear } from '../models/linear';
import { maskedMeanPool } from '../models/encoder';
import type { ModelInput } from '../models/model';
import type { ParameterStore } from '../models/parameter-store';
import type { ImputerConfig } from './config';

/** The six missing patterns as available-modality lists ({t,a}, {t,v}, {a,v}, {t}, {a}, {v}). */
const MISSING_PATTERNS: readonly (readonly Modality[])[] = SUBSET_NAMES.filter((s) => s !== 'tav').map((s) => subsetModalities(s));

/** Returns availability [B, 3] (MODALITIES order, 1 = available) of one pattern for every clip. */
export function availabilityTensor(available: readonly Modality[], batchSize: number): tf.Tensor2D {
  const row = MODALITIES.map((m) => (available.includes(m) ? 1 : 0));
  return tf.tidy(() => tf.tile(tf.tensor2d([row], [1, 3]), [batchSize, 1]) as tf.Tensor2D);
}

/** Returns a seeded [B, 3] availability with one of the six missing patterns per clip, drawn uniformly. */
export function randomPatternAvailability(batchSize: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(batchSize * 3);
  for (let b = 0; b < batchSize; b++) {
    const pattern = MISSING_PATTERNS[rng.int(MISSING_PATTERNS.length)];
    MODALITIES.forEach((m, mi) => (out[b * 3 + mi] = pattern.includes(m) ? 1 : 0));
  }
  return out;
}

/**
 * Encodes the available modalities of a clip: per modality c_m = ReLU(pool(x_m) W_m + b_m) [B, d],
 * multiplied by its availability, then [c_t, c_a, c_v, availability] [B, 3d + 3]. A missing
 * modality's features are never read (its code is zeros), which is what makes this an imputer
 * of missing inputs rather than an autoencoder of complete ones.
 */
export interface ConditionEncoder {
  /** Width of the code: 3d + 3. */
  readonly width: number;
  /** Returns the code [B, 3d + 3]; `read` lists the modalities whose features are computed (default all, masked by availability). */
  apply(batch: ModelInput, availability: tf.Tensor2D, read?: readonly Modality[]): tf.Tensor2D;
}

/** Creates the condition encoder's parameters `${prefix}.<modality>.{w,b}` in `store`. */
export function createConditionEncoder(store: ParameterStore, prefix: string, config: ImputerConfig): ConditionEncoder {
  const layers = {} as Record<Modality, Linear>;
  for (const m of MODALITIES) layers[m] = createLinear(store, `${prefix}.${m}`, config.inputDims[m], config.d, { inputGrad: false });
  return {
    width: 3 * config.d + 3,
    apply(batch, availability, read = MODALITIES) {
      return tf.tidy(() => {
        const B = availability.shape[0];
        const parts = MODALITIES.map((m, mi) => {
          const x = batch.inputs[m];
          const mask = batch.masks[m];
          if (!read.includes(m) || !x || !mask) return tf.zeros([B, config.d]);
          const code = layers[m].apply(maskedMeanPool(x, mask), 'relu'); // [B, d]
          return tf.mul(code, tf.slice(availability, [0, mi], [B, 1])); // missing -> 0
        });
        return tf.concat([...parts, availability], 1) as tf.Tensor2D; // [B, 3d + 3]
      });
    },
  };
}

/**
 * Returns the frame mask of a missing modality's imputed frames [B, T_m]: its own mask where the
 * batch still holds one (P1 keeps the valid lengths), else the union of the available modalities'
 * masks of the same length (aligned data), else all frames.
 */
export function imputedFrameMask(batch: ModelInput, m: Modality, available: readonly Modality[], seqLen: number): tf.Tensor2D {
  return tf.tidy(() => {
    const own = batch.masks[m];
    const B = (own ?? batch.masks[available[0]])!.shape[0];
    const sameLength = available.map((a) => batch.masks[a]).filter((k): k is tf.Tensor2D => !!k && k.shape[1] === seqLen);
    const fallback = sameLength.length > 0 ? sameLength.reduce((u, k) => tf.maximum(u, k)) : tf.ones([B, seqLen]);
    if (!own) return fallback as tf.Tensor2D;
    const has = tf.greater(tf.sum(own, 1, true), 0); // [B, 1]
    return tf.where(tf.tile(has, [1, seqLen]), own, fallback) as tf.Tensor2D;
  });
}

/**
 * Masked MSE of one modality: sum of w[b, t] (pred - target)^2 over frames and features, divided
 * by (sum of w) * D, where w = (1 - available[b, m]) * mask[b, t] selects the missing modality's
 * valid frames. Returns a scalar (0 when nothing is missing).
 */
export function maskedFrameMse(pred: tf.Tensor3D, target: tf.Tensor3D, weight: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const D = pred.shape[2];
    const se = tf.sum(tf.square(tf.sub(pred, target)), 2); // [B, T]
    return tf.div(tf.sum(tf.mul(se, weight)), tf.mul(tf.maximum(tf.sum(weight), 1), D)) as tf.Scalar;
  });
}

/** Returns w [B, T] = (1 - availability[:, m]) * mask: the valid frames of clips where `m` is missing. */
export function missingFrameWeight(availability: tf.Tensor2D, mask: tf.Tensor2D, m: Modality): tf.Tensor2D {
  return tf.tidy(() => {
    const mi = MODALITIES.indexOf(m);
    const missing = tf.sub(1, tf.slice(availability, [0, mi], [availability.shape[0], 1])); // [B, 1]
    return tf.mul(mask, missing) as tf.Tensor2D;
  });
}
