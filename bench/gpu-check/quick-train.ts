/**
 * A short training run for the GPU check, the kit's own: `runMethod` (lib/experiments/run-method.ts)
 * with the `quick` preset on the synthetic 'quick' set (192/64/96 clips, T 20, standardised),
 * MM-CKD (stage 1, then online distillation of the seven models), on the backend in use, into a
 * temporary run folder that is removed afterwards. Every read is the trainer's (asynchronous).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo } from '../../lib/backend';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import type { SubsetName } from '../../lib/data/modalities';
import { validateTrainConfig } from '../../lib/train/config';
import { splitBatches } from '../../lib/train/batch-source';
import { disposeTrainedRun, runMethod } from '../../lib/experiments/run-method';

/** What the run gives: each stage-2 epoch's validation MAE per model, mean training loss and the run's time. */
export interface QuickTrainResult {
  epochs: number;
  /** validMae[epoch][model], stage 2. */
  validMae: Partial<Record<SubsetName, number>>[];
  /** Mean total training loss per stage-2 epoch. */
  trainLoss: number[];
  seconds: number;
}

/** Runs MM-CKD with the quick preset (`epochs` epochs in each stage) on the current backend; resolves to its stage-2 history. */
export async function quickTrain(epochs: number, seed = 1): Promise<QuickTrainResult> {
  const backend = backendInfo();
  if (!backend) throw new Error('quickTrain: select a backend first (selectBackend)');
  const { dataset } = standardizeDataset(loadDataset('synthetic:quick'));
  const config = validateTrainConfig({ method: 'mmckd', seed, epochs, pretrainEpochs: epochs, patience: epochs }, 'quick');
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-gpu-check-run-'));
  const started = performance.now();
  try {
    const run = await runMethod({ dataset, datasetSpec: 'synthetic:quick', config, outDir: join(dir, 'run'), batches: splitBatches, backend });
    const stage2 = run.history.filter((h) => h.stage === 'stage2');
    disposeTrainedRun(run);
    return { epochs, validMae: stage2.map((h) => h.validMae), trainLoss: stage2.map((h) => h.trainLoss.total), seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
