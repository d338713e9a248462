/**
 * Protocol P1 (the paper's main setting): every clip of a split scored with each of the seven
 * modality subsets, each subset answered by its own predictor (MM-CKD: its student; B1: the
 * zero-filled teacher).
 *
 * Missing modalities are zero-filled (P1, `applyModalitySubset`) and the models see the clips'
 * valid-length masks: a model is never told which inputs were removed, only what remains.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import { applyModalitySubset } from '../data/missing/modality-subset';
import type { MultimodalSplit } from '../data/types';
import { predictSplit, type Predictor } from '../train/predict';
import { splitBatches } from '../train/batch-source';
import { msaMetrics, type MsaMetricValues } from './metrics';

/** The metrics of one subset on one split. */
export interface SubsetResult {
  subset: SubsetName;
  /** MMSA's dict, rounded to 4 decimals as MMSA reports. */
  metrics: MsaMetricValues;
  /** Unrounded values. */
  raw: MsaMetricValues;
  n: number;
}

/** Resolves to the predictions of one subset's predictor on a split with the other modalities removed. */
function predictWithSubset(predictor: Predictor, split: MultimodalSplit, subset: SubsetName, batchSize = 64): Promise<Float32Array> {
  const masked = applyModalitySubset(split, subset);
  return predictSplit(predictor, masked.split, splitBatches, batchSize);
}

/** Resolves to P1 results for every subset (teacher first), each from its own predictor. */
export async function evaluateSubsets(
  predictors: Record<SubsetName, Predictor>,
  split: MultimodalSplit,
  subsets: readonly SubsetName[] = SUBSET_NAMES,
  batchSize = 64,
): Promise<SubsetResult[]> {
  const out: SubsetResult[] = [];
  for (const subset of subsets) {
    const pred = await predictWithSubset(predictors[subset], split, subset, batchSize);
    const r = msaMetrics(pred, split.labels);
    out.push({ subset, metrics: r.rounded, raw: r.raw, n: r.counts.n });
  }
  return out;
}
