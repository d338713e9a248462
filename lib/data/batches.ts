/**
 * Seeded mini-batches as tensors. Each batch gathers its clips' rows into one preallocated
 * Float32Array per modality, then makes one tf.tensor3d per modality ([B, T_m, D_m]) and one
 * [B, T_m] mask (1 valid, 0 padding or missing). The caller owns every batch and disposes it
 * with `disposeBatch` (a batch not disposed leaks 7 tensors).
 * @see notebooks/01-data-prep.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from './modalities';
import { createRng } from './random';
import type { Batch, MultimodalSplit } from './types';

/** Options of `batches`. */
export interface BatchOptions {
  /** Clips per batch (default 32). */
  batchSize?: number;
  /** Shuffle with this seed; undefined keeps the split's order. */
  seed?: number;
  /** Drop the last partial batch (default false: it is kept). */
  dropLast?: boolean;
  /**
   * Per-clip modality availability [N, 3] in MODALITIES order (e.g. from P3): a clip's
   * unavailable modality gets zero features and an all-zero mask.
   */
  available?: Uint8Array;
  /** Frame masks [N, T_m] per modality (e.g. from P2) used instead of the valid-length masks. */
  masks?: Partial<Record<Modality, Uint8Array>>;
  /** Restrict to these rows of the split (in this order before shuffling). */
  indices?: ArrayLike<number>;
}

/** Returns the number of batches an epoch yields. */
export function batchCount(numClips: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(numClips / batchSize) : Math.ceil(numClips / batchSize);
}

/** Returns the row order of one epoch (shuffled when a seed is given). */
function epochOrder(numClips: number, seed?: number, indices?: ArrayLike<number>): Int32Array {
  const order = indices ? Int32Array.from(indices) : Int32Array.from({ length: numClips }, (_, i) => i);
  if (seed !== undefined) createRng(seed).shuffle(order);
  return order;
}

/** Makes one Batch from the given rows of a split. */
export function makeBatch(split: MultimodalSplit, rows: Int32Array, options: Pick<BatchOptions, 'available' | 'masks'> = {}): Batch {
  const B = rows.length;
  const inputs = {} as Record<Modality, tf.Tensor3D>;
  const masks = {} as Record<Modality, tf.Tensor2D>;
  MODALITIES.forEach((m, mi) => {
    const f = split.features[m];
    const { seqLen: T, dim: D } = f;
    const clipSize = T * D;
    const x = new Float32Array(B * clipSize); // [B, T, D]
    const mk = new Float32Array(B * T); // [B, T]
    const frameMask = options.masks?.[m];
    for (let b = 0; b < B; b++) {
      const i = rows[b];
      if (options.available && !options.available[i * MODALITIES.length + mi]) continue; // stays zero
      x.set(f.data.subarray(i * clipSize, (i + 1) * clipSize), b * clipSize);
      if (frameMask) {
        for (let t = 0; t < T; t++) mk[b * T + t] = frameMask[i * T + t];
      } else {
        mk.fill(1, b * T, b * T + Math.min(f.lengths[i], T));
      }
    }
    inputs[m] = tf.tensor3d(x, [B, T, D]);
    masks[m] = tf.tensor2d(mk, [B, T]);
  });
  const y = new Float32Array(B);
  for (let b = 0; b < B; b++) y[b] = split.labels[rows[b]];
  return { inputs, masks, labels: tf.tensor1d(y), labelValues: y, indices: rows };
}

/**
 * Yields the batches of one epoch: shuffled with `seed` when given, last partial batch kept
 * unless `dropLast`. The caller disposes each batch.
 * @see notebooks/01-data-prep.ipynb
 */
export function* batches(split: MultimodalSplit, options: BatchOptions = {}): Generator<Batch, void, undefined> {
  const batchSize = options.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`Expected batchSize to be an integer >= 1, but got ${batchSize}`);
  const n = split.labels.length;
  if (options.available && options.available.length !== n * MODALITIES.length) {
    throw new Error(`Expected available to have ${n * MODALITIES.length} entries ([N, 3]), but got ${options.available.length}`);
  }
  const order = epochOrder(n, options.seed, options.indices);
  const count = batchCount(order.length, batchSize, options.dropLast);
  for (let k = 0; k < count; k++) {
    const rows = order.slice(k * batchSize, Math.min((k + 1) * batchSize, order.length));
    yield makeBatch(split, rows, options);
  }
}
