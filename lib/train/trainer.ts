/**
 * A generic training loop (minGPT style): Adam, learning-rate schedule, global-norm clipping,
 * per-model best checkpoints by validation MAE, early stopping with patience, seeded shuffling,
 * resumable epoch state and callbacks. It knows nothing of distillation: the method is the
 * objective it is given and the set of models.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { SubsetName } from '../data/modalities';
import type { Batch, MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import type { MsaModel } from '../models/model';
import type { ScheduleKind } from './config';
import type { Objective } from './objectives';
import { learningRateAt } from './schedule';
import { FlatAdam, clipAndApplyGradients } from './flat-adam';
import { validationMae } from './predict';

/** Yields the batches of a split; the trainer disposes each batch after use. */
export type BatchSource = (split: MultimodalSplit, options: { batchSize: number; shuffle: boolean; seed: number }) => Iterable<Batch>;

/** One epoch in the history. */
export interface EpochRecord {
  stage: string;
  epoch: number;
  /** Learning rate at the epoch's end. */
  lr: number;
  /** Mean of each loss term over the epoch's steps (plus 'total'). */
  trainLoss: Record<string, number>;
  /** Validation MAE of each model on its own modalities. */
  validMae: Partial<Record<SubsetName, number>>;
  /** Models whose validation MAE improved this epoch (their best checkpoint moved here). */
  improved: SubsetName[];
  /** Mean global gradient norm before clipping. */
  gradNorm: number;
  seconds: number;
}

/** Best validation MAE of a model and the epoch where it was reached. */
export interface BestRecord {
  epoch: number;
  validMae: number;
}

/** What `trainModels` needs to continue an interrupted run from its last completed epoch. */
export interface TrainerState {
  stage: string;
  /** The next epoch to run. */
  nextEpoch: number;
  history: EpochRecord[];
  best: Partial<Record<SubsetName, BestRecord>>;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
}

/** Progress of one step, for progress bars and live notebook displays. */
export interface StepProgress {
  stage: string;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: Record<string, number>;
  lr: number;
  /** Seconds since the stage started (this process). */
  elapsed: number;
  /** Estimated seconds left in the stage (at most `epochs`). */
  eta: number;
}

/** Callbacks of the loop. */
export interface TrainerCallbacks {
  onStep?(p: StepProgress): void;
  /**
   * After each epoch, with the best weights so far; persist them here to make the run resumable.
   * Awaited before the next epoch.
   */
  onEpochEnd?(record: EpochRecord, state: TrainerState, ctx: EpochContext): Promise<void> | void;
}

/** What `onEpochEnd` can read to save a resumable snapshot. */
export interface EpochContext {
  models: Partial<Record<SubsetName, MsaModel>>;
  bestWeights: Partial<Record<SubsetName, Record<string, tf.Tensor>>>;
  optimizer: tf.Optimizer;
}

/** Options of `trainModels`. */
export interface TrainerOptions {
  /** Label of this stage in logs and history ('stage1', 'stage2'). */
  stage: string;
  /** Models that are validated and checkpointed. */
  models: Partial<Record<SubsetName, MsaModel>>;
  /** Models whose variables the optimizer updates (default: all of `models`). */
  trainable?: SubsetName[];
  objective: Objective;
  train: MultimodalSplit;
  valid: MultimodalSplit;
  batches: BatchSource;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Decoupled weight decay (AdamW) of a new optimizer; default 0. */
  weightDecay?: number;
  schedule: ScheduleKind;
  warmupEpochs: number;
  clipNorm: number;
  patience: number;
  seed: number;
  callbacks?: TrainerCallbacks;
  /** Continue from this state; models, best weights and optimizer must be restored by the caller. */
  resume?: { state: TrainerState; bestWeights: Partial<Record<SubsetName, Record<string, tf.Tensor>>>; optimizer: tf.Optimizer };
  /**
   * Best checkpoints carried in from an earlier stage (epoch -1): a model keeps them unless this
   * stage beats their validation MAE. The trainer owns (and disposes) the weights. Ignored on resume.
   */
  initialBest?: Partial<Record<SubsetName, { validMae: number; weights: Record<string, tf.Tensor> }>>;
}

/** Result: the history, the best record per model, and whether early stopping ended the stage. */
export interface TrainerResult {
  state: TrainerState;
}

/** Raised when a loss becomes NaN or infinite: names the stage, epoch, step and every term. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly stage: string,
    readonly epoch: number,
    readonly step: number,
    readonly terms: Record<string, number>,
  ) {
    super(
      `${stage}: loss is not finite at epoch ${epoch}, step ${step} (` +
        Object.entries(terms).map(([k, v]) => `${k}=${v}`).join(', ') +
        '); lower lr, raise tau or check the data for NaN',
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Sets an optimizer's learning rate in place (Adam's moments are kept); shared by every training loop. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // tfjs optimizers read `learningRate` on every applyGradients; it is not public API but stable
  // across tfjs 1-4, and this is how a schedule is applied without rebuilding Adam's moments.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Trains `trainable` models on `objective`, validating every model after each epoch. On return,
 * every model holds its best weights (lowest validation MAE). Never leaks tensors.
 */
export async function trainModels(o: TrainerOptions): Promise<TrainerResult> {
  const trainable = o.trainable ?? (Object.keys(o.models) as SubsetName[]);
  const varList = trainable.flatMap((n) => o.models[n]!.variables());
  // tf.train.adam's update over one flat buffer: bitwise the same, ~370 kernel calls instead of ~5,000.
  const optimizer = o.resume?.optimizer ?? new FlatAdam(o.lr, 0.9, 0.999, null, o.weightDecay ?? 0);
  const state: TrainerState = o.resume?.state ?? {
    stage: o.stage,
    nextEpoch: 0,
    history: [],
    best: {},
    epochsWithoutImprovement: 0,
    stoppedEarly: false,
  };
  const bestWeights: Partial<Record<SubsetName, Record<string, tf.Tensor>>> = o.resume?.bestWeights ?? {};
  if (!o.resume) {
    for (const [name, init] of Object.entries(o.initialBest ?? {}) as [SubsetName, { validMae: number; weights: Record<string, tf.Tensor> }][]) {
      state.best[name] = { epoch: -1, validMae: init.validMae };
      bestWeights[name] = init.weights;
    }
  } else {
    for (const init of Object.values(o.initialBest ?? {})) tf.dispose(Object.values(init!.weights));
  }
  const started = Date.now();
  const epochsAtStart = state.nextEpoch;
  const stepsPerEpoch = Math.ceil(o.train.ids.length / o.batchSize);

  for (let epoch = state.nextEpoch; epoch < o.epochs && !state.stoppedEarly; epoch++) {
    const epochStart = Date.now();
    const sums: Record<string, number> = {};
    let steps = 0;
    let gradNormSum = 0;
    let lr = o.lr;
    for (const batch of o.batches(o.train, { batchSize: o.batchSize, shuffle: true, seed: o.seed * 100003 + epoch })) {
      lr = learningRateAt(o.lr, o.schedule, o.warmupEpochs, { epoch, step: steps, stepsPerEpoch, epochs: o.epochs });
      setLearningRate(optimizer, lr);
      const stepSeed = (o.seed * 7919 + epoch * 1009 + steps) >>> 0;
      let termNames: string[] = [];
      let packed: tf.Tensor | undefined;
      let step: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        step = tf.variableGrads(() => {
          const loss = o.objective(batch, stepSeed);
          termNames = ['total', ...Object.keys(loss.terms)];
          packed = tf.keep(tf.stack([loss.total, ...Object.values(loss.terms)])); // [1 + terms]
          return loss.total;
        }, varList);
      } finally {
        disposeBatch(batch);
      }
      const termValues = Array.from(packed!.dataSync()); // one synchronous read per step
      packed!.dispose();
      step.value.dispose();
      const terms = Object.fromEntries(termNames.map((n, i) => [n, termValues[i]]));
      if (!termValues.every(Number.isFinite)) {
        tf.dispose(step.grads);
        throw new TrainingDivergedError(o.stage, epoch, steps, terms);
      }
      const gradNorm = clipAndApplyGradients(optimizer, step.grads, o.clipNorm); // disposes the gradients
      for (const [k, v] of Object.entries(terms)) sums[k] = (sums[k] ?? 0) + v;
      gradNormSum += gradNorm;
      steps++;
      if (o.callbacks?.onStep) {
        const elapsed = (Date.now() - started) / 1000;
        const doneSteps = (epoch - epochsAtStart) * stepsPerEpoch + steps;
        const leftSteps = (o.epochs - epoch) * stepsPerEpoch - steps;
        o.callbacks.onStep({
          stage: o.stage, epoch, epochs: o.epochs, step: steps, steps: stepsPerEpoch,
          loss: terms, lr, elapsed, eta: (elapsed / Math.max(1, doneSteps)) * leftSteps,
        });
      }
      // Let timers run between steps (the run lock's refresh, a notebook's live display).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const validMae = validationMae(o.models, o.valid, o.batches, o.batchSize);
    const improved: SubsetName[] = [];
    for (const [name, mae] of Object.entries(validMae) as [SubsetName, number][]) {
      const best = state.best[name];
      if (!best || mae < best.validMae) {
        state.best[name] = { epoch, validMae: mae };
        if (bestWeights[name]) tf.dispose(Object.values(bestWeights[name]!));
        bestWeights[name] = o.models[name]!.getWeights();
        improved.push(name);
      }
    }
    state.epochsWithoutImprovement = improved.length > 0 ? 0 : state.epochsWithoutImprovement + 1;
    state.stoppedEarly = state.epochsWithoutImprovement >= o.patience;
    state.nextEpoch = epoch + 1;
    const record: EpochRecord = {
      stage: o.stage,
      epoch,
      lr,
      trainLoss: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, steps)])),
      validMae,
      improved,
      gradNorm: gradNormSum / Math.max(1, steps),
      seconds: (Date.now() - epochStart) / 1000,
    };
    state.history.push(record);
    await o.callbacks?.onEpochEnd?.(record, state, { models: o.models, bestWeights, optimizer });
  }

  // Every model leaves with its best weights; the snapshots and the optimizer are released.
  for (const [name, weights] of Object.entries(bestWeights) as [SubsetName, Record<string, tf.Tensor>][]) {
    o.models[name]!.setWeights(weights);
    tf.dispose(Object.values(weights));
  }
  optimizer.dispose();
  return { state };
}

