/**
 * Protocol P3, random modality-missing rate MR as IMDer applies it: per BATCH, not per clip.
 * IMDer's released code (trains/singleTask/IMDER.py, `do_train` and `do_test`) walks the batches
 * of a shuffled loader in order and, with D = np.round(len(loader) / 10) * 10 and k = MR * 10 - 1,
 *
 *     if miss_two / D < [0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0][k]:   keep ONE modality,  miss_two += 1
 *     elif miss_one / D < [0.1, 0.2, 0.3, 0.2, 0.1, 0.0, 0.0][k]: keep TWO,          miss_one += 1
 *     else:                                                        keep all three
 *
 * and the model draws which modalities a batch keeps with `random.sample([0, 1, 2], num_modal)`,
 * the same ones for every clip of the batch. With D equal to the number of batches the expected
 * share of missing (clip, modality) pairs is MR (2/3 at 0.7); otherwise it follows D: at 0.7 a
 * 22-batch split (MOSI's 686 test clips in batches of 32) has 20 one-modality batches and 2 full
 * ones. np.round rounds halves to even (25 batches -> D = 20), and with 5 batches or fewer D is 0:
 * every comparison is then NaN < x, false, and IMDer's code drops nothing, which this plan repeats.
 * The per-clip variant (P3c) is `randomModalityMissing`.
 * @see notebooks/01-data-prep.ipynb
 */
import { createRng } from '../random';
import { MODALITIES } from '../modalities';
import type { MultimodalSplit } from '../types';
import { applyModalityAvailability, type MaskedSplit } from './masks';

/** IMDer's `miss_2`: the share of batches (of D) that keep ONE modality, per rate 0.1 .. 0.7. */
export const IMDER_ONE_MODALITY_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0];

/** IMDer's `miss_1`: the share of batches (of D) that keep TWO modalities, per rate 0.1 .. 0.7. */
export const IMDER_TWO_MODALITY_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.2, 0.1, 0.0, 0.0];

/** IMDer's evaluation batch size on CMU-MOSI (config.json; MOSEI uses 128). */
export const IMDER_BATCH_SIZE = 32;

/** Returns IMDer's index int(MR * 10 - 1) of a rate in 0.1 .. 0.7; throws on any other rate. */
export function imderRateIndex(rate: number): number {
  const k = Math.round(rate * 10) - 1;
  if (!(k >= 0 && k < IMDER_ONE_MODALITY_FRACTIONS.length && Math.abs(rate - (k + 1) / 10) < 1e-9)) {
    throw new Error(`Expected an IMDer missing rate among 0.1, 0.2, ..., 0.7, but got ${rate}`);
  }
  return k;
}

/** Returns IMDer's batch denominator D = np.round(numBatches / 10) * 10 (halves to even). */
export function imderBatchDenominator(numBatches: number): number {
  const q = Math.floor(numBatches / 10);
  const r = numBatches - 10 * q;
  return 10 * (r > 5 || (r === 5 && q % 2 === 1) ? q + 1 : q);
}

/** The per-batch availability plan of IMDer's P3. */
export interface ImderBatchPlan {
  /** D, the batch count IMDer's fractions refer to. */
  denominator: number;
  /** [numBatches]: how many modalities each batch keeps (1, 2 or 3). */
  kept: Uint8Array;
  /** [numBatches, 3] in MODALITIES order: 1 where the batch keeps the modality. */
  available: Uint8Array;
}

/**
 * Returns how many modalities each of `numBatches` batches keeps at `rate`, by IMDer's counting
 * (the same divisions and comparisons, so the same floating-point outcomes as its Python).
 */
export function imderBatchKept(numBatches: number, rate: number): Uint8Array {
  if (!(Number.isInteger(numBatches) && numBatches >= 0)) throw new Error(`Expected numBatches to be an integer >= 0, but got ${numBatches}`);
  const k = imderRateIndex(rate);
  const d = imderBatchDenominator(numBatches);
  const kept = new Uint8Array(numBatches);
  let missTwo = 0; // batches that kept one modality
  let missOne = 0; // batches that kept two
  for (let b = 0; b < numBatches; b++) {
    if (missTwo / d < IMDER_ONE_MODALITY_FRACTIONS[k]) {
      kept[b] = 1;
      missTwo++;
    } else if (missOne / d < IMDER_TWO_MODALITY_FRACTIONS[k]) {
      kept[b] = 2;
      missOne++;
    } else kept[b] = 3;
  }
  return kept;
}

/**
 * Returns the plan of `numBatches` batches at `rate`: IMDer's counts, and for each batch that
 * keeps one or two modalities, which ones (uniform over the 3 singles or the 3 pairs, seeded).
 * @see notebooks/01-data-prep.ipynb
 */
export function imderBatchPlan(numBatches: number, rate: number, seed: number): ImderBatchPlan {
  const kept = imderBatchKept(numBatches, rate);
  const rng = createRng(seed).fork('imder-modalities');
  const k = MODALITIES.length;
  const available = new Uint8Array(numBatches * k);
  for (let b = 0; b < numBatches; b++) {
    const pick = kept[b] === 3 ? -1 : rng.int(k); // the one kept, or the one dropped
    for (let j = 0; j < k; j++) available[b * k + j] = kept[b] === 3 ? 1 : kept[b] === 1 ? Number(j === pick) : Number(j !== pick);
  }
  return { denominator: imderBatchDenominator(numBatches), kept, available };
}

/** Options of `imderBatchMissing`. */
export interface ImderBatchMissingOptions {
  /** Clips per batch (default IMDER_BATCH_SIZE, 32); the last batch may be partial. */
  batchSize?: number;
  /**
   * Shuffle the clips (seeded) before batching, as IMDer's loaders do (`shuffle=True`, test
   * split included); default true. False batches the clips in split order.
   */
  shuffle?: boolean;
}

/** A split after IMDer's P3, with its plan and the batch of every clip. */
export interface ImderMaskedSplit extends MaskedSplit {
  plan: ImderBatchPlan;
  /** [N]: the batch of each clip (in split order). */
  batchOfClip: Int32Array;
}

/**
 * Returns the split after IMDer's per-batch P3 at `rate`: clips batched (`batchSize`, shuffled
 * from `seed` unless `shuffle: false`), each batch keeping the modalities of `imderBatchPlan`;
 * a lost modality is zeroed for the clip, its length kept (as in P1).
 * @see notebooks/01-data-prep.ipynb
 */
export function imderBatchMissing(split: MultimodalSplit, rate: number, seed: number, options: ImderBatchMissingOptions = {}): ImderMaskedSplit {
  const batchSize = options.batchSize ?? IMDER_BATCH_SIZE;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`Expected batchSize to be an integer >= 1, but got ${batchSize}`);
  const n = split.labels.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (options.shuffle ?? true) createRng(seed).fork('imder-order').shuffle(order);
  const plan = imderBatchPlan(Math.ceil(n / batchSize), rate, seed);
  const k = MODALITIES.length;
  const batchOfClip = new Int32Array(n);
  const available = new Uint8Array(n * k);
  order.forEach((clip, position) => {
    const b = Math.floor(position / batchSize);
    batchOfClip[clip] = b;
    available.set(plan.available.subarray(b * k, (b + 1) * k), clip * k);
  });
  return { ...applyModalityAvailability(split, available), plan, batchOfClip };
}
