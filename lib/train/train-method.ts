/**
 * One method end to end, the recipe's part: stage 1 (teacher pretraining, L1) when the method needs
 * it, then stage 2 (online MM-CKD, or a baseline), keeping each model's best checkpoint. Each stage
 * is resumable (lib/train/resumable-stage.ts): an interrupted run continues from its last
 * completed epoch. The run folder around it (its record, lock, dataset check, the shared stage-1
 * teachers) is lib/experiments/run-method.ts's.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { join } from 'node:path';
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { MultimodalDataset } from '../data/types';
import { validateModelConfig, type ModelConfig } from '../models/config';
import type { MsaModel } from '../models/model';
import { buildModelSet, memberSeed } from '../models/model-set';
import { writeJson } from '../io/json-file';
import { saveModel } from './checkpoint';
import type { TrainConfig } from './config';
import { stageLoopOptions } from './recipe';
import { offlineDistillationObjective, onlineDistillationObjective, regressionObjective } from './objectives';
import { modelPredictor, zeroFillPredictor, type Predictor } from './predict';
import { runStage, type EpochRecord, type HeldLock, type StageCallbacks, type StageOptions, type StageState } from './resumable-stage';
import type { BatchSource } from './trainer';
import { distillationProbe } from './distillation-probe';
import { saveStudentTeachers, teacherSnapshotCallback } from './student-teachers';

/** Where stage 1 trains: a folder and the lock that guards it; `close` releases what opening it took. */
export interface Stage1Folder {
  dir: string;
  lock?: HeldLock;
  close(): Promise<void>;
}

/** Options of `trainMethod`. */
export interface TrainMethodOptions {
  /** The dataset, already standardised (train statistics). */
  dataset: MultimodalDataset;
  config: TrainConfig;
  /** The run folder: stage2/, checkpoints/<subset>/, history.json and the stage-2 teachers go there. */
  outDir: string;
  batches: BatchSource;
  /** The run folder's lock, checked before each epoch is committed. */
  lock?: HeldLock;
  /** Opens stage 1's folder (a shared teacher's, say); default `<outDir>/stage1` under the run's lock. */
  openStage1?(): Promise<Stage1Folder>;
  callbacks?: StageCallbacks & { log?(line: string): void };
}

/** What a method trained: its models (best checkpoints), a predictor per subset, and the history. */
export interface MethodModels {
  /** The trained models (B1: only the teacher). The caller disposes them. */
  models: Partial<Record<SubsetName, MsaModel>>;
  /** The predictor MM-CKD's routing uses for each subset (B1: the zero-filled teacher). */
  predictors: Record<SubsetName, Predictor>;
  history: EpochRecord[];
}

/** The run's model options plus the data's dims and lengths, before defaults (what a stage-1 key hashes). */
export function modelOptionsFor(dataset: MultimodalDataset, config: TrainConfig, subset: SubsetName): Partial<ModelConfig> {
  return { ...config.model, subset, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } };
}

/**
 * Returns the complete, validated model config of one subset's model for a dataset: the run's
 * model options over the defaults, with the data's dims and lengths; throws naming a bad field.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
export function modelConfigFor(dataset: MultimodalDataset, config: TrainConfig, subset: SubsetName): ModelConfig {
  return validateModelConfig(modelOptionsFor(dataset, config, subset));
}

/** True when the method trains (or reuses) the stage-1 teacher. */
export function stageNeedsTeacher(config: TrainConfig): boolean {
  return config.method === 'b1' || config.method === 'b3' || (config.teacherInit === 'pretrained' && config.pretrainEpochs > 0);
}

/** The recipe's part of a stage: which models, which are trained, on what objective, where. */
type StageRecipe = Pick<StageOptions, 'stage' | 'models' | 'trainable' | 'objective' | 'dir' | 'initialBest' | 'lock' | 'probe'> & {
  /** Runs after each committed epoch, before the caller's own callback. */
  onEpochEnd?(record: EpochRecord): Promise<void>;
};

/** Trains one stage of the run resumably (lib/train/resumable-stage.ts) with the run's data and config. */
function trainStage(o: TrainMethodOptions, { onEpochEnd, ...recipe }: StageRecipe): Promise<StageState> {
  const c = o.config;
  const callbacks: TrainMethodOptions['callbacks'] = onEpochEnd
    ? {
        ...o.callbacks,
        async onEpochEnd(record, state) {
          await onEpochEnd(record);
          await o.callbacks?.onEpochEnd?.(record, state);
        },
      }
    : o.callbacks;
  return runStage({
    ...recipe,
    loop: stageLoopOptions(c, recipe.stage),
    weightDecay: c.weightDecay,
    train: o.dataset.train,
    valid: o.dataset.valid,
    batches: o.batches,
    runSeed: c.seed,
    callbacks,
  });
}

/**
 * Trains `config.method` on `dataset` into `outDir` and returns the trained models and predictors.
 * Writes stage2/, history.json and checkpoints/<subset>/ for every model (stage 1 where
 * `openStage1` says). Models built here are disposed if training fails; on success the caller owns them.
 */
export async function trainMethod(o: TrainMethodOptions): Promise<MethodModels> {
  const lock = o.lock;
  const c = o.config;
  // Models built here are disposed if training fails; on success the caller owns them.
  const built: MsaModel[] = [];
  const buildSet = (subsets: readonly SubsetName[]): Partial<Record<SubsetName, MsaModel>> => {
    const set = buildModelSet(modelOptionsFor(o.dataset, c, 'tav'), subsets, c.seed);
    built.push(...Object.values(set));
    return set;
  };
  try {
    const history: EpochRecord[] = [];
    let teacher: MsaModel | undefined;
    let teacherStage1: { epoch: number; validMae: number } | undefined;
    if (stageNeedsTeacher(c)) {
      teacher = buildSet(['tav']).tav!;
      const s1Folder = o.openStage1 ? await o.openStage1() : { dir: join(o.outDir, 'stage1'), lock, close: async () => {} };
      let s1: StageState;
      try {
        s1 = await trainStage(o, { stage: 'stage1', models: { tav: teacher }, trainable: ['tav'], objective: regressionObjective({ tav: teacher }), dir: s1Folder.dir, lock: s1Folder.lock });
      } finally {
        await s1Folder.close();
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
      const students = buildSet(SUBSET_NAMES.filter((n) => n !== 'tav'));
      const s2 = await trainStage(o, { stage: 'stage2', models: students, trainable: Object.keys(students) as SubsetName[], objective: offlineDistillationObjective(teacher!, students, c), dir: join(o.outDir, 'stage2'), lock });
      history.push(...s2.history);
      Object.assign(models, { tav: teacher }, students);
    } else {
      const fresh = buildSet(SUBSET_NAMES.filter((n) => !(n === 'tav' && teacher)));
      for (const s of SUBSET_NAMES) models[s] = s === 'tav' && teacher ? teacher : fresh[s];
      const objective =
        c.method === 'b2' || c.lambda === 0
          ? regressionObjective(models)
          : onlineDistillationObjective(models, c, c.method === 'mmckd');
      // The pretrained teacher keeps its stage-1 checkpoint unless stage 2 beats it on validation.
      const carried = teacherStage1 && models.tav === teacher ? { tav: { score: teacherStage1.validMae, weights: teacher!.getWeights() } } : undefined;
      const s2Dir = join(o.outDir, 'stage2');
      // MVSC at work: each epoch's terms, projections and gradients (distillation-probe.ts), and
      // the teacher at each student's best epoch (student-teachers.ts).
      const probe = distillationProbe({
        models, splits: { train: o.dataset.train, valid: o.dataset.valid }, batchSize: c.batchSize, tau: c.tau, classScheme: c.classScheme,
        contrast: c.method === 'b2' ? undefined : { kind: c.method === 'mmckd' ? 'mvsc' : 'mvc', weight: c.lambda },
      });
      const s2 = await trainStage(o, {
        stage: 'stage2', models, trainable: [...SUBSET_NAMES], objective, dir: s2Dir, initialBest: carried, lock, probe,
        onEpochEnd: teacherSnapshotCallback(models.tav!, s2Dir),
      });
      history.push(...s2.history);
      const { skipped } = await saveStudentTeachers(s2Dir, o.outDir, models.tav!, memberSeed(c.seed, 'tav'), s2.best);
      if (skipped.length > 0) o.callbacks?.log?.(`stage2: no copy of the teacher at the best epoch of ${skipped.join(', ')} (resumed across it)`);
    }
    for (const s of SUBSET_NAMES) {
      if (!predictors[s]) predictors[s] = modelPredictor(models[s]!);
    }
    // The final model of each subset, whatever stage it came from.
    for (const [name, model] of Object.entries(models) as [SubsetName, MsaModel][]) {
      await saveModel(model, join(o.outDir, 'checkpoints', name), memberSeed(c.seed, name), { method: c.method });
    }
    writeJson(o.outDir, 'history.json', history);
    return { models, predictors, history };
  } catch (err) {
    for (const model of built) model.dispose();
    throw err;
  }
}
