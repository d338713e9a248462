/**
 * What a missing-modality protocol did to a split, summarised for a notebook's lines and figures:
 * the share of (clip, modality) pairs it removed, and for IMDer's per-batch P3 which batches keep
 * one, two or three modalities and which clips show them.
 * @see notebooks/01-data-prep.ipynb
 */
import type { MaskedSplit } from '../data/missing/masks';
import type { ImderMaskedSplit } from '../data/missing/imder-batch-missing';

/** Returns the share of (clip, modality) pairs that a masked split lost entirely (0 to 1). */
export function missingModalityShare(masked: MaskedSplit): number {
  if (masked.available.length === 0) return 0;
  return 1 - masked.available.reduce((s, x) => s + x, 0) / masked.available.length;
}

/** Options of `imderBatchView`. */
export interface ImderBatchViewOptions {
  /** Clips per batch the split was cut into (the `batchSize` given to `imderBatchMissing`). */
  batchSize: number;
  /** The seed that shuffled the clips into batches (named in the note). */
  seed: number;
  /** Clips shown per batch; default 2. */
  clipsPerBatch?: number;
  /** The split's name in the note; default 'test'. */
  splitName?: string;
}

/** The batches and clips a P3 figure shows, and the counts its lines print. */
export interface ImderBatchView {
  /** The first batch that keeps one, two and three modalities (those that exist), in that order. */
  batches: number[];
  /** The clips shown: the first `clipsPerBatch` clips of each shown batch. */
  clips: number[];
  /** One row label per shown clip: 'clip i, batch b'. */
  rowLabels: string[];
  /** A caption note naming the shown batches, the batch count and size, and the shuffle seed. */
  note: string;
  /** Batches keeping one, two and three modalities. */
  keeping: [number, number, number];
  /** Clips in the last (possibly partial) batch. */
  lastBatchSize: number;
  /** The share of (batch, modality) pairs missing: IMDer's nominal rate when the batch count is a multiple of 10. */
  perBatchMissingShare: number;
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five'];

/** Returns which batches and clips show an IMDer P3 mask (one batch per kept count) and the plan's counts. */
export function imderBatchView(masked: ImderMaskedSplit, options: ImderBatchViewOptions): ImderBatchView {
  const perBatch = options.clipsPerBatch ?? 2;
  const kept = Array.from(masked.plan.kept);
  const batchOfClip = Array.from(masked.batchOfClip);
  const batches = [1, 2, 3].map((k) => kept.indexOf(k)).filter((b) => b >= 0);
  const clips = batches.flatMap((b) => batchOfClip.flatMap((x, i) => (x === b ? [i] : [])).slice(0, perBatch));
  const count = WORDS[perBatch] ?? String(perBatch);
  const shown = batches.map((b) => `batch ${b} keeps ${kept[b]} of 3 modalities`).join(', ');
  const keeping = [1, 2, 3].map((k) => kept.filter((x) => x === k).length) as [number, number, number];
  return {
    batches,
    clips,
    rowLabels: clips.map((i) => `clip ${i}, batch ${batchOfClip[i]}`),
    note: `${options.splitName ?? 'test'} clips, ${count} per batch: ${shown} (${kept.length} batches of ${options.batchSize}, clips shuffled by seed ${options.seed})`,
    keeping,
    lastBatchSize: batchOfClip.length - (kept.length - 1) * options.batchSize,
    perBatchMissingShare: kept.length === 0 ? 0 : kept.reduce((s, k) => s + (3 - k), 0) / (3 * kept.length),
  };
}
