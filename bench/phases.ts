/**
 * Splits the training step into its phases (forward + backward, loss read, clipping, Adam) and
 * counts kernel calls in each: `npx tsx bench/phases.ts [wasm|wasm+blas|cpu] [steps]`.
 */
import * as tf from '@tensorflow/tfjs';
import { activateBenchBackend } from './backends';
import { instrumentKernels } from './kernel-timer';
import { BENCH_TRAIN, makeOptimizer, makeTrainingStep, randomBatch } from './workload';
import { onlineDistillationObjective } from '../lib/train/objectives';
import { clipByGlobalNorm, clipFlatByGlobalNorm } from '../lib/train/schedule';
import { FlatAdam, flattenTensors } from '../lib/train/flat-adam';

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
  const timed = <T>(name: string, f: () => T): T => {
    const c0 = calls();
    const t0 = performance.now();
    const out = f();
    const p = (phases[name] ??= { ms: 0, calls: 0 });
    p.ms += performance.now() - t0;
    p.calls += calls() - c0;
    return out;
  };
  for (let i = 0; i < steps + 1; i++) {
    if (i === 1) for (const k of Object.keys(phases)) delete phases[k];
    const fwd = timed('forward only (tidy, no tape)', () => tf.tidy(() => objective(batch, i).total.dataSync()));
    void fwd;
    let packed: tf.Tensor | undefined;
    const g = timed('forward + backward (variableGrads)', () => tf.variableGrads(() => {
      const loss = objective(batch, i);
      packed = tf.keep(tf.stack([loss.total, ...Object.values(loss.terms)]));
      return loss.total;
    }, varList));
    timed('loss read (dataSync)', () => packed!.dataSync());
    packed!.dispose();
    g.value.dispose();
    if (optimizer instanceof FlatAdam) {
      // What clipAndApplyGradients does, phase by phase.
      const names = Object.keys(g.grads);
      const flat = timed('flatten gradients (1 concat)', () => {
        const f = flattenTensors(names.map((n) => g.grads[n]));
        tf.dispose(Object.values(g.grads));
        return f;
      });
      const clipped = timed('global-norm clipping (flat)', () => clipFlatByGlobalNorm(flat, BENCH_TRAIN.clipNorm));
      timed('Adam (FlatAdam)', () => optimizer.applyFlatGradients(clipped.flat, names));
      tf.dispose([flat, clipped.flat]);
    } else {
      const clipped = timed('global-norm clipping', () => clipByGlobalNorm(g.grads, BENCH_TRAIN.clipNorm));
      timed('Adam applyGradients (tf.train.adam)', () => optimizer.applyGradients(clipped.grads as unknown as Record<string, tf.Variable>));
      tf.dispose(clipped.grads);
    }
  }
  console.log(`backend ${tf.getBackend()}, ${varList.length} variables`);
  for (const [name, p] of Object.entries(phases)) {
    console.log(name.padEnd(36), `${(p.ms / steps).toFixed(1)} ms`.padStart(10), `${(p.calls / steps).toFixed(0)} kernel calls`.padStart(18));
  }
  optimizer.dispose();
  dispose();
}
void main();
