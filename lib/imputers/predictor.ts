/**
 * Imputation at inference (baseline B5): the imputer fills the missing modalities' frames, then
 * the frozen full-modality teacher reads the completed clip. Returned as a `Predictor`, so P1
 * (`evaluateSubsets`) and the routed P2/P3 evaluations score imputer + teacher exactly like
 * MM-CKD's students.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, SUBSET_NAMES, subsetModalities, type Modality, type SubsetName } from '../data/modalities';
import { acceleratedApply } from '../accelerator/model-forward';
import type { ModelInput, MsaModel } from '../models/model';
import type { Predictor } from '../train/predict';
import { imputedFrameMask } from './conditioning';
import type { ImputeOptions, Imputer } from './imputer';

/**
 * Returns the clip with the modalities outside `subset` replaced by the imputer's frames (and
 * their masks by the imputed frame masks); the available modalities pass through unchanged.
 * The caller owns the returned tensors that are new (run it inside tf.tidy).
 */
function imputedInput(imputer: Imputer, batch: ModelInput, subset: SubsetName, options: ImputeOptions = {}): ModelInput {
  const available = subsetModalities(subset);
  if (available.length === MODALITIES.length) return batch;
  const filled = imputer.impute(batch, available, options);
  const inputs: Partial<Record<Modality, tf.Tensor3D>> = {};
  const masks: Partial<Record<Modality, tf.Tensor2D>> = {};
  for (const m of MODALITIES) {
    if (available.includes(m)) {
      inputs[m] = batch.inputs[m];
      masks[m] = batch.masks[m];
    } else {
      inputs[m] = filled[m];
      masks[m] = imputedFrameMask(batch, m, available, imputer.config.seqLens[m]);
    }
  }
  return { inputs, masks };
}

/**
 * Returns B5's predictor for a subset: impute the missing modalities, then run the teacher in
 * inference mode. For 'tav' it is the teacher alone.
 * @see notebooks/05-computational-cost.ipynb
 */
export function imputerPredictor(imputer: Imputer, teacher: MsaModel, subset: SubsetName, options: ImputeOptions = {}): Predictor {
  if (teacher.name !== 'tav') throw new Error(`Expected a full-modality teacher ('tav'), but got model '${teacher.name}'`);
  return (batch) => tf.tidy(() => acceleratedApply(teacher, imputedInput(imputer, batch, subset, options), { training: false }).prediction);
}

/** Returns `imputerPredictor` for all seven subsets (the routing table of `predict` and `evaluateSubsets`). */
export function imputerPredictors(imputer: Imputer, teacher: MsaModel, options: ImputeOptions = {}): Record<SubsetName, Predictor> {
  return Object.fromEntries(SUBSET_NAMES.map((s) => [s, imputerPredictor(imputer, teacher, s, options)])) as Record<SubsetName, Predictor>;
}
