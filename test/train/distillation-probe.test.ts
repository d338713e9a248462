import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type MsaModel } from '../../lib/models/model';
import { splitBatches } from '../../lib/train/batch-source';
import { onlineDistillationObjective } from '../../lib/train/objectives';
import { trainModels } from '../../lib/train/trainer';
import { validationMae } from '../../lib/train/predict';
import { FlatAdam } from '../../lib/train/flat-adam';
import { distillationProbe } from '../../lib/train/distillation-probe';
import { loadStudentTeachers } from '../../lib/train/student-teachers';
import { runMethod, disposeTrainedRun } from '../../lib/experiments/run-method';
import { modelConfigFor } from '../../lib/train/train-method';
import { loadModel } from '../../lib/train/checkpoint';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import type { EpochRecord } from '../../lib/train/resumable-stage';
import { quickConfig, quickDataset } from './helpers';

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `mmckd-${label}-`));
const STUDENTS: SubsetName[] = ['ta', 'tv', 'av', 't', 'a', 'v'];

function sevenModels(data: Awaited<ReturnType<typeof quickDataset>>): Record<SubsetName, MsaModel> {
  const c = quickConfig();
  return Object.fromEntries(SUBSET_NAMES.map((s, i) => [s, buildModel(modelConfigFor(data, c, s), 40 + i)])) as Record<SubsetName, MsaModel>;
}

/** Trains the seven models for two epochs of MM-CKD, with or without the probe; returns the final weights and the history. */
async function trainTwoEpochs(withProbe: boolean): Promise<{ weights: Float32Array[]; history: Array<{ probe?: Record<string, Record<string, number>> }> }> {
  const data = await quickDataset();
  const models = sevenModels(data);
  const c = quickConfig({ lambda: 0.5 });
  const optimizer = new FlatAdam(1e-3);
  const probe = withProbe
    ? distillationProbe({ models, splits: { train: data.train, valid: data.valid }, batchSize: 32, tau: c.tau, classScheme: c.classScheme, contrast: { kind: 'mvsc', weight: c.lambda }, clips: 64 })
    : undefined;
  const { state } = await trainModels({
    stage: 'stage2', models, objective: onlineDistillationObjective(models, c, true), probe,
    validate: () => validationMae(models, data.valid, splitBatches, 32), optimizer,
    train: data.train, batches: splitBatches, epochs: 2, batchSize: 32, lr: 1e-3,
    schedule: 'constant', warmupEpochs: 0, clipNorm: 1, patience: 10, seed: 3,
  });
  optimizer.dispose();
  const weights = SUBSET_NAMES.flatMap((s) => models[s].variables().map((v) => v.dataSync().slice() as Float32Array));
  for (const m of Object.values(models)) m.dispose();
  return { weights, history: state.history };
}

test('the distillation probe records terms, projections and gradients per model, leaks nothing, and leaves training bitwise unchanged', async () => {
  await selectBackend();
  await quickDataset();
  const before = tf.memory().numTensors;
  const probed = await trainTwoEpochs(true);
  assert.equal(tf.memory().numTensors, before, 'the probe or the training leaked tensors');
  const plain = await trainTwoEpochs(false);
  assert.equal(probed.weights.length, plain.weights.length);
  probed.weights.forEach((w, i) => assert.deepEqual(w, plain.weights[i], `weights of variable ${i} differ with the probe`));
  assert.equal(plain.history[0].probe, undefined);
  for (const record of probed.history) {
    const p = record.probe!;
    for (const split of ['train', 'valid']) {
      for (const group of ['l1', 'separation', 'spread', 'gradL1', 'gradContrast']) {
        assert.deepEqual(Object.keys(p[`${split}.${group}`]).sort(), [...SUBSET_NAMES].sort(), `${split}.${group}`);
        for (const [m, v] of Object.entries(p[`${split}.${group}`])) assert.ok(Number.isFinite(v), `${split}.${group}.${m} = ${v}`);
      }
      assert.deepEqual(Object.keys(p[`${split}.alignment`]).sort(), [...STUDENTS].sort());
      for (const v of Object.values(p[`${split}.alignment`])) assert.ok(v >= -1 && v <= 1);
      for (const v of Object.values(p[`${split}.spread`])) assert.ok(v >= 0 && v <= 2);
      for (const v of Object.values(p[`${split}.gradContrast`])) assert.ok(v > 0, 'MVSC sends a gradient into every model');
      assert.ok(p[`${split}.mvsc`].all > 0);
    }
  }
});

test('a run keeps the probe in history.json and saves the teacher as it was at each student\'s kept epoch', async () => {
  const data = await quickDataset();
  const dir = tmp('probe-run');
  const c = quickConfig({ method: 'mmckd', epochs: 3, pretrainEpochs: 2, seed: 2 });
  const run = await runMethod({ dataset: data, config: c, outDir: dir, batches: splitBatches, backend: await selectBackend() });
  const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as EpochRecord[];
  const stage2 = history.filter((r) => r.stage === 'stage2');
  assert.equal(stage2.length, 3);
  for (const r of stage2) {
    assert.ok(r.probe, `epoch ${r.epoch} has no probe`);
    assert.ok(r.probe!['valid.separation'].t !== undefined && r.probe!['train.gradContrast'].v > 0);
  }
  for (const r of history.filter((h) => h.stage === 'stage1')) assert.equal(r.probe, undefined, 'stage 1 trains no projections: no probe');
  // The teacher copy of each student is from that student's kept epoch and differs from the stage-1 teacher the run reports.
  const bestEpoch: Record<string, number> = {};
  for (const r of stage2) for (const s of r.improved) bestEpoch[s] = r.epoch;
  const teachers = await loadStudentTeachers(dir, [...STUDENTS, 'tav']);
  for (const s of STUDENTS) {
    assert.ok(teachers[s], `no teacher copy for ${s}`);
    assert.equal(teachers[s]!.epoch, bestEpoch[s], `teacher copy of ${s}`);
  }
  assert.ok(existsSync(join(dir, 'checkpoints', 'teacher-at', 'tav')));
  const stage1 = await loadModel(join(dir, 'stage1', 'best', 'tav'));
  const copy = teachers.t!.model.getWeights();
  const pretrained = stage1.getWeights();
  const name = Object.keys(copy).find((k) => k.includes('projection'))!;
  assert.ok(name, 'the teacher has projection weights');
  assert.notDeepEqual(copy[name].dataSync(), pretrained[name].dataSync(), 'the copy is the stage-2 teacher, not the stage-1 checkpoint');
  tf.dispose([...Object.values(copy), ...Object.values(pretrained)]);
  stage1.dispose();
  for (const t of Object.values(teachers)) t!.model.dispose();
  disposeTrainedRun(run);
});
