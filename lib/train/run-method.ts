/**
 * Runs one method end to end into a run folder: stage 1 (teacher pretraining, L1) when the method
 * needs it, then stage 2 (online MM-CKD, or a baseline), keeping each model's best checkpoint.
 * Resumable: an interrupted run continues from its last completed epoch.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { datasetFingerprint } from '../data/dataset-fingerprint';
import { validateModelConfig } from '../models/config';
import { checkOutputFolder } from '../output-folder';
import { removeKitFolder } from './kit-folders';
import { lockRunFolder, type RunLock } from './run-lock';
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { MultimodalDataset } from '../data/types';
import { buildModel, type MsaModel } from '../models/model';
import type { ModelConfig } from '../models/config';
import { memberSeed } from '../models/model-set';
import { kitVersions } from '../versions';
import type { TrainConfig } from './config';
import { loadModel, loadTensors, saveModel, saveTensors } from './checkpoint';
import { FlatAdam } from './flat-adam';
import { offlineDistillationObjective, onlineDistillationObjective, regressionObjective, type Objective } from './objectives';
import { modelPredictor, zeroFillPredictor, type Predictor } from './predict';
import { newRunRecord, readJsonIfExists, writeJson, type RunRecord } from './run-folder';
import { trainModels, type BatchSource, type EpochRecord, type TrainerCallbacks, type TrainerState } from './trainer';

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
  callbacks?: TrainerCallbacks & { log?(line: string): void };
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

/** Returns the shared model config for a dataset: the run's model options plus the data's dims. */
export function modelConfigFor(dataset: MultimodalDataset, config: TrainConfig, subset: SubsetName): Partial<ModelConfig> {
  return { ...config.model, subset, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } };
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
    model: modelConfigFor(o.dataset, c, 'tav'),
    train: [c.seed, c.batchSize, c.pretrainEpochs, c.pretrainLr, c.schedule, c.warmupEpochs, c.clipNorm, c.patience, c.weightDecay],
    backend: o.backend.choice,
  };
  return `${meta.name}-seed${c.seed}-${createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 12)}`;
}

function sameConfig(a: TrainConfig, b: TrainConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What `runStage` trains. */
interface StageOptions {
  stage: 'stage1' | 'stage2';
  models: Partial<Record<SubsetName, MsaModel>>;
  trainable: SubsetName[];
  objective: Objective;
  epochs: number;
  /** Folder of the stage's resumable state and best models. */
  dir: string;
  /** Best weights carried in from an earlier stage (stage 2's pretrained teacher). */
  initialBest?: Parameters<typeof trainModels>[0]['initialBest'];
  /** The run's lock, checked before each epoch is committed. */
  lock?: RunLock;
}

/** Trains one stage resumably: state and weights are saved to `dir` after each epoch. */
async function runStage(o: RunMethodOptions, st: StageOptions): Promise<TrainerState> {
  const { stage, models, trainable, objective, epochs, dir, initialBest } = st;
  const c = o.config;
  const lr = stage === 'stage1' ? c.pretrainLr : c.lr;
  const done = readJsonIfExists<TrainerState>(dir, 'done.json');
  if (done) {
    if (initialBest) for (const init of Object.values(initialBest)) tf.dispose(Object.values(init!.weights));
    for (const name of Object.keys(models) as SubsetName[]) {
      const best = await loadModel(join(dir, 'best', name));
      const w = best.getWeights();
      models[name]!.setWeights(w);
      tf.dispose(Object.values(w));
      best.dispose();
    }
    o.callbacks?.log?.(`${stage}: already finished, reusing ${dir}`);
    return done;
  }
  let resume: Parameters<typeof trainModels>[0]['resume'];
  const saved = readJsonIfExists<TrainerState>(dir, 'state.json');
  if (saved) {
    if (initialBest) for (const init of Object.values(initialBest)) tf.dispose(Object.values(init!.weights));
    for (const name of Object.keys(models) as SubsetName[]) {
      const current = loadTensors(join(dir, 'current'), name);
      models[name]!.setWeights(Object.fromEntries(current.map((t) => [t.name, t.tensor])));
      tf.dispose(current.map((t) => t.tensor));
    }
    const bestWeights: Partial<Record<SubsetName, Record<string, tf.Tensor>>> = {};
    for (const name of Object.keys(saved.best) as SubsetName[]) {
      bestWeights[name] = Object.fromEntries(loadTensors(join(dir, 'best-weights'), name).map((t) => [t.name, t.tensor]));
    }
    const optimizer = new FlatAdam(lr, 0.9, 0.999, null, c.weightDecay); // reads tf.train.adam's checkpoint format too
    const optState = loadTensors(dir, 'optimizer');
    await optimizer.setWeights(optState);
    tf.dispose(optState.map((t) => t.tensor)); // setWeights copied them
    resume = { state: saved, bestWeights, optimizer };
    o.callbacks?.log?.(`${stage}: resuming at epoch ${saved.nextEpoch} from ${dir}`);
  }
  const result = await trainModels({
    stage,
    models,
    trainable,
    objective,
    train: o.dataset.train,
    valid: o.dataset.valid,
    batches: o.batches,
    epochs,
    batchSize: c.batchSize,
    lr,
    weightDecay: c.weightDecay,
    schedule: c.schedule,
    warmupEpochs: c.warmupEpochs,
    clipNorm: c.clipNorm,
    patience: c.patience,
    seed: c.seed + (stage === 'stage1' ? 0 : 1),
    resume,
    initialBest: resume ? undefined : initialBest,
    callbacks: {
      onStep: o.callbacks?.onStep,
      async onEpochEnd(record, state, ctx) {
        st.lock?.assertHeld();
        for (const [name, model] of Object.entries(ctx.models) as [SubsetName, MsaModel][]) {
          const w = model.getWeights();
          await saveTensors(w, join(dir, 'current'), name);
          tf.dispose(Object.values(w));
        }
        for (const [name, w] of Object.entries(ctx.bestWeights) as [SubsetName, Record<string, tf.Tensor>][]) {
          // Improved now, or carried in from stage 1 and not on disk yet.
          if (record.improved.includes(name) || !existsSync(join(dir, 'best-weights', `${name}.json`))) {
            await saveTensors(w, join(dir, 'best-weights'), name);
          }
        }
        const opt = await ctx.optimizer.getWeights();
        await saveTensors(opt, dir, 'optimizer');
        writeJson(dir, 'state.json', state); // written last: it commits the epoch
        await o.callbacks?.onEpochEnd?.(record, state, ctx);
      },
    },
  });
  // The models now hold their best weights: keep them, and drop the resumable state.
  for (const [name, model] of Object.entries(models) as [SubsetName, MsaModel][]) {
    await saveModel(model, join(dir, 'best', name), memberSeed(c.seed, name), { stage, bestEpoch: result.state.best[name]?.epoch });
  }
  writeJson(dir, 'done.json', result.state);
  for (const sub of ['current', 'best-weights']) rmSync(join(dir, sub), { recursive: true, force: true });
  for (const f of ['state.json', 'optimizer.json', 'optimizer.bin']) rmSync(join(dir, f), { force: true });
  return result.state;
}

/**
 * Trains `config.method` on `dataset` into `outDir` and returns the trained models and
 * predictors. Writes run.json, history.json and checkpoints/<subset>/ for every model.
 */
export async function runMethod(o: RunMethodOptions): Promise<TrainedRun> {
  const c = o.config;
  // Everything is checked before anything is written.
  checkOutputFolder(o.outDir, 'run folder');
  for (const s of SUBSET_NAMES) validateModelConfig(modelConfigFor(o.dataset, c, s));
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
  const history: EpochRecord[] = [];
  let teacher: MsaModel | undefined;
  let teacherStage1: { epoch: number; validMae: number } | undefined;
  if (stageNeedsTeacher(c)) {
    teacher = buildModel(modelConfigFor(o.dataset, c, 'tav'), memberSeed(c.seed, 'tav'));
    const s1Dir = o.stage1CacheDir ? join(o.stage1CacheDir, stage1Key(o)) : join(o.outDir, 'stage1');
    // A shared teacher may be wanted by several runs at once: one trains it, the others wait.
    const s1Lock = o.stage1CacheDir ? await lockRunFolder(s1Dir, { wait: true, log: o.callbacks?.log }) : lock;
    let s1: TrainerState;
    try {
      if (o.stage1CacheDir) o.callbacks?.log?.(`stage1: shared teacher pretraining in ${s1Dir}`);
      checkStageDataset(s1Dir, o.dataset, fingerprint);
      s1 = await runStage(o, { stage: 'stage1', models: { tav: teacher }, trainable: ['tav'], objective: regressionObjective({ tav: teacher }), epochs: c.pretrainEpochs, dir: s1Dir, lock: s1Lock });
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
    const students: Partial<Record<SubsetName, MsaModel>> = {};
    for (const s of SUBSET_NAMES.filter((n) => n !== 'tav')) students[s] = buildModel(modelConfigFor(o.dataset, c, s), memberSeed(c.seed, s));
    const s2 = await runStage(o, { stage: 'stage2', models: students, trainable: Object.keys(students) as SubsetName[], objective: offlineDistillationObjective(teacher!, students, c), epochs: c.epochs, dir: join(o.outDir, 'stage2'), lock });
    history.push(...s2.history);
    Object.assign(models, { tav: teacher }, students);
  } else {
    for (const s of SUBSET_NAMES) {
      models[s] = s === 'tav' && teacher ? teacher : buildModel(modelConfigFor(o.dataset, c, s), memberSeed(c.seed, s));
    }
    const objective =
      c.method === 'b2' || c.lambda === 0
        ? regressionObjective(models)
        : onlineDistillationObjective(models, c, c.method === 'mmckd');
    // The pretrained teacher keeps its stage-1 checkpoint unless stage 2 beats it on validation.
    const carried = teacherStage1 && models.tav === teacher ? { tav: { validMae: teacherStage1.validMae, weights: teacher!.getWeights() } } : undefined;
    const s2 = await runStage(o, { stage: 'stage2', models, trainable: [...SUBSET_NAMES], objective, epochs: c.epochs, dir: join(o.outDir, 'stage2'), initialBest: carried, lock });
    history.push(...s2.history);
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
