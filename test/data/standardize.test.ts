import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitStandardizer, standardizeDataset } from '../../lib/data/standardize';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { MODALITIES } from '../../lib/data/modalities';
import { SPLIT_NAMES } from '../../lib/data/types';

test('statistics come from train valid frames only; train becomes mean 0 std 1; padding stays 0', () => {
  const d = generateSynthetic(syntheticConfig('quick', { seed: 4 }));
  // poison valid and test: the fitted statistics must not move
  const poisoned = { ...d, valid: structuredClone(d.valid), test: structuredClone(d.test) };
  for (const s of ['valid', 'test'] as const) for (const m of MODALITIES) poisoned[s].features[m].data.fill(1000);
  const a = fitStandardizer(d.train);
  const { dataset, standardizer } = standardizeDataset(poisoned);
  for (const m of MODALITIES) {
    assert.deepEqual(standardizer.mean[m], a.mean[m]);
    assert.deepEqual(standardizer.std[m], a.std[m]);
    const f = dataset.train.features[m];
    let sum = 0;
    let sq = 0;
    let count = 0;
    for (let i = 0; i < f.numClips; i++) {
      for (let t = 0; t < f.seqLen; t++) {
        const row = (i * f.seqLen + t) * f.dim;
        if (t >= f.lengths[i]) {
          for (let k = 0; k < f.dim; k++) assert.equal(f.data[row + k], 0);
          continue;
        }
        sum += f.data[row];
        sq += f.data[row] ** 2;
        count++;
      }
    }
    assert.ok(Math.abs(sum / count) < 1e-4, `${m} dim 0 mean ${sum / count}`);
    assert.ok(Math.abs(sq / count - 1) < 1e-3, `${m} dim 0 variance ${sq / count}`);
    // valid was standardised with train's numbers: 1000 -> (1000 - mean) / std
    const v = dataset.valid.features[m];
    assert.equal(v.data[0], Math.fround((1000 - a.mean[m][0]) / a.std[m][0]));
  }
  for (const s of SPLIT_NAMES) assert.notEqual(dataset[s].features.text.data, poisoned[s].features.text.data, 'copies, not in place');
});
