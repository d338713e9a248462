/** Shared fixtures of the training tests: a small standardised synthetic dataset and a tiny config. */
import { selectBackend } from '../../lib/backend';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import type { MultimodalDataset } from '../../lib/data/types';
import { validateTrainConfig, type TrainConfig } from '../../lib/train/config';

let cached: MultimodalDataset | undefined;

/** Returns the quick synthetic dataset, standardised, after selecting the backend. */
export async function quickDataset(): Promise<MultimodalDataset> {
  await selectBackend();
  cached ??= standardizeDataset(loadDataset('synthetic:quick')).dataset;
  return cached;
}

/** Returns the quick preset with overrides. */
export function quickConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return validateTrainConfig(overrides, 'quick');
}
