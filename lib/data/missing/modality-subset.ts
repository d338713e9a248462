/**
 * Protocol P1, modality subsets (the paper's main setting): the modalities outside the subset
 * are absent for every clip. Their features become zeros; their lengths are KEPT, so a
 * full-modality model fed this split sees zero-filled frames (baseline B1), while `masks` and
 * `available` say that nothing of them is present (a student of the subset ignores them).
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, subsetModalities, type Modality, type SubsetName } from '../modalities';
import type { ModalityFeatures, MultimodalSplit } from '../types';
import { validFrameMask, type MaskedSplit } from './masks';

/**
 * Returns the split with the modalities outside `subset` zeroed, and its masks.
 * @see notebooks/01-data-prep.ipynb
 */
export function applyModalitySubset(split: MultimodalSplit, subset: SubsetName): MaskedSplit {
  const keep = subsetModalities(subset);
  const n = split.labels.length;
  const features = {} as Record<Modality, ModalityFeatures>;
  const masks = {} as Record<Modality, Uint8Array>;
  const available = new Uint8Array(n * MODALITIES.length);
  MODALITIES.forEach((m, mi) => {
    const f = split.features[m];
    if (keep.includes(m)) {
      features[m] = f; // shared, read-only
      masks[m] = validFrameMask(f);
      for (let i = 0; i < n; i++) available[i * MODALITIES.length + mi] = f.lengths[i] > 0 ? 1 : 0;
    } else {
      features[m] = { ...f, data: new Float32Array(f.data.length), lengths: f.lengths.slice() };
      masks[m] = new Uint8Array(f.numClips * f.seqLen);
    }
  });
  return { split: { ...split, features }, masks, available };
}
