// Exercises lib/experiments through its index, so an API break fails the type check.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import * as experiments from '../../lib/experiments/index';
import type { GridCellPlan, GridSpec, NotebookSetting } from '../../lib/experiments/index';

test('lib/experiments/index exports the runs: grids, workers, the notebook context, the PyTorch reference, the regime map', () => {
  const fns = [
    'runGrid', 'gridCells', 'gridCellConfig', 'gridCellDir', 'gridFolderName', 'defaultGridWorkers', 'startGridWorkers',
    'notebookSetting', 'notebookContext', 'trainGridCell', 'gridStage1TeacherDir', 'measureTorchLatency', 'referencePython', 'runRegimeMap', 'readRegimeMap',
  ] as const;
  for (const name of fns) assert.equal(typeof experiments[name], 'function', name);
  assert.equal(typeof experiments.NotebookContext, 'function');
  const typed: [GridCellPlan | undefined, GridSpec | undefined, NotebookSetting | undefined] = [undefined, undefined, undefined];
  assert.equal(typed.length, 3);
});
