/**
 * Training one cell of the experiment grid from a notebook, with a live display: the run folder is
 * the cell `mmckd grid` and notebook 04 use (`<gridDir>/<method>-seed<N>/`), stage 1 is shared
 * under the grid's `_stage1/`, so notebooks 02, 03 and 05 train (or reuse) the very runs the grid
 * reads. A finished run is reused; an interrupted one resumes.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import { join } from 'node:path';
import type { BackendReport } from '../backend';
import type { MultimodalDataset } from '../data/types';
import { splitBatches } from '../train/batch-source';
import type { TrainPresetName } from '../vocabulary';
import { runMethod, stage1Key, type TrainedRun } from './run-method';
import { gridCellConfig, gridCellDir } from './experiment-grid';
import { liveTrainingDisplay, type HtmlDisplay } from '../report/live-training';

/** What `trainGridCell` needs of a notebook context. */
export interface GridCellContext {
  dataset: MultimodalDataset;
  datasetSpec: string;
  backend: BackendReport;
  seed: number;
  preset: TrainPresetName;
  gridDir: string;
}

/** Returns the folder of the grid's shared stage-1 teachers, `<gridDir>/_stage1`. */
export function gridStage1Dir(gridDir: string): string {
  return join(gridDir, '_stage1');
}

/** Returns the checkpoint folder of the stage-1 teacher that the grid cell `method` (at the context's seed) starts from. */
export function gridStage1TeacherDir(ctx: GridCellContext, method: string): string {
  const config = gridCellConfig(method, ctx.seed, ctx.preset);
  return join(gridStage1Dir(ctx.gridDir), stage1Key({ dataset: ctx.dataset, config, backend: ctx.backend }), 'best', 'tav');
}

/**
 * Trains (or reuses) the grid cell `method` at the context's seed, drawing its progress in
 * `display` (`tslab.newDisplay()`), and returns the trained run; the caller disposes it
 * (`disposeTrainedRun`).
 * @see notebooks/02-teacher-pretraining.ipynb
 */
export async function trainGridCell(ctx: GridCellContext, method: string, display: HtmlDisplay): Promise<TrainedRun> {
  const live = liveTrainingDisplay(display, { caption: `${method} · ${ctx.dataset.meta.name} · seed ${ctx.seed} · ${ctx.backend.choice}` });
  const run = await runMethod({
    dataset: ctx.dataset,
    datasetSpec: ctx.datasetSpec,
    config: gridCellConfig(method, ctx.seed, ctx.preset),
    backend: ctx.backend,
    outDir: gridCellDir(ctx.gridDir, method, ctx.seed),
    stage1CacheDir: gridStage1Dir(ctx.gridDir),
    batches: splitBatches,
    callbacks: live,
  });
  live.finish(run.history);
  return run;
}
