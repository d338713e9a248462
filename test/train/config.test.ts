import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTrainConfig } from '../../lib/train/config';
import { DEFAULT_TRAIN_CONFIG } from '../../lib/train/recipe';
import { configFromArgs } from '../../cli/commands/train';

test('presets fill every field and overrides win', () => {
  const c = validateTrainConfig({ lambda: 0.5 }, 'quick');
  assert.equal(c.lambda, 0.5);
  assert.equal(c.epochs, 4);
  assert.equal(c.tau, DEFAULT_TRAIN_CONFIG.tau);
  assert.equal(c.model.d, 16);
});

test('out-of-range values fail before training, naming the field', () => {
  assert.throws(() => validateTrainConfig({ lr: -0.001 }), /Expected lr to be a positive number, but got -0.001/);
  assert.throws(() => validateTrainConfig({ tau: 0 }), /Expected tau to be a number > 0, but got 0/);
  assert.throws(() => validateTrainConfig({ method: 'mmkd' as never }), /Expected method to be one of mmckd, b1, b2, b3, b4, but got "mmkd"/);
  assert.throws(() => validateTrainConfig({ classScheme: 5 as never }), /Expected classScheme to be 7, 3 or 2/);
  assert.throws(() => validateTrainConfig({ batchSize: 1 }), /Expected batchSize to be an integer >= 2/);
  assert.throws(() => validateTrainConfig({ method: 'b3', pretrainEpochs: 0 }), /pretrainEpochs >= 1 for method b3/);
  assert.throws(() => validateTrainConfig({}, 'huge' as never), /Expected preset to be one of quick, mosi, mosei/);
  assert.throws(() => validateTrainConfig({ lamda: 0.5 } as never), /Expected config fields among method, seed, .*, but got 'lamda'/);
  assert.throws(() => validateTrainConfig({ model: { width: 8 } as never }), /Expected model fields among subset, .*, but got 'width'/);
});

test('the CLI maps its options to the config and rejects unknown ones', () => {
  const a = configFromArgs(['--preset', 'quick', '--method', 'b4', '--seed', '3', '--lambda', '0.3', '--detach-teacher', '--d', '8', '--heads', '2']);
  assert.equal(a.config.method, 'b4');
  assert.equal(a.config.seed, 3);
  assert.equal(a.config.lambda, 0.3);
  assert.equal(a.config.detachTeacherViews, true);
  assert.equal(a.config.model.d, 8);
  assert.throws(() => configFromArgs(['--lamda', '1']), /unknown option '--lamda'/);
  assert.throws(() => configFromArgs(['--tau', 'abc']), /Expected --tau to be a finite decimal number, but got 'abc'/);
  assert.throws(() => configFromArgs(['--tau', '-1']), /Expected tau to be a number > 0/);
});

test('stage 1 has its own learning rate: validated, set from the CLI, and part of the shared stage-1 key', async () => {
  assert.equal(DEFAULT_TRAIN_CONFIG.pretrainLr, 3e-4);
  assert.throws(() => validateTrainConfig({ pretrainLr: 0 }), /Expected pretrainLr to be a positive number, but got 0/);
  assert.throws(() => validateTrainConfig({ weightDecay: -1 }), /Expected weightDecay to be a number >= 0, but got -1/);
  assert.equal(configFromArgs(['--pretrain-lr', '0.002']).config.pretrainLr, 0.002);
  const { stage1Key } = await import('../../lib/experiments/run-method');
  const { generateSynthetic, syntheticConfig } = await import('../../lib/data/synthetic');
  const dataset = generateSynthetic(syntheticConfig('quick', { counts: { train: 8, valid: 4, test: 4 } }));
  const backend = { choice: 'cpu' } as never;
  const key = (o: Parameters<typeof validateTrainConfig>[0]) => stage1Key({ dataset, config: validateTrainConfig(o, 'quick'), backend });
  assert.notEqual(key({ pretrainLr: 1e-3 }), key({ pretrainLr: 3e-4 }));
  assert.notEqual(key({ weightDecay: 0 }), key({ weightDecay: 0.01 }));
  assert.equal(key({ lr: 1e-3 }), key({ lr: 3e-3 }), 'stage 2 lr does not change the stage-1 teacher');
});

test('modelConfigFor returns the complete, validated model config (every field, the data dims)', async () => {
  const { modelConfigFor } = await import('../../lib/train/train-method');
  const { DEFAULT_MODEL_CONFIG } = await import('../../lib/models/config');
  const dataset = { meta: { dims: { text: 12, audio: 3, vision: 4 }, seqLens: { text: 7, audio: 7, vision: 7 } } } as never;
  const c = modelConfigFor(dataset, validateTrainConfig({}, 'mosi'), 'ta');
  for (const key of Object.keys(DEFAULT_MODEL_CONFIG)) assert.notEqual((c as unknown as Record<string, unknown>)[key], undefined, key);
  assert.equal(c.subset, 'ta');
  assert.deepEqual(c.inputDims, { text: 12, audio: 3, vision: 4 });
  assert.equal(c.d, DEFAULT_MODEL_CONFIG.d);
  assert.throws(() => modelConfigFor(dataset, { ...validateTrainConfig({}, 'mosi'), model: { heads: 3 } }, 'tav'), /heads/);
});

test('parseSeedList reads the comma lists of the CLI, the reference script and the notebooks alike', async () => {
  const { parseSeedList, MAX_SEED } = await import('../../lib/train/config');
  assert.deepEqual(parseSeedList('1, 2,3', '--seeds'), [1, 2, 3]);
  assert.deepEqual(parseSeedList(String(MAX_SEED), '--seeds'), [MAX_SEED]);
  for (const bad of ['0x10', '1e2', '-1', String(MAX_SEED + 1), '', '1,,2', '1.5']) {
    assert.throws(() => parseSeedList(bad, 'MMCKD_GRID_SEEDS'), new RegExp(`Expected MMCKD_GRID_SEEDS to be a comma list of integers from 0 to ${MAX_SEED}, but got '${bad.replace('.', '\\.')}'`), bad);
  }
});
