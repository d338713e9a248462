/**
 * The experiment grid: methods and ablations x seeds, each cell trained into its own run folder
 * and evaluated under P1-P3c on the same masks. Resumable: a finished, evaluated cell is skipped;
 * an interrupted one resumes from its last epoch.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import type { MultimodalDataset } from '../data/types';
import { validateTrainConfig, type TrainConfig } from '../train/config';
import { GRID_VARIANTS } from '../train/recipe';
import { METHOD_NAMES, PROTOCOL_NAMES, type ProtocolName, type TrainPresetName } from '../vocabulary';
import { splitBatches } from '../train/batch-source';
import { checkModelSize } from '../train/model-size';
import { checkOutputFolder } from '../io/output-folder';
import { forwardStopSignals, GRID_WORKER_READY, startGridWorkers, stopWhenParentGone } from './grid-workers';
import { keptCheckpoints, type GridCell, type SavedEvaluation } from '../eval/grid-cell';
import { disposeTrainedRun, runMethod, stage1Key } from './run-method';
import { stageNeedsTeacher } from '../train/train-method';
import { isRunLocked, lockRunFolder, tryLockRunFolder, type RunLock } from './run-lock';
import { datasetShortName } from './run-folder';
import { readJsonIfExists, writeJson } from '../io/json-file';
import type { EpochRecord, StageCallbacks } from '../train/resumable-stage';
import { evaluateProtocols } from '../eval/evaluate-protocols';

/** The method rows of the main tables: every method, as a grid variant of the same name. */
export const METHOD_VARIANTS: readonly string[] = METHOD_NAMES;

/**
 * The ablations of MM-CKD (MM-CKD itself is the reference row). No MVSC (lambda 0) and
 * unsupervised views are the B2 and B4 cells, which train exactly those configurations
 * ('mmckd-lambda0' and 'mmckd-unsupervised' exist as variants too, for grids without B2/B4).
 */
export const ABLATION_VARIANTS: readonly string[] = ['mmckd', 'b2', 'b4', 'mmckd-3class', 'mmckd-2class', 'mmckd-tau0.07', 'mmckd-tau0.2', 'mmckd-lambda1', 'mmckd-detached', 'mmckd-scratch'];

/** The grid's default seeds, 1..5: enough for a paired t-interval to tell a gain from noise. */
export const DEFAULT_GRID_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/** What to run. */
export interface GridSpec {
  dataset: MultimodalDataset;
  datasetSpec: string;
  preset: TrainPresetName;
  variants: readonly string[];
  /** Training seeds (default DEFAULT_GRID_SEEDS). */
  seeds?: readonly number[];
  /** Folder of the grid: one run folder per cell, `<variant>-seed<N>`. */
  outDir: string;
  /** Shared stage-1 teachers (default `<outDir>/_stage1`). */
  stage1CacheDir?: string;
  /** Seed of the P2/P3/P3c masks, the same for every cell (default 0). */
  evalSeed?: number;
  /** Default PROTOCOL_NAMES (P1, P2, P3 and P3c). */
  protocols?: readonly ProtocolName[];
  backend: BackendReport;
  /** Extra overrides applied to every cell (e.g. fewer epochs). */
  overrides?: Partial<TrainConfig>;
  callbacks?: StageCallbacks & { log?(line: string): void };
  /** Train only these cells (1-based positions in `gridCells` order), e.g. one task of a job array. */
  only?: readonly number[];
  /**
   * Processes that train cells (default 1: this one alone). With N > 1, N - 1 `mmckd grid --worker`
   * processes train beside this one, sharing the cells through the run locks (grid-workers.ts).
   */
  workers?: number;
  /**
   * This process is a grid worker (`mmckd grid --worker`): it tells the process that started it
   * when it is ready (GRID_WORKER_READY on stdout) and trains the pending cells last-first, so the
   * two meet in the middle instead of racing for the same cells.
   */
  worker?: boolean;
}

/** One planned cell of a grid: what `mmckd grid --list` prints. */
export interface GridCellPlan {
  /** 1-based position in the grid (the K of `mmckd grid --cell K`). */
  index: number;
  variant: string;
  seed: number;
  runDir: string;
  config: TrainConfig;
}

/** Returns every cell of a grid in order (variants outer, seeds inner); validates every config first. */
export function gridCells(spec: Pick<GridSpec, 'variants' | 'seeds' | 'preset' | 'overrides' | 'outDir'>): GridCellPlan[] {
  const seeds = spec.seeds ?? DEFAULT_GRID_SEEDS;
  const cells: GridCellPlan[] = [];
  for (const variant of spec.variants) {
    for (const seed of seeds) {
      cells.push({ index: cells.length + 1, variant, seed, runDir: gridCellDir(spec.outDir, variant, seed), config: gridCellConfig(variant, seed, spec.preset, spec.overrides) });
    }
  }
  return cells;
}

/** Returns the config of a grid cell; throws naming an unknown variant. */
export function gridCellConfig(variant: string, seed: number, preset: TrainPresetName, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const v = GRID_VARIANTS[variant];
  if (!v) throw new Error(`Expected a grid variant among ${Object.keys(GRID_VARIANTS).join(', ')}, but got '${variant}'`);
  return validateTrainConfig({ ...overrides, ...v, seed, model: { ...(overrides.model ?? {}), ...(v.model ?? {}) } }, preset);
}

/**
 * Trains and evaluates every cell that is not finished yet; returns the cells in grid order (with
 * `only`: just those). Each cell is trained under its run folder's lock, so several processes (grid
 * workers, job-array tasks, a second `mmckd grid` on the same folder) share the work: a cell held
 * by another process, or whose shared stage-1 teacher is being trained by one, is skipped at first
 * and waited for at the end; no cell trains twice.
 */
export async function runGrid(spec: GridSpec): Promise<GridCell[]> {
  const plan = gridCells(spec); // every config is validated before anything is written
  for (const c of plan) checkModelSize(spec.dataset, c.config, { backend: spec.backend.choice });
  checkOutputFolder(spec.outDir, 'grid folder');
  for (const k of spec.only ?? []) {
    if (!Number.isInteger(k) || k < 1 || k > plan.length) throw new Error(`Expected --cell between 1 and ${plan.length} (mmckd grid --list prints them), but got ${k}`);
  }
  const todo = spec.only ? plan.filter((c) => spec.only!.includes(c.index)) : plan;
  const protocols = spec.protocols ?? PROTOCOL_NAMES;
  const evalSeed = spec.evalSeed ?? 0;
  const stage1CacheDir = spec.stage1CacheDir ?? join(spec.outDir, '_stage1');
  const log = (line: string) => spec.callbacks?.log?.(line);
  const label = (c: GridCellPlan) => `[${c.index}/${plan.length}] ${c.variant} seed ${c.seed}`;

  const finishedCell = (c: GridCellPlan): GridCell | undefined => {
    const saved = readJsonIfExists<SavedEvaluation>(c.runDir, 'evaluation.json');
    const finished = readJsonIfExists<{ finished?: string }>(c.runDir, 'run.json')?.finished;
    if (!(saved && finished && protocols.every((p) => saved.protocols.includes(p)) && saved.evaluation.evalSeed === evalSeed && JSON.stringify(saved.config) === JSON.stringify(c.config))) return undefined;
    const kept = keptCheckpoints(readJsonIfExists<EpochRecord[]>(c.runDir, 'history.json') ?? []);
    return { variant: c.variant, seed: c.seed, runDir: c.runDir, config: c.config, evaluation: saved.evaluation, kept, computed: false };
  };
  const computeCell = async (c: GridCellPlan): Promise<GridCell> => {
    log(`${label(c)}: ${existsSync(join(c.runDir, 'run.json')) ? 'resuming' : 'training'} -> ${c.runDir}`);
    const run = await runMethod({
      dataset: spec.dataset,
      datasetSpec: spec.datasetSpec,
      config: c.config,
      outDir: c.runDir,
      batches: splitBatches,
      backend: spec.backend,
      stage1CacheDir,
      lock: 'held',
      callbacks: spec.callbacks,
    });
    try {
      const evaluation = await evaluateProtocols(run.predictors, spec.dataset.test, protocols, evalSeed); // yields after every batch: a signal is handled within a batch
      writeJson(c.runDir, 'evaluation.json', { protocols, config: c.config, backend: spec.backend.choice, evaluation });
      return { variant: c.variant, seed: c.seed, runDir: c.runDir, config: c.config, evaluation, kept: keptCheckpoints(run.history), computed: true };
    } finally {
      disposeTrainedRun(run);
    }
  };
  const underLock = async (c: GridCellPlan, lock: RunLock): Promise<GridCell> => {
    try {
      const done = finishedCell(c); // another process may have finished it meanwhile
      if (done) log(`${label(c)}: finished, reusing ${c.runDir}`);
      return done ?? (await computeCell(c));
    } finally {
      await lock.release();
    }
  };

  const results = new Map<number, GridCell>();
  const deferred: GridCellPlan[] = [];
  // Read each cell's saved state once here; a cell is checked again only under its lock.
  const finishedAtStart = new Map(todo.map((c) => [c.index, finishedCell(c)]));
  const pending = todo.filter((c) => !finishedAtStart.get(c.index)).length;
  const helpers = spec.only || !spec.workers || spec.workers <= 1 || pending < 2
    ? undefined
    : startGridWorkers({ datasetSpec: spec.datasetSpec, preset: spec.preset, variants: spec.variants, seeds: spec.seeds ?? DEFAULT_GRID_SEEDS, protocols, outDir: spec.outDir, overrides: spec.overrides }, Math.min(spec.workers, pending) - 1, log);
  const unwatch = spec.worker ? stopWhenParentGone(log) : undefined;
  const unforward = helpers ? forwardStopSignals(helpers, log) : undefined;
  try {
    if (spec.worker) process.stdout.write(`${GRID_WORKER_READY}\n`); // the starting process waits for this line
    await helpers?.ready;
    await trainCells();
  } finally {
    unwatch?.();
    unforward?.();
    const codes = await Promise.all(helpers?.exits ?? []);
    if (codes.some((code) => code !== 0)) log(`grid: ${codes.filter((code) => code !== 0).length} worker(s) failed; this process trained what they left`);
  }
  return todo.map((c) => results.get(c.index)!);

  async function trainCells(): Promise<void> {
    for (const c of spec.worker ? [...todo].reverse() : todo) {
      const done = finishedAtStart.get(c.index);
      if (done) {
        log(`${label(c)}: finished, reusing ${c.runDir}`);
        results.set(c.index, done);
        continue;
      }
      const needsStage1 = stageNeedsTeacher(c.config);
      if (needsStage1 && isRunLocked(join(stage1CacheDir, stage1Key({ dataset: spec.dataset, config: c.config, backend: spec.backend })))) {
        log(`${label(c)}: its stage-1 teacher is being trained by another process; coming back to it`);
        deferred.push(c);
        continue;
      }
      const lock = await tryLockRunFolder(c.runDir, { log });
      if (!lock) {
        log(`${label(c)}: being trained by another process; coming back to it`);
        deferred.push(c);
        continue;
      }
      results.set(c.index, await underLock(c, lock));
    }
    for (const c of deferred) {
      const lock = await lockRunFolder(c.runDir, { wait: true, log });
      results.set(c.index, await underLock(c, lock));
    }
  }
}

/** Returns the default grid folder name of a dataset spec and preset: `grid-<data>-<preset>`. */
export function gridFolderName(datasetSpec: string, preset: string): string {
  return `grid-${datasetShortName(datasetSpec)}-${preset}`;
}

/** Returns the run folder of one grid cell, `<gridDir>/<variant>-seed<N>` (what notebooks reuse). */
export function gridCellDir(gridDir: string, variant: string, seed: number): string {
  return join(gridDir, `${variant}-seed${seed}`);
}
