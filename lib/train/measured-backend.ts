/**
 * The kit's backend choice with its own workload: `selectMeasuredBackend` is lib/backend.ts's
 * `selectBackend` (public under that name) timing the real training step where more than one CPU
 * backend loads. The step is one online MM-CKD optimisation step (teacher + six students, the
 * default model, MOSI shapes, batch 32: what lib/train/trainer.ts runs per batch).
 * @see notebooks/00-quickstart.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice, type BackendReport, type SelectBackendOptions } from '../backend';
import type { MeasureOptions, MeasureStep } from '../backend-measure';
import { MOSI_FEATURE_DIMS, SUBSET_NAMES } from '../data/modalities';
import { buildModelSet, disposeModelSet } from '../models/model-set';
import { FlatAdam } from './flat-adam';
import { onlineDistillationObjective } from './objectives';
import { runOptimizationStep } from './optimization-step';

/** The workload's name and version in the cache key: bump it when the step changes, so a cached result is measured again. */
export const TRAINING_STEP_WORKLOAD = 'mmckd-step-v1';

/** Returns the online MM-CKD training step at the benchmark's shapes, on the active backend. */
export function trainingStepWorkload(): MeasureStep {
  const [B, T] = [32, 50];
  const dims = MOSI_FEATURE_DIMS;
  const models = buildModelSet({}, SUBSET_NAMES, 0);
  const objective = onlineDistillationObjective(models, { lambda: 0.1, tau: 0.2, classScheme: 7, detachTeacherViews: false }, true);
  const vars = Object.values(models).flatMap((m) => m.variables());
  const optimizer = new FlatAdam(1e-3);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lengths = Array.from({ length: B }, () => 10 + Math.floor(rand() * (T - 9)));
  const mask = new Float32Array(B * T);
  lengths.forEach((len, b) => mask.fill(1, b * T, b * T + len));
  const feature = (dim: number) => tf.tensor3d(Float32Array.from({ length: B * T * dim }, (_, i) => (mask[Math.floor(i / dim)] ? 2 * rand() - 1 : 0)), [B, T, dim]);
  const labelValues = Float32Array.from({ length: B }, () => 6 * rand() - 3);
  const batch = {
    inputs: { text: feature(dims.text), audio: feature(dims.audio), vision: feature(dims.vision) },
    masks: { text: tf.tensor2d(mask, [B, T]), audio: tf.tensor2d(mask, [B, T]), vision: tf.tensor2d(mask, [B, T]) },
    labels: tf.tensor1d(labelValues),
    labelValues,
    indices: Int32Array.from({ length: B }, (_, i) => i),
  };
  return {
    async run(seed) {
      await runOptimizationStep({ objective, batch, seed, varList: vars, optimizer, clipNorm: 1 }); // the trainer's step
    },
    dispose() {
      tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
      optimizer.dispose();
      disposeModelSet(models);
    },
  };
}

/** Options of `selectMeasuredBackend`: those of `selectBackend`, with the workload's step and name optional. */
export type MeasuredBackendOptions = Omit<SelectBackendOptions, 'measure'> & {
  measure?: false | (Partial<MeasureOptions> & { among?: BackendChoice[] });
};

/**
 * Selects the backend as `selectBackend` does, choosing among CPU backends that all load by timing
 * the training step (`trainingStepWorkload`, unless `measure` names another; false: no measurement).
 */
export function selectMeasuredBackend(options: MeasuredBackendOptions = {}): Promise<BackendReport> {
  const { measure, ...rest } = options;
  if (measure === false) return selectBackend({ ...rest, measure: false });
  return selectBackend({ ...rest, measure: { makeStep: trainingStepWorkload, workload: TRAINING_STEP_WORKLOAD, ...measure } });
}
