/**
 * Protocol P2, frame-level missing rate, with the semantics of MMSA's `MMDataset.generate_m`
 * (thuiar/MMSA data_loader.py in the TFR-Net / EMT-DLFR versions):
 *
 *     np.random.seed(missing_seed)
 *     missing_mask = (np.random.uniform(size=input_mask.shape) > missing_rate) * input_mask
 *     modality_m = missing_mask[..., None] * modality        # audio, vision
 *
 * one uniform draw per (clip, frame) position of the [N, T] mask, padding included, and a
 * separate seed per modality. For text MMSA works on BERT token ids: it keeps [CLS] and [SEP]
 * (the first and last valid token) and writes the [UNK] id 100 into dropped tokens. The kit's
 * text stream is token FEATURES, so dropped text frames are zeroed like the others (docs/method.md, "Protocols");
 * `keepTextEnds: true` keeps the first and last valid text frame as MMSA keeps [CLS] / [SEP].
 * Lengths are unchanged (MMSA keeps `input_len`); `masks` holds the surviving frames. The
 * draws come from the kit's generator, not numpy's Mersenne Twister, so masks match MMSA's in
 * distribution, not bit for bit.
 * @see notebooks/01-data-prep.ipynb
 */
import { createRng } from '../random';
import { MODALITIES, type Modality } from '../modalities';
import type { ModalityFeatures, MultimodalSplit } from '../types';
import { applyFrameMask, availabilityFromMasks, validFrameMask, type MaskedSplit } from './masks';

/** Options of `frameMissing`. */
export interface FrameMissingOptions {
  /** Seed per modality (MMSA's `missing_seed` list); default seed, seed + 1, seed + 2. */
  seeds?: Partial<Record<Modality, number>>;
  /** Missing rate per modality, overriding the common rate (MMSA's `missing_rate` list). */
  rates?: Partial<Record<Modality, number>>;
  /** Keep the first and last valid text frame, as MMSA keeps [CLS] and [SEP] (default false). */
  keepTextEnds?: boolean;
}

/** Returns the [N, T] keep-mask of one modality: uniform > rate within the valid length. */
function frameMissingMask(f: ModalityFeatures, rate: number, seed: number): Uint8Array {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`Expected rate to be in [0, 1], but got ${rate}`);
  const rng = createRng(seed);
  const valid = validFrameMask(f);
  const mask = new Uint8Array(valid.length);
  for (let r = 0; r < valid.length; r++) mask[r] = rng.next() > rate && valid[r] ? 1 : 0; // one draw per position
  return mask;
}

/**
 * Returns the split with each valid frame dropped (zeroed) with probability `rate`, per modality
 * with its own seed, and the masks of the surviving frames.
 * @see notebooks/01-data-prep.ipynb
 */
export function frameMissing(split: MultimodalSplit, rate: number, seed: number, options: FrameMissingOptions = {}): MaskedSplit {
  const features = {} as Record<Modality, ModalityFeatures>;
  const masks = {} as Record<Modality, Uint8Array>;
  const seqLens = {} as Record<Modality, number>;
  MODALITIES.forEach((m, mi) => {
    const f = split.features[m];
    const mask = frameMissingMask(f, options.rates?.[m] ?? rate, options.seeds?.[m] ?? seed + mi);
    if (m === 'text' && options.keepTextEnds) {
      for (let i = 0; i < f.numClips; i++) {
        const L = f.lengths[i];
        if (L > 0) mask[i * f.seqLen] = mask[i * f.seqLen + L - 1] = 1;
      }
    }
    masks[m] = mask;
    features[m] = applyFrameMask(f, mask);
    seqLens[m] = f.seqLen;
  });
  return { split: { ...split, features }, masks, available: availabilityFromMasks(masks, split.labels.length, seqLens) };
}
