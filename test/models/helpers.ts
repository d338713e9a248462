/** Test helpers: a tiny model config and seeded random batches (no dependence on lib/data/random). */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../../lib/data/modalities';
import type { ModelConfig, ModelInput } from '../../lib/models';
import type { Batch } from '../../lib/data/types';
import { mulberry32 } from '../../lib/models';

/** A tiny config: dims 7/3/4, lengths 6/5/4, d=8, 2 heads. */
export const TINY: Partial<ModelConfig> = {
  inputDims: { text: 7, audio: 3, vision: 4 },
  seqLens: { text: 6, audio: 5, vision: 4 },
  d: 8,
  heads: 2,
  layers: 1,
  ffnMult: 2,
  projectionDim: 4,
  fusionLayers: 1,
  dropout: 0.1,
};

/** Returns seeded random inputs with valid lengths `lengths[m][b]` (padding zero-filled). */
export function randomInput(
  batch: number,
  config: Partial<ModelConfig>,
  lengths: Partial<Record<Modality, number[]>>,
  seed: number,
): ModelInput & { labels: tf.Tensor1D } {
  const rand = mulberry32(seed);
  const inputs: Partial<Record<Modality, tf.Tensor3D>> = {};
  const masks: Partial<Record<Modality, tf.Tensor2D>> = {};
  for (const m of MODALITIES) {
    const t = config.seqLens![m];
    const dim = config.inputDims![m];
    const x = new Float32Array(batch * t * dim);
    const mask = new Float32Array(batch * t);
    for (let b = 0; b < batch; b++) {
      const len = lengths[m]?.[b] ?? t;
      for (let s = 0; s < len; s++) {
        mask[b * t + s] = 1;
        for (let k = 0; k < dim; k++) x[(b * t + s) * dim + k] = 2 * rand() - 1;
      }
    }
    inputs[m] = tf.tensor3d(x, [batch, t, dim]);
    masks[m] = tf.tensor2d(mask, [batch, t]);
  }
  const labels = tf.tensor1d(Array.from({ length: batch }, () => 6 * rand() - 3));
  return { inputs, masks, labels };
}

/** Disposes the tensors of `randomInput`. */
export function disposeInput(x: ModelInput & { labels?: tf.Tensor }): void {
  tf.dispose([...Object.values(x.inputs), ...Object.values(x.masks)] as tf.Tensor[]);
  x.labels?.dispose();
}

/** Clips and frames of `maskedStepBatch`, and its input dims. */
export const STEP_BATCH = { clips: 8, frames: 6, dims: { text: 12, audio: 5, vision: 7 } } as const;

/**
 * A batch for whole-step comparisons: `inputs` per modality [8, 6, dim], text frames padded at
 * varying lengths, clip 1 without any audio frame, vision complete, labels on -3..3.
 */
export function maskedStepBatch(inputs: Record<Modality, tf.Tensor3D>): Batch {
  const { clips: B, frames: T } = STEP_BATCH;
  const maskValues = Array.from({ length: B * T }, (_, i) => ((i % T) < 2 + (Math.floor(i / T) % 4) ? 1 : 0));
  const missing = maskValues.slice();
  missing.fill(0, T, 2 * T); // clip 1 has no audio
  return {
    inputs,
    masks: { text: tf.tensor2d(maskValues, [B, T]), audio: tf.tensor2d(missing, [B, T]), vision: tf.ones([B, T]) as tf.Tensor2D },
    labels: tf.tensor1d(Float32Array.from({ length: B }, (_, i) => ((i * 5) % 7) - 3)),
    labelValues: Float32Array.from({ length: B }, (_, i) => ((i * 5) % 7) - 3),
    indices: new Int32Array(B),
  };
}
