/**
 * One method's run folder: `runMethod` checks the folder, takes its lock, compares a run already
 * there (config, dataset fingerprint), writes run.json and calls the recipe (`trainMethod`,
 * lib/train/train-method.ts); a finished run is loaded, not retrained. It also keys and opens the
 * stage-1 teachers that runs share. Resumable: rerunning an interrupted run continues it.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import { datasetFingerprint } from '../data/dataset-fingerprint';
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { MultimodalDataset } from '../data/types';
import type { MsaModel } from '../models/model';
import { checkOutputFolder } from '../io/output-folder';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { kitVersions } from '../versions';
import { loadModel } from '../train/checkpoint';
import type { TrainConfig } from '../train/config';
import { checkModelSize } from '../train/model-size';
import { modelPredictor, zeroFillPredictor, type Predictor } from '../train/predict';
import type { EpochRecord, StageCallbacks } from '../train/resumable-stage';
import type { BatchSource } from '../train/trainer';
import { modelConfigFor, modelOptionsFor, trainMethod, type MethodModels, type Stage1Folder } from '../train/train-method';
import { removeKitFolder } from './kit-folders';
import { newRunRecord, type RunRecord } from './run-folder';
import { lockRunFolder } from './run-lock';

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

/** A trained run: its folder and record, its models (best checkpoints; the caller disposes them, `disposeTrainedRun`), a predictor per subset, and the history. */
export interface TrainedRun extends MethodModels {
  outDir: string;
  record: RunRecord;
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

/**
 * Trains `config.method` on `dataset` into the run folder `outDir` (`trainMethod`) and returns the
 * trained models and predictors. Writes run.json (config, seed, backend, versions, dataset
 * fingerprint; stamped finished last), and what `trainMethod` writes.
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
    const trained = await trainMethod({
      dataset: o.dataset, config: c, outDir: o.outDir, batches: o.batches, lock, callbacks: o.callbacks,
      openStage1: o.stage1CacheDir ? () => openSharedStage1(o, fingerprint) : undefined,
    });
    const finished: RunRecord = { ...record, finished: new Date().toISOString() };
    writeJson(o.outDir, 'run.json', finished);
    return { outDir: o.outDir, record: finished, ...trained };
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

/**
 * Opens a shared stage-1 teacher's folder, `<stage1CacheDir>/<stage1Key>`: several runs may want
 * it at once, so one trains it and the others wait for its lock; a folder trained on another
 * dataset is refused.
 */
async function openSharedStage1(o: RunMethodOptions, fingerprint: string): Promise<Stage1Folder> {
  const dir = join(o.stage1CacheDir!, stage1Key(o));
  const lock = await lockRunFolder(dir, { wait: true, log: o.callbacks?.log });
  try {
    o.callbacks?.log?.(`stage1: shared teacher pretraining in ${dir}`);
    checkStageDataset(dir, o.dataset, fingerprint);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { dir, lock, close: () => lock.release() };
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
