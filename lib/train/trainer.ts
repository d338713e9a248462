/**
 * The kit's one training loop (minGPT style): learning-rate schedule, global-norm clipping, the
 * caller's optimizer, each member's best weights by its validation score, early stopping with
 * patience, seeded shuffling and dropout, resumable epoch state and callbacks. It knows nothing of
 * what it trains: the caller gives the members (anything with variables and weights), the loss of
 * a batch and the validation scores. The MM-CKD stages (lib/train/resumable-stage.ts) and the
 * imputers (lib/imputers/train-imputer.ts) both train through `trainModels`.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import type { LoopOptions } from './config';
import { BackendReadError, runOptimizationStep, type StepReader, type StepValues } from './optimization-step';
import { learningRateAt } from './schedule';
import { yieldToEventLoop } from '../io/event-loop';

/** Yields the batches of a split; the trainer disposes each batch after use. */
export type BatchSource = (split: MultimodalSplit, options: { batchSize: number; shuffle: boolean; seed: number }) => Iterable<Batch>;

/** The loss of one batch: the total to minimise and its named terms (for logs and NaN reports). */
export interface BatchLoss {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/** Computes the loss of a batch; `seed` seeds this step's randomness (dropout, noise). Runs inside the trainer's tidy. */
export type Objective = (batch: Batch, seed: number) => BatchLoss;

/** What the trainer trains: its variables, and copies of its weights to keep and restore. */
export interface Trainable {
  variables(): tf.Variable[];
  /** Returns a copy of every weight by name; the caller disposes the copies. */
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>): void;
}

/** Weights by name, one set per member. */
export type MemberWeights<K extends string> = Partial<Record<K, Record<string, tf.Tensor>>>;

/** One epoch in the history. */
export interface EpochSummary<K extends string = string> {
  stage: string;
  epoch: number;
  /** Learning rate at the epoch's end. */
  lr: number;
  /** Mean of each loss term over the epoch's steps (plus 'total'). */
  trainLoss: Record<string, number>;
  /** Validation score of each member (lower is better). */
  scores: Partial<Record<K, number>>;
  /** Members whose score improved this epoch (their best weights moved here). */
  improved: K[];
  /** Mean global gradient norm before clipping. */
  gradNorm: number;
  seconds: number;
  /** What the caller's `probe` measured after this epoch (absent without a probe). */
  probe?: ProbeRecord;
}

/**
 * Measurements taken after an epoch by the caller's probe: groups of named numbers
 * (e.g. `{ 'train.separation': { t: 0.12, a: 0.03 } }`), recorded in the history as they are.
 */
export type ProbeRecord = Record<string, Record<string, number>>;

/** Best validation score of a member and the epoch where it was reached (-1: carried in). */
export interface BestRecord {
  epoch: number;
  score: number;
}

/** What `trainModels` needs to continue an interrupted run from its last completed epoch. */
export interface TrainerState<K extends string = string> {
  stage: string;
  /** The next epoch to run. */
  nextEpoch: number;
  history: EpochSummary<K>[];
  best: Partial<Record<K, BestRecord>>;
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
export interface TrainerCallbacks<K extends string = string> {
  onStep?(p: StepProgress): void;
  /**
   * After each epoch, with the best weights so far (`bestWeights`, owned by the trainer): persist
   * them here to make the run resumable. Awaited before the next epoch.
   */
  onEpochEnd?(record: EpochSummary<K>, state: TrainerState<K>, bestWeights: MemberWeights<K>): Promise<void> | void;
}

/** Options of `trainModels`: the loop options plus what to train and how to score it. */
export interface TrainerOptions<K extends string> extends LoopOptions {
  /** Label of this stage in logs, history and errors ('stage1', 'imputer (diffusion)'). */
  stage: string;
  /** The members, by name: each one that `validate` scores keeps the weights of its best score. */
  models: Partial<Record<K, Trainable>>;
  /** Members whose variables the optimizer updates (default: all of `models`). */
  trainable?: K[];
  objective: Objective;
  /** Resolves to each member's validation score after an epoch (lower is better); it picks the member's best epoch. */
  validate(): Promise<Partial<Record<K, number>>>;
  /**
   * Measures the members after each epoch (after `validate`, with the epoch's weights, before any
   * best weights are restored); recorded as the epoch's `probe`. It must not train or draw random
   * numbers, so a run gives the same weights with and without it.
   */
  probe?(): Promise<ProbeRecord>;
  train: MultimodalSplit;
  batches: BatchSource;
  /** Updates the trainable variables; the trainer sets its learning rate at each step, the caller disposes it. */
  optimizer: tf.Optimizer;
  /** What the divergence error suggests (default 'lower lr or check the data for NaN'). */
  divergenceHint?: string;
  callbacks?: TrainerCallbacks<K>;
  /** Continue from this state; the caller restores the members' and the optimizer's weights. The trainer owns `bestWeights`. */
  resume?: { state: TrainerState<K>; bestWeights: MemberWeights<K> };
  /**
   * Best weights carried in from an earlier stage (epoch -1): a member keeps them unless this
   * stage beats their score. The trainer owns (and disposes) the weights. Ignored on resume.
   */
  initialBest?: Partial<Record<K, { score: number; weights: Record<string, tf.Tensor> }>>;
  /** How a step's values are read (default `await t.data()`); tests inject a failing read to simulate a lost device. */
  read?: StepReader;
}

/** Result: the history, the best record per member, and whether early stopping ended the stage. */
export interface TrainerResult<K extends string = string> {
  state: TrainerState<K>;
}

/** Raised when a loss becomes NaN or infinite: names the stage, epoch, step and every term. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly stage: string,
    readonly epoch: number,
    readonly step: number,
    readonly terms: Record<string, number>,
    hint = 'lower lr or check the data for NaN',
  ) {
    super(
      `${stage}: loss is not finite at epoch ${epoch}, step ${step} (` +
        Object.entries(terms).map(([k, v]) => `${k}=${v}`).join(', ') +
        `); ${hint}`,
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Sets an optimizer's learning rate in place (Adam's moments are kept). */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // tfjs optimizers read `learningRate` on every applyGradients; it is not public API but stable
  // across tfjs 1-4, and this is how a schedule is applied without rebuilding Adam's moments.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** Raised when the backend fails to read a step's values (a lost device, a driver error): names the backend, stage, epoch and step. */
export class TrainingStepReadError extends Error {
  constructor(
    readonly backend: string,
    readonly stage: string,
    readonly epoch: number,
    readonly step: number,
    readonly reason: unknown,
  ) {
    super(
      `${stage}: the ${backend} backend failed at epoch ${epoch}, step ${step} (${reason instanceof Error ? reason.message : String(reason)}); ` +
        'the run stops here and resumes from its last completed epoch when started again',
    );
    this.name = 'TrainingStepReadError';
  }
}

/** Runs one optimisation step on `batch` (disposed here); resolves to the loss terms and the gradient norm. */
async function trainStep<K extends string>(o: TrainerOptions<K>, varList: tf.Variable[], batch: Batch, at: { epoch: number; step: number }): Promise<{ terms: Record<string, number>; gradNorm: number }> {
  const seed = (o.seed * 7919 + at.epoch * 1009 + at.step) >>> 0;
  let step: StepValues;
  try {
    step = await runOptimizationStep({ objective: o.objective, batch, seed, varList, optimizer: o.optimizer, clipNorm: o.clipNorm, read: o.read });
  } catch (err) {
    if (err instanceof BackendReadError) throw new TrainingStepReadError(err.backend, o.stage, at.epoch, at.step, err.reason);
    throw err;
  } finally {
    disposeBatch(batch);
  }
  if (!step.finite) throw new TrainingDivergedError(o.stage, at.epoch, at.step, step.terms, o.divergenceHint);
  return step;
}

/**
 * Trains the `trainable` members on `objective`, scoring every member with `validate` after each
 * epoch. On return (or throw), every member holds its best weights. Never leaks tensors.
 */
export async function trainModels<K extends string>(o: TrainerOptions<K>): Promise<TrainerResult<K>> {
  const trainable = o.trainable ?? (Object.keys(o.models) as K[]);
  const varList = trainable.flatMap((n) => o.models[n]!.variables());
  const state: TrainerState<K> = o.resume?.state ?? {
    stage: o.stage,
    nextEpoch: 0,
    history: [],
    best: {},
    epochsWithoutImprovement: 0,
    stoppedEarly: false,
  };
  const bestWeights: MemberWeights<K> = o.resume?.bestWeights ?? {};
  for (const [name, init] of Object.entries(o.initialBest ?? {}) as [K, { score: number; weights: Record<string, tf.Tensor> }][]) {
    if (o.resume) {
      tf.dispose(Object.values(init.weights)); // the resumed state carries its own best weights
    } else {
      state.best[name] = { epoch: -1, score: init.score };
      bestWeights[name] = init.weights;
    }
  }
  const started = Date.now();
  const epochsAtStart = state.nextEpoch;
  const stepsPerEpoch = Math.ceil(o.train.ids.length / o.batchSize);

  try {
    for (let epoch = state.nextEpoch; epoch < o.epochs && !state.stoppedEarly; epoch++) {
      const epochStart = Date.now();
      const sums: Record<string, number> = {};
      let steps = 0;
      let gradNormSum = 0;
      let lr = o.lr;
      for (const batch of o.batches(o.train, { batchSize: o.batchSize, shuffle: true, seed: o.seed * 100003 + epoch })) {
        lr = learningRateAt(o.lr, o.schedule, o.warmupEpochs, { epoch, step: steps, stepsPerEpoch, epochs: o.epochs });
        setLearningRate(o.optimizer, lr);
        const { terms, gradNorm } = await trainStep(o, varList, batch, { epoch, step: steps });
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
        // Let timers and signals run between steps (the run lock's refresh, a notebook's live display).
        await yieldToEventLoop();
      }

      const scores = await o.validate();
      const improved: K[] = [];
      for (const [name, score] of Object.entries(scores) as [K, number][]) {
        const best = state.best[name];
        if (!best || score < best.score) {
          state.best[name] = { epoch, score };
          if (bestWeights[name]) tf.dispose(Object.values(bestWeights[name]!));
          bestWeights[name] = o.models[name]!.getWeights();
          improved.push(name);
        }
      }
      state.epochsWithoutImprovement = improved.length > 0 ? 0 : state.epochsWithoutImprovement + 1;
      state.stoppedEarly = state.epochsWithoutImprovement >= o.patience;
      state.nextEpoch = epoch + 1;
      const record: EpochSummary<K> = {
        stage: o.stage,
        epoch,
        lr,
        trainLoss: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, steps)])),
        scores,
        improved,
        gradNorm: gradNormSum / Math.max(1, steps),
        seconds: (Date.now() - epochStart) / 1000,
      };
      if (o.probe) record.probe = await o.probe();
      state.history.push(record);
      await o.callbacks?.onEpochEnd?.(record, state, bestWeights);
    }
  } finally {
    // Every member leaves with its best weights; the snapshots are released.
    for (const [name, weights] of Object.entries(bestWeights) as [K, Record<string, tf.Tensor>][]) {
      o.models[name]!.setWeights(weights);
      tf.dispose(Object.values(weights));
    }
  }
  return { state };
}
