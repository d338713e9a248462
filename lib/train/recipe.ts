/**
 * The recipe in one table: every training default of both stages, the presets (training and
 * model together), the grid's variants as named overrides, and how a config splits into the two
 * stages. `validateTrainConfig` (config.ts) resolves a config from this table and checks it once.
 *
 * The model's own defaults (d = 64, attention pooling, concat fusion, ...) are
 * `DEFAULT_MODEL_CONFIG` in lib/models/config.ts: a model can be built without any training
 * (notebook 02, the benchmarks), so the architecture keeps its defaults, and a preset or variant
 * overrides them here through its `model` field.
 * @see docs/recipe-search.md
 */
import type { ModelConfig } from '../models/config';
import type { MethodName, TrainPresetName } from '../vocabulary';
import type { LoopOptions, ScheduleKind, TrainConfig } from './config';

/**
 * Defaults: the `mosi` preset's values (docs/recipe-search.md): AdamW with weight decay 0.01, up
 * to 40 epochs per stage with patience 10, one warm-up epoch then a cosine schedule; the teacher's
 * stage 1 at lr 3e-4 (at 1e-3 it peaks after one or two epochs and its epoch selection on the
 * small validation split is noisy), stage 2 at 1e-3 (the weak audio and vision students need it).
 * `model` holds overrides of DEFAULT_MODEL_CONFIG: none.
 */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  method: 'mmckd' as MethodName,
  seed: 1,
  batchSize: 32,
  pretrainEpochs: 40,
  pretrainLr: 3e-4,
  epochs: 40,
  lr: 1e-3,
  weightDecay: 0.01,
  clipNorm: 1,
  schedule: 'cosine' as ScheduleKind,
  warmupEpochs: 1,
  patience: 10,
  lambda: 0.1,
  tau: 0.5,
  classScheme: 7 as const,
  detachTeacherViews: false,
  teacherInit: 'pretrained' as const,
  kdFeatureWeight: 1,
  kdOutputWeight: 1,
  model: Object.freeze({}) as Partial<ModelConfig>,
});

/**
 * The presets, each an override of the defaults (training and model together): `quick` for the
 * tests and the notebooks' quick setting, `mosi` (the defaults), `mosei` (larger batches for
 * MOSEI's 16k clips; not tuned here: no MOSEI features ship with the kit).
 */
export const TRAIN_PRESETS: Readonly<Record<TrainPresetName, Partial<TrainConfig>>> = Object.freeze({
  quick: { batchSize: 32, pretrainEpochs: 4, epochs: 4, patience: 4, warmupEpochs: 0, model: { d: 16, heads: 2, projectionDim: 16 } },
  mosi: {},
  mosei: { batchSize: 64 },
});

/**
 * The grid's variants: the five methods and MM-CKD's ablations, each a named override of the
 * preset it runs under. lambda0 is MM-CKD's loop without MVSC (B2 by another name, kept so
 * ablation tables read alone).
 */
export const GRID_VARIANTS: Readonly<Record<string, Partial<TrainConfig>>> = Object.freeze({
  mmckd: { method: 'mmckd' },
  b1: { method: 'b1' },
  b2: { method: 'b2' },
  b3: { method: 'b3' },
  b4: { method: 'b4' },
  'mmckd-lambda0': { method: 'mmckd', lambda: 0 },
  'mmckd-unsupervised': { method: 'b4' },
  'mmckd-3class': { method: 'mmckd', classScheme: 3 },
  'mmckd-2class': { method: 'mmckd', classScheme: 2 },
  'mmckd-tau0.2': { method: 'mmckd', tau: 0.2 },
  'mmckd-tau0.07': { method: 'mmckd', tau: 0.07 },
  'mmckd-lambda1': { method: 'mmckd', lambda: 1 },
  'mmckd-detached': { method: 'mmckd', detachTeacherViews: true },
  'mmckd-scratch': { method: 'mmckd', teacherInit: 'scratch' },
});

/**
 * Returns the loop options of a stage: stage 1 (the teacher's pretraining) at `pretrainLr` for
 * `pretrainEpochs` with the run's seed; stage 2 at `lr` for `epochs` with seed + 1. Everything
 * else is shared by both stages.
 */
export function stageLoopOptions(c: TrainConfig, stage: 'stage1' | 'stage2'): LoopOptions {
  const first = stage === 'stage1';
  return {
    seed: c.seed + (first ? 0 : 1),
    batchSize: c.batchSize,
    epochs: first ? c.pretrainEpochs : c.epochs,
    lr: first ? c.pretrainLr : c.lr,
    clipNorm: c.clipNorm,
    schedule: c.schedule,
    warmupEpochs: c.warmupEpochs,
    patience: c.patience,
  };
}
