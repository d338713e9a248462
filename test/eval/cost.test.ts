import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import { costRatios, costTableRows, inferenceParameters, measureCost, measureLatency, withAccuracy, withTorchLatency, type CostReport, type LatencyStats } from '../../lib/eval/cost';
import { torchAvailability } from '../../lib/experiments/pytorch-reference';
import type { SubsetResult } from '../../lib/eval/evaluate-subsets';
import { validateImputerConfig } from '../../lib/imputers/config';
import { buildImputer } from '../../lib/imputers/imputer';
import { imputerFlops } from '../../lib/imputers/flops';
import { denseFlops, modelFlops, transformerLayerFlops } from '../../lib/models/flops';
import { buildModel, type MsaModel } from '../../lib/models/model';

const dims = { text: 12, audio: 3, vision: 4 };
const seqLens = { text: 6, audio: 6, vision: 6 };

test('measureLatency: median and quartiles per clip over the repetitions, after warm-up', async () => {
  let calls = 0;
  const stats = await measureLatency(async () => {
    calls++;
    const t0 = performance.now();
    while (performance.now() - t0 < 1);
  }, { batchSize: 4, warmup: 2, repeats: 5 });
  assert.equal(calls, 7);
  assert.ok(stats.q1Ms <= stats.medianMs && stats.medianMs <= stats.q3Ms);
  assert.ok(stats.medianMs >= 0.25 && stats.medianMs < 5, `about 1 ms / 4 clips, got ${stats.medianMs}`);
  assert.equal(stats.iqrMs, stats.q3Ms - stats.q1Ms);
});

test('analytic FLOPs of one encoder layer against a hand count', () => {
  // T=6, d=8, ffn 2: QKV 2*6*8*24 = 2304, scores + weighted sum 2*(2*6*6*8) = 1152, out 2*6*8*8 = 768,
  // feed-forward 2*6*8*16 + 2*6*16*8 = 3072
  assert.equal(transformerLayerFlops(6, 8, 2), 2304 + 1152 + 768 + 3072);
  assert.equal(denseFlops(6, 12, 8), 1152);
});

test('measureCost has every row: teacher, six students, their mean, autoencoder + teacher, diffusion per K; no leaks', async () => {
  await selectBackend();
  const cfg = (subset: SubsetName) => ({ subset, inputDims: dims, seqLens, d: 8, heads: 2, projectionDim: 4 });
  const models = Object.fromEntries(SUBSET_NAMES.map((s) => [s, buildModel(cfg(s), 1)])) as Record<SubsetName, MsaModel>;
  const ae = buildImputer(validateImputerConfig({ kind: 'autoencoder', inputDims: dims, seqLens }, 'quick'), 1);
  const diff = buildImputer(validateImputerConfig({ kind: 'diffusion', inputDims: dims, seqLens }, 'quick'), 1);
  const before = tf.memory().numTensors;
  const report = await measureCost({
    teacher: models.tav, students: models, imputers: [{ imputer: ae }, { imputer: diff, sampleSteps: [2, 4] }],
    backend: 'test', warmup: 1, repeats: 3,
  });
  assert.equal(tf.memory().numTensors, before, 'measureCost leaks no tensors');
  assert.deepEqual(report.rows.map((r) => r.name), [
    'teacher', 'student ta', 'student tv', 'student av', 'student t', 'student a', 'student v',
    'MM-CKD students (mean)', 'autoencoder + teacher', 'diffusion K=2 + teacher', 'diffusion K=4 + teacher',
  ]);
  for (const r of report.rows) {
    assert.deepEqual(r.latency.map((l) => l.batchSize), [1, 32]);
    assert.ok(r.latency.every((l) => l.medianMs > 0 && l.repeats === 3));
    assert.ok(r.flops > 0 && r.parameters > 0 && r.peakBytes > 0, r.name);
  }
  const teacher = report.rows[0];
  assert.equal(teacher.flops, modelFlops(cfg('tav'), { excludeTrainingHeads: true }).total);
  assert.equal(teacher.parameters, inferenceParameters(models.tav));
  assert.equal(teacher.parameters, models.tav.parameterCounts().total - models.tav.parameterCounts().projectionHead);
  const k2 = report.rows[9];
  const k4 = report.rows[10];
  assert.equal(k2.flopsByPattern!.t, teacher.flops + imputerFlops(diff.config, 't', { sampleSteps: 2 }).total);
  assert.ok(k4.flops > k2.flops);
  assert.equal(k4.parameters, teacher.parameters + diff.parameterCount());
  const ratios = costRatios(report);
  assert.equal(ratios.length, 3);
  assert.ok(ratios.every((r) => r.flopsRatio > 1), 'imputer + teacher costs more FLOPs than a student');
  // accuracy beside the rows: students from their own subset, imputer rows the mean of six patterns
  const fake = (mae: number): SubsetResult[] => SUBSET_NAMES.map((subset, i) => ({ subset, n: 1, metrics: {} as never, raw: { MAE: mae + i, Corr: 0, Non0_acc_2: 0.5, Mult_acc_7: 0.2 } as never }));
  const withAcc = withAccuracy(report, fake(1), { 'autoencoder + teacher': fake(2) });
  assert.equal(withAcc.rows[1].accuracy!.MAE, 2); // ta
  assert.equal(withAcc.rows[7].accuracy!.MAE, 1 + 3.5); // mean of subsets 1..6
  assert.equal(withAcc.rows[8].accuracy!.MAE, 2 + 3.5);
  assert.equal(withAcc.rows[9].accuracy, undefined);
  assert.equal(costTableRows(withAcc).length, 11);
  for (const m of [...Object.values(models), ae, diff]) m.dispose();
});

test('mmckd cost --json prints parameters, FLOPs and latency of every model and imputer (random weights)', () => {
  const root = join(__dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'bin', 'mmckd.cjs'), 'cost', '--dataset', 'synthetic:quick', '--preset', 'quick', '--warmup', '0', '--repeats', '1', '--k', '2,3', '--json'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.dataset, 'synthetic-quick');
  assert.ok(['wasm', 'cpu', 'node', 'node-gpu'].includes(report.backend));
  assert.deepEqual(report.rows.map((x: { name: string }) => x.name).slice(-3), ['autoencoder + teacher', 'diffusion K=2 + teacher', 'diffusion K=3 + teacher']);
  assert.equal(report.rows.length, 11);
  for (const row of report.rows) {
    assert.ok(row.parameters > 0 && row.flops > 0, row.name);
    assert.equal(row.latency.length, 2);
    assert.ok(row.latency[0].medianMs > 0);
  }
  assert.equal(report.ratios.length, 3);
  assert.match(report.counts, /projection head excluded/);
  // PyTorch columns: the same teacher and students, or the reason they are missing
  if (torchAvailability().ok) {
    assert.match(report.reference.label, /^PyTorch [\d.]+, 1 thread$/);
    for (const row of report.rows.slice(0, 8)) assert.equal(row.referenceLatency.length, 2, row.name);
    assert.equal(report.rows[8].referenceLatency, undefined);
  } else assert.match(report.reference.missing, /cannot import torch/);
});

const stats = (batchSize: number, medianMs: number): LatencyStats => ({ batchSize, medianMs, q1Ms: medianMs, q3Ms: medianMs, iqrMs: 0, warmup: 0, repeats: 1 });

test('withTorchLatency: PyTorch beside the teacher, each student and their mean; imputers have none; another architecture is refused', () => {
  const row = (name: string, group: CostReport['rows'][number]['group'], subset?: SubsetName) =>
    ({ name, group, subset, parameters: 10, flops: 1, latency: [stats(1, 1), stats(32, 0.1)], peakBytes: 1, rssBytes: 1 });
  const report: CostReport = {
    backend: 'wasm', counts: '', machine: { cpus: 2, loadavg: [0, 0, 0], node: 'v20', tfjs: '4.22.0' }, settings: { batchSizes: [1, 32], warmup: 0, repeats: 1 },
    rows: [row('teacher', 'teacher'), row('student t', 'student', 't'), row('student a', 'student', 'a'), row('MM-CKD students (mean)', 'students-mean'), row('autoencoder + teacher', 'imputer+teacher')],
  };
  const torch = {
    ok: true as const, label: 'PyTorch 1.13.0, 1 thread', torch: '1.13.0', threads: 1,
    latency: { tav: [stats(1, 0.5), stats(32, 0.05)], t: [stats(1, 0.2), stats(32, 0.02)], a: [stats(1, 0.4), stats(32, 0.04)] },
    parameters: { tav: 10, t: 10, a: 10 },
  };
  const out = withTorchLatency(report, torch);
  assert.deepEqual(out.reference, { label: 'PyTorch 1.13.0, 1 thread' });
  assert.equal(out.rows[0].referenceLatency![0].medianMs, 0.5);
  assert.ok(Math.abs(out.rows[3].referenceLatency![1].medianMs - 0.03) < 1e-12, 'the mean row averages the students');
  assert.equal(out.rows[4].referenceLatency, undefined);
  const table = costTableRows(out);
  assert.equal(table[1]['ms/clip b1 (PyTorch 1.13.0, 1 thread)'], '0.200 [0.200, 0.200]');
  assert.equal(table[4]['ms/clip b32 (PyTorch 1.13.0, 1 thread)'], '');
  const other = withTorchLatency(report, { ...torch, parameters: { ...torch.parameters, a: 11 } });
  assert.match((other.reference as { missing: string }).missing, /mirror of student a has 11 parameters at inference, the kit's 10/);
  assert.equal(Object.keys(costTableRows(other)[0]).filter((k) => k.includes('PyTorch')).length, 0);
  assert.deepEqual(withTorchLatency(report, { ok: false, reason: 'no torch' }).reference, { missing: 'no torch' });
});
