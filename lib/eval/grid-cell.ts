/**
 * An evaluated grid cell, the record `runGrid` returns and the grid's tables read: its evaluation
 * (evaluation.json) and the checkpoint each model kept, read from the run's history.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import type { SubsetName } from '../data/modalities';
import type { TrainConfig } from '../train/config';
import type { EpochRecord } from '../train/resumable-stage';
import type { RunEvaluation } from './evaluate-protocols';

/** One evaluated cell. */
export interface GridCell {
  variant: string;
  seed: number;
  runDir: string;
  config: TrainConfig;
  evaluation: RunEvaluation;
  /** Which checkpoint each model kept (stage, epoch and validation MAE), from the run's history. */
  kept: Partial<Record<SubsetName, KeptCheckpoint>>;
  /** True when the cell was trained or evaluated in this call (false: read from its folder). */
  computed: boolean;
}

/** The checkpoint a run keeps for one model: its stage, its epoch there (0-based) and its validation MAE. */
export interface KeptCheckpoint {
  stage: string;
  epoch: number;
  validMae: number;
}

/**
 * Returns the checkpoint each model keeps over a run's history (both stages): its lowest validation
 * MAE, the first one on a tie (a stage-2 teacher replaces the stage-1 one only when it beats it).
 */
export function keptCheckpoints(history: readonly EpochRecord[]): Partial<Record<SubsetName, KeptCheckpoint>> {
  const kept: Partial<Record<SubsetName, KeptCheckpoint>> = {};
  for (const record of history) {
    for (const [name, mae] of Object.entries(record.validMae) as [SubsetName, number][]) {
      if (Number.isFinite(mae) && (kept[name] === undefined || mae < kept[name]!.validMae)) kept[name] = { stage: record.stage, epoch: record.epoch, validMae: mae };
    }
  }
  return kept;
}

/** Returns each model's best validation MAE over a run's history: that of its kept checkpoint. */
export function bestValidMae(history: readonly EpochRecord[]): Partial<Record<SubsetName, number>> {
  return Object.fromEntries(Object.entries(keptCheckpoints(history)).map(([name, k]) => [name, k!.validMae]));
}

/** What a grid cell's evaluation.json holds. */
export interface SavedEvaluation {
  protocols: string[];
  evaluation: RunEvaluation;
  config: TrainConfig;
}
