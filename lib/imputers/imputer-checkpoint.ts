/**
 * Imputer checkpoints, on the same mechanism as the MM-CKD models (lib/train/checkpoint.ts:
 * `fileSystemHandler`, atomic writes): `<dir>/model.json` holds the imputer config as topology,
 * `<dir>/weights.bin` the weights. An imputer's run folder (lib/experiments/imputer-run.ts) keeps
 * its checkpoint in `imputer/`, beside `imputer-run.json`.
 * @see notebooks/05-computational-cost.ipynb
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint';
import type { ImputerConfig } from './config';
import { buildImputer, type Imputer } from './imputer';

/** The record file of an imputer's run folder (whose checkpoint is in `imputer/`). */
export const IMPUTER_RUN_FILE = 'imputer-run.json';

/** The topology an imputer checkpoint stores: enough for `buildImputer` to rebuild it. */
export interface ImputerTopology {
  kind: 'mmckd-imputer';
  config: ImputerConfig;
  seed: number;
}

/** Saves an imputer (config + weights) to `dir` (`model.json` + `weights.bin`); returns the weight bytes. */
export async function saveImputer(imputer: Imputer, dir: string, metadata: Record<string, unknown> = {}): Promise<number> {
  const topology: ImputerTopology = { kind: 'mmckd-imputer', config: imputer.config, seed: imputer.seed };
  return saveCheckpoint(imputer, topology, dir, metadata);
}

/** Loads an imputer saved by `saveImputer` (a checkpoint folder, or a run folder holding `imputer/`). */
export async function loadImputer(dir: string): Promise<Imputer> {
  const folder = existsSync(join(dir, IMPUTER_RUN_FILE)) ? join(dir, 'imputer') : dir;
  return loadCheckpoint<ImputerTopology, Imputer>(folder, 'mmckd-imputer', (t) => buildImputer(t.config, t.seed));
}
