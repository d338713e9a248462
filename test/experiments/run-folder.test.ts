import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetShortName, runFolderName } from '../../lib/experiments/run-folder';

test('dataset short names are file-name safe, a synthetic spec with a query included', () => {
  assert.equal(datasetShortName('synthetic'), 'synthetic');
  assert.equal(datasetShortName('synthetic:quick'), 'synthetic-quick');
  assert.equal(datasetShortName('data/raw/aligned_50.pkl'), 'aligned_50');
  const name = datasetShortName('synthetic:mosi?counts.train=300&addedLabelNoise=0.5&modalities.audio.distractorDims=200');
  assert.equal(name, 'synthetic-mosi-counts.train=300-addedLabelNoise=0.5-modalities.audio.distractorDims=200');
  assert.match(name, /^[A-Za-z0-9._=-]+$/);
  assert.equal(runFolderName('synthetic:quick?counts.train=150', 'mmckd', 'quick', 2), 'synthetic-quick-counts.train=150-mmckd-quick-seed2');
});
