import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { DEFAULT_GRID_SEEDS, ABLATION_VARIANTS } from '../../lib/experiments/experiment-grid';
import { notebookSetting, QUICK_ABLATION_VARIANTS } from '../../lib/experiments/notebook-setting';

test('the quick setting: small dataset, quick presets, one seed, four ablations, one worker, nothing collected', () => {
  const s = notebookSetting({ MMCKD_QUICK: '1', MMCKD_RUNS_DIR: '/tmp/runs-x' });
  assert.equal(s.quick, true);
  assert.equal(s.datasetSpec, 'synthetic:quick');
  assert.equal(s.preset, 'quick');
  assert.equal(s.imputerPreset, 'quick');
  assert.equal(s.gridDir, join(resolve('/tmp/runs-x'), 'grid-synthetic-quick-quick'));
  assert.deepEqual(s.gridSeeds, [1]);
  assert.deepEqual(s.ablationSeeds, [1]);
  assert.deepEqual(s.ablationVariants, [...QUICK_ABLATION_VARIANTS]);
  assert.equal(s.gridWorkers, 1);
  assert.equal(s.collectDir, undefined);
});

test('the full setting: the synthetic default, mosi preset, the default grid seeds and every ablation', () => {
  const s = notebookSetting({ MMCKD_RUNS_DIR: '/tmp/runs-x' });
  assert.equal(s.quick, false);
  assert.equal(s.datasetSpec, 'synthetic');
  assert.equal(s.preset, 'mosi');
  assert.equal(s.imputerPreset, 'default');
  assert.equal(s.gridDir, join(resolve('/tmp/runs-x'), 'grid-synthetic-mosi'));
  assert.deepEqual(s.gridSeeds, [...DEFAULT_GRID_SEEDS]);
  assert.deepEqual(s.ablationSeeds, [1, 2, 3]);
  assert.deepEqual(s.ablationVariants, [...ABLATION_VARIANTS]);
  assert.ok(s.gridWorkers >= 1);
});

test('MMCKD_DATASET, the seed lists and MMCKD_COLLECT_DIR are read; empty values mean the default', () => {
  const s = notebookSetting({ MMCKD_QUICK: '1', MMCKD_DATASET: 'synthetic', MMCKD_GRID_SEEDS: '2, 4', MMCKD_ABLATION_SEEDS: '7', MMCKD_COLLECT_DIR: '/tmp/collect' });
  assert.equal(s.datasetSpec, 'synthetic');
  assert.match(s.gridDir, /grid-synthetic-quick$/);
  assert.deepEqual(s.gridSeeds, [2, 4]);
  assert.deepEqual(s.ablationSeeds, [7]);
  assert.equal(s.collectDir, '/tmp/collect');
  const empty = notebookSetting({ MMCKD_QUICK: '1', MMCKD_DATASET: '', MMCKD_GRID_SEEDS: ' ', MMCKD_COLLECT_DIR: '' });
  assert.equal(empty.datasetSpec, 'synthetic:quick');
  assert.deepEqual(empty.gridSeeds, [1]);
  assert.equal(empty.collectDir, undefined);
});

test('a malformed seed list is refused with the variable and its value', () => {
  assert.throws(() => notebookSetting({ MMCKD_GRID_SEEDS: '1,x' }), /Expected MMCKD_GRID_SEEDS to be a comma list of integers from 0 to \d+, but got '1,x'/);
  assert.throws(() => notebookSetting({ MMCKD_ABLATION_SEEDS: '1,,2' }), /Expected MMCKD_ABLATION_SEEDS/);
  assert.throws(() => notebookSetting({ MMCKD_GRID_SEEDS: '-1' }), /Expected MMCKD_GRID_SEEDS/);
});
