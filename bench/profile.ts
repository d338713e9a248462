/**
 * Profiles the MM-CKD training step per kernel: `npx tsx bench/profile.ts [wasm|cpu|blas] [steps]`.
 * Prints the kernels by share of the step time, with calls and the costliest shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { activateBenchBackend } from './backends';
import { instrumentKernels } from './kernel-timer';
import { makeTrainingStep } from './workload';

async function main(): Promise<void> {
  const backend = process.argv[2] ?? 'wasm';
  const steps = Number(process.argv[3] ?? 3);
  await activateBenchBackend(backend);
  const stats = instrumentKernels(tf.getBackend(), process.env.SHAPES === '1');
  const step = makeTrainingStep();
  await step.run(0);
  stats.reset();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step.run(i + 1);
  const stepMs = (performance.now() - t0) / steps;
  const kernelMs = [...stats.ms.values()].reduce((a, b) => a + b, 0) / steps;
  const calls = [...stats.calls.values()].reduce((a, b) => a + b, 0) / steps;
  console.log(`backend ${tf.getBackend()}: step ${stepMs.toFixed(1)} ms, kernels ${kernelMs.toFixed(1)} ms (${((100 * kernelMs) / stepMs).toFixed(0)}%), ` +
    `outside kernels (JS, autodiff, tape) ${(stepMs - kernelMs).toFixed(1)} ms, ${calls.toFixed(0)} kernel calls per step`);
  const rows = [...stats.ms.entries()].sort((a, b) => b[1] - a[1]);
  console.log('kernel'.padEnd(22), 'ms/step'.padStart(8), 'share'.padStart(6), 'calls'.padStart(6), '  costliest shapes');
  for (const [name, ms] of rows.slice(0, Number(process.argv[4] ?? 20))) {
    const top = [...(stats.shapes.get(name) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).slice(0, 2)
      .map(([s, t]) => `${s} ${(t / steps).toFixed(1)}ms`).join('; ');
    console.log(name.padEnd(22), (ms / steps).toFixed(1).padStart(8), `${((100 * ms) / steps / stepMs).toFixed(1)}%`.padStart(6),
      String(stats.calls.get(name)! / steps).padStart(6), ' ', top);
  }
  step.dispose();
}
void main();
