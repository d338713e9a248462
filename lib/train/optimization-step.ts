/**
 * One optimisation step, as the trainer runs it: the loss and its gradients, then the step's one
 * read (the loss terms and the flat gradient together, `await data()`: the only way WebGPU in
 * Node reads), the global norm summed on the host in float64, clipping, and the optimizer's
 * update. The trainer (lib/train/trainer.ts), the backend measurement and the benchmarks all run
 * this function, so what they time is what trains.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/types';
import { clipAndApplyFlatGradients, flattenGradients } from './flat-adam';
import { hostL2Norm } from './schedule';
import type { Objective } from './trainer';

/** Reads a step's values from the backend (a seam tests replace to inject a device loss). */
export type StepReader = (t: tf.Tensor) => Promise<Float32Array>;

/** Resolves to a tensor's values with `await t.data()`: the step's default read. */
export const readStepValues: StepReader = async (t) => (await t.data()) as Float32Array;

/** Raised when the backend fails to read a step's values (a lost device, a driver error): names the backend. */
export class BackendReadError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: unknown,
  ) {
    super(`the ${backend} backend failed to read the step's values: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'BackendReadError';
  }
}

/** What one step needs; the batch is kept (the caller disposes it). */
export interface OptimizationStepOptions {
  objective: Objective;
  batch: Batch;
  /** The step's seed (dropout, noise). */
  seed: number;
  varList: tf.Variable[];
  optimizer: tf.Optimizer;
  /** Global-norm clipping (0 disables). */
  clipNorm: number;
  /** How the step's values are read (default `readStepValues`). */
  read?: StepReader;
}

/** The values a step read: each loss term ('total' first) and the gradient norm before clipping. */
export interface StepValues {
  terms: Record<string, number>;
  gradNorm: number;
  /** False when a term was NaN or infinite: the gradients were then dropped, not applied. */
  finite: boolean;
}

/**
 * Runs one optimisation step on `o.batch`; resolves to the loss terms and the gradient norm.
 * Rejects with a `BackendReadError` when the backend fails to read (nothing is applied then).
 * Leaves no tensor behind, whatever happens.
 */
export async function runOptimizationStep(o: OptimizationStepOptions): Promise<StepValues> {
  let termNames: string[] = [];
  let packed: tf.Tensor | undefined;
  const result = tf.variableGrads(() => {
    const loss = o.objective(o.batch, o.seed);
    termNames = ['total', ...Object.keys(loss.terms)];
    packed = tf.keep(tf.stack([loss.total, ...Object.values(loss.terms)])); // [1 + terms]
    return loss.total;
  }, o.varList);
  result.value.dispose();
  const grads = flattenGradients(result.grads); // disposes the gradients
  // The step's one read: the loss terms, then the flat gradient (its norm is summed on the host).
  const readout = tf.concat([packed!, grads.flat]); // [1 + terms + sum of gradient sizes]
  packed!.dispose();
  let values: Float32Array;
  try {
    values = await (o.read ?? readStepValues)(readout);
  } catch (err) {
    grads.flat.dispose();
    throw new BackendReadError(tf.getBackend(), err);
  } finally {
    readout.dispose();
  }
  const termValues = Array.from(values.subarray(0, termNames.length));
  const terms = Object.fromEntries(termNames.map((n, i) => [n, termValues[i]]));
  if (!termValues.every(Number.isFinite)) {
    grads.flat.dispose();
    return { terms, gradNorm: Number.NaN, finite: false };
  }
  const gradNorm = hostL2Norm(values.subarray(termNames.length));
  clipAndApplyFlatGradients(o.optimizer, grads, o.clipNorm, gradNorm); // disposes the flat gradient
  return { terms, gradNorm, finite: true };
}
