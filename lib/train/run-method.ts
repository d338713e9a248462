/**
 * Runs one method end to end into a run folder: stage 1 (teacher pretraining, L1) when the method
 * needs it, then stage 2 (online MM-CKD, or a baseline), keeping each model's best checkpoint.
 * Resumable: an interrupted run continues from its last completed epoch (each stage is a
 * resumable stage, lib/train/resumable-stage.ts); this file holds the per-method recipe.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import { datasetFingerprint } from '../data/dataset-fingerprint';
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { MultimodalDataset } from '../data/types';
import { validateModelConfig, type ModelConfig } from '../models/config';
import type { MsaModel } from '../models/model';
import { buildModelSet, memberSeed } from '../models/model-set';
import { checkOutputFolder } from '../io/output-folder';
import { kitVersions } from '../versions';
import { loadModel, saveModel } from './checkpoint';
import type { TrainConfig } from './config';
import { stageLoopOptions } from './recipe';
import { removeKitFolder } from './kit-folders';
import { offlineDistillationObjective, onlineDistillationObjective, regressionObjective } from './objectives';
import { modelPredictor, zeroFillPredictor, type Predictor } from './predict';
import { runStage, type EpochRecord, type StageCallbacks, type StageOptions, type StageState } from './resumable-stage';
import { newRunRecord, type RunRecord } from './run-folder';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { lockRunFolder, type RunLock } from './run-lock';
import type { BatchSource } from './trainer';
import { distillationProbe } from './distillation-probe';
import { checkModelSize } from './model-size';
import { saveStudentTeachers, teacherSnapshotCallback } from './student-teachers';

/** Options of `runMethod`. */
export interface RunMethodOptions {
  /** The dataset, already standardised (train statistics). */
  dataset: MultimodalDataset;
  /** How the dataset was named ('synthetic', a .pkl path): recorded so `mmckd eval` can reload it. */
  datasetSpec?: string;
  config: TrainConfig;
  /** Run folder; created when missing. */
  outDir: string;
  batches: BatchSource;
  backend: BackendReport;
  /**
   * Start over even when the folder holds a finished or partial run of the same config. Removes
   * only a folder the kit recognises as a run, holding only what the kit writes (else refuses).
   */
  fresh?: boolean;
  /**
   * The run folder's lock: 'refuse' (default) throws RunLockedError when another live process
   * trains it; 'wait' waits for that process; 'held' means the caller already holds it.
   */
  lock?: 'refuse' | 'wait' | 'held';
  /**
   * Share stage 1 between runs: the teacher pretraining of a (dataset, model, stage-1 config,
   * seed, backend) is trained once under `<stage1CacheDir>/<key>/` and reused by every method.
   * Without it, stage 1 lives in the run folder.
   */
  stage1CacheDir?: string;
  callbacks?: StageCallbacks & { log?(line: string): void };
}

/** A trained run: its models (best checkpoints), a predictor per subset, and the history. */
export interface TrainedRun {
  outDir: string;
  record: RunRecord;
  /** The trained models (B1: only the teacher). The caller disposes them (`disposeTrainedRun`). */
  models: Partial<Record<SubsetName, MsaModel>>;
  /** The predictor MM-CKD's routing uses for each subset (B1: the zero-filled teacher). */
  predictors: Record<SubsetName, Predictor>;
  history: EpochRecord[];
}

/** The run's model options plus the data's dims and lengths, before defaults (what a stage-1 key hashes). */
function modelOptionsFor(dataset: MultimodalDataset, config: TrainConfig, subset: SubsetName): Partial<ModelConfig> {
  return { ...config.model, subset, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } };
}

/**
 * Returns the complete, validated model config of one subset's model for a dataset: the run's
 * model options over the defaults, with the data's dims and lengths; throws naming a bad field.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
export function modelConfigFor(dataset: MultimodalDataset, config: TrainConfig, subset: SubsetName): ModelConfig {
  return validateModelConfig(modelOptionsFor(dataset, config, subset));
}

/** True when the method trains (or reuses) the stage-1 teacher. */
export function stageNeedsTeacher(config: TrainConfig): boolean {
  return config.method === 'b1' || config.method === 'b3' || (config.teacherInit === 'pretrained' && config.pretrainEpochs > 0);
}

/** Returns the key of a stage-1 teacher: everything that determines its training, hashed. */
export function stage1Key(o: Pick<RunMethodOptions, 'dataset' | 'config' | 'backend'>): string {
  const c = o.config;
  const meta = o.dataset.meta;
  const what = {
    data: { name: meta.name, source: meta.source, path: meta.path, details: meta.details, n: [o.dataset.train.ids.length, o.dataset.valid.ids.length, o.dataset.test.ids.length] },
    model: modelOptionsFor(o.dataset, c, 'tav'),
    train: [c.seed, c.batchSize, c.pretrainEpochs, c.pretrainLr, c.schedule, c.warmupEpochs, c.clipNorm, c.patience, c.weightDecay],
    backend: o.backend.choice,
  };
  return `${meta.name}-seed${c.seed}-${createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 12)}`;
}

function sameConfig(a: TrainConfig, b: TrainConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The recipe's part of a stage: which models, which are trained, on what objective, where. */
type StageRecipe = Pick<StageOptions, 'stage' | 'models' | 'trainable' | 'objective' | 'dir' | 'initialBest' | 'lock' | 'probe'> & {
  /** Runs after each committed epoch, before the caller's own callback. */
  onEpochEnd?(record: EpochRecord): Promise<void>;
};

/** Trains one stage of the run resumably (lib/train/resumable-stage.ts) with the run's data and config. */
function trainStage(o: RunMethodOptions, { onEpochEnd, ...recipe }: StageRecipe): Promise<StageState> {
  const c = o.config;
  const callbacks: RunMethodOptions['callbacks'] = onEpochEnd
    ? {
        ...o.callbacks,
        async onEpochEnd(record, state) {
          await onEpochEnd(record);
          await o.callbacks?.onEpochEnd?.(record, state);
        },
      }
    : o.callbacks;
  return runStage({
    ...recipe,
    loop: stageLoopOptions(c, recipe.stage),
    weightDecay: c.weightDecay,
    train: o.dataset.train,
    valid: o.dataset.valid,
    batches: o.batches,
    runSeed: c.seed,
    callbacks,
  });
}

/**
 * Trains `config.method` on `dataset` into `outDir` and returns the trained models and
 * predictors. Writes run.json, history.json and checkpoints/<subset>/ for every model.
 */
export async function runMethod(o: RunMethodOptions): Promise<TrainedRun> {
  const c = o.config;
  // Everything is checked before anything is written.
  checkOutputFolder(o.outDir, 'run folder');
  for (const s of SUBSET_NAMES) modelConfigFor(o.dataset, c, s);
  checkModelSize(o.dataset, c, { backend: o.backend.choice }); // refuses, naming the field, a model too big to train here
  const fingerprint = datasetFingerprint(o.dataset);
  const createdDir = !existsSync(o.outDir);
  const lock = o.lock === 'held' ? undefined : await lockRunFolder(o.outDir, { wait: o.lock === 'wait', log: o.callbacks?.log });
  let recordWritten = false;
  try {
    if (o.fresh) removeKitFolder(o.outDir, { keepLock: true });
    const counts = { train: o.dataset.train.ids.length, valid: o.dataset.valid.ids.length, test: o.dataset.test.ids.length };
    const existing = readJsonIfExists<RunRecord>(o.outDir, 'run.json');
    if (existing && existing.kind !== 'mmckd-run') throw new Error(`${join(o.outDir, 'run.json')}: not a run record of the kit`);
    if (existing && !sameConfig(existing.config, c)) {
      throw new Error(`${join(o.outDir, 'run.json')}: this run folder holds a run with another config; use another --out or --fresh`);
    }
    if (existing) checkSameDataset(o.outDir, existing, o.dataset, fingerprint, counts);
    if (existing?.finished) {
      // A finished run is loaded as it was saved: nothing retrained, re-saved or re-stamped.
      o.callbacks?.log?.(`${o.outDir}: finished, loading its checkpoints`);
      return await loadTrainedRun(o.outDir);
    }
    const record = existing ?? newRunRecord(c, o.backend, kitVersions(), o.dataset.meta, counts, o.datasetSpec, fingerprint);
    writeJson(o.outDir, 'run.json', record);
    recordWritten = true;
    return await trainRun(o, record, fingerprint, lock);
  } catch (err) {
    if (createdDir && !recordWritten) rmSync(o.outDir, { recursive: true, force: true });
    throw err;
  } finally {
    await lock?.release();
  }
}

/** Refuses a run folder trained on another dataset (fingerprint; name, source and counts for older runs). */
function checkSameDataset(dir: string, existing: RunRecord, dataset: MultimodalDataset, fingerprint: string, counts: Record<string, number>): void {
  const was = existing.dataset;
  const now = `${dataset.meta.name} (${counts.train}/${counts.valid}/${counts.test} clips, ${fingerprint})`;
  const before = `${was.name} (${was.counts?.train}/${was.counts?.valid}/${was.counts?.test} clips${was.fingerprint ? `, ${was.fingerprint}` : ''})`;
  const same = was.fingerprint
    ? was.fingerprint === fingerprint
    : was.name === dataset.meta.name && was.source === dataset.meta.source && JSON.stringify(was.counts) === JSON.stringify(counts);
  if (!same) throw new Error(`${join(dir, 'run.json')}: this run was trained on ${before}, not on ${now}; use another --out, or --fresh to start over`);
}

/** Checks a shared stage-1 folder against the dataset, then records the dataset there. */
function checkStageDataset(dir: string, dataset: MultimodalDataset, fingerprint: string): void {
  const seen = readJsonIfExists<{ fingerprint?: string; name?: string }>(dir, 'dataset.json');
  if (seen?.fingerprint && seen.fingerprint !== fingerprint) {
    throw new Error(`${join(dir, 'dataset.json')}: this stage-1 teacher was trained on ${seen.name} (${seen.fingerprint}), not on ${dataset.meta.name} (${fingerprint}); remove the folder to retrain it`);
  }
  if (!seen) writeJson(dir, 'dataset.json', { name: dataset.meta.name, fingerprint });
}

async function trainRun(o: RunMethodOptions, record: RunRecord, fingerprint: string, lock: RunLock | undefined): Promise<TrainedRun> {
  const c = o.config;
  // Models built here are disposed if training fails; on success the caller owns them.
  const built: MsaModel[] = [];
  const buildSet = (subsets: readonly SubsetName[]): Partial<Record<SubsetName, MsaModel>> => {
    const set = buildModelSet(modelOptionsFor(o.dataset, c, 'tav'), subsets, c.seed);
    built.push(...Object.values(set));
    return set;
  };
  try {
    const history: EpochRecord[] = [];
    let teacher: MsaModel | undefined;
    let teacherStage1: { epoch: number; validMae: number } | undefined;
    if (stageNeedsTeacher(c)) {
      teacher = buildSet(['tav']).tav!;
      const s1Dir = o.stage1CacheDir ? join(o.stage1CacheDir, stage1Key(o)) : join(o.outDir, 'stage1');
      // A shared teacher may be wanted by several runs at once: one trains it, the others wait.
      const s1Lock = o.stage1CacheDir ? await lockRunFolder(s1Dir, { wait: true, log: o.callbacks?.log }) : lock;
      let s1: StageState;
      try {
        if (o.stage1CacheDir) o.callbacks?.log?.(`stage1: shared teacher pretraining in ${s1Dir}`);
        checkStageDataset(s1Dir, o.dataset, fingerprint);
        s1 = await trainStage(o, { stage: 'stage1', models: { tav: teacher }, trainable: ['tav'], objective: regressionObjective({ tav: teacher }), dir: s1Dir, lock: s1Lock });
      } finally {
        if (s1Lock !== lock) await s1Lock?.release();
      }
      history.push(...s1.history);
      teacherStage1 = s1.best.tav;
    }

    const models: Partial<Record<SubsetName, MsaModel>> = {};
    const predictors = {} as Record<SubsetName, Predictor>;
    if (c.method === 'b1') {
      models.tav = teacher!;
      for (const s of SUBSET_NAMES) predictors[s] = s === 'tav' ? modelPredictor(teacher!) : zeroFillPredictor(teacher!, s);
    } else if (c.method === 'b3') {
      const students = buildSet(SUBSET_NAMES.filter((n) => n !== 'tav'));
      const s2 = await trainStage(o, { stage: 'stage2', models: students, trainable: Object.keys(students) as SubsetName[], objective: offlineDistillationObjective(teacher!, students, c), dir: join(o.outDir, 'stage2'), lock });
      history.push(...s2.history);
      Object.assign(models, { tav: teacher }, students);
    } else {
      const fresh = buildSet(SUBSET_NAMES.filter((n) => !(n === 'tav' && teacher)));
      for (const s of SUBSET_NAMES) models[s] = s === 'tav' && teacher ? teacher : fresh[s];
      const objective =
        c.method === 'b2' || c.lambda === 0
          ? regressionObjective(models)
          : onlineDistillationObjective(models, c, c.method === 'mmckd');
      // The pretrained teacher keeps its stage-1 checkpoint unless stage 2 beats it on validation.
      const carried = teacherStage1 && models.tav === teacher ? { tav: { score: teacherStage1.validMae, weights: teacher!.getWeights() } } : undefined;
      const s2Dir = join(o.outDir, 'stage2');
      // MVSC at work: each epoch's terms, projections and gradients (distillation-probe.ts), and
      // the teacher at each student's best epoch (student-teachers.ts).
      const probe = distillationProbe({
        models, splits: { train: o.dataset.train, valid: o.dataset.valid }, batchSize: c.batchSize, tau: c.tau, classScheme: c.classScheme,
        contrast: c.method === 'b2' ? undefined : { kind: c.method === 'mmckd' ? 'mvsc' : 'mvc', weight: c.lambda },
      });
      const s2 = await trainStage(o, {
        stage: 'stage2', models, trainable: [...SUBSET_NAMES], objective, dir: s2Dir, initialBest: carried, lock, probe,
        onEpochEnd: teacherSnapshotCallback(models.tav!, s2Dir),
      });
      history.push(...s2.history);
      const { skipped } = await saveStudentTeachers(s2Dir, o.outDir, models.tav!, memberSeed(c.seed, 'tav'), s2.best);
      if (skipped.length > 0) o.callbacks?.log?.(`stage2: no copy of the teacher at the best epoch of ${skipped.join(', ')} (resumed across it)`);
    }
    for (const s of SUBSET_NAMES) {
      if (!predictors[s]) predictors[s] = modelPredictor(models[s]!);
    }
    // The final model of each subset, whatever stage it came from.
    for (const [name, model] of Object.entries(models) as [SubsetName, MsaModel][]) {
      await saveModel(model, join(o.outDir, 'checkpoints', name), memberSeed(c.seed, name), { method: c.method });
    }
    writeJson(o.outDir, 'history.json', history);
    const finished: RunRecord = { ...record, finished: new Date().toISOString() };
    writeJson(o.outDir, 'run.json', finished);
    return { outDir: o.outDir, record: finished, models, predictors, history };
  } catch (err) {
    for (const model of built) model.dispose();
    throw err;
  }
}

/** Loads a finished run folder's models and predictors (same routing as when it was trained). */
export async function loadTrainedRun(outDir: string): Promise<TrainedRun> {
  const record = readJsonIfExists<RunRecord>(outDir, 'run.json');
  if (!record || record.kind !== 'mmckd-run') throw new Error(`${outDir}: not a run folder (run.json missing)`);
  if (!record.finished) throw new Error(`${outDir}: the run has not finished training (resume it with mmckd train)`);
  const models: Partial<Record<SubsetName, MsaModel>> = {};
  const predictors = {} as Record<SubsetName, Predictor>;
  for (const s of SUBSET_NAMES) {
    const dir = join(outDir, 'checkpoints', s);
    if (existsSync(dir)) models[s] = await loadModel(dir);
  }
  for (const s of SUBSET_NAMES) {
    if (models[s]) predictors[s] = modelPredictor(models[s]!);
    else if (record.config.method === 'b1' && models.tav) predictors[s] = zeroFillPredictor(models.tav, s);
    else throw new Error(`${join(outDir, 'checkpoints', s)}: checkpoint missing`);
  }
  const history = readJsonIfExists<EpochRecord[]>(outDir, 'history.json') ?? [];
  return { outDir, record, models, predictors, history };
}

/** Disposes every model of a trained run. */
export function disposeTrainedRun(run: TrainedRun): void {
  for (const m of Object.values(run.models)) m?.dispose();
}
