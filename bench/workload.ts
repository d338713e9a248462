/**
 * The benchmark workload: the online MM-CKD training step (teacher + six students, MOSI shapes)
 * and per-clip inference. The step is the trainer's own (`runOptimizationStep` of
 * lib/train/optimization-step.ts: variableGrads over the objective, one asynchronous read of the
 * loss terms and the flat gradient, global-norm clipping, Adam). Shared by bench/mmckd-bench.ts
 * and bench/profile.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModelSet, disposeModelSet, type MsaModel } from '../lib/models/index';
import type { ModelConfig } from '../lib/models/config';
import { onlineDistillationObjective } from '../lib/train/objectives';
import { FlatAdam } from '../lib/train/flat-adam';
import { runOptimizationStep } from '../lib/train/optimization-step';
import { SUBSET_NAMES, type SubsetName } from '../lib/data/modalities';
import type { Batch } from '../lib/data/types';

/** Shapes of the benchmark: MOSI aligned_50 (768 / 5 / 20, length 50), batch 32. */
export const BENCH_SHAPES = { batch: 32, seqLen: 50, dims: { text: 768, audio: 5, vision: 20 } } as const;

/** Training hyperparameters the step uses (the kit's defaults). */
export const BENCH_TRAIN = { lr: 1e-3, clipNorm: 1, lambda: 0.1, tau: 0.2, classScheme: 7 as const, detachTeacherViews: false };

/** Returns a deterministic pseudo-random generator on [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Returns a batch of random MOSI-shaped clips with variable lengths (10..50 frames). */
export function randomBatch(batch: number, seed: number): Batch {
  const rand = lcg(seed);
  const { seqLen, dims } = BENCH_SHAPES;
  const lengths = Array.from({ length: batch }, () => 10 + Math.floor(rand() * (seqLen - 9)));
  const mask = new Float32Array(batch * seqLen);
  lengths.forEach((len, b) => mask.fill(1, b * seqLen, b * seqLen + len));
  const feature = (dim: number) => {
    const data = new Float32Array(batch * seqLen * dim);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < lengths[b] * dim; i++) data[b * seqLen * dim + i] = 2 * rand() - 1;
    }
    return tf.tensor3d(data, [batch, seqLen, dim]);
  };
  const labels = Float32Array.from({ length: batch }, () => 6 * rand() - 3);
  return {
    inputs: { text: feature(dims.text), audio: feature(dims.audio), vision: feature(dims.vision) },
    masks: { text: tf.tensor2d(mask, [batch, seqLen]), audio: tf.tensor2d(mask, [batch, seqLen]), vision: tf.tensor2d(mask, [batch, seqLen]) },
    labels: tf.tensor1d(labels),
    labelValues: labels,
    indices: Int32Array.from({ length: batch }, (_, i) => i),
  };
}

/** A ready-to-run training step over a fixed batch. */
export interface TrainingStep {
  models: Record<SubsetName, MsaModel>;
  /** Runs one step; resolves to the total loss (the trainer's step: lib/train/optimization-step.ts). */
  run(seed: number): Promise<number>;
  dispose(): void;
}

/**
 * The optimizer the trainer uses (FlatAdam), or tf.train.adam with per-variable clipping when
 * MMCKD_BENCH_OPTIMIZER=tfjs (the same update, issued variable by variable: for comparisons).
 */
export function makeOptimizer(lr: number): tf.Optimizer {
  return process.env.MMCKD_BENCH_OPTIMIZER === 'tfjs' ? tf.train.adam(lr) : new FlatAdam(lr);
}

/** Builds the seven models and an Adam optimizer; `run` does what trainModels does per batch. */
export function makeTrainingStep(model: Partial<ModelConfig> = {}, batchSize: number = BENCH_SHAPES.batch): TrainingStep {
  const models = buildModelSet(model, SUBSET_NAMES, 0);
  const objective = onlineDistillationObjective(models, BENCH_TRAIN, true);
  const varList = Object.values(models).flatMap((m) => m.variables());
  const optimizer = makeOptimizer(BENCH_TRAIN.lr);
  const batch = randomBatch(batchSize, 1234);
  return {
    models,
    async run(seed) {
      const step = await runOptimizationStep({ objective, batch, seed, varList, optimizer, clipNorm: BENCH_TRAIN.clipNorm });
      return step.terms.total;
    },
    dispose() {
      tf.dispose(Object.values(batch.inputs));
      tf.dispose(Object.values(batch.masks));
      batch.labels.dispose();
      optimizer.dispose();
      disposeModelSet(models);
    },
  };
}
