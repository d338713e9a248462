/**
 * The training configuration's shape: every hyperparameter of stage 1 (teacher pretraining) and
 * stage 2 (online MM-CKD and the baselines), and `validateTrainConfig`, which resolves a config
 * from the recipe's table (recipe.ts: defaults, presets) and checks every field once.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { DEFAULT_MODEL_CONFIG, validateModelConfig, type ModelConfig } from '../models/config';
import { isMethodName, isTrainPreset, METHOD_NAMES, TRAIN_PRESET_NAMES, type MethodName, type TrainPresetName } from '../vocabulary';
import { DEFAULT_TRAIN_CONFIG, TRAIN_PRESETS } from './recipe';


/** Learning-rate schedule over stage 2 (stage 1 uses the same kind). */
export type ScheduleKind = 'constant' | 'cosine' | 'step';

/** The options of one optimisation loop: what the kit's one trainer (lib/train/trainer.ts) takes, for the models and the imputers. */
export interface LoopOptions {
  /** Seed of initialisation, shuffling and dropout. */
  seed: number;
  batchSize: number;
  /** Maximum epochs (for the models: of stage 2). */
  epochs: number;
  /** Adam learning rate. */
  lr: number;
  /** Global-norm gradient clipping (0 disables). */
  clipNorm: number;
  schedule: ScheduleKind;
  /** Linear warm-up epochs at the start of each stage. */
  warmupEpochs: number;
  /** Early stopping: stop when nothing improved on validation for this many epochs. */
  patience: number;
}

/** Every training hyperparameter of MM-CKD and the baselines. */
export interface TrainConfig extends LoopOptions {
  method: MethodName;
  /** Decoupled weight decay (AdamW) of both stages; 0 is plain Adam. */
  weightDecay: number;
  /** Stage 1: maximum teacher pretraining epochs (0 skips stage 1). */
  pretrainEpochs: number;
  /** Stage 1: peak learning rate of the teacher pretraining (`lr` is stage 2's). */
  pretrainLr: number;
  /** Weight of the contrastive loss (MVSC for mmckd, unsupervised for b4). */
  lambda: number;
  /** Temperature of the contrastive loss. */
  tau: number;
  /** Class scheme of MVSC's supervision: 7 (round of clip), 3 (sign), 2 (>= 0). */
  classScheme: 7 | 3 | 2;
  /** Stop gradients through the teacher's views in MVSC (the online/offline ablation). */
  detachTeacherViews: boolean;
  /** Stage 2 teacher: from stage 1 ('pretrained') or from scratch ('scratch'). */
  teacherInit: 'pretrained' | 'scratch';
  /** B3: weight of the feature MSE and of the output MSE to the frozen teacher. */
  kdFeatureWeight: number;
  kdOutputWeight: number;
  /** Model hyperparameters shared by the seven models (dims and lengths come from the data). */
  model: Partial<ModelConfig>;
}

/** The largest seed the kit accepts (training and mask seeds feed 32-bit generators). */
export const MAX_SEED = 4294967295;

/** Reads a comma list of seeds as a user types it ('1,2,3'); throws naming `what` unless every entry is an integer from 0 to MAX_SEED. */
export function parseSeedList(text: string, what: string): number[] {
  return text.split(',').map((entry) => {
    const n = /^\d{1,10}$/.test(entry.trim()) ? Number(entry.trim()) : NaN;
    if (!(n <= MAX_SEED)) throw new Error(`Expected ${what} to be a comma list of integers from 0 to ${MAX_SEED}, but got '${text}'`);
    return n;
  });
}

function need(ok: boolean, field: string, expected: string, value: unknown): void {
  if (!ok) throw new Error(`Expected ${field} to be ${expected}, but got ${JSON.stringify(value)}`);
}

/**
 * Returns a complete config: preset over defaults, then `overrides`. Throws an error naming the
 * field on an unknown field or any out-of-range value (negative lr, tau <= 0, unknown method, ...).
 */
export function validateTrainConfig(overrides: Partial<TrainConfig> = {}, preset: TrainPresetName = 'mosi'): TrainConfig {
  if (!isTrainPreset(preset)) throw new Error(`Expected preset to be one of ${TRAIN_PRESET_NAMES.join(', ')}, but got '${preset}'`);
  const unknown = Object.keys(overrides).filter((k) => !(k in DEFAULT_TRAIN_CONFIG));
  if (unknown.length > 0) throw new Error(`Expected config fields among ${Object.keys(DEFAULT_TRAIN_CONFIG).join(', ')}, but got '${unknown.join("', '")}'`);
  const unknownModel = Object.keys(overrides.model ?? {}).filter((k) => !(k in DEFAULT_MODEL_CONFIG));
  if (unknownModel.length > 0) throw new Error(`Expected model fields among ${Object.keys(DEFAULT_MODEL_CONFIG).join(', ')}, but got '${unknownModel.join("', '")}'`);
  const p = TRAIN_PRESETS[preset];
  const c: TrainConfig = {
    ...DEFAULT_TRAIN_CONFIG,
    ...p,
    ...overrides,
    model: { ...DEFAULT_TRAIN_CONFIG.model, ...(p.model ?? {}), ...(overrides.model ?? {}) },
  };
  const int = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
  const pos = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const nonneg = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  need(isMethodName(c.method), 'method', `one of ${METHOD_NAMES.join(', ')}`, c.method);
  need(int(c.seed, 0) && c.seed <= MAX_SEED, 'seed', `an integer from 0 to ${MAX_SEED}`, c.seed);
  need(int(c.batchSize, 2), 'batchSize', 'an integer >= 2', c.batchSize);
  need(int(c.pretrainEpochs, 0), 'pretrainEpochs', 'an integer >= 0', c.pretrainEpochs);
  need(int(c.epochs, 0), 'epochs', 'an integer >= 0', c.epochs);
  need(pos(c.lr), 'lr', 'a positive number', c.lr);
  need(pos(c.pretrainLr), 'pretrainLr', 'a positive number', c.pretrainLr);
  need(nonneg(c.weightDecay), 'weightDecay', 'a number >= 0', c.weightDecay);
  need(nonneg(c.clipNorm), 'clipNorm', 'a number >= 0', c.clipNorm);
  need(['constant', 'cosine', 'step'].includes(c.schedule), 'schedule', "'constant', 'cosine' or 'step'", c.schedule);
  need(int(c.warmupEpochs, 0), 'warmupEpochs', 'an integer >= 0', c.warmupEpochs);
  need(int(c.patience, 1), 'patience', 'an integer >= 1', c.patience);
  need(nonneg(c.lambda), 'lambda', 'a number >= 0', c.lambda);
  need(pos(c.tau), 'tau', 'a number > 0', c.tau);
  need([7, 3, 2].includes(c.classScheme), 'classScheme', '7, 3 or 2', c.classScheme);
  need(typeof c.detachTeacherViews === 'boolean', 'detachTeacherViews', 'a boolean', c.detachTeacherViews);
  need(['pretrained', 'scratch'].includes(c.teacherInit), 'teacherInit', "'pretrained' or 'scratch'", c.teacherInit);
  need(nonneg(c.kdFeatureWeight), 'kdFeatureWeight', 'a number >= 0', c.kdFeatureWeight);
  need(nonneg(c.kdOutputWeight), 'kdOutputWeight', 'a number >= 0', c.kdOutputWeight);
  // The model options are checked here too, so a bad --d or --heads is refused before any write.
  validateModelConfig({ ...c.model, subset: 'tav' });
  if (c.method === 'b1' && c.pretrainEpochs === 0) {
    throw new Error('Expected pretrainEpochs >= 1 for method b1 (the full-modality teacher is its only model), but got 0');
  }
  if (c.method === 'b3' && c.pretrainEpochs === 0) {
    throw new Error('Expected pretrainEpochs >= 1 for method b3 (offline KD needs the stage-1 teacher), but got 0');
  }
  return c;
}
