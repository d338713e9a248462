import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { buildModel } from '../../lib/models/model';
import { modelConfigFor } from '../../lib/train/train-method';
import { checkModelSize, defaultModelMemoryBudget, estimateModelSize } from '../../lib/train/model-size';
import { totalmem } from 'node:os';
import { quickConfig, quickDataset } from './helpers';

const actualParameters = async (overrides: Parameters<typeof quickConfig>[0]): Promise<number> => {
  const data = await quickDataset();
  let n = 0;
  for (const s of SUBSET_NAMES) {
    const m = buildModel(modelConfigFor(data, quickConfig(overrides), s), 1);
    n += m.variables().reduce((a, v) => a + v.size, 0);
    m.dispose();
  }
  return n;
};

test('the model-size estimate counts the parameters the seven models really have (within 2%)', async () => {
  const data = await quickDataset();
  for (const overrides of [{}, { model: { layers: 2, d: 32, heads: 4 } }, { model: { layers: 1, fusion: 'transformer' as const, positional: 'learned' as const } }]) {
    const estimate = estimateModelSize(data, quickConfig(overrides)).parameters;
    const actual = await actualParameters(overrides);
    assert.ok(Math.abs(estimate - actual) / actual < 0.02, `${JSON.stringify(overrides)}: estimated ${estimate}, built ${actual}`);
  }
});

test('a model too big for the memory budget is refused in milliseconds, naming the option that makes it big', async () => {
  const data = await quickDataset();
  const t0 = Date.now();
  assert.throws(() => checkModelSize(data, quickConfig({ model: { layers: 100000 } }), 8 * 2 ** 30), /The 7 models need about \d+\.\d GiB to train .* over the memory budget of 8\.0 GiB; most of it is model\.layers \(--layers 100000\)/);
  assert.throws(() => checkModelSize(data, quickConfig({ model: { d: 50000, heads: 2 } }), 8 * 2 ** 30), /most of it is model\.d \(--d 50000\)/);
  assert.throws(() => checkModelSize(data, quickConfig({ batchSize: 1e7 }), 8 * 2 ** 30), /most of it is batchSize \(--batch-size 10000000\)/);
  assert.ok(Date.now() - t0 < 500);
  const ok = checkModelSize(data, quickConfig(), 8 * 2 ** 30);
  assert.ok(ok.bytes > 0 && ok.bytes < 2 ** 30);
});

test('the kit\'s frame limit (100,000 frames) is refused on the wasm backend by the 4 GiB heap, naming the frames', async () => {
  const data = await quickDataset();
  const long = { meta: { ...data.meta, seqLens: { text: 100_000, audio: 100_000, vision: 100_000 } } };
  assert.throws(() => checkModelSize(long, quickConfig(), { backend: 'wasm' }), /over the memory budget of \d+\.\d GiB( \(the wasm backend's heap\))?; most of it is batchSize \(--batch-size 32\) with 100000\/100000\/100000 frames/);
  assert.ok(checkModelSize(data, quickConfig(), { backend: 'wasm' }).bytes < 2 ** 30);
  assert.equal(defaultModelMemoryBudget('wasm'), Math.min(4 * 2 ** 30, Math.floor(0.75 * totalmem())));
});
