/**
 * One training stage of the MM-CKD models, resumable: `trainModels` scores each model by its
 * validation MAE, and each epoch is saved as a transaction. Its files (the models' current
 * weights, their best weights, the optimizer's moments) go to a fresh snapshot folder
 * `current/epoch-<n>/`; then `state.json`, replaced atomically (one rename), names that snapshot
 * and so commits the epoch in one switch; only then are older snapshots removed. A save that
 * fails at any file (ENOSPC, a crash) leaves the previous epoch's `state.json` and snapshot
 * whole, so an interrupted stage continues from its last committed epoch and ends bitwise where an
 * uninterrupted one ends; a finished stage (`done.json`, `best/<subset>/`) is reused as is.
 * Stage folders written before snapshots (files directly in `current/`, `best-weights/` and
 * `optimizer.*`, no `snapshot` in state.json) are still resumed from those files.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SubsetName } from '../data/modalities';
import type { MultimodalSplit } from '../data/types';
import type { MsaModel } from '../models/model';
import { memberSeed } from '../models/model-set';
import { loadModel, loadTensors, saveModel, saveTensors } from './checkpoint';
import type { LoopOptions } from './config';
import { FlatAdam } from './flat-adam';
import { validationMae } from './predict';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { trainModels, type BatchSource, type EpochSummary, type MemberWeights, type Objective, type StepProgress, type TrainerOptions, type TrainerState } from './trainer';

/** One epoch of a stage as history.json and the stage files record it: the trainer's summary, its scores being each model's validation MAE. */
export interface EpochRecord extends Omit<EpochSummary<SubsetName>, 'scores'> {
  /** Validation MAE of each model on its own modalities. */
  validMae: Partial<Record<SubsetName, number>>;
}

/** A stage's progress as `state.json` (after each epoch) and `done.json` (at the end) record it. */
export interface StageState {
  stage: string;
  /** The next epoch to run. */
  nextEpoch: number;
  history: EpochRecord[];
  /** Best validation MAE of each model and its epoch (-1: carried in from stage 1). */
  best: Partial<Record<SubsetName, { epoch: number; validMae: number }>>;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  /** state.json only: the snapshot folder under `current/` holding this epoch's files (absent in older stage folders). */
  snapshot?: string;
}

/** Callbacks of a stage (progress bars, live displays); `onEpochEnd` runs after the epoch is committed. */
export interface StageCallbacks {
  onStep?(p: StepProgress): void;
  onEpochEnd?(record: EpochRecord, state: StageState): Promise<void> | void;
}

/** A lock the stage checks before it commits an epoch (the run folder's, lib/experiments/run-lock.ts): it throws when the lock was lost. */
export interface HeldLock {
  assertHeld(): void;
}

/** What `runStage` trains, and where. */
export interface StageOptions {
  stage: 'stage1' | 'stage2';
  /** Models that are validated and checkpointed. */
  models: Partial<Record<SubsetName, MsaModel>>;
  /** Models whose variables the optimizer updates. */
  trainable: SubsetName[];
  objective: Objective;
  /** The stage's loop options (its epochs, learning rate and seed). */
  loop: LoopOptions;
  /** Decoupled weight decay (AdamW); 0 is plain Adam. */
  weightDecay: number;
  train: MultimodalSplit;
  valid: MultimodalSplit;
  batches: BatchSource;
  /** The run's seed: recorded in each best model's checkpoint (its member seed). */
  runSeed: number;
  /** Folder of the stage's resumable state and best models. */
  dir: string;
  /** Measures the models after each epoch (recorded in the history as `probe`; see `TrainerOptions.probe`). */
  probe?: TrainerOptions<SubsetName>['probe'];
  /** Best weights carried in from an earlier stage (stage 2's pretrained teacher). */
  initialBest?: TrainerOptions<SubsetName>['initialBest'];
  /** The run's lock, checked before each epoch is committed. */
  lock?: HeldLock;
  callbacks?: StageCallbacks & { log?(line: string): void };
}

/** Returns the trainer's epoch summary in the stage files' form (the scores are validation MAEs). */
function epochRecord(r: EpochSummary<SubsetName>): EpochRecord {
  return { stage: r.stage, epoch: r.epoch, lr: r.lr, trainLoss: r.trainLoss, validMae: r.scores, improved: r.improved, gradNorm: r.gradNorm, seconds: r.seconds, ...(r.probe ? { probe: r.probe } : {}) };
}

function stageState(s: TrainerState<SubsetName>): StageState {
  const best = Object.fromEntries(Object.entries(s.best).map(([n, b]) => [n, { epoch: b!.epoch, validMae: b!.score }]));
  return { stage: s.stage, nextEpoch: s.nextEpoch, history: s.history.map(epochRecord), best, epochsWithoutImprovement: s.epochsWithoutImprovement, stoppedEarly: s.stoppedEarly };
}

function trainerState(s: StageState): TrainerState<SubsetName> {
  const history = s.history.map(({ validMae, ...r }) => ({ ...r, scores: validMae }));
  const best = Object.fromEntries(Object.entries(s.best).map(([n, b]) => [n, { epoch: b!.epoch, score: b!.validMae }]));
  return { stage: s.stage, nextEpoch: s.nextEpoch, history, best, epochsWithoutImprovement: s.epochsWithoutImprovement, stoppedEarly: s.stoppedEarly };
}

/** Returns the snapshot folder name of epoch `epoch` (its files live in `<stage>/current/<name>/`). */
const snapshotName = (epoch: number): string => `epoch-${epoch}`;

/** Where a committed state's files are: its snapshot, or the flat layout of older stage folders. */
function committedFiles(dir: string, saved: StageState): { weights: string; bestWeights: string; optimizer: string } {
  if (saved.snapshot === undefined) return { weights: join(dir, 'current'), bestWeights: join(dir, 'best-weights'), optimizer: dir };
  if (!/^epoch-\d+$/.test(saved.snapshot)) throw new Error(`${join(dir, 'state.json')}: snapshot must be 'epoch-<n>', but got ${JSON.stringify(saved.snapshot)}`);
  const snap = join(dir, 'current', saved.snapshot);
  if (!existsSync(snap)) throw new Error(`${join(dir, 'state.json')}: its snapshot folder ${snap} is missing`);
  return { weights: join(snap, 'weights'), bestWeights: join(snap, 'best-weights'), optimizer: snap };
}

/**
 * Writes epoch `epoch`'s files into a fresh snapshot folder, then commits `state` by replacing
 * state.json (one atomic rename) and removes what the commit made obsolete. Before the rename
 * nothing the last committed state.json names has been touched.
 */
async function commitEpoch(
  dir: string, epoch: number, models: Partial<Record<SubsetName, MsaModel>>, bestWeights: MemberWeights<SubsetName>,
  optimizer: FlatAdam, state: StageState,
): Promise<StageState> {
  const name = snapshotName(epoch);
  const snap = join(dir, 'current', name);
  rmSync(snap, { recursive: true, force: true }); // what a failed attempt at this epoch left
  for (const [model, m] of Object.entries(models) as [SubsetName, MsaModel][]) {
    const w = m.getWeights();
    try {
      await saveTensors(w, join(snap, 'weights'), model);
    } finally {
      tf.dispose(Object.values(w));
    }
  }
  for (const [model, w] of Object.entries(bestWeights) as [SubsetName, Record<string, tf.Tensor>][]) {
    await saveTensors(w, join(snap, 'best-weights'), model);
  }
  await saveTensors(await optimizer.getWeights(), snap, 'optimizer');
  const committed: StageState = { ...state, snapshot: name };
  writeJson(dir, 'state.json', committed); // the commit: one rename
  // Obsolete now: other snapshots and the flat files of an older stage folder.
  for (const entry of readdirSync(join(dir, 'current'))) if (entry !== name) rmSync(join(dir, 'current', entry), { recursive: true, force: true });
  rmSync(join(dir, 'best-weights'), { recursive: true, force: true });
  for (const f of ['optimizer.json', 'optimizer.bin']) rmSync(join(dir, f), { force: true });
  return committed;
}

/** Loads each model's weights from `<dir>/<name>` tensor files into the model. */
function restoreWeights(models: Partial<Record<SubsetName, MsaModel>>, dir: string): void {
  for (const [name, model] of Object.entries(models) as [SubsetName, MsaModel][]) {
    const current = loadTensors(dir, name);
    model.setWeights(Object.fromEntries(current.map((t) => [t.name, t.tensor])));
    tf.dispose(current.map((t) => t.tensor));
  }
}

/**
 * Trains one stage resumably into `st.dir` and returns its final state; on return each model
 * holds its best weights (also saved under `<dir>/best/<subset>/`).
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function runStage(st: StageOptions): Promise<StageState> {
  const { stage, models, dir, initialBest } = st;
  const log = st.callbacks?.log;
  const done = readJsonIfExists<StageState>(dir, 'done.json');
  if (done) {
    if (initialBest) for (const init of Object.values(initialBest)) tf.dispose(Object.values(init!.weights));
    for (const name of Object.keys(models) as SubsetName[]) {
      const best = await loadModel(join(dir, 'best', name));
      const w = best.getWeights();
      models[name]!.setWeights(w);
      tf.dispose(Object.values(w));
      best.dispose();
    }
    log?.(`${stage}: already finished, reusing ${dir}`);
    return done;
  }
  const optimizer = new FlatAdam(st.loop.lr, 0.9, 0.999, null, st.weightDecay); // reads tf.train.adam's checkpoint format too
  try {
    let resume: TrainerOptions<SubsetName>['resume'];
    const saved = readJsonIfExists<StageState>(dir, 'state.json');
    if (saved) {
      const files = committedFiles(dir, saved);
      restoreWeights(models, files.weights);
      const bestWeights: MemberWeights<SubsetName> = {};
      for (const name of Object.keys(saved.best) as SubsetName[]) {
        bestWeights[name] = Object.fromEntries(loadTensors(files.bestWeights, name).map((t) => [t.name, t.tensor]));
      }
      const optState = loadTensors(files.optimizer, 'optimizer');
      await optimizer.setWeights(optState);
      tf.dispose(optState.map((t) => t.tensor)); // setWeights copied them
      resume = { state: trainerState(saved), bestWeights };
      log?.(`${stage}: resuming at epoch ${saved.nextEpoch} from ${dir}`);
    }
    const result = await trainModels({
      ...st.loop,
      stage,
      models,
      trainable: st.trainable,
      objective: st.objective,
      validate: () => validationMae(models, st.valid, st.batches, st.loop.batchSize),
      probe: st.probe,
      train: st.train,
      batches: st.batches,
      optimizer,
      divergenceHint: 'lower lr, raise tau or check the data for NaN',
      resume,
      initialBest,
      callbacks: {
        onStep: st.callbacks?.onStep,
        async onEpochEnd(summary, state, bestWeights) {
          st.lock?.assertHeld();
          const committed = await commitEpoch(dir, summary.epoch, models, bestWeights, optimizer, stageState(state));
          await st.callbacks?.onEpochEnd?.(epochRecord(summary), committed);
        },
      },
    });
    // The models now hold their best weights: keep them, and drop the resumable state.
    const final = stageState(result.state);
    for (const [name, model] of Object.entries(models) as [SubsetName, MsaModel][]) {
      await saveModel(model, join(dir, 'best', name), memberSeed(st.runSeed, name), { stage, bestEpoch: final.best[name]?.epoch });
    }
    writeJson(dir, 'done.json', final);
    for (const sub of ['current', 'best-weights']) rmSync(join(dir, sub), { recursive: true, force: true });
    for (const f of ['state.json', 'optimizer.json', 'optimizer.bin']) rmSync(join(dir, f), { force: true });
    return final;
  } finally {
    optimizer.dispose();
  }
}
