import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceleratedApply } from '../../lib/accelerator/model-forward';
import { makeBatch } from '../../lib/data/batches';
import { disposeBatch, type Batch, type MultimodalDataset } from '../../lib/data/types';
import type { Modality } from '../../lib/data/modalities';
import { evaluateSubsets } from '../../lib/eval/evaluate-subsets';
import { validateImputerConfig, validateImputerTrainOptions, type ImputerKind } from '../../lib/imputers/config';
import { buildImputer, type Imputer } from '../../lib/imputers/imputer';
import { noiseScheduleAlphaBar, samplingSteps } from '../../lib/imputers/diffusion';
import { denoiserFlops, frameDecoderFlops, imputerFlops } from '../../lib/imputers/flops';
import { loadImputer, saveImputer } from '../../lib/imputers/imputer-checkpoint';
import { trainOrLoadImputer } from '../../lib/experiments/imputer-run';
import { imputerPredictor, imputerPredictors } from '../../lib/imputers/predictor';
import { trainImputer } from '../../lib/imputers/train-imputer';
import { noiseSeed, seededNormal } from '../../lib/imputers/seeded-noise';
import { buildModel } from '../../lib/models/model';
import { modelConfigFor } from '../../lib/train/train-method';
import { TrainingDivergedError } from '../../lib/train/trainer';
import { quickConfig, quickDataset } from '../train/helpers';

const KINDS: ImputerKind[] = ['autoencoder', 'diffusion'];

function quickImputer(data: MultimodalDataset, kind: ImputerKind, seed = 3): Imputer {
  return buildImputer(validateImputerConfig({ kind, inputDims: { ...data.meta.dims }, seqLens: { ...data.meta.seqLens } }, 'quick'), seed);
}

function values(t: tf.Tensor | undefined): number[] {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
}

function withReplaced(batch: Batch, m: Modality, x: tf.Tensor3D): Batch {
  return { ...batch, inputs: { ...batch.inputs, [m]: x } };
}

for (const kind of KINDS) {
  test(`${kind} imputer: shapes, only the missing modalities are returned, padding frames are zero`, async () => {
    const data = await quickDataset();
    const imputer = quickImputer(data, kind);
    const batch = makeBatch(data.test, Int32Array.from([0, 1, 2, 3]));
    const out = imputer.impute(batch, ['text']);
    assert.deepEqual(Object.keys(out).sort(), ['audio', 'vision']);
    assert.deepEqual(out.audio!.shape, [4, data.meta.seqLens.audio, data.meta.dims.audio]);
    assert.deepEqual(out.vision!.shape, [4, data.meta.seqLens.vision, data.meta.dims.vision]);
    const two = imputer.impute(batch, ['text', 'audio']);
    assert.deepEqual(Object.keys(two), ['vision']);
    // frames at and after the valid length of clip 0 are zero
    const len = data.test.features.audio.lengths[0];
    const T = data.meta.seqLens.audio;
    const D = data.meta.dims.audio;
    const a = values(out.audio);
    if (len < T) assert.ok(a.slice(len * D, T * D).every((v) => v === 0), 'padding frames are zero');
    assert.ok(a.slice(0, len * D).some((v) => v !== 0), 'valid frames are imputed');
    tf.dispose([...Object.values(out), ...Object.values(two)] as tf.Tensor[]);
    disposeBatch(batch);
    imputer.dispose();
  });

  test(`${kind} imputer reads only the available modalities (changing a missing one changes nothing)`, async () => {
    const data = await quickDataset();
    const imputer = quickImputer(data, kind);
    const batch = makeBatch(data.test, Int32Array.from([5, 6, 7]));
    const noise = tf.randomNormal(batch.inputs.vision.shape, 0, 3, 'float32', 9) as tf.Tensor3D;
    const a = imputer.impute(batch, ['text', 'audio'], { seed: 4 });
    const b = imputer.impute(withReplaced(batch, 'vision', noise), ['text', 'audio'], { seed: 4 });
    assert.deepEqual(values(a.vision), values(b.vision));
    // ... while changing an available one does change the result
    const c = imputer.impute(withReplaced(batch, 'text', tf.randomNormal(batch.inputs.text.shape, 0, 3, 'float32', 10) as tf.Tensor3D), ['text', 'audio'], { seed: 4 });
    assert.notDeepEqual(values(a.vision), values(c.vision));
    tf.dispose([noise, ...Object.values(a), ...Object.values(b), ...Object.values(c)] as tf.Tensor[]);
    disposeBatch(batch);
    imputer.dispose();
  });

  test(`${kind} imputer: training lowers the loss and leaks no tensors`, async () => {
    const data = await quickDataset();
    const before = tf.memory().numTensors;
    const imputer = quickImputer(data, kind);
    const counts: number[] = [];
    const result = await trainImputer(imputer, data, validateImputerTrainOptions({ epochs: 3, lr: 3e-3 }, 'quick'), {
      onEpochEnd: () => void counts.push(tf.memory().numTensors),
    });
    const losses = result.history.map((r) => r.trainLoss);
    assert.ok(losses[2] < losses[0], `training loss did not go down: ${losses.join(', ')}`);
    assert.ok(result.best.validLoss <= result.history[0].validLoss);
    assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]), `live tensors per epoch: ${counts.join(', ')}`);
    // inference through imputer + teacher does not leak either
    const teacher = buildModel(modelConfigFor(data, quickConfig(), 'tav'), 1);
    const batch = makeBatch(data.test, Int32Array.from([0, 1]));
    const mid = tf.memory().numTensors;
    for (const s of ['ta', 'v'] as const) imputerPredictor(imputer, teacher, s).call(null, batch).dispose();
    assert.equal(tf.memory().numTensors, mid);
    disposeBatch(batch);
    teacher.dispose();
    imputer.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test(`${kind} imputer: checkpoint round trip gives the same weights and frames`, async () => {
    const data = await quickDataset();
    const imputer = quickImputer(data, kind, 11);
    const dir = join(mkdtempSync(join(tmpdir(), 'mmckd-imputer-')), 'ckpt');
    await saveImputer(imputer, dir);
    const loaded = await loadImputer(dir);
    assert.equal(loaded.kind, kind);
    assert.deepEqual(loaded.config, imputer.config);
    const batch = makeBatch(data.test, Int32Array.from([0, 1, 2]));
    const a = imputer.impute(batch, ['audio'], { seed: 2 });
    const b = loaded.impute(batch, ['audio'], { seed: 2 });
    assert.deepEqual(values(a.text), values(b.text));
    tf.dispose([...Object.values(a), ...Object.values(b)] as tf.Tensor[]);
    disposeBatch(batch);
    imputer.dispose();
    loaded.dispose();
  });
}

test('a diverging imputer stops with its kind, epoch and step, and leaks nothing', async () => {
  const data = await quickDataset();
  const imputer = quickImputer(data, 'autoencoder');
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainImputer(imputer, data, validateImputerTrainOptions({ epochs: 1, lr: 1e38 }, 'quick')),
    (err: unknown) => err instanceof TrainingDivergedError && /^imputer \(autoencoder\): loss is not finite at epoch 0, step \d+ \(total=\S+\); lower lr$/.test((err as Error).message),
  );
  assert.equal(tf.memory().numTensors, before);
  imputer.dispose();
});

test('diffusion sampler: deterministic for a seed, another seed differs, and its work grows linearly in K', async () => {
  const data = await quickDataset();
  const imputer = quickImputer(data, 'diffusion');
  const batch = makeBatch(data.test, Int32Array.from([0, 1]));
  const run = (seed: number, k: number) => {
    const out = imputer.impute(batch, ['vision'], { seed, sampleSteps: k });
    const v = values(out.text);
    tf.dispose(Object.values(out) as tf.Tensor[]);
    return v;
  };
  assert.deepEqual(run(7, 5), run(7, 5));
  assert.notDeepEqual(run(7, 5), run(8, 5));
  assert.notDeepEqual(run(7, 5), run(7, 3));
  const kernels = async (k: number) => (await tf.profile(() => void run(1, k))).kernels.length;
  const [k2, k3, k4] = [await kernels(2), await kernels(3), await kernels(4)];
  assert.ok(k3 > k2);
  assert.equal(k4 - k2, 2 * (k3 - k2), 'each sampling step runs the same kernels');
  assert.throws(() => run(1, 1000), /sampleSteps/);
  disposeBatch(batch);
  imputer.dispose();
});

test('diffusion schedules: K strided steps from T down, abar decreasing from 1', () => {
  assert.deepEqual(samplingSteps(100, 10), [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
  assert.deepEqual(samplingSteps(10, 1), [10]);
  for (const kind of ['cosine', 'linear'] as const) {
    const ab = noiseScheduleAlphaBar(kind, 100);
    assert.equal(ab[0], 1);
    for (let t = 1; t <= 100; t++) assert.ok(ab[t] < ab[t - 1] && ab[t] > 0, `${kind} abar decreases at ${t}`);
    assert.ok(ab[100] < 0.01, `${kind} ends near pure noise: ${ab[100]}`);
  }
});

test('imputer FLOPs match a hand count', () => {
  // frame decoder, d=4, h=8, T=5, D=3: code (3*4+3=15 -> 8) 2*15*8 = 240; 5 frames of 8 -> 8: 2*5*8*8 = 640; 8 -> 3: 2*5*8*3 = 240
  assert.equal(frameDecoderFlops({ d: 4, hidden: 8 }, 5, 3), 240 + 640 + 240);
  // denoiser pass: condition and step 2 * (2*4*8) = 128; frames 3 -> 8: 240; 8 -> 8: 640; 8 -> 3: 240
  assert.equal(denoiserFlops({ d: 4, hidden: 8 }, 5, 3), 128 + 240 + 640 + 240);
  const base = { inputDims: { text: 6, audio: 3, vision: 2 }, seqLens: { text: 5, audio: 5, vision: 5 }, d: 4, hidden: 8, aeBlocks: 2, bottleneck: 3, diffusionSteps: 20, sampleSteps: 10 };
  // autoencoder, only text available: encoder 2*6*4 = 48; cascade 2 blocks of 15 -> 3 -> 15: 2*(90 + 90) = 360
  const ae = imputerFlops({ ...base, kind: 'autoencoder' }, 't');
  assert.equal(ae.condition, 48);
  assert.equal(ae.cascade, 360);
  assert.equal(ae.total, 48 + 360 + frameDecoderFlops(base, 5, 3) + frameDecoderFlops(base, 5, 2));
  // diffusion: encoder 48 + fuse 2*15*4 = 120, then K = 10 denoiser passes per missing modality (K overridable)
  const diff = imputerFlops({ ...base, kind: 'diffusion' }, 't', { sampleSteps: 4 });
  assert.equal(diff.condition, 48 + 120);
  assert.equal(diff.decoders.audio, 4 * denoiserFlops(base, 5, 3));
  assert.equal(imputerFlops({ ...base, kind: 'diffusion' }, 'tav').total, 0);
});

test('imputer + teacher predictors score under P1 like any predictor; the tav predictor is the teacher', async () => {
  const data = await quickDataset();
  const teacher = buildModel(modelConfigFor(data, quickConfig(), 'tav'), 1);
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-imputer-run-'));
  const o = { dataset: data, config: { kind: 'autoencoder' as const }, preset: 'quick' as const, train: validateImputerTrainOptions({ epochs: 1 }, 'quick'), outDir: dir, backend: 'test' };
  const first = await trainOrLoadImputer(o);
  assert.equal(first.reused, false);
  const again = await trainOrLoadImputer(o);
  assert.equal(again.reused, true);
  const results = await evaluateSubsets(imputerPredictors(again.imputer, teacher), data.test);
  assert.deepEqual(results.map((r) => r.subset), ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']);
  for (const r of results) assert.ok(Number.isFinite(r.metrics.MAE) && r.n === data.test.ids.length);
  const batch = makeBatch(data.test, Int32Array.from([0, 1, 2]));
  const direct = acceleratedApply(teacher, batch, { training: false }).prediction; // the teacher's forward as every predictor runs it
  const viaImputer = imputerPredictor(again.imputer, teacher, 'tav')(batch);
  assert.deepEqual(values(viaImputer), values(direct));
  assert.throws(() => imputerPredictor(again.imputer, buildModel(modelConfigFor(data, quickConfig(), 't'), 1), 't'), /full-modality teacher/);
  tf.dispose([direct, viaImputer]);
  disposeBatch(batch);
  first.imputer.dispose();
  again.imputer.dispose();
  teacher.dispose();
});

for (const kind of KINDS) {
  test(`${kind} imputer: trained and evaluated twice from the same seeds, every number is identical`, async () => {
    const data = await quickDataset();
    const teacher = buildModel(modelConfigFor(data, quickConfig(), 'tav'), 1);
    // seed 0 on purpose: tf.randomNormal treats seed 0 as "no seed" and draws from Math.random
    const once = async () => {
      const imputer = quickImputer(data, kind, 0);
      const result = await trainImputer(imputer, data, validateImputerTrainOptions({ epochs: 2, seed: 0 }, 'quick'));
      const scores = (await evaluateSubsets(imputerPredictors(imputer, teacher), data.test)).map((r) => [r.subset, r.metrics.MAE, r.metrics.Corr]);
      const weights = imputer.getWeights();
      const firstWeights = Object.fromEntries(Object.entries(weights).slice(0, 3).map(([k, t]) => [k, Array.from(t.dataSync())]));
      tf.dispose(Object.values(weights));
      imputer.dispose();
      return { history: result.history.map((r) => [r.trainLoss, r.validLoss]), scores, firstWeights };
    };
    const a = await once();
    const b = await once();
    assert.deepEqual(b.history, a.history);
    assert.deepEqual(b.scores, a.scores);
    assert.deepEqual(b.firstWeights, a.firstWeights);
    teacher.dispose();
  });
}

test('diffusion noise seeds are never 0 (tf.randomNormal would draw from Math.random) and depend only on (seed, stream)', () => {
  assert.notEqual(noiseSeed(0, 0), 0);
  assert.equal(noiseSeed(0, 0), noiseSeed(0, 0));
  assert.equal(noiseSeed(5, 1), 16);
  assert.equal(noiseSeed(2 ** 32, 0), noiseSeed(0, 0), 'a seed that wraps to 0 is replaced too');
  const a = seededNormal<tf.Rank.R2>([3, 4], 0, 0);
  const b = seededNormal<tf.Rank.R2>([3, 4], 0, 0);
  assert.deepEqual(values(a), values(b));
  tf.dispose([a, b]);
});
