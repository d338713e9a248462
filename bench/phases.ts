/**
 * Splits the training step into its phases (forward + backward, the step's read, clipping, Adam) and
 * counts kernel calls in each: `npx tsx bench/phases.ts [wasm|wasm+blas|cpu] [steps]`.
 */
import * as tf from '@tensorflow/tfjs';
import { activateBenchBackend } from './backends';
import { instrumentKernels } from './kernel-timer';
import { BENCH_TRAIN, makeOptimizer, makeTrainingStep, randomBatch } from './workload';
import { onlineDistillationObjective } from '../lib/train/objectives';
import { hostL2Norm } from '../lib/train/schedule';
import { FlatAdam, clipAndApplyFlatGradients, flattenGradients } from '../lib/train/flat-adam';

async function main(): Promise<void> {
  await activateBenchBackend(process.argv[2] ?? 'wasm');
  const stats = instrumentKernels(tf.getBackend());
  const steps = Number(process.argv[3] ?? 5);
  const { models, dispose } = makeTrainingStep();
  const objective = onlineDistillationObjective(models, BENCH_TRAIN, true);
  const varList = Object.values(models).flatMap((m) => m.variables());
  const optimizer = makeOptimizer(BENCH_TRAIN.lr);
  const batch = randomBatch(32, 99);
  const phases: Record<string, { ms: number; calls: number }> = {};
  const calls = () => [...stats.calls.values()].reduce((a, b) => a + b, 0);
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const c0 = calls();
    const t0 = performance.now();
    const out = await f();
    const p = (phases[name] ??= { ms: 0, calls: 0 });
    p.ms += performance.now() - t0;
    p.calls += calls() - c0;
    return out;
  };
  const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  for (let i = 0; i < steps + 1; i++) {
    if (i === 1) for (const k of Object.keys(phases)) delete phases[k];
    await timed('forward only (tidy, no tape)', async () => {
      const loss = tf.tidy(() => objective(batch, i).total);
      await read(loss);
      loss.dispose();
    });
    // What runOptimizationStep (lib/train/optimization-step.ts) does, phase by phase.
    let packed: tf.Tensor | undefined;
    const g = await timed('forward + backward (variableGrads)', () => tf.variableGrads(() => {
      const l = objective(batch, i);
      packed = tf.keep(tf.stack([l.total, ...Object.values(l.terms)]));
      return l.total;
    }, varList));
    g.value.dispose();
    const grads = await timed('flatten gradients (1 concat)', () => flattenGradients(g.grads));
    const readout = await timed('pack loss terms + gradient (1 concat)', () => tf.concat([packed!, grads.flat]));
    const termCount = packed!.size;
    packed!.dispose();
    const values = await timed('the step\'s read (await data())', () => read(readout));
    readout.dispose();
    const norm = await timed('global norm on the host', () => hostL2Norm(values.subarray(termCount)));
    await timed(optimizer instanceof FlatAdam ? 'clipping + Adam (FlatAdam)' : 'clipping + Adam applyGradients (tf.train.adam)',
      () => clipAndApplyFlatGradients(optimizer, grads, BENCH_TRAIN.clipNorm, norm));
  }
  console.log(`backend ${tf.getBackend()}, ${varList.length} variables`);
  for (const [name, p] of Object.entries(phases)) {
    console.log(name.padEnd(36), `${(p.ms / steps).toFixed(1)} ms`.padStart(10), `${(p.calls / steps).toFixed(0)} kernel calls`.padStart(18));
  }
  optimizer.dispose();
  dispose();
}
void main();
