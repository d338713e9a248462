import * as tf from '@tensorflow/tfjs';
import { activateBenchBackend } from './backends';
import { makeTrainingStep } from './workload';
async function main() {
  await activateBenchBackend(process.argv[2] ?? 'wasm');
  const step = makeTrainingStep();
  for (let i = 0; i < 2; i++) await step.run(i);
  const n = Number(process.argv[3] ?? 5);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await step.run(10 + i);
  const ms = (performance.now() - t0) / n;
  console.log(tf.getBackend(), 'ms/step', ms.toFixed(1), 'samples/s', (32000 / ms).toFixed(1), 'tensors', tf.memory().numTensors);
  step.dispose();
}
main();
