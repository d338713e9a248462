/**
 * The online MM-CKD training step as lib/train/trainer.ts runs it (variableGrads over the kit's
 * objective, one read of the loss terms, global-norm clipping from one read of the flat gradient
 * summed in float64, FlatAdam on the flat buffer), with every read asynchronous: the webgpu
 * backend in Node cannot read synchronously, so the trainer's own dataSync reads would stop there.
 * The same code runs on every backend, so their times and values compare like with like.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../lib/data/types';
import type { regressionObjective } from '../../lib/train/objectives';
import { FlatAdam, flattenTensors } from '../../lib/train/flat-adam';

/** An objective of lib/train/objectives.ts (its type, wherever the library declares it). */
type Objective = ReturnType<typeof regressionObjective>;

/**
 * Returns the batch with labels whose `dataSync` answers from `labelValues`: the kit's MVSC
 * objective reads the labels synchronously for their classes (lib/train/objectives.ts), which
 * webgpu cannot do once the labels live on the GPU. Everything else reads the real tensor.
 */
export function withCpuReadableLabels(batch: Batch, labelValues: Float32Array): Batch {
  const labels = Object.create(batch.labels, { dataSync: { value: () => labelValues } }) as tf.Tensor1D;
  return { ...batch, labels };
}

/** Returns a copy of the batch's labels on the CPU (read before any kernel uploads them). */
export async function labelValuesOf(batch: Batch): Promise<Float32Array> {
  return Float32Array.from(await batch.labels.data());
}

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
export async function lossAndGradients(objective: Objective, variables: tf.Variable[], batch: Batch, seed: number): Promise<LossAndGradients> {
  const readable = withCpuReadableLabels(batch, await labelValuesOf(batch));
  let packed: tf.Tensor | undefined;
  let termNames: string[] = [];
  const step = tf.variableGrads(() => {
    const loss = objective(readable, seed);
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

/**
 * One training step: gradients, the loss read, clipping to `clipNorm` and the FlatAdam update.
 * Returns the total loss and the gradient norm before clipping.
 */
export async function asyncTrainingStep(
  objective: Objective,
  variables: tf.Variable[],
  optimizer: FlatAdam,
  batch: Batch,
  labelValues: Float32Array,
  seed: number,
  clipNorm: number,
): Promise<{ loss: number; gradNorm: number }> {
  const readable = withCpuReadableLabels(batch, labelValues);
  let packed: tf.Tensor | undefined;
  const step = tf.variableGrads(() => {
    const loss = objective(readable, seed);
    packed = tf.keep(tf.stack([loss.total, ...Object.values(loss.terms)]));
    return loss.total;
  }, variables);
  const loss = (await packed!.data())[0]; // one read of the loss terms, as the trainer
  tf.dispose([packed!, step.value]);
  const names = Object.keys(step.grads);
  const flat = flattenTensors(names.map((n) => step.grads[n]));
  tf.dispose(names.map((n) => step.grads[n]));
  const data = await flat.data(); // as clipFlatByGlobalNorm: one read, summed in float64
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  const gradNorm = Math.sqrt(sum);
  const clipped = clipNorm > 0 && gradNorm > clipNorm ? tf.mul(flat, clipNorm / (gradNorm + 1e-6)) as tf.Tensor1D : tf.clone(flat);
  try {
    optimizer.applyFlatGradients(clipped, names);
  } finally {
    tf.dispose([clipped, flat]);
  }
  return { loss, gradNorm };
}

/** Waits until the backend has finished the queued work that `variable` depends on. */
export async function settle(variable: tf.Variable): Promise<void> {
  const probe = tf.tidy(() => tf.slice(tf.reshape(variable, [-1]), 0, 1));
  await probe.data();
  probe.dispose();
}
