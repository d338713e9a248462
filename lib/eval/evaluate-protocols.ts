/**
 * Protocols P2 (frame-level missing rate), P3 (modality-missing rate as IMDer applies it, per
 * batch) and P3c (the kit's per-clip variant), and a run's evaluation under P1-P3c. Every method
 * is scored on the same masks (a fixed evaluation seed), and each clip goes to the predictor of
 * the modalities it still has (MM-CKD's routing; B1 and the imputers answer every subset with the
 * teacher). P3 is the one to compare with published curves; P3c is easier at the same rate.
 *
 * As in P1, removed frames and modalities are zero-filled and the models see the clips' valid
 * lengths, never the protocol's masks (MMSA's `generate_m` likewise keeps `input_len`).
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { MODALITIES, SUBSET_NAMES, subsetName, type Modality, type SubsetName } from '../data/modalities';
import { frameMissing } from '../data/missing/frame-missing';
import { randomModalityMissing } from '../data/missing/random-modality-missing';
import { IMDER_BATCH_SIZE, imderBatchMissing } from '../data/missing/imder-batch-missing';
import type { MaskedSplit } from '../data/missing/masks';
import type { MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { predict, type Predictor } from '../train/predict';
import { splitBatches } from '../train/batch-source';
import { auilc } from './auilc';
import { evaluateSubsets, type SubsetResult } from './evaluate-subsets';
import { msaMetrics, type MsaMetricValues } from './metrics';
import { MSA_METRIC_KEYS, PROTOCOL_NAMES, type MsaMetricKey, type ProtocolName } from '../vocabulary';

/** P2 frame-level rates (TFR-Net / EMT-DLFR): 0.0, 0.1, ..., 1.0. */
const FRAME_RATES: readonly number[] = Array.from({ length: 11 }, (_, i) => i / 10);

/** P3 and P3c modality-missing rates (IMDer): 0.1, ..., 0.7. */
const MODALITY_RATES: readonly number[] = Array.from({ length: 7 }, (_, i) => (i + 1) / 10);

/** Metrics at one missing rate. */
export interface RateResult {
  rate: number;
  metrics: MsaMetricValues;
  raw: MsaMetricValues;
  /** How many clips each subset's predictor answered. */
  routed: Partial<Record<SubsetName, number>>;
}

/** The rate curves: P2 frame-level, P3 modality-missing per batch (IMDer), P3c per clip. */
export type RateProtocol = 'P2' | 'P3' | 'P3c';

/** A curve of metrics over rates, with the area under each indicator's curve (trapezoid). */
export interface RateCurve {
  protocol: RateProtocol;
  results: RateResult[];
  /** AUILC of each metric over the curve's rates (raw values, not normalised). */
  auilc: Partial<Record<MsaMetricKey, number>>;
  /** P3 only: the clips per batch of IMDer's plan (see `imderEvaluationBatchSize`). */
  batchSize?: number;
}

/** Returns the subset of each clip from an [N, 3] availability; 'tav' when none is left. */
export function subsetsFromAvailability(available: Uint8Array, n: number): SubsetName[] {
  const out: SubsetName[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const mods: Modality[] = MODALITIES.filter((_, j) => available[i * MODALITIES.length + j] === 1);
    out[i] = mods.length === 0 ? 'tav' : subsetName(mods);
  }
  return out;
}

/**
 * Resolves to predictions for a split where clip i is answered by `predictors[subsets[i]]`,
 * in split order; `predict` yields to the event loop after each batch's read (a signal is handled within a batch).
 */
export async function predictRouted(predictors: Partial<Record<SubsetName, Predictor>>, split: MultimodalSplit, subsets: readonly SubsetName[], batchSize = 64): Promise<Float32Array> {
  const out = new Float32Array(split.ids.length);
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    try {
      const values = await predict(predictors, batch, Array.from(batch.indices, (row) => subsets[row]));
      batch.indices.forEach((row, i) => (out[row] = values[i]));
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

function countRouted(subsets: readonly SubsetName[]): Partial<Record<SubsetName, number>> {
  const c: Partial<Record<SubsetName, number>> = {};
  for (const s of subsets) c[s] = (c[s] ?? 0) + 1;
  return c;
}

function curveAuilc(results: RateResult[]): Partial<Record<MsaMetricKey, number>> {
  const out: Partial<Record<MsaMetricKey, number>> = {};
  if (results.length < 2) return out; // an area needs two rates
  for (const k of MSA_METRIC_KEYS) out[k] = auilc(results.map((r) => r.rate), results.map((r) => r.raw[k]));
  return out;
}

/** Scores routed predictions on `mask(rate)` of the split at each rate; resolves to the curve. */
async function rateCurve(
  protocol: RateProtocol,
  predictors: Record<SubsetName, Predictor>,
  split: MultimodalSplit,
  rates: readonly number[],
  mask: (rate: number) => MaskedSplit,
): Promise<RateCurve> {
  const results: RateResult[] = [];
  for (const rate of rates) {
    const masked = mask(rate);
    const subsets = subsetsFromAvailability(masked.available, split.ids.length);
    const pred = await predictRouted(predictors, masked.split, subsets);
    const m = msaMetrics(pred, split.labels);
    results.push({ rate, metrics: m.rounded, raw: m.raw, routed: countRouted(subsets) });
  }
  return { protocol, results, auilc: curveAuilc(results) };
}

/**
 * P2: every frame of every modality dropped with probability `rate` (MMSA `generate_m`, separate
 * seeds per modality from `seed`); a clip that lost every frame of a modality is routed to the
 * model without it. Resolves to the curve.
 */
export function evaluateFrameRates(predictors: Record<SubsetName, Predictor>, split: MultimodalSplit, rates: readonly number[] = FRAME_RATES, seed = 0): Promise<RateCurve> {
  return rateCurve('P2', predictors, split, rates, (rate) => frameMissing(split, rate, seed));
}

/**
 * Returns the batch size of IMDer's plan on `numClips` clips: `preferred` (IMDer's 32 on MOSI),
 * shrunk to ceil(numClips / 10) when the split would give fewer than 10 batches. IMDer's code
 * counts against D = round(batches / 10) * 10 and drops nothing at all when D is 0 (5 batches or
 * fewer), so a small split (the quick preset's 96 test clips) would otherwise show no P3 effect.
 */
export function imderEvaluationBatchSize(numClips: number, preferred = IMDER_BATCH_SIZE): number {
  return Math.ceil(numClips / preferred) >= 10 ? preferred : Math.max(1, Math.ceil(numClips / 10));
}

/**
 * P3 (IMDer, per batch): the test clips, shuffled from `seed` and batched, lose modalities by
 * batch as IMDer's released code does (`imderBatchMissing`); routed by what is left. Resolves to the curve.
 */
export async function evaluateImderModalityRates(
  predictors: Record<SubsetName, Predictor>,
  split: MultimodalSplit,
  rates: readonly number[] = MODALITY_RATES,
  seed = 0,
  batchSize = imderEvaluationBatchSize(split.ids.length),
): Promise<RateCurve> {
  const curve = await rateCurve('P3', predictors, split, rates, (rate) => imderBatchMissing(split, rate, seed, { batchSize }));
  return { ...curve, batchSize };
}

/** P3c (per clip, the kit's variant): each clip loses each modality with probability `rate` (one always kept); resolves to the curve. */
export function evaluateClipModalityRates(predictors: Record<SubsetName, Predictor>, split: MultimodalSplit, rates: readonly number[] = MODALITY_RATES, seed = 0): Promise<RateCurve> {
  return rateCurve('P3c', predictors, split, rates, (rate) => randomModalityMissing(split, rate, seed));
}

/** A run's evaluation under the chosen protocols (test split). */
export interface RunEvaluation {
  evalSeed: number;
  p1?: SubsetResult[];
  p2?: RateCurve;
  /** P3, IMDer's per-batch modality-missing rate. */
  p3?: RateCurve;
  /** P3c, the per-clip modality-missing rate. */
  p3c?: RateCurve;
}

/**
 * Evaluates predictors on `split` under the given protocols with one evaluation seed; resolves to
 * the evaluation. Yields to the event loop after every batch, so a signal sent during a long
 * evaluation is handled within a batch.
 */
export async function evaluateProtocols(
  predictors: Record<SubsetName, Predictor>,
  split: MultimodalSplit,
  protocols: readonly ProtocolName[] = PROTOCOL_NAMES,
  evalSeed = 0,
): Promise<RunEvaluation> {
  const out: RunEvaluation = { evalSeed };
  if (protocols.includes('P1')) out.p1 = await evaluateSubsets(predictors, split, SUBSET_NAMES);
  if (protocols.includes('P2')) out.p2 = await evaluateFrameRates(predictors, split, FRAME_RATES, evalSeed);
  if (protocols.includes('P3')) out.p3 = await evaluateImderModalityRates(predictors, split, MODALITY_RATES, evalSeed);
  if (protocols.includes('P3c')) out.p3c = await evaluateClipModalityRates(predictors, split, MODALITY_RATES, evalSeed);
  return out;
}
