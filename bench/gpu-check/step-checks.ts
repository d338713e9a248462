/**
 * Whole-step checks of the GPU check: one MM-CKD objective's loss terms and gradients on a
 * backend (to compare with cpu), and the training step's time at a batch size. The step timed is
 * the kit's own (`runOptimizationStep`, lib/train/optimization-step.ts: what the trainer runs).
 * The workload is bench/workload.ts's: seven models at MOSI shapes (768/5/20, T 50), random
 * clips, the kit's MM-CKD objective (L1 + 0.1 * MVSC, tau 0.2).
 */
import * as tf from '@tensorflow/tfjs';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { disposeBatch, type Batch } from '../../lib/data/types';
import { buildModelSet, disposeModelSet } from '../../lib/models/index';
import type { ModelConfig } from '../../lib/models/config';
import { onlineDistillationObjective, type Objective } from '../../lib/train/objectives';
import { FlatAdam } from '../../lib/train/flat-adam';
import { runOptimizationStep } from '../../lib/train/optimization-step';
import { BENCH_TRAIN, randomBatch } from '../workload';
import { median } from './numeric';

/** The loss terms and every variable's gradient of one objective evaluation, read to the CPU. */
export interface LossAndGradients {
  /** 'total' first, then the objective's terms (l1_tav, ..., mvsc). */
  termNames: string[];
  terms: Float32Array;
  /** One entry per variable of `variables`, same order. */
  gradients: Float32Array[];
  shapes: number[][];
  /** The variables' names. */
  names: string[];
}

/** Evaluates `objective` on the batch and returns its terms and gradients (no update). */
async function lossAndGradients(objective: Objective, variables: tf.Variable[], batch: Batch, seed: number): Promise<LossAndGradients> {
  let packed: tf.Tensor | undefined;
  let termNames: string[] = [];
  const step = tf.variableGrads(() => {
    const loss = objective(batch, seed);
    termNames = ['total', ...Object.keys(loss.terms)];
    packed = tf.keep(tf.stack([loss.total, ...Object.values(loss.terms)]));
    return loss.total;
  }, variables);
  try {
    const terms = Float32Array.from(await packed!.data());
    const gradients = await Promise.all(variables.map(async (v) => Float32Array.from(await step.grads[v.name].data())));
    return { termNames, terms, gradients, shapes: variables.map((v) => v.shape), names: variables.map((v) => v.name) };
  } finally {
    tf.dispose([packed!, step.value, ...Object.values(step.grads)]);
  }
}

/** Waits until the backend has finished the queued work that `variable` depends on. */
async function settle(variable: tf.Variable): Promise<void> {
  const probe = tf.tidy(() => tf.slice(tf.reshape(variable, [-1]), 0, 1));
  await probe.data();
  probe.dispose();
}

/** A model variant of the step check. */
export interface StepVariant {
  name: string;
  model: Partial<ModelConfig>;
  batch: number;
}

/** The kit's default model at batch 32, and the transformer variant at batch 8 (cpu is slow). */
export const STEP_VARIANTS: readonly StepVariant[] = [
  { name: 'default model (d 64, attention pooling, concat fusion), batch 32', model: {}, batch: 32 },
  { name: 'transformer variant (1 layer, learned positions, transformer fusion), batch 8', model: { layers: 1, positional: 'learned', fusion: 'transformer' }, batch: 8 },
];

/** Builds the seven models on the current backend and returns one objective evaluation (variables named 'subset parameter'). */
export async function stepValues(variant: StepVariant): Promise<LossAndGradients> {
  const models = buildModelSet(variant.model, SUBSET_NAMES, 0);
  const batch = randomBatch(variant.batch, 1234);
  try {
    const objective = onlineDistillationObjective(models, BENCH_TRAIN, true);
    const variables = Object.values(models).flatMap((m) => m.variables());
    const names = Object.entries(models).flatMap(([subset, m]) => m.variables().map((v) => `${subset} ${v.name.replace(/^[^/]*\//, '')}`));
    return { ...(await lossAndGradients(objective, variables, batch, 7)), names };
  } finally {
    disposeBatch(batch);
    disposeModelSet(models);
  }
}

/** Step times on one backend at one batch size. */
export interface StepTiming {
  batch: number;
  /** The first step (shader compilation and buffer allocation on webgpu). */
  firstMs: number;
  /** Median of the timed steps. */
  medianMs: number;
  /** Timed steps' total (ending when the last update has run) over their number. */
  meanMs: number;
  steps: number;
  samplesPerS: number;
  /** Live tensors after the steps, before disposal (a leak grows this with the step count). */
  liveTensors: number;
}

/**
 * Times `steps` training steps after `warmup` ones on the current backend; stops early once the
 * timed steps pass `capMs`. The default model at MOSI shapes.
 */
export async function timeSteps(batchSize: number, warmup: number, steps: number, capMs: number): Promise<StepTiming> {
  const models = buildModelSet({}, SUBSET_NAMES, 0);
  const batch = randomBatch(batchSize, 1234);
  const optimizer = new FlatAdam(BENCH_TRAIN.lr);
  try {
    const objective = onlineDistillationObjective(models, BENCH_TRAIN, true);
    const variables = Object.values(models).flatMap((m) => m.variables());
    const run = (seed: number) => runOptimizationStep({ objective, batch, seed, varList: variables, optimizer, clipNorm: BENCH_TRAIN.clipNorm });
    let t = performance.now();
    await run(0);
    await settle(variables[variables.length - 1]);
    const firstMs = performance.now() - t;
    for (let i = 1; i < warmup; i++) await run(i);
    await settle(variables[variables.length - 1]);
    const times: number[] = [];
    const start = performance.now();
    for (let i = 0; i < steps && performance.now() - start < capMs; i++) {
      t = performance.now();
      await run(100 + i);
      times.push(performance.now() - t);
    }
    await settle(variables[variables.length - 1]);
    const meanMs = (performance.now() - start) / Math.max(1, times.length);
    return {
      batch: batchSize,
      firstMs,
      medianMs: median(times),
      meanMs,
      steps: times.length,
      samplesPerS: (batchSize * 1000) / meanMs,
      liveTensors: tf.memory().numTensors,
    };
  } finally {
    optimizer.dispose();
    disposeBatch(batch);
    disposeModelSet(models);
  }
}
