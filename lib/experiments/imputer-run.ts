/**
 * An imputer's run folder: `<runs>/<data>-imputer-<kind>-<preset>-seed<N>/` holds
 * `imputer-run.json` (configs, history, backend, dataset) and the checkpoint `imputer/`
 * (lib/imputers/imputer-checkpoint.ts); a finished folder with the same configs is reused.
 * @see notebooks/05-computational-cost.ipynb
 */
import { join } from 'node:path';
import type { MultimodalDataset } from '../data/types';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { validateImputerConfig, type ImputerConfig, type ImputerKind, type ImputerPresetName, type ImputerTrainOptions } from '../imputers/config';
import { buildImputer, type Imputer } from '../imputers/imputer';
import { IMPUTER_RUN_FILE, loadImputer, saveImputer } from '../imputers/imputer-checkpoint';
import { trainImputer, type ImputerEpochRecord, type ImputerTrainCallbacks } from '../imputers/train-imputer';
import { removeKitFolder } from './kit-folders';
import { runFolderName } from './run-folder';

/** What `imputer-run.json` records. */
export interface ImputerRunRecord {
  kind: 'mmckd-imputer-run';
  config: ImputerConfig;
  train: ImputerTrainOptions;
  dataset: string;
  backend: string;
  history: ImputerEpochRecord[];
  best: { epoch: number; validLoss: number };
  finished: string;
}

/** Returns the default imputer run folder name: `<data>-imputer-<kind>-<preset>-seed<N>`. */
export function imputerFolderName(datasetSpec: string, kind: ImputerKind, preset: ImputerPresetName, seed: number): string {
  return runFolderName(datasetSpec, `imputer-${kind}`, preset, seed);
}

/** Options of `trainOrLoadImputer`. */
export interface ImputerRunOptions {
  /** The standardised dataset (its dims and lengths size the imputer). */
  dataset: MultimodalDataset;
  /** Imputer config (kind and overrides; dims and lengths come from the data). */
  config: Partial<ImputerConfig>;
  preset: ImputerPresetName;
  train: ImputerTrainOptions;
  outDir: string;
  /** Backend name recorded in the run (reuse ignores it). */
  backend: string;
  /** Retrain even when the folder holds a finished run of the same config. */
  fresh?: boolean;
  callbacks?: ImputerTrainCallbacks & { log?(line: string): void };
}

/**
 * Returns a trained imputer: loaded from `outDir` when it holds a finished run of the same
 * configs, else trained and saved there. The caller disposes the imputer.
 * @see notebooks/05-computational-cost.ipynb
 */
export async function trainOrLoadImputer(o: ImputerRunOptions): Promise<{ imputer: Imputer; record: ImputerRunRecord; reused: boolean }> {
  const meta = o.dataset.meta;
  const config = validateImputerConfig({ ...o.config, inputDims: { ...meta.dims }, seqLens: { ...meta.seqLens } }, o.preset);
  if (o.fresh) removeKitFolder(o.outDir); // only a folder the kit recognises; refuses anything else
  const existing = readJsonIfExists<ImputerRunRecord>(o.outDir, IMPUTER_RUN_FILE);
  if (existing && JSON.stringify(existing.config) === JSON.stringify(config) && JSON.stringify(existing.train) === JSON.stringify(o.train)) {
    o.callbacks?.log?.(`imputer ${config.kind}: reusing ${o.outDir}`);
    return { imputer: await loadImputer(join(o.outDir, 'imputer')), record: existing, reused: true };
  }
  if (existing) throw new Error(`${join(o.outDir, IMPUTER_RUN_FILE)}: this folder holds an imputer with another config; use another folder or fresh`);
  const imputer = buildImputer(config, o.train.seed);
  try {
    const result = await trainImputer(imputer, o.dataset, o.train, o.callbacks);
    await saveImputer(imputer, join(o.outDir, 'imputer'), { bestEpoch: result.best.epoch });
    const record: ImputerRunRecord = {
      kind: 'mmckd-imputer-run', config, train: o.train, dataset: meta.name, backend: o.backend,
      history: result.history, best: result.best, finished: new Date().toISOString(),
    };
    writeJson(o.outDir, IMPUTER_RUN_FILE, record); // written last: marks the run finished
    return { imputer, record, reused: false };
  } catch (err) {
    imputer.dispose();
    throw err;
  }
}
