/**
 * The training objectives of stage 1, MM-CKD and the baselines, as functions of one batch.
 * The trainer (lib/train/trainer.ts) knows nothing of distillation: it minimises what these return.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { SubsetName } from '../data/modalities';
import type { MsaModel, ModelOutput } from '../models/model';
import { acceleratedApply, acceleratedApplyModels } from '../accelerator/model-forward';
import { l1Loss, featureMseLoss, outputMseLoss, mvscLoss, multiViewContrastiveLoss, labelClasses } from '../losses/index';
import type { TrainConfig } from './config';
import type { Objective } from './trainer';

// The trainer defines what an objective is; importers of the objectives find the type here too.
export type { BatchLoss, Objective } from './trainer';

/** Options of the objectives. */
export interface ObjectiveOptions {
  /**
   * Run the models' encoders vectorised over the models (lib/models/vectorised-encoders.ts; through
   * the fused kernels of lib/accelerator where they are registered) when
   * their config allows it (default true); false runs them model by model. Same values either way.
   */
  vectorise?: boolean;
}

/** Model i of a call gets dropout seed `seed * 8 + i` (as it always has: runs stay reproducible). */
const memberSeeds = (seed: number, count: number): number[] => Array.from({ length: count }, (_, i) => seed * 8 + i);

/** Stage 1 and B2's building block: the L1 loss of each model, summed. */
export function regressionObjective(models: Partial<Record<SubsetName, MsaModel>>, options: ObjectiveOptions = {}): Objective {
  const names = Object.keys(models) as SubsetName[];
  const list = names.map((n) => models[n]!);
  return (batch, seed) => {
    const terms: Record<string, tf.Scalar> = {};
    const outs = acceleratedApplyModels(list, batch, { training: true, seeds: memberSeeds(seed, list.length), vectorise: options.vectorise });
    names.forEach((name, i) => {
      terms[`l1_${name}`] = l1Loss(outs[i].prediction, batch.labels);
    });
    return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
  };
}

/**
 * Online contrastive distillation (MM-CKD, and B4 with `supervised: false`): sum over the models
 * of L1, plus lambda times the contrastive loss over all models' projections of the batch.
 * Views are ordered teacher first; `detachTeacherViews` stops gradients through the teacher's.
 */
export function onlineDistillationObjective(
  models: Partial<Record<SubsetName, MsaModel>>,
  config: Pick<TrainConfig, 'lambda' | 'tau' | 'classScheme' | 'detachTeacherViews'>,
  supervised: boolean,
  options: ObjectiveOptions = {},
): Objective {
  const names = Object.keys(models) as SubsetName[];
  const list = names.map((n) => models[n]!);
  return (batch, seed) => {
    const terms: Record<string, tf.Scalar> = {};
    const views: tf.Tensor2D[] = [];
    const outs: ModelOutput[] = acceleratedApplyModels(list, batch, { training: true, seeds: memberSeeds(seed, list.length), vectorise: options.vectorise });
    names.forEach((name, i) => {
      terms[`l1_${name}`] = l1Loss(outs[i].prediction, batch.labels);
      views.push(outs[i].projection);
    });
    let total = tf.addN(Object.values(terms)) as tf.Scalar;
    if (config.lambda > 0 && views.length > 1) {
      const detach = names.map((n) => config.detachTeacherViews && n === 'tav');
      const contrast = supervised
        ? mvscLoss(views, labelClasses(batch.labelValues, config.classScheme), config.tau, { detach })
        : multiViewContrastiveLoss(views, config.tau, { detach });
      terms[supervised ? 'mvsc' : 'mvc'] = contrast;
      total = tf.add(total, tf.mul(contrast, config.lambda)) as tf.Scalar;
    }
    return { total, terms };
  };
}

/**
 * B3 offline KD: each student's L1 plus feature MSE and output MSE to a frozen teacher
 * (the teacher runs in inference mode and its outputs are constants).
 */
export function offlineDistillationObjective(
  teacher: MsaModel,
  students: Partial<Record<SubsetName, MsaModel>>,
  config: Pick<TrainConfig, 'kdFeatureWeight' | 'kdOutputWeight'>,
): Objective {
  return (batch, seed) => {
    // The teacher's variables are not in the optimizer's list, so its outputs act as constants.
    const t = acceleratedApply(teacher, batch, { training: false });
    const tFused = t.fused;
    const tPred = t.prediction;
    const terms: Record<string, tf.Scalar> = {};
    const parts: tf.Scalar[] = [];
    for (const [i, [name, model]] of (Object.entries(students) as [SubsetName, MsaModel][]).entries()) {
      const out = acceleratedApply(model, batch, { training: true, seed: seed * 8 + i + 1 });
      terms[`l1_${name}`] = l1Loss(out.prediction, batch.labels);
      terms[`kd_${name}`] = tf.add(
        tf.mul(featureMseLoss(out.fused, tFused), config.kdFeatureWeight),
        tf.mul(outputMseLoss(out.prediction, tPred), config.kdOutputWeight),
      ) as tf.Scalar;
      parts.push(terms[`l1_${name}`], terms[`kd_${name}`]);
    }
    return { total: tf.addN(parts) as tf.Scalar, terms };
  };
}
