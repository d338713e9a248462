/**
 * Per-modality, per-feature standardisation fitted on the TRAIN split only (over valid frames)
 * and applied to every split, so no statistic of valid or test leaks into training. Padding
 * frames stay exactly zero. A dimension with (near) zero spread gets scale 1.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from './modalities';
import type { ModalityFeatures, MultimodalDataset, MultimodalSplit } from './types';

/** Mean and std per feature dimension of each modality. */
export interface Standardizer {
  mean: Record<Modality, Float32Array>;
  std: Record<Modality, Float32Array>;
}

/**
 * Returns the per-dimension mean and std of each modality over the valid frames of `train`.
 * @see notebooks/01-data-prep.ipynb
 */
export function fitStandardizer(train: MultimodalSplit): Standardizer {
  const mean = {} as Record<Modality, Float32Array>;
  const std = {} as Record<Modality, Float32Array>;
  for (const m of MODALITIES) {
    const { data, numClips: n, seqLen: T, dim: D, lengths } = train.features[m];
    const sum = new Float64Array(D);
    const sq = new Float64Array(D);
    let count = 0;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < lengths[i]; t++) {
        const row = (i * T + t) * D;
        for (let d = 0; d < D; d++) {
          const v = data[row + d];
          sum[d] += v;
          sq[d] += v * v;
        }
        count++;
      }
    }
    mean[m] = new Float32Array(D);
    std[m] = new Float32Array(D);
    for (let d = 0; d < D; d++) {
      const mu = count > 0 ? sum[d] / count : 0;
      const variance = count > 0 ? Math.max(0, sq[d] / count - mu * mu) : 0;
      mean[m][d] = mu;
      std[m][d] = variance > 1e-12 ? Math.sqrt(variance) : 1;
    }
  }
  return { mean, std };
}

/** Returns a standardised copy of one modality's features; padding stays zero. */
function standardizeFeatures(f: ModalityFeatures, mean: Float32Array, std: Float32Array): ModalityFeatures {
  const { numClips: n, seqLen: T, dim: D, lengths } = f;
  const data = new Float32Array(f.data.length);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < lengths[i]; t++) {
      const row = (i * T + t) * D;
      for (let d = 0; d < D; d++) data[row + d] = (f.data[row + d] - mean[d]) / std[d];
    }
  }
  return { ...f, data, lengths: lengths.slice() };
}

/** Returns a standardised copy of a split (the input is not changed). */
function applyStandardizer(split: MultimodalSplit, s: Standardizer): MultimodalSplit {
  const features = {} as Record<Modality, ModalityFeatures>;
  for (const m of MODALITIES) features[m] = standardizeFeatures(split.features[m], s.mean[m], s.std[m]);
  return { ...split, features };
}

/**
 * Fits on train and returns the standardised dataset plus the statistics used.
 * @see notebooks/01-data-prep.ipynb
 */
export function standardizeDataset(dataset: MultimodalDataset): { dataset: MultimodalDataset; standardizer: Standardizer } {
  const standardizer = fitStandardizer(dataset.train);
  return {
    standardizer,
    dataset: {
      meta: { ...dataset.meta, details: { ...(dataset.meta.details ?? {}), standardized: 'train statistics, valid frames' } },
      train: applyStandardizer(dataset.train, standardizer),
      valid: applyStandardizer(dataset.valid, standardizer),
      test: applyStandardizer(dataset.test, standardizer),
    },
  };
}
