/**
 * Protocol P3, random modality-missing rate (IMDer style): every clip independently loses each
 * modality with probability `rate`, and at least one modality stays. When all three draws drop,
 * one modality chosen uniformly at random is kept, so the effective per-modality missing rate is
 * rate - rate^3 / 3 (e.g. 0.7 -> 0.586), which `effectiveModalityMissingRate` returns. A lost
 * modality is zeroed for that clip, its length kept (as in P1).
 * @see notebooks/01-data-prep.ipynb
 */
import { createRng } from '../random';
import { MODALITIES, type Modality } from '../modalities';
import type { ModalityFeatures, MultimodalSplit } from '../types';
import { validFrameMask, type MaskedSplit } from './masks';

/** Returns the expected fraction of (clip, modality) pairs dropped at a nominal rate. */
export function effectiveModalityMissingRate(rate: number): number {
  return rate - rate ** 3 / 3;
}

/** Returns [N, 3] availability (MODALITIES order) with at least one 1 per clip. */
export function modalityAvailability(numClips: number, rate: number, seed: number): Uint8Array {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`Expected rate to be in [0, 1], but got ${rate}`);
  const rng = createRng(seed);
  const k = MODALITIES.length;
  const out = new Uint8Array(numClips * k);
  for (let i = 0; i < numClips; i++) {
    let kept = 0;
    for (let j = 0; j < k; j++) {
      const keep = rng.next() >= rate ? 1 : 0;
      out[i * k + j] = keep;
      kept += keep;
    }
    if (kept === 0) out[i * k + rng.int(k)] = 1; // never drop all
  }
  return out;
}

/**
 * Returns the split where each clip lost each modality with probability `rate` (at least one
 * kept), with masks and the per-clip availability.
 * @see notebooks/01-data-prep.ipynb
 */
export function randomModalityMissing(split: MultimodalSplit, rate: number, seed: number): MaskedSplit {
  const n = split.labels.length;
  const available = modalityAvailability(n, rate, seed);
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
