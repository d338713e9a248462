/**
 * What the missing-modality protocols return: a masked copy of a split plus its masks. The
 * input split is never changed; modalities a protocol leaves untouched share the input's arrays
 * (treat them as read-only), the others are fresh arrays.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from '../modalities';
import type { ModalityFeatures, MultimodalSplit } from '../types';

/** A split after a missing-modality protocol, with what is available. */
export interface MaskedSplit {
  /** Features with every missing frame zeroed; lengths unchanged (see each protocol). */
  split: MultimodalSplit;
  /** [N, T_m] per modality: 1 where a frame is valid AND present, 0 where padding or dropped. */
  masks: Record<Modality, Uint8Array>;
  /** [N, 3] in MODALITIES order: 1 when the clip keeps any frame of the modality. */
  available: Uint8Array;
}

/** Returns the [N, T] 0/1 mask of valid frames (t < lengths[i]) of a modality. */
export function validFrameMask(f: ModalityFeatures): Uint8Array {
  const mask = new Uint8Array(f.numClips * f.seqLen);
  for (let i = 0; i < f.numClips; i++) mask.fill(1, i * f.seqLen, i * f.seqLen + Math.min(f.lengths[i], f.seqLen));
  return mask;
}

/** Returns a copy of features where frames with mask 0 are zeroed (lengths copied). */
export function applyFrameMask(f: ModalityFeatures, mask: Uint8Array): ModalityFeatures {
  const data = new Float32Array(f.data.length);
  const D = f.dim;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r]) data.set(f.data.subarray(r * D, (r + 1) * D), r * D);
  }
  return { ...f, data, lengths: f.lengths.slice() };
}

/** Returns [N, 3] availability: 1 when any frame of the modality survives in the masks. */
export function availabilityFromMasks(masks: Record<Modality, Uint8Array>, numClips: number, seqLens: Record<Modality, number>): Uint8Array {
  const out = new Uint8Array(numClips * MODALITIES.length);
  MODALITIES.forEach((m, mi) => {
    const T = seqLens[m];
    for (let i = 0; i < numClips; i++) {
      for (let t = 0; t < T; t++) {
        if (masks[m][i * T + t]) {
          out[i * MODALITIES.length + mi] = 1;
          break;
        }
      }
    }
  });
  return out;
}

/** Returns the fraction of valid frames that a protocol dropped, per modality. */
export function droppedFraction(original: MultimodalSplit, masked: MaskedSplit): Record<Modality, number> {
  const out = {} as Record<Modality, number>;
  for (const m of MODALITIES) {
    const valid = validFrameMask(original.features[m]);
    let n = 0;
    let dropped = 0;
    for (let r = 0; r < valid.length; r++) {
      if (!valid[r]) continue;
      n++;
      if (!masked.masks[m][r]) dropped++;
    }
    out[m] = n > 0 ? dropped / n : 0;
  }
  return out;
}

/**
 * Returns the split with every modality a clip lost (0 in the [N, 3] `available`, MODALITIES
 * order) zeroed for that clip, its length kept (as in P1), and the masks of what is left.
 */
export function applyModalityAvailability(split: MultimodalSplit, available: Uint8Array): MaskedSplit {
  const n = split.labels.length;
  if (available.length !== n * MODALITIES.length) {
    throw new Error(`Expected available to have ${n * MODALITIES.length} entries ([N, 3]), but got ${available.length}`);
  }
  const features = {} as Record<Modality, ModalityFeatures>;
  const masks = {} as Record<Modality, Uint8Array>;
  MODALITIES.forEach((m, mi) => {
    const f = split.features[m];
    const data = f.data.slice();
    const mask = validFrameMask(f);
    const clipSize = f.seqLen * f.dim;
    for (let i = 0; i < n; i++) {
      if (available[i * MODALITIES.length + mi]) continue;
      data.fill(0, i * clipSize, (i + 1) * clipSize);
      mask.fill(0, i * f.seqLen, (i + 1) * f.seqLen);
    }
    features[m] = { ...f, data, lengths: f.lengths.slice() };
    masks[m] = mask;
  });
  return { split: { ...split, features }, masks, available };
}
