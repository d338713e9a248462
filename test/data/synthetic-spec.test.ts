import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../lib/data/load-dataset';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { formatSyntheticSpec, isSyntheticSpec, parseSyntheticSpec, syntheticSpecKeys } from '../../lib/data/synthetic-spec';
import { datasetHash } from './helpers';

test('a synthetic spec gives its preset and the overrides of its query', () => {
  assert.deepEqual(parseSyntheticSpec('synthetic'), { preset: 'mosi', overrides: {} });
  assert.deepEqual(parseSyntheticSpec('synthetic:quick'), { preset: 'quick', overrides: {} });
  assert.deepEqual(parseSyntheticSpec('synthetic?seed=3'), { preset: 'mosi', overrides: { seed: 3 } });
  assert.deepEqual(
    parseSyntheticSpec('synthetic:mosi?counts.train=300&addedLabelNoise=0.5&sharedBeyondLabel=.3&modalities.audio.distractorDims=200&modalities.vision.distractorDims=1e2'),
    { preset: 'mosi', overrides: { counts: { train: 300 }, addedLabelNoise: 0.5, sharedBeyondLabel: 0.3, modalities: { audio: { distractorDims: 200 }, vision: { distractorDims: 100 } } } },
  );
  assert.ok(isSyntheticSpec('synthetic?counts.train=150'));
  assert.ok(!isSyntheticSpec('synthetic.pkl'));
});

test('the spec keys are the numeric fields of the config, regime knobs included', () => {
  const keys = syntheticSpecKeys();
  for (const k of ['seed', 'counts.train', 'counts.valid', 'addedLabelNoise', 'sharedBeyondLabel', 'labelNoise', 'modalities.text.distractorDims', 'modalities.audio.cueNoise', 'disagreementWeights.text']) {
    assert.ok(keys.includes(k), k);
  }
  assert.ok(!keys.includes('preset'));
});

test('formatSyntheticSpec is the inverse of parseSyntheticSpec', () => {
  const overrides = { counts: { train: 150 }, addedLabelNoise: 0.25, modalities: { audio: { distractorDims: 50 } }, sharedBeyondLabel: 0.5 };
  const spec = formatSyntheticSpec('quick', overrides);
  assert.equal(spec, 'synthetic:quick?counts.train=150&modalities.audio.distractorDims=50&addedLabelNoise=0.25&sharedBeyondLabel=0.5');
  assert.deepEqual(parseSyntheticSpec(spec), { preset: 'quick', overrides });
  assert.equal(formatSyntheticSpec('mosi'), 'synthetic:mosi');
});

test('a bad spec is refused naming the key or the preset', () => {
  assert.throws(() => parseSyntheticSpec('synthetic:quick?train=300'), /Expected each key of dataset spec 'synthetic:quick\?train=300' to be a numeric field of SyntheticConfig \(.*counts\.train.*\), but got 'train'/);
  assert.throws(() => parseSyntheticSpec('synthetic:quick?preset=1'), /but got 'preset'/);
  assert.throws(() => parseSyntheticSpec('synthetic:quick?seed=1&seed=2'), /Expected each key of dataset spec .* once, but got 'seed' twice/);
  assert.throws(() => parseSyntheticSpec('synthetic:quick?addedLabelNoise=high'), /Expected addedLabelNoise in dataset spec .* to be a number, but got 'high'/);
  assert.throws(() => parseSyntheticSpec('synthetic:quick?addedLabelNoise'), /Expected addedLabelNoise in dataset spec .* to be a number, but got ''/);
  assert.throws(() => parseSyntheticSpec('synthetic:quick?'), /but got ''/);
  assert.throws(() => parseSyntheticSpec('synthetic:huge?seed=1'), /Expected a synthetic preset among mosi, quick, but got 'huge'/);
});

test('loadDataset reads the query: the knobs apply, the default does not move, options win over the spec', () => {
  assert.equal(datasetHash(loadDataset('synthetic:quick')), datasetHash(generateSynthetic(syntheticConfig('quick'))));
  const plain = loadDataset('synthetic:quick');
  const d = loadDataset('synthetic:quick?counts.train=150&addedLabelNoise=0.5&modalities.vision.distractorDims=10');
  assert.equal(d.train.labels.length, 150);
  assert.deepEqual(d.meta.dims, { text: 64, audio: 5, vision: 30 });
  assert.notDeepEqual([...d.valid.labels], [...plain.valid.labels], 'valid labels are noisy');
  assert.deepEqual([...d.test.labels], [...plain.test.labels], 'test labels are not');
  const seeded = loadDataset('synthetic:quick?seed=4&counts.train=60', { synthetic: { seed: 5 } });
  assert.equal(seeded.train.labels.length, 60);
  assert.equal(datasetHash(seeded), datasetHash(generateSynthetic(syntheticConfig('quick', { seed: 5, counts: { train: 60 } }))));
  assert.throws(() => loadDataset('synthetic:quick?sharedBeyondLabel=2'), /Expected sharedBeyondLabel to be in \[0, 1\], but got 2/);
  assert.throws(() => loadDataset('synthetic:quick?counts.train=0'), /Expected counts\.train to be an integer >= 1, but got 0/);
  assert.throws(() => loadDataset('synthetic:quick?addedLabelNoise=-1'), /Expected addedLabelNoise to be a number >= 0, but got -1/);
});
