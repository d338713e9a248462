/**
 * Plain-number summaries of a dataset (clip counts, shapes, lengths, labels) for the CLI
 * (`mmckd data inspect`) and the notebooks.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from './modalities';
import { SPLIT_NAMES, type MultimodalDataset, type MultimodalSplit, type SplitName } from './types';

/** min / max / mean / std of a list of numbers. */
export interface NumberStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** Returns min, max, mean and (population) std of the values. */
function numberStats(values: ArrayLike<number>): NumberStats {
  const n = values.length;
  if (n === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / n) };
}

/** Summary of one split. */
export interface SplitSummary {
  clips: number;
  shapes: Record<Modality, [number, number, number]>;
  lengths: Record<Modality, NumberStats>;
  labels: NumberStats & { positive: number; zero: number; negative: number };
}

/** Summary of a dataset. */
export interface DatasetSummary {
  name: string;
  source: string;
  path?: string;
  aligned: boolean;
  dims: Record<Modality, number>;
  seqLens: Record<Modality, number>;
  splits: Record<SplitName, SplitSummary>;
}

/** Returns the summary of one split (fractions of positive / zero / negative labels). */
function summarizeSplit(split: MultimodalSplit): SplitSummary {
  const n = split.labels.length;
  const shapes = {} as SplitSummary['shapes'];
  const lengths = {} as SplitSummary['lengths'];
  for (const m of MODALITIES) {
    const f = split.features[m];
    shapes[m] = [f.numClips, f.seqLen, f.dim];
    lengths[m] = numberStats(f.lengths);
  }
  let pos = 0;
  let zero = 0;
  for (let i = 0; i < n; i++) {
    if (split.labels[i] > 0) pos++;
    else if (split.labels[i] === 0) zero++;
  }
  return {
    clips: n,
    shapes,
    lengths,
    labels: { ...numberStats(split.labels), positive: pos / n, zero: zero / n, negative: (n - pos - zero) / n },
  };
}

/**
 * Returns the summary of a dataset: meta facts and each split's counts, shapes, lengths, labels.
 * @see notebooks/01-data-prep.ipynb
 */
export function summarizeDataset(d: MultimodalDataset): DatasetSummary {
  const splits = {} as DatasetSummary['splits'];
  for (const s of SPLIT_NAMES) splits[s] = summarizeSplit(d[s]);
  return { name: d.meta.name, source: d.meta.source, path: d.meta.path, aligned: d.meta.aligned, dims: d.meta.dims, seqLens: d.meta.seqLens, splits };
}
