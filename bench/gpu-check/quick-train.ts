/**
 * A short online MM-CKD training run for the GPU check, the same on every backend: the
 * synthetic 'quick' set (192/64/96 clips, T 20, standardised), the `quick` training preset (d 16,
 * AdamW, cosine schedule, the kit's lambda and tau), all seven models from scratch, batch 32,
 * seeded shuffling and dropout as lib/train/trainer.ts seeds them. Steps and validation read
 * asynchronously (async-step.ts says why); no checkpoints, no early stopping.
 */
import * as tf from '@tensorflow/tfjs';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { standardizeDataset } from '../../lib/data/standardize';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import { disposeBatch, type MultimodalSplit } from '../../lib/data/types';
import { buildModelSet, disposeModelSet, type MsaModel } from '../../lib/models/index';
import { validateTrainConfig } from '../../lib/train/config';
import { onlineDistillationObjective } from '../../lib/train/objectives';
import { FlatAdam } from '../../lib/train/flat-adam';
import { learningRateAt } from '../../lib/train/schedule';
import { splitBatches } from '../../lib/train/batch-source';
import { asyncTrainingStep, labelValuesOf } from './async-step';

/** What the run gives: validation MAE per model after each epoch, and its time. */
export interface QuickTrainResult {
  epochs: number;
  /** validMae[epoch][model]. */
  validMae: Record<SubsetName, number>[];
  /** Mean total training loss per epoch. */
  trainLoss: number[];
  seconds: number;
}

/** Returns each model's mean absolute error on `split`, reading one small tensor per batch. */
export async function asyncValidationMae(models: Record<SubsetName, MsaModel>, split: MultimodalSplit, batchSize = 64): Promise<Record<SubsetName, number>> {
  const sums = new Float64Array(SUBSET_NAMES.length);
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    const errs = tf.tidy(() =>
      tf.stack(SUBSET_NAMES.map((n) => tf.sum(tf.abs(tf.sub(models[n].apply(batch, { training: false }).prediction, batch.labels))))),
    );
    const values = await errs.data();
    errs.dispose();
    disposeBatch(batch);
    values.forEach((v, i) => (sums[i] += v));
  }
  const n = split.labels.length;
  return Object.fromEntries(SUBSET_NAMES.map((name, i) => [name, sums[i] / n])) as Record<SubsetName, number>;
}

/** Runs `epochs` epochs of online MM-CKD on the quick set on the current backend. */
export async function quickTrain(epochs: number, seed = 1): Promise<QuickTrainResult> {
  const { dataset } = standardizeDataset(generateSynthetic(syntheticConfig('quick')));
  const config = validateTrainConfig({ method: 'mmckd', seed, epochs }, 'quick');
  const models = buildModelSet({ ...config.model, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } }, SUBSET_NAMES, seed);
  const optimizer = new FlatAdam(config.lr, 0.9, 0.999, null, config.weightDecay);
  const started = performance.now();
  try {
    const objective = onlineDistillationObjective(models, config, true);
    const variables = Object.values(models).flatMap((m) => m.variables());
    const stepsPerEpoch = Math.ceil(dataset.train.ids.length / config.batchSize);
    const validMae: Record<SubsetName, number>[] = [];
    const trainLoss: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      let steps = 0;
      let lossSum = 0;
      for (const batch of splitBatches(dataset.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed * 100003 + epoch })) {
        try {
          optimizer.learningRate = learningRateAt(config.lr, config.schedule, config.warmupEpochs, { epoch, step: steps, stepsPerEpoch, epochs });
          const stepSeed = (config.seed * 7919 + epoch * 1009 + steps) >>> 0; // as the trainer
          const labels = await labelValuesOf(batch);
          lossSum += (await asyncTrainingStep(objective, variables, optimizer, batch, labels, stepSeed, config.clipNorm)).loss;
          steps++;
        } finally {
          disposeBatch(batch);
        }
      }
      trainLoss.push(lossSum / Math.max(1, steps));
      validMae.push(await asyncValidationMae(models, dataset.valid));
    }
    return { epochs, validMae, trainLoss, seconds: (performance.now() - started) / 1000 };
  } finally {
    optimizer.dispose();
    disposeModelSet(models);
  }
}
