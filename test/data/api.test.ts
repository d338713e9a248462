/** The public API of lib/data as the notebooks and other layers see it: a rename fails the type check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as data from '../../lib/data';

test('lib/data/index exports the data layer', () => {
  const fns: unknown[] = [
    data.createRng, data.generateSynthetic, data.syntheticConfig, data.unpickle, data.loadMmsaPickle, data.parseMmsaPickle,
    data.loadCsd, data.cachedLoad, data.loadDataset, data.applyModalitySubset, data.frameMissing, data.randomModalityMissing,
    data.imderBatchMissing, data.imderBatchPlan, data.applyModalityAvailability,
    data.fitStandardizer, data.standardizeDataset, data.batches, data.summarizeDataset, data.ridgeProbe,
  ];
  for (const f of fns) assert.equal(typeof f, 'function');
  const cfg: data.SyntheticConfig = data.DEFAULT_SYNTHETIC_CONFIG;
  assert.equal(cfg.counts.train, 1284);
  const err: data.DatasetFormatError = new data.DatasetFormatError({ file: 'f.pkl', split: 'train', key: 'audio' }, 'bad');
  assert.equal(err.message, "f.pkl, split 'train', key 'audio': bad");
});
