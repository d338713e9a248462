/**
 * Running the regime map: for each regime, one experiment grid (P1 only) over the regime's
 * variants and seeds in `<outDir>/<regime>/`, trained by the grid's workers and locks (resumable:
 * finished cells are read back), then, where the regime compares imputation, one imputation cell
 * per seed: the autoencoder imputer trained on the regime's data, feeding the very stage-1
 * teacher that B1 zero-fills (`<outDir>/<regime>/ae-teacher-seed<N>/`). A grid or an imputation
 * cell that fails is reported and counted in the regime's result; the map goes on.
 * @see notebooks/06-when-distillation-helps.ipynb
 */
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import type { SubsetName } from '../data/modalities';
import { loadDataset } from '../data/load-dataset';
import { standardizeDataset } from '../data/standardize';
import type { MultimodalDataset } from '../data/types';
import { evaluateSubsets, type SubsetResult } from '../eval/evaluate-subsets';
import { runGrid } from './experiment-grid';
import { validateImputerTrainOptions, type ImputerPresetName } from '../imputers/config';
import { trainOrLoadImputer } from './imputer-run';
import { imputerPredictors } from '../imputers/predictor';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { gridStage1TeacherDir } from './train-grid-cell';
import {
  IMPUTATION_VARIANT, regimeKnobs, regimeSpec, regimeVariants, type Regime, type RegimeCell, type RegimeResult,
} from '../report/regime-map';
import { loadModel } from '../train/checkpoint';
import { lockRunFolder } from './run-lock';
import type { StageCallbacks } from '../train/resumable-stage';
import type { TrainPresetName } from '../vocabulary';

/** Options of `runRegimeMap`. */
export interface RegimeMapRunOptions {
  regimes: readonly Regime[];
  seeds: readonly number[];
  /** The map's folder: one grid folder per regime, named after it. */
  outDir: string;
  /** The training preset of every cell ('mosi' for the map, 'quick' for the quick map). */
  trainPreset: TrainPresetName;
  /** The imputers' preset ('default' or 'quick'). */
  imputerPreset: ImputerPresetName;
  backend: BackendReport;
  /** Grid processes per regime (grid-workers.ts). */
  workers: number;
  callbacks?: StageCallbacks & { log?(line: string): void };
}

/** What an imputation cell's evaluation.json holds (the P1 results under `evaluation.p1`, as a grid cell's). */
export interface ImputationCellRecord {
  kind: 'mmckd-regime-imputation';
  datasetSpec: string;
  seed: number;
  /** The imputer's run folder and the stage-1 teacher's checkpoint folder it fed. */
  imputerDir: string;
  teacherDir: string;
  imputerPreset: ImputerPresetName;
  trainPreset: TrainPresetName;
  backend: string;
  evaluation: { p1: SubsetResult[] };
}

/** Returns the folder of one imputation cell, `<regimeDir>/ae-teacher-seed<N>`. */
export function imputationCellDir(regimeDir: string, seed: number): string {
  return join(regimeDir, `${IMPUTATION_VARIANT}-seed${seed}`);
}

/** Reads a regime's evaluated cells (P1 test MAE per model) from its folder: grid variants and imputation cells. */
export function readRegimeCells(regimeDir: string, regime: Regime, seeds: readonly number[]): RegimeCell[] {
  const variants = regime.imputation ? [...regimeVariants(regime), IMPUTATION_VARIANT] : regimeVariants(regime);
  const cells: RegimeCell[] = [];
  for (const variant of variants) {
    for (const seed of seeds) {
      const saved = readJsonIfExists<{ evaluation?: { p1?: SubsetResult[] } }>(join(regimeDir, `${variant}-seed${seed}`), 'evaluation.json');
      const p1 = saved?.evaluation?.p1;
      if (!p1) continue;
      cells.push({ variant, seed, testMae: Object.fromEntries(p1.map((x) => [x.subset, x.raw.MAE])) as Partial<Record<SubsetName, number>> });
    }
  }
  return cells;
}

/** Returns the number of cells a regime plans over `seeds`: its grid variants, and its imputation cells. */
export function plannedRegimeCells(regime: Regime, seeds: readonly number[]): number {
  return (regimeVariants(regime).length + (regime.imputation ? 1 : 0)) * seeds.length;
}

/**
 * Trains (or reuses) one imputation cell: the autoencoder imputer of `seed` on the regime's data,
 * then P1 on the test split through the stage-1 teacher that the regime's B1 cell of that seed
 * zero-fills. Written last, evaluation.json marks the cell finished.
 */
async function imputationCell(o: RegimeMapRunOptions, regime: Regime, dataset: MultimodalDataset, seed: number): Promise<void> {
  const regimeDir = join(o.outDir, regime.name);
  const dir = imputationCellDir(regimeDir, seed);
  const datasetSpec = regimeSpec(regime);
  const lock = await lockRunFolder(dir, { wait: true, log: o.callbacks?.log });
  try {
    const done = readJsonIfExists<ImputationCellRecord>(dir, 'evaluation.json');
    if (done && done.imputerPreset === o.imputerPreset && done.trainPreset === o.trainPreset) return;
    const teacherDir = gridStage1TeacherDir({ dataset, datasetSpec, backend: o.backend, seed, preset: o.trainPreset, gridDir: regimeDir }, 'b1');
    const imputerDir = join(dir, 'imputer-run');
    const { imputer } = await trainOrLoadImputer({
      dataset, config: { kind: 'autoencoder' }, preset: o.imputerPreset, train: validateImputerTrainOptions({ seed }, o.imputerPreset),
      backend: o.backend.choice, outDir: imputerDir, callbacks: { log: o.callbacks?.log },
    });
    try {
      const teacher = await loadModel(teacherDir);
      try {
        const p1 = await evaluateSubsets(imputerPredictors(imputer, teacher), dataset.test);
        const record: ImputationCellRecord = {
          kind: 'mmckd-regime-imputation', datasetSpec, seed, imputerDir, teacherDir, imputerPreset: o.imputerPreset, trainPreset: o.trainPreset,
          backend: o.backend.choice, evaluation: { p1 },
        };
        writeJson(dir, 'evaluation.json', record);
      } finally {
        teacher.dispose();
      }
    } finally {
      imputer.dispose();
    }
  } finally {
    await lock.release();
  }
}

/**
 * Runs every regime of `o.regimes` in order and returns what each gave. A regime the generator
 * cannot make (a size of 0, negative noise, a share outside [0, 1]) is refused, naming the regime
 * and the field, before anything is written. A regime whose grid stops
 * on an error, or an imputation cell that throws, adds a line to the regime's `failures` (and to
 * the log) and the map goes on to the next; cells that did finish are read back all the same.
 */
export async function runRegimeMap(o: RegimeMapRunOptions): Promise<RegimeResult[]> {
  const log = (line: string) => o.callbacks?.log?.(line);
  for (const regime of o.regimes) {
    try {
      regimeKnobs(regime); // the generator validates every knob: a regime it cannot make is refused before anything is written
    } catch (err) {
      throw new Error(`regime ${regime.name}: ${(err as Error).message}`);
    }
  }
  const results: RegimeResult[] = [];
  for (const regime of o.regimes) {
    const regimeDir = join(o.outDir, regime.name);
    const datasetSpec = regimeSpec(regime);
    const failures: string[] = [];
    const t0 = Date.now();
    log(`regime ${regime.name} (${regime.axis}): ${datasetSpec}`);
    let dataset: MultimodalDataset | undefined;
    try {
      dataset = standardizeDataset(loadDataset(datasetSpec)).dataset;
      await runGrid({
        dataset, datasetSpec, preset: o.trainPreset, variants: regimeVariants(regime), seeds: o.seeds, outDir: regimeDir,
        protocols: ['P1'], backend: o.backend, workers: o.workers, callbacks: o.callbacks,
      });
    } catch (err) {
      failures.push(`regime ${regime.name}: grid stopped: ${(err as Error).message}`);
    }
    if (regime.imputation && dataset) {
      for (const seed of o.seeds) {
        try {
          await imputationCell(o, regime, dataset, seed);
        } catch (err) {
          failures.push(`regime ${regime.name}: ${IMPUTATION_VARIANT} seed ${seed}: ${(err as Error).message}`);
        }
      }
    }
    for (const f of failures) log(f);
    const cells = readRegimeCells(regimeDir, regime, o.seeds);
    const planned = plannedRegimeCells(regime, o.seeds);
    log(`regime ${regime.name}: ${cells.length} of ${planned} cells evaluated${failures.length ? `, ${failures.length} failure(s)` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    results.push({ regime, cells, planned, failures });
  }
  return results;
}

/** Returns what a map's folder holds now, without training: each regime's evaluated cells (no failures known). */
export function readRegimeMap(regimes: readonly Regime[], seeds: readonly number[], outDir: string): RegimeResult[] {
  return regimes.map((regime) => ({ regime, cells: readRegimeCells(join(outDir, regime.name), regime, seeds), planned: plannedRegimeCells(regime, seeds), failures: [] }));
}
