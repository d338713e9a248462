// trainGridCell itself trains in notebooks 02, 03 and 05 (test/notebooks); here: the folders it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BackendReport } from '../../lib/backend';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import { gridCellConfig } from '../../lib/experiments/experiment-grid';
import { stage1Key } from '../../lib/experiments/run-method';
import { gridStage1Dir, gridStage1TeacherDir } from '../../lib/experiments/train-grid-cell';

test('the stage-1 teacher of a grid cell lies under the grid\'s shared _stage1/, keyed by data, config and backend', () => {
  const backend = { choice: 'cpu' } as BackendReport;
  const dataset = standardizeDataset(loadDataset('synthetic:quick')).dataset;
  const ctx = { dataset, datasetSpec: 'synthetic:quick', backend, seed: 2, preset: 'quick' as const, gridDir: '/g' };
  assert.equal(gridStage1Dir('/g'), join('/g', '_stage1'));
  const key = stage1Key({ dataset, config: gridCellConfig('mmckd', 2, 'quick'), backend });
  assert.match(key, /^synthetic-quick-seed2-[0-9a-f]{12}$/);
  assert.equal(gridStage1TeacherDir(ctx, 'mmckd'), join('/g', '_stage1', key, 'best', 'tav'));
  assert.equal(gridStage1TeacherDir(ctx, 'b2'), gridStage1TeacherDir(ctx, 'mmckd'), 'methods of one seed share the teacher');
});
