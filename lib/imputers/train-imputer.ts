/**
 * The imputers' training: `trainModels` (lib/train/trainer.ts), the kit's one training loop, with
 * the imputer as its one member. An imputer predicts frames, not sentiment, so its loss is the
 * imputer's masked reconstruction (each clip with one of the six missing patterns drawn at random)
 * and its validation score, which picks the best epoch and drives early stopping, is the
 * validation loss under fixed patterns and noise. Optimizer: tf.train.adam.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { yieldToEventLoop } from '../io/event-loop';
import { splitBatches } from '../train/batch-source';
import { trainModels, type BatchLoss, type EpochSummary } from '../train/trainer';
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

/** Returns the imputer's training loss on `batch`, each clip with a missing pattern drawn from `seed`. */
function imputerLoss(imputer: Imputer, batch: Batch, seed: number): BatchLoss {
  const B = batch.labels.shape[0];
  const availability = tf.tensor2d(randomPatternAvailability(B, seed), [B, 3]); // [B, 3] 1 = available
  return { total: imputer.loss(batch, availability, seed), terms: {} };
}

/**
 * Resolves to the mean loss of the imputer on `split` with seeded missing patterns (and diffusion
 * noise) per batch: the same seed gives the same value for the same weights. One read per batch.
 */
async function imputerValidationLoss(imputer: Imputer, split: MultimodalSplit, batchSize = 64, seed = 12345): Promise<number> {
  let sum = 0;
  let n = 0;
  let k = 0;
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    const B = batch.labels.shape[0];
    const stepSeed = (seed * 7919 + k++) >>> 0;
    try {
      const loss = tf.tidy(() => imputerLoss(imputer, batch, stepSeed).total);
      try {
        sum += (await loss.data())[0] * B;
      } finally {
        loss.dispose();
      }
    } finally {
      disposeBatch(batch);
    }
    n += B;
    await yieldToEventLoop();
  }
  return sum / Math.max(1, n);
}

/** Returns the trainer's epoch summary as an imputer epoch record. */
function imputerEpochRecord(r: EpochSummary<'imputer'>): ImputerEpochRecord {
  return {
    epoch: r.epoch, lr: r.lr, trainLoss: r.trainLoss.total, validLoss: r.scores.imputer!, improved: r.improved.length > 0,
    gradNorm: r.gradNorm, seconds: r.seconds,
  };
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
  const optimizer = tf.train.adam(o.lr);
  try {
    const { state } = await trainModels({
      ...o,
      stage: `imputer (${imputer.kind})`,
      models: { imputer },
      objective: (batch, seed) => imputerLoss(imputer, batch, seed),
      validate: async () => ({ imputer: await imputerValidationLoss(imputer, data.valid, 64, o.seed) }),
      train: data.train,
      batches: splitBatches,
      optimizer,
      divergenceHint: 'lower lr',
      callbacks: {
        onStep: (p) => callbacks.onStep?.({ epoch: p.epoch, step: p.step, steps: p.steps, loss: p.loss.total }),
        onEpochEnd: (r) => callbacks.onEpochEnd?.(imputerEpochRecord(r)),
      },
    });
    const best = state.best.imputer;
    return {
      history: state.history.map(imputerEpochRecord),
      best: best ? { epoch: best.epoch, validLoss: best.score } : { epoch: -1, validLoss: Infinity },
      stoppedEarly: state.stoppedEarly,
    };
  } finally {
    optimizer.dispose();
  }
}
