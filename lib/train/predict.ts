/**
 * Inference: predictions of a model over a split, validation MAE, and routing each clip to the
 * model of its available modalities (MM-CKD's inference rule).
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, subsetModalities, type Modality, type SubsetName } from '../data/modalities';
import type { Batch, MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { acceleratedApply } from '../accelerator/model-forward';
import type { ModelInput, MsaModel } from '../models/model';
import type { BatchSource } from './trainer';
import { yieldToEventLoop } from '../io/event-loop';

/** Something that predicts sentiment for a batch: a model, or the teacher with zero-filled inputs. */
export type Predictor = (batch: ModelInput) => tf.Tensor1D;

/** Returns a predictor that runs `model` in inference mode. */
export function modelPredictor(model: MsaModel): Predictor {
  return (batch) => acceleratedApply(model, batch, { training: false }).prediction;
}

/**
 * Returns the input with the modalities outside `keep` replaced by zeros (masks unchanged): how
 * a full-modality model (baseline B1) sees a clip whose other modalities are missing.
 */
function zeroFilledInput(batch: ModelInput, keep: readonly Modality[]): ModelInput {
  const inputs: Partial<Record<Modality, tf.Tensor3D>> = {};
  for (const m of MODALITIES) {
    const x = batch.inputs[m];
    if (x) inputs[m] = keep.includes(m) ? x : tf.zerosLike(x);
  }
  return { inputs, masks: batch.masks };
}

/** Returns B1's predictor for a subset: the teacher reading zeros for the missing modalities. */
export function zeroFillPredictor(teacher: MsaModel, subset: SubsetName): Predictor {
  const keep = subsetModalities(subset);
  return (batch) => tf.tidy(() => acceleratedApply(teacher, zeroFilledInput(batch, keep), { training: false }).prediction);
}

/**
 * Reads a batch's result (disposed here) with `await t.data()`, then yields to the event loop so a
 * signal sent during a long evaluation is handled between batches; resolves to the values.
 */
export async function readBatchResult(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
    await yieldToEventLoop();
  }
}

/** Resolves to the predictions of `predictor` for every clip of `split`, in split order (one read per batch). */
export async function predictSplit(predictor: Predictor, split: MultimodalSplit, batches: BatchSource, batchSize = 64): Promise<Float32Array> {
  const out = new Float32Array(split.ids.length);
  for (const batch of batches(split, { batchSize, shuffle: false, seed: 0 })) {
    try {
      const values = await readBatchResult(tf.tidy(() => predictor(batch)));
      batch.indices.forEach((row, i) => (out[row] = values[i]));
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

/** Returns the mean absolute error of predictions against labels. */
export function meanAbsoluteError(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(pred[i] - truth[i]);
  return s / Math.max(1, truth.length);
}

/**
 * Resolves to each model's MAE on `split`, every model reading only its own modalities (a student
 * never reads the others, so the complete split serves all seven). One pass over the batches,
 * one read per batch.
 */
export async function validationMae(
  models: Partial<Record<SubsetName, MsaModel>>,
  split: MultimodalSplit,
  batches: BatchSource,
  batchSize = 64,
): Promise<Partial<Record<SubsetName, number>>> {
  const names = Object.keys(models) as SubsetName[];
  const sums = new Map<SubsetName, number>(names.map((n) => [n, 0]));
  for (const batch of batches(split, { batchSize, shuffle: false, seed: 0 })) {
    try {
      const values = await readBatchResult(tf.tidy(() =>
        tf.stack(names.map((n) => tf.sum(tf.abs(tf.sub(acceleratedApply(models[n]!, batch, { training: false }).prediction, batch.labels))))),
      ));
      names.forEach((n, i) => sums.set(n, sums.get(n)! + values[i]));
    } finally {
      disposeBatch(batch);
    }
  }
  return Object.fromEntries(names.map((n) => [n, sums.get(n)! / Math.max(1, split.ids.length)]));
}

/**
 * Routes each clip of a batch to the predictor of its available modalities and resolves to the
 * predictions in batch order (one read for the batch, then a turn of the event loop). `available[i]` is clip i's subset; every
 * subset that occurs needs a predictor (MM-CKD: the seven models; B1: the zero-filled teacher for
 * each subset).
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function predict(
  predictors: Partial<Record<SubsetName, Predictor>>,
  batch: Batch | ModelInput,
  available: readonly SubsetName[],
): Promise<Float32Array> {
  const n = available.length;
  const out = new Float32Array(n);
  const groups = new Map<SubsetName, number[]>();
  available.forEach((s, i) => {
    const rows = groups.get(s);
    if (rows) rows.push(i);
    else groups.set(s, [i]);
  });
  if (n === 0) return out;
  for (const subset of groups.keys()) {
    if (!predictors[subset]) throw new Error(`Expected a model for the available modalities '${subset}', but none was given`);
  }
  const order = [...groups.values()].flat(); // the rows of each group, groups in order of appearance
  const grouped = tf.tidy(() => {
    const parts = [...groups].map(([subset, rows]) => {
      const idx = tf.tensor1d(rows, 'int32');
      const part: ModelInput = { inputs: {}, masks: {} };
      // [B, T, D] -> [rows, T, D]; every modality of the batch is passed on (a student reads
      // only its own; B1's zero-fill predictor needs the others' shapes)
      for (const m of MODALITIES) {
        if (!batch.inputs[m]) continue;
        part.inputs[m] = tf.gather(batch.inputs[m]!, idx);
        part.masks[m] = tf.gather(batch.masks[m]!, idx);
      }
      return predictors[subset]!(part);
    });
    return parts.length === 1 ? parts[0] : tf.concat(parts); // [n] in `order`
  });
  const v = await readBatchResult(grouped);
  order.forEach((row, i) => (out[row] = v[i]));
  return out;
}
