/**
 * In-memory types of a multimodal sentiment dataset: plain typed arrays, no tensors.
 * Tensors are made per batch (lib/data/batches.ts) and disposed after use.
 * @see notebooks/01-data-prep.ipynb
 */
import type { Modality } from './modalities';

/** The three splits of every dataset, in MMSA's key names. */
export type SplitName = 'train' | 'valid' | 'test';

/** The split names in MMSA order. */
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/**
 * Features of one modality for N clips: row-major [N, T, D] float32 plus valid lengths.
 * Frames at positions >= lengths[i] are padding and hold zeros.
 */
export interface ModalityFeatures {
  /** Row-major [numClips, seqLen, dim] values. */
  data: Float32Array;
  numClips: number;
  seqLen: number;
  dim: number;
  /** Valid length of each clip, 1 <= lengths[i] <= seqLen (0 only when the stream is empty). */
  lengths: Int32Array;
}

/**
 * One split: features per modality, regression labels in [-3, 3] and clip ids (synthetic train
 * and valid labels with `addedLabelNoise` may pass the ends: the noise is not clipped).
 */
export interface MultimodalSplit {
  name: SplitName;
  ids: string[];
  /** Sentiment intensity per clip, MMSA's `regression_labels`. */
  labels: Float32Array;
  features: Record<Modality, ModalityFeatures>;
}

/** Where a dataset came from. */
export type DatasetSource = 'synthetic' | 'mmsa-pickle' | 'cmu-sdk' | 'cache';

/** Facts about a dataset that do not depend on the split. */
export interface DatasetMeta {
  /** Short name, e.g. 'synthetic-mosi', 'mosi'. */
  name: string;
  source: DatasetSource;
  /** File the data came from, when any. */
  path?: string;
  /** True when the three modalities share one time axis (MMSA aligned_50). */
  aligned: boolean;
  dims: Record<Modality, number>;
  seqLens: Record<Modality, number>;
  /** Free-form facts the source records (generator seed and preset, pickle keys seen, ...). */
  details?: Record<string, unknown>;
}

/** A dataset: metadata and the train / valid / test splits. */
export interface MultimodalDataset {
  meta: DatasetMeta;
  train: MultimodalSplit;
  valid: MultimodalSplit;
  test: MultimodalSplit;
}

/**
 * A mini-batch as tensors. The caller owns every tensor and disposes them with `disposeBatch`.
 * A missing modality is represented by zeroed features and (for frame-level drops) by its mask.
 */
export interface Batch {
  /** [B, T_m, D_m] features per modality. */
  inputs: Record<Modality, import('@tensorflow/tfjs').Tensor3D>;
  /** [B, T_m] float32: 1 for a valid frame, 0 for padding. */
  masks: Record<Modality, import('@tensorflow/tfjs').Tensor2D>;
  /** [B] float32 regression labels. */
  labels: import('@tensorflow/tfjs').Tensor1D;
  /** [B] the same labels on the host (what the batch was made from): MVSC's classes come from here, never from a read. */
  labelValues: Float32Array;
  /** Row of each clip in its split. */
  indices: Int32Array;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  for (const t of Object.values(batch.inputs)) t.dispose();
  for (const t of Object.values(batch.masks)) t.dispose();
  batch.labels.dispose();
}
