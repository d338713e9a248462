import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../lib/models/model';
import { splitBatches } from '../../lib/train/batch-source';
import { regressionObjective, onlineDistillationObjective } from '../../lib/train/objectives';
import { trainModels, TrainingDivergedError } from '../../lib/train/trainer';
import { modelPredictor, predict, predictSplit, validationMae } from '../../lib/train/predict';
import { FlatAdam } from '../../lib/train/flat-adam';
import { saveModel, loadModel } from '../../lib/train/checkpoint';
import { runMethod, loadTrainedRun, disposeTrainedRun } from '../../lib/experiments/run-method';
import { modelConfigFor } from '../../lib/train/train-method';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import { makeBatch } from '../../lib/data/batches';
import { disposeBatch } from '../../lib/data/types';
import { quickConfig, quickDataset } from './helpers';

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `mmckd-${label}-`));

test('a quick teacher run lowers validation MAE and keeps the live tensor count flat across epochs', async () => {
  const data = await quickDataset();
  const c = quickConfig();
  const before = tf.memory().numTensors;
  const teacher = buildModel(modelConfigFor(data, c, 'tav'), 5);
  const counts: number[] = [];
  const optimizer = new FlatAdam(3e-3);
  const { state } = await trainModels({
    stage: 'stage1', models: { tav: teacher }, objective: regressionObjective({ tav: teacher }),
    validate: () => validationMae({ tav: teacher }, data.valid, splitBatches, 32), optimizer,
    train: data.train, batches: splitBatches, epochs: 6, batchSize: 32, lr: 3e-3,
    schedule: 'constant', warmupEpochs: 0, clipNorm: 1, patience: 10, seed: 5,
    callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
  });
  optimizer.dispose();
  const maes = state.history.map((r) => r.scores.tav!);
  assert.equal(maes.length, 6);
  assert.ok(Math.min(...maes.slice(1)) < maes[0], `validation MAE did not go down: ${maes.join(', ')}`);
  // Adam's moments and the best snapshot exist from epoch 1 on; after that nothing may grow.
  assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]), `live tensors per epoch: ${counts.join(', ')}`);
  // On return the teacher holds its best weights: its MAE is the best one recorded.
  const pred = await predictSplit(modelPredictor(teacher), data.valid, splitBatches);
  const mae = pred.reduce((s, p, i) => s + Math.abs(p - data.valid.labels[i]), 0) / pred.length;
  assert.ok(Math.abs(mae - Math.min(...maes)) < 1e-5, `${mae} vs best ${Math.min(...maes)}`);
  teacher.dispose();
  assert.equal(tf.memory().numTensors, before, 'the stage released its optimizer and snapshots');
});

test('seven models trained online with MVSC do not leak tensors from step to step', async () => {
  const data = await quickDataset();
  const c = quickConfig({ lambda: 0.5 });
  const models = Object.fromEntries(SUBSET_NAMES.map((s, i) => [s, buildModel(modelConfigFor(data, c, s), i)])) as Record<SubsetName, ReturnType<typeof buildModel>>;
  const objective = onlineDistillationObjective(models, c, true);
  const optimizer = tf.train.adam(1e-3);
  const vars = SUBSET_NAMES.flatMap((s) => models[s].variables());
  const rows = Int32Array.from({ length: 32 }, (_, i) => i);
  const counts: number[] = [];
  for (let step = 0; step < 5; step++) {
    const batch = makeBatch(data.train, rows);
    const { value, grads } = tf.variableGrads(() => objective(batch, step).total, vars);
    optimizer.applyGradients(grads as never);
    tf.dispose([value, ...Object.values(grads)]);
    disposeBatch(batch);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1], counts[1]]);
  optimizer.dispose();
  for (const m of Object.values(models)) m.dispose();
});

test('a NaN loss stops training with the stage, epoch, step and every term; the model keeps its best weights and nothing leaks', async () => {
  const data = await quickDataset();
  const teacher = buildModel(modelConfigFor(data, quickConfig(), 'tav'), 1);
  const optimizer = new FlatAdam(1e-3);
  const before = tf.memory().numTensors;
  const stepsPerEpoch = Math.ceil(data.train.ids.length / 32);
  let step = 0;
  const nanInEpoch1 = (batch: Parameters<ReturnType<typeof regressionObjective>>[0], seed: number) => {
    const loss = regressionObjective({ tav: teacher })(batch, seed);
    if (step++ < stepsPerEpoch) return loss;
    const l1 = tf.scalar(NaN);
    return { total: tf.add(l1, loss.total) as tf.Scalar, terms: { l1_tav: l1 } };
  };
  let epoch0: Float32Array[] = [];
  await assert.rejects(
    trainModels({
      stage: 'stage1', models: { tav: teacher }, objective: nanInEpoch1, validate: async () => ({ tav: 1 }), optimizer, train: data.train,
      batches: splitBatches, epochs: 2, batchSize: 32, lr: 1e-3, schedule: 'constant', warmupEpochs: 0, clipNorm: 1, patience: 5, seed: 1,
      divergenceHint: 'lower lr',
      callbacks: { onEpochEnd: () => void (epoch0 = teacher.variables().map((v) => Float32Array.from(v.dataSync()))) },
    }),
    (err: unknown) => err instanceof TrainingDivergedError && /^stage1: loss is not finite at epoch 1, step 0 \(total=NaN, l1_tav=NaN\); lower lr$/.test(err.message),
  );
  assert.deepEqual(teacher.variables().map((v) => Float32Array.from(v.dataSync())), epoch0, 'the best (epoch 0) weights are restored');
  optimizer.dispose();
  assert.equal(tf.memory().numTensors, before, 'the best weights, the batch and the gradients were released');
  teacher.dispose();
});

test('a saved model reloads to exactly the same predictions', async () => {
  const data = await quickDataset();
  const model = buildModel(modelConfigFor(data, quickConfig(), 'tv'), 9);
  const dir = join(tmp('ckpt'), 'tv');
  await saveModel(model, dir, 9, { note: 'test' });
  const loaded = await loadModel(dir);
  const a = await predictSplit(modelPredictor(model), data.test, splitBatches);
  const b = await predictSplit(modelPredictor(loaded), data.test, splitBatches);
  assert.deepEqual(Array.from(b), Array.from(a));
  assert.deepEqual(loaded.config, model.config);
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin']);
  model.dispose();
  loaded.dispose();
  await assert.rejects(loadModel(join(dir, 'nowhere')), /model\.json is missing/);
});

test('routing sends each clip to the model of its available modalities', async () => {
  const data = await quickDataset();
  const c = quickConfig();
  const models = { tav: buildModel(modelConfigFor(data, c, 'tav'), 1), t: buildModel(modelConfigFor(data, c, 't'), 2), av: buildModel(modelConfigFor(data, c, 'av'), 3) };
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
  const available: SubsetName[] = ['t', 'tav', 'av', 't', 'av', 'tav'];
  const batch = makeBatch(data.test, rows);
  const routed = await predict({ tav: modelPredictor(models.tav), t: modelPredictor(models.t), av: modelPredictor(models.av) }, batch, available);
  for (const name of ['tav', 't', 'av'] as const) {
    const direct = tf.tidy(() => models[name].apply(batch, { training: false }).prediction.dataSync());
    available.forEach((s, i) => {
      if (s === name) assert.ok(Math.abs(routed[i] - direct[i]) < 1e-5, `clip ${i} (${s}): ${routed[i]} vs ${direct[i]}`);
    });
  }
  await assert.rejects(predict({ tav: modelPredictor(models.tav) }, batch, ['v', 'tav', 'tav', 'tav', 'tav', 'tav']), /Expected a model for the available modalities 'v'/);
  disposeBatch(batch);
  for (const m of Object.values(models)) m.dispose();
});

test('an interrupted run resumes from its last epoch and ends where an uninterrupted run ends', async () => {
  const data = await quickDataset();
  const backend = await selectBackend();
  const config = quickConfig({ method: 'mmckd', pretrainEpochs: 2, epochs: 3, seed: 4 });
  const straightDir = tmp('straight');
  const straight = await runMethod({ dataset: data, config, outDir: straightDir, batches: splitBatches, backend });
  const expected = await predictSplit(straight.predictors.av, data.test, splitBatches);
  disposeTrainedRun(straight);
  // a finished run is loaded, not trained or saved again
  const record = readFileSync(join(straightDir, 'run.json'), 'utf8');
  const logs0: string[] = [];
  const again = await runMethod({ dataset: data, config, outDir: straightDir, batches: splitBatches, backend, callbacks: { log: (l) => logs0.push(l) } });
  assert.deepEqual(await predictSplit(again.predictors.av, data.test, splitBatches), expected);
  assert.equal(readFileSync(join(straightDir, 'run.json'), 'utf8'), record, 'run.json is not rewritten');
  assert.ok(logs0.some((l) => /finished, loading its checkpoints/.test(l)) && !logs0.some((l) => /stage\d:/.test(l)), logs0.join('\n'));
  assert.equal(again.history.length, straight.history.length);
  disposeTrainedRun(again);

  const dir = tmp('resumed');
  class Interrupt extends Error {}
  let epochs = 0;
  const beforeInterrupted = tf.memory().numTensors;
  await assert.rejects(
    runMethod({
      dataset: data, config, outDir: dir, batches: splitBatches, backend,
      callbacks: { onEpochEnd: (r) => { if (r.stage === 'stage2' && ++epochs === 2) throw new Interrupt('killed'); } },
    }),
    Interrupt,
  );
  assert.equal(tf.memory().numTensors, beforeInterrupted, 'the models of an interrupted run are disposed');
  assert.ok(existsSync(join(dir, 'stage2', 'state.json')), 'the epoch state was committed before the interruption');
  const logs: string[] = [];
  const resumed = await runMethod({ dataset: data, config, outDir: dir, batches: splitBatches, backend, callbacks: { log: (l) => logs.push(l) } });
  assert.ok(logs.some((l) => /stage1: already finished/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /stage2: resuming at epoch 2/.test(l)), logs.join('\n'));
  const got = await predictSplit(resumed.predictors.av, data.test, splitBatches);
  assert.deepEqual(Array.from(got), Array.from(expected));
  assert.equal(resumed.history.filter((r) => r.stage === 'stage2').length, 3);
  disposeTrainedRun(resumed);

  const reloaded = await loadTrainedRun(dir);
  assert.deepEqual(Array.from(await predictSplit(reloaded.predictors.av, data.test, splitBatches)), Array.from(expected));
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.seed, 4);
  assert.equal(run.backend.choice, backend.choice);
  assert.equal(run.config.method, 'mmckd');
  assert.ok(run.versions.tfjs && run.finished);
  disposeTrainedRun(reloaded);
});

test('a pretrained teacher keeps its stage-1 checkpoint unless stage 2 beats it on validation', async () => {
  const data = await quickDataset();
  const c = quickConfig();
  const teacher = buildModel(modelConfigFor(data, c, 'tav'), 3);
  const stage1 = teacher.getWeights();
  const before = await predictSplit(modelPredictor(teacher), data.valid, splitBatches);
  const before1 = tf.memory().numTensors;
  const optimizer = new FlatAdam(1e-2);
  const { state } = await trainModels({
    stage: 'stage2', models: { tav: teacher }, objective: regressionObjective({ tav: teacher }),
    validate: () => validationMae({ tav: teacher }, data.valid, splitBatches, 32), optimizer,
    train: data.train, batches: splitBatches, epochs: 2, batchSize: 32, lr: 1e-2,
    schedule: 'constant', warmupEpochs: 0, clipNorm: 1, patience: 5, seed: 3,
    initialBest: { tav: { score: -1, weights: stage1 } }, // nothing can beat a negative MAE
  });
  optimizer.dispose();
  assert.equal(state.best.tav!.epoch, -1);
  assert.deepEqual(Array.from(await predictSplit(modelPredictor(teacher), data.valid, splitBatches)), Array.from(before));
  assert.equal(tf.memory().numTensors, before1 - Object.keys(stage1).length, 'the carried weights were released');
  teacher.dispose();
});
