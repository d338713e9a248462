import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import { modalityAvailability } from '../../lib/data/missing/random-modality-missing';
import { evaluateFrameRates, evaluateModalityRates, predictRouted, subsetsFromAvailability } from '../../lib/eval/evaluate-protocols';
import { evaluateSubsets } from '../../lib/eval/evaluate-subsets';
import type { Predictor } from '../../lib/train/predict';
import { runMethod, disposeTrainedRun } from '../../lib/train/run-method';
import { splitBatches } from '../../lib/train/batch-source';
import { selectBackend } from '../../lib/backend';
import { main } from '../../cli/main';
import { quickConfig, quickDataset } from '../train/helpers';

/** Predictors that answer a constant per subset, so routing is visible in the predictions. */
const constant = Object.fromEntries(SUBSET_NAMES.map((s, i) => [s, ((b: { masks: Partial<Record<string, tf.Tensor2D>> }) => tf.fill([Object.values(b.masks)[0]!.shape[0]], i + 1)) as unknown as Predictor])) as Record<SubsetName, Predictor>;

test('availability maps to subset names, and a clip with nothing left goes to the teacher', () => {
  const a = Uint8Array.from([1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(subsetsFromAvailability(a, 5), ['tav', 'tv', 'a', 'tav', 'v']);
});

test('P3 routes every clip to the predictor of the modalities it kept', async () => {
  const data = await quickDataset();
  const curve = evaluateModalityRates(constant, data.test, [0.5], 7);
  const expected = subsetsFromAvailability(modalityAvailability(data.test.ids.length, 0.5, 7), data.test.ids.length);
  const counts: Partial<Record<SubsetName, number>> = {};
  for (const s of expected) counts[s] = (counts[s] ?? 0) + 1;
  assert.deepEqual(curve.results[0].routed, counts);
  assert.ok(!('undefined' in counts));
  const pred = predictRouted(constant, data.test, expected);
  expected.forEach((s, i) => assert.equal(pred[i], SUBSET_NAMES.indexOf(s) + 1));
});

test('P2 at rate 0 equals the teacher under P1, and AUILC is the trapezoid over the rates', async () => {
  const data = await quickDataset();
  const run = await runMethod({ dataset: data, config: quickConfig({ method: 'b2', epochs: 1, pretrainEpochs: 1 }), outDir: mkdtempSync(join(tmpdir(), 'mmckd-p2-')), batches: splitBatches, backend: await selectBackend() });
  const p1 = evaluateSubsets(run.predictors, data.test);
  const p2 = evaluateFrameRates(run.predictors, data.test, [0, 0.5, 1], 0);
  assert.deepEqual(p2.results[0].metrics, p1[0].metrics);
  assert.deepEqual(p2.results[0].routed, { tav: data.test.ids.length });
  const m = p2.results.map((r) => r.raw.MAE);
  assert.ok(Math.abs(p2.auilc.MAE! - (0.5 * (m[0] + m[1]) / 2 + 0.5 * (m[1] + m[2]) / 2)) < 1e-12);
  disposeTrainedRun(run);
});

test('mmckd eval --protocol all prints the P1, P2 and P3 tables of a run', async () => {
  const data = await quickDataset();
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-evalcli-'));
  const run = await runMethod({ dataset: data, datasetSpec: 'synthetic:quick', config: quickConfig({ epochs: 1, pretrainEpochs: 1 }), outDir: dir, batches: splitBatches, backend: await selectBackend() });
  disposeTrainedRun(run);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => (chunks.push(String(s)), true);
  let code: number;
  try {
    code = await main(['eval', '--run', dir, '--protocol', 'all']);
  } finally {
    (process.stdout as unknown as { write: typeof write }).write = write;
  }
  const out = chunks.join('');
  assert.equal(code, 0);
  assert.match(out, /P1 modality subsets \(test\)/);
  assert.match(out, /\nav\s+\d\.\d{4}/);
  assert.match(out, /P2 frame-level missing rate \(test\)[\s\S]*\n1\.0\s/);
  assert.match(out, /AUILC  Has0_acc_2 0\.\d{4}/);
  assert.match(out, /P3 random modality-missing rate \(test\)[\s\S]*\n0\.7\s/);
});
