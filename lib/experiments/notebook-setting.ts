/**
 * The notebooks' setting, read from the environment in this one place: the quick or full setting
 * (MMCKD_QUICK), the dataset (MMCKD_DATASET), the presets that follow from them, notebook 04's
 * seeds (MMCKD_GRID_SEEDS, MMCKD_ABLATION_SEEDS), notebook 06's regime map and its seeds
 * (MMCKD_REGIME_SEEDS), the grid folder under the runs folder
 * (MMCKD_RUNS_DIR) and the collection folder of `npm run reproduce` (MMCKD_COLLECT_DIR). The
 * README's table of variables documents each one.
 * @see notebooks/00-quickstart.ipynb
 */
import { join } from 'node:path';
import { isQuick, kitPaths } from '../paths';
import { parseSeedList } from '../train/config';
import type { TrainPresetName } from '../vocabulary';
import type { ImputerPresetName } from '../imputers/config';
import { ABLATION_VARIANTS, DEFAULT_GRID_SEEDS, gridFolderName } from './experiment-grid';
import { defaultGridWorkers } from './grid-workers';
import { COLLECT_ENV } from '../report/collect';
import type { RegimeMapSize } from '../report/regime-map';

/** The environment variable naming the notebooks' dataset (a dataset spec: 'synthetic', 'synthetic:quick' or an MMSA .pkl path). */
const DATASET_ENV = 'MMCKD_DATASET';
/** The environment variable with notebook 04's seeds of the method grid (a comma list). */
const GRID_SEEDS_ENV = 'MMCKD_GRID_SEEDS';
/** The environment variable with notebook 04's seeds of the ablations (a comma list). */
const ABLATION_SEEDS_ENV = 'MMCKD_ABLATION_SEEDS';
/** The environment variable with notebook 06's seeds of the regime map (a comma list). */
const REGIME_SEEDS_ENV = 'MMCKD_REGIME_SEEDS';

/** The ablation variants of the quick setting: the two the method grid already trained and two that train fast. */
export const QUICK_ABLATION_VARIANTS: readonly string[] = ['mmckd', 'b2', 'mmckd-3class', 'mmckd-detached'];

/** Everything the notebooks take from the environment, resolved. */
export interface NotebookSetting {
  /** True in the quick setting (MMCKD_QUICK=1): small data, few epochs, one seed. */
  quick: boolean;
  /** The dataset spec: MMCKD_DATASET, else 'synthetic:quick' (quick) or 'synthetic'. */
  datasetSpec: string;
  /** The training preset: 'quick' or 'mosi'. */
  preset: TrainPresetName;
  /** The imputers' preset: 'quick' or 'default'. */
  imputerPreset: ImputerPresetName;
  /** The grid folder the notebooks share with `mmckd grid`: `<runs>/grid-<data>-<preset>`. */
  gridDir: string;
  /** Seeds of notebook 04's method grid: MMCKD_GRID_SEEDS, else [1] (quick) or DEFAULT_GRID_SEEDS. */
  gridSeeds: number[];
  /** Seeds of notebook 04's ablations: MMCKD_ABLATION_SEEDS, else [1] (quick) or [1, 2, 3]. */
  ablationSeeds: number[];
  /** Notebook 04's ablation variants: QUICK_ABLATION_VARIANTS (quick) or ABLATION_VARIANTS. */
  ablationVariants: string[];
  /** Notebook 06's regime map: 'quick' (small regimes of the quick preset) or 'full'. */
  regimeMapSize: RegimeMapSize;
  /** The regime map's folder: `<runs>/regime-map` (full) or `<runs>/regime-map-quick`. */
  regimeMapDir: string;
  /** Seeds of the regime map: MMCKD_REGIME_SEEDS, else [1, 2] (quick: two, so every contrast has an interval) or DEFAULT_GRID_SEEDS. */
  regimeSeeds: number[];
  /** Grid processes: 1 (quick) or one per core. */
  gridWorkers: number;
  /** The collection folder `npm run reproduce` names (MMCKD_COLLECT_DIR), or undefined when nothing is collected. */
  collectDir: string | undefined;
}

/** The seeds a variable lists, or `fallback` when it is unset or empty. */
function seedList(env: Record<string, string | undefined>, name: string, fallback: readonly number[]): number[] {
  const text = env[name]?.trim();
  return text ? parseSeedList(text, name) : [...fallback];
}

/** Returns the notebooks' setting read from `env` (process.env by default); throws on a malformed seed list. */
export function notebookSetting(env: Record<string, string | undefined> = process.env): NotebookSetting {
  const quick = isQuick(env);
  const datasetSpec = env[DATASET_ENV]?.trim() || (quick ? 'synthetic:quick' : 'synthetic');
  const preset: TrainPresetName = quick ? 'quick' : 'mosi';
  const collectDir = env[COLLECT_ENV]?.trim();
  return {
    quick,
    datasetSpec,
    preset,
    imputerPreset: quick ? 'quick' : 'default',
    gridDir: join(kitPaths(env).runs, gridFolderName(datasetSpec, preset)),
    gridSeeds: seedList(env, GRID_SEEDS_ENV, quick ? [1] : DEFAULT_GRID_SEEDS),
    ablationSeeds: seedList(env, ABLATION_SEEDS_ENV, quick ? [1] : [1, 2, 3]),
    ablationVariants: [...(quick ? QUICK_ABLATION_VARIANTS : ABLATION_VARIANTS)],
    regimeMapSize: quick ? 'quick' : 'full',
    regimeMapDir: join(kitPaths(env).runs, quick ? 'regime-map-quick' : 'regime-map'),
    regimeSeeds: seedList(env, REGIME_SEEDS_ENV, quick ? [1, 2] : DEFAULT_GRID_SEEDS),
    gridWorkers: quick ? 1 : defaultGridWorkers(),
    collectDir: collectDir ? collectDir : undefined,
  };
}
