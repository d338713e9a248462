/**
 * Protocol P3c, the kit's per-CLIP variant of the modality-missing rate (IMDer's own P3 works per
 * batch: `imderBatchMissing`): every clip independently loses each modality with probability
 * `rate`, and at least one modality stays. When all three draws drop, one modality chosen
 * uniformly at random is kept, so the effective per-modality missing rate is rate - rate^3 / 3
 * (e.g. 0.7 -> 0.586), which `effectiveModalityMissingRate` returns. It is easier than IMDer's
 * form at the same nominal rate (78% one-modality clips at 0.7 against IMDer's 100%). A lost
 * modality is zeroed for that clip, its length kept (as in P1).
 * @see notebooks/01-data-prep.ipynb
 */
import { createRng } from '../random';
import { MODALITIES } from '../modalities';
import type { MultimodalSplit } from '../types';
import { applyModalityAvailability, type MaskedSplit } from './masks';

/** Returns the expected fraction of (clip, modality) pairs dropped at a nominal rate (P3c). */
export function effectiveModalityMissingRate(rate: number): number {
  return rate - rate ** 3 / 3;
}

/** Returns P3c's [N, 3] availability (MODALITIES order) with at least one 1 per clip. */
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
 * Returns the split after P3c (per clip): each clip lost each modality with probability `rate`
 * (at least one kept), with masks and the per-clip availability.
 * @see notebooks/01-data-prep.ipynb
 */
export function randomModalityMissing(split: MultimodalSplit, rate: number, seed: number): MaskedSplit {
  return applyModalityAvailability(split, modalityAvailability(split.labels.length, rate, seed));
}
