/**
 * The imputers' training loop. `trainModels` (lib/train/trainer.ts) validates and checkpoints
 * MsaModels by the MAE of their sentiment predictions; an imputer predicts frames, not sentiment,
 * so its early stopping needs the validation reconstruction loss instead. This small loop reuses
 * the trainer's pieces: the same seeded batches (`splitBatches`), Adam, `learningRateAt`,
 * `setLearningRate` and `clipAndApplyGradients`, best-weights keeping and patience.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { splitBatches } from '../train/batch-source';
import { clipAndApplyGradients } from '../train/flat-adam';
import { learningRateAt } from '../train/schedule';
import { setLearningRate } from '../train/trainer';
import type { ImputerTrainOptions } from './config';
import { randomPatternAvailability } from './conditioning';
import type { Imputer } from './imputer';

/** One epoch of imputer training. */
export interface ImputerEpochRecord {
  epoch: number;
  lr: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  /** Validation loss (fixed patterns and noise, so epochs are comparable). */
  validLoss: number;
  improved: boolean;
  gradNorm: number;
  seconds: number;
}

/** Result of `trainImputer`: the history and the best epoch (the imputer holds its weights). */
export interface ImputerTrainResult {
  history: ImputerEpochRecord[];
  best: { epoch: number; validLoss: number };
  stoppedEarly: boolean;
}

/** Callbacks of `trainImputer`. */
export interface ImputerTrainCallbacks {
  onStep?(p: { epoch: number; step: number; steps: number; loss: number }): void;
  onEpochEnd?(record: ImputerEpochRecord): void;
}

/**
 * Returns the mean loss of the imputer on `split` with seeded missing patterns (and diffusion
 * noise) per batch: the same seed gives the same value for the same weights.
 */
export function imputerValidationLoss(imputer: Imputer, split: MultimodalSplit, batchSize = 64, seed = 12345): number {
  let sum = 0;
  let n = 0;
  let k = 0;
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    const B = batch.labels.shape[0];
    const stepSeed = (seed * 7919 + k++) >>> 0;
    const loss = tf.tidy(() => imputer.loss(batch, tf.tensor2d(randomPatternAvailability(B, stepSeed), [B, 3]), stepSeed));
    sum += loss.dataSync()[0] * B;
    n += B;
    loss.dispose();
    disposeBatch(batch);
  }
  return sum / Math.max(1, n);
}

/**
 * Trains `imputer` on complete training clips, each batch clip with one of the six missing
 * patterns drawn at random, keeping the weights of the best validation loss. Never leaks tensors.
 * @see notebooks/05-computational-cost.ipynb
 */
export async function trainImputer(
  imputer: Imputer,
  data: { train: MultimodalSplit; valid: MultimodalSplit },
  o: ImputerTrainOptions,
  callbacks: ImputerTrainCallbacks = {},
): Promise<ImputerTrainResult> {
  const vars = imputer.variables();
  const optimizer: tf.Optimizer = tf.train.adam(o.lr);
  const history: ImputerEpochRecord[] = [];
  const stepsPerEpoch = Math.ceil(data.train.ids.length / o.batchSize);
  let best = { epoch: -1, validLoss: Infinity };
  let bestWeights: Record<string, tf.Tensor> | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < o.epochs && !stoppedEarly; epoch++) {
      const started = Date.now();
      let lossSum = 0;
      let normSum = 0;
      let steps = 0;
      let lr = o.lr;
      for (const batch of splitBatches(data.train, { batchSize: o.batchSize, shuffle: true, seed: o.seed * 100003 + epoch })) {
        lr = learningRateAt(o.lr, o.schedule, o.warmupEpochs, { epoch, step: steps, stepsPerEpoch, epochs: o.epochs });
        setLearningRate(optimizer, lr);
        const B = batch.labels.shape[0];
        const stepSeed = (o.seed * 7919 + epoch * 1009 + steps) >>> 0;
        const availability = tf.tensor2d(randomPatternAvailability(B, stepSeed), [B, 3]);
        let step: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          step = tf.variableGrads(() => imputer.loss(batch, availability, stepSeed), vars);
        } finally {
          availability.dispose();
          disposeBatch(batch);
        }
        const loss = step.value.dataSync()[0];
        step.value.dispose();
        if (!Number.isFinite(loss)) {
          tf.dispose(step.grads);
          throw new Error(`imputer (${imputer.kind}): loss is not finite at epoch ${epoch}, step ${steps}; lower lr`);
        }
        const norm = clipAndApplyGradients(optimizer, step.grads, o.clipNorm); // disposes the gradients
        lossSum += loss;
        normSum += norm;
        steps++;
        callbacks.onStep?.({ epoch, step: steps, steps: stepsPerEpoch, loss });
      }
      const validLoss = imputerValidationLoss(imputer, data.valid, 64, o.seed);
      const improved = validLoss < best.validLoss;
      if (improved) {
        best = { epoch, validLoss };
        if (bestWeights) tf.dispose(Object.values(bestWeights));
        bestWeights = imputer.getWeights();
        sinceBest = 0;
      } else sinceBest++;
      stoppedEarly = sinceBest >= o.patience;
      const record: ImputerEpochRecord = {
        epoch, lr, trainLoss: lossSum / Math.max(1, steps), validLoss, improved,
        gradNorm: normSum / Math.max(1, steps), seconds: (Date.now() - started) / 1000,
      };
      history.push(record);
      callbacks.onEpochEnd?.(record);
    }
  } finally {
    if (bestWeights) {
      imputer.setWeights(bestWeights);
      tf.dispose(Object.values(bestWeights));
    }
    optimizer.dispose();
  }
  return { history, best, stoppedEarly };
}
