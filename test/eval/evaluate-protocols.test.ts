import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import { modalityAvailability } from '../../lib/data/missing/random-modality-missing';
import { imderBatchMissing } from '../../lib/data/missing/imder-batch-missing';
import {
  evaluateClipModalityRates, evaluateFrameRates, evaluateImderModalityRates, evaluateProtocols, imderEvaluationBatchSize, predictRouted, subsetsFromAvailability,
} from '../../lib/eval/evaluate-protocols';
import { evaluateSubsets } from '../../lib/eval/evaluate-subsets';
import type { Predictor } from '../../lib/train/predict';
import { runMethod, disposeTrainedRun } from '../../lib/experiments/run-method';
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

function countSubsets(subsets: SubsetName[]): Partial<Record<SubsetName, number>> {
  const counts: Partial<Record<SubsetName, number>> = {};
  for (const s of subsets) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

test('P3 (IMDer, per batch) routes every clip by its batch plan; small splits get at least 10 batches', async () => {
  const data = await quickDataset();
  const n = data.test.ids.length;
  assert.equal(imderEvaluationBatchSize(686), 32, "MOSI's test split keeps IMDer's batch size");
  assert.equal(imderEvaluationBatchSize(96), 10, 'the quick split is cut into 10 batches');
  const batchSize = imderEvaluationBatchSize(n);
  assert.ok(Math.ceil(n / batchSize) >= 10);
  const curve = await evaluateImderModalityRates(constant, data.test, [0.3, 0.7], 7);
  assert.equal(curve.protocol, 'P3');
  assert.equal(curve.batchSize, batchSize);
  for (const [i, rate] of [0.3, 0.7].entries()) {
    const masked = imderBatchMissing(data.test, rate, 7, { batchSize });
    assert.deepEqual(curve.results[i].routed, countSubsets(subsetsFromAvailability(masked.available, n)));
  }
  const oneModality = (['t', 'a', 'v'] as SubsetName[]).reduce((s, k) => s + (curve.results[1].routed[k] ?? 0), 0);
  assert.equal(oneModality, n, 'at 0.7 with 10 batches (D = 10) every batch keeps one modality');
});

test('P3c (per clip) routes every clip to the predictor of the modalities it kept', async () => {
  const data = await quickDataset();
  const curve = await evaluateClipModalityRates(constant, data.test, [0.5], 7);
  assert.equal(curve.protocol, 'P3c');
  const expected = subsetsFromAvailability(modalityAvailability(data.test.ids.length, 0.5, 7), data.test.ids.length);
  const counts: Partial<Record<SubsetName, number>> = {};
  for (const s of expected) counts[s] = (counts[s] ?? 0) + 1;
  assert.deepEqual(curve.results[0].routed, counts);
  assert.ok(!('undefined' in counts));
  const pred = await predictRouted(constant, data.test, expected);
  expected.forEach((s, i) => assert.equal(pred[i], SUBSET_NAMES.indexOf(s) + 1));
});

test('P2 at rate 0 equals the teacher under P1, and AUILC is the trapezoid over the rates', async () => {
  const data = await quickDataset();
  const run = await runMethod({ dataset: data, config: quickConfig({ method: 'b2', epochs: 1, pretrainEpochs: 1 }), outDir: mkdtempSync(join(tmpdir(), 'mmckd-p2-')), batches: splitBatches, backend: await selectBackend() });
  const p1 = await evaluateSubsets(run.predictors, data.test);
  const p2 = await evaluateFrameRates(run.predictors, data.test, [0, 0.5, 1], 0);
  assert.deepEqual(p2.results[0].metrics, p1[0].metrics);
  assert.deepEqual(p2.results[0].routed, { tav: data.test.ids.length });
  const m = p2.results.map((r) => r.raw.MAE);
  assert.ok(Math.abs(p2.auilc.MAE! - (0.5 * (m[0] + m[1]) / 2 + 0.5 * (m[1] + m[2]) / 2)) < 1e-12);
  disposeTrainedRun(run);
});

test('evaluateProtocols runs only the protocols named, P3 and P3c under their own fields', async () => {
  const data = await quickDataset();
  const e = await evaluateProtocols(constant, data.test, ['P3', 'P3c'], 3);
  assert.deepEqual(Object.keys(e).sort(), ['evalSeed', 'p3', 'p3c']);
  assert.equal(e.p3!.protocol, 'P3');
  assert.equal(e.p3c!.protocol, 'P3c');
  assert.deepEqual(e.p3!.results.map((r) => r.rate), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
});

test('evaluateProtocols yields after every batch: a signal sent during the first batch is handled before the second, and the numbers are those of each protocol alone', async () => {
  const data = await quickDataset();
  let calls = 0;
  const order: string[] = [];
  // a predictor that reads the (masked) audio: its score moves with the protocols' masks
  const predictor: Predictor = (batch) => {
    if (calls++ === 0) process.kill(process.pid, 'SIGUSR2'); // sent during the first batch's synchronous work
    return tf.tidy(() => tf.mean(batch.inputs.audio!, [1, 2]) as tf.Tensor1D);
  };
  const predictors = Object.fromEntries(SUBSET_NAMES.map((s) => [s, predictor])) as Record<SubsetName, Predictor>;
  const onSignal = () => order.push(`signal after ${calls} predictions`);
  process.on('SIGUSR2', onSignal);
  try {
    const all = await evaluateProtocols(predictors, data.test, ['P3c', 'P1', 'P2'], 5);
    order.push('evaluated');
    assert.equal(order[0], 'signal after 1 predictions', `the signal ran right after the first batch: ${order.join(', ')}`);
    assert.deepEqual(Object.keys(all), ['evalSeed', 'p1', 'p2', 'p3c']);
    const alone = { ...(await evaluateProtocols(predictors, data.test, ['P1'], 5)), ...(await evaluateProtocols(predictors, data.test, ['P2'], 5)), ...(await evaluateProtocols(predictors, data.test, ['P3c'], 5)) };
    assert.deepEqual(all, alone);
  } finally {
    process.off('SIGUSR2', onSignal);
  }
});

test('mmckd eval --protocol all prints the P1, P2, P3 and P3c tables of a run', async () => {
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
  assert.match(out, /P3 modality-missing rate, IMDer per batch \(test, batches of 10\)[\s\S]*\n0\.7\s/);
  assert.match(out, /P3c modality-missing rate, per clip \(test\)[\s\S]*\n0\.7\s/);
  await assert.rejects(main(['eval', '--run', dir, '--protocol', 'subsets']), /Expected --protocol \(or all\) to be P1, P2, P3, P3c, but got 'subsets'/);
});
