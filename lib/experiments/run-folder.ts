/**
 * The run folder: everything needed to know what made a result and to continue or reload it.
 *
 *   run.json          config, seed, backend, versions, dataset facts, creation time
 *   history.json      every epoch of every stage (losses, validation MAE, lr, seconds)
 *   checkpoints/<s>/  the best model of each subset s (model.json + weights.bin)
 *   stage1/, stage2/  resumable state of an unfinished stage (removed when it completes)
 *   metrics.json      final metrics (written by the evaluation, lib/eval)
 * @see notebooks/03-online-mmckd.ipynb
 */
import type { BackendReport } from '../backend';
import type { DatasetMeta } from '../data/types';
import type { KitVersions } from '../versions';
import type { TrainConfig } from '../train/config';
import { readJsonIfExists } from '../io/json-file';

/** Contents of run.json. */
export interface RunRecord {
  kind: 'mmckd-run';
  config: TrainConfig;
  seed: number;
  backend: { choice: string; version: string; native: boolean; message: string };
  versions: KitVersions;
  dataset: {
    spec?: string;
    name: string;
    source: string;
    path?: string;
    counts: Record<string, number>;
    details?: Record<string, unknown>;
    /** lib/data/dataset-fingerprint.ts: the folder refuses data with another fingerprint (absent in older runs). */
    fingerprint?: string;
  };
  created: string;
  /** Set when training finished. */
  finished?: string;
}

/** Returns the run record for a new run. */
export function newRunRecord(
  config: TrainConfig,
  backend: BackendReport,
  versions: KitVersions,
  meta: DatasetMeta,
  counts: Record<string, number>,
  spec?: string,
  fingerprint?: string,
): RunRecord {
  return {
    kind: 'mmckd-run',
    config,
    seed: config.seed,
    backend: { choice: backend.choice, version: backend.version, native: backend.native, message: backend.message },
    versions,
    dataset: { spec, name: meta.name, source: meta.source, path: meta.path, counts, details: meta.details, fingerprint },
    created: new Date().toISOString(),
  };
}

/** Reads run.json of a run folder; throws naming the folder when it is not a run. */
export function readRunRecord(dir: string): RunRecord {
  const r = readJsonIfExists<RunRecord>(dir, 'run.json');
  if (!r || r.kind !== 'mmckd-run') throw new Error(`${dir}: not a run folder (run.json missing or not an mmckd run)`);
  return r;
}

/**
 * Returns a file-name-safe short name of a dataset spec: 'synthetic-quick',
 * 'synthetic-mosi-counts.train=300-addedLabelNoise=0.5' for a spec with a query (':', '?' and
 * '&' become '-'), or the file's base name.
 */
export function datasetShortName(datasetSpec: string): string {
  return datasetSpec.startsWith('synthetic')
    ? datasetSpec.replace(/[:?&]/g, '-')
    : (datasetSpec.split(/[\\/]/).pop() ?? datasetSpec).replace(/\.[^.]+$/, '');
}

/** Returns the default run folder name, shared by the CLI and the notebooks: `<data>-<method>-<preset>-seed<N>`. */
export function runFolderName(datasetSpec: string, method: string, preset: string, seed: number): string {
  return `${datasetShortName(datasetSpec)}-${method}-${preset}-seed${seed}`;
}
