import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostReport, CostRow } from '../../lib/eval/cost';
import { costGroupLabel, costScatterPoints } from '../../lib/report/cost-scatter';

function row(name: string, group: CostRow['group'], flops: number, mae?: number): CostRow {
  return {
    name, group, parameters: 1, flops, peakBytes: 0, rssBytes: 0,
    latency: [{ batchSize: 1, medianMs: flops / 10, q1Ms: 0, q3Ms: 0, iqrMs: 0 } as CostRow['latency'][number]],
    accuracy: mae === undefined ? undefined : { MAE: mae, Corr: 0, Non0_acc_2: 0, Mult_acc_7: 0, subsets: [] },
  };
}

const report = {
  backend: 'cpu', counts: '', machine: { cpus: 1, loadavg: [0], node: '', tfjs: '' }, settings: { batchSizes: [1], warmup: 0, repeats: 1 },
  rows: [
    row('teacher', 'teacher', 100),
    row('student t', 'student', 10, 1.2),
    row('MM-CKD students (mean)', 'students-mean', 20, 1.0),
    row('autoencoder + teacher', 'imputer+teacher', 300, 0.9),
  ],
} as unknown as CostReport;

test('costScatterPoints: rows with an accuracy, single students last, short labels and legend groups', () => {
  const points = costScatterPoints(report, (r) => r.flops);
  assert.deepEqual(points, [
    { x: 20, y: 1.0, label: 'MM-CKD students (mean)', group: 'MM-CKD student' },
    { x: 300, y: 0.9, label: 'autoencoder', group: 'imputer + teacher (B5)' },
    { x: 10, y: 1.2, label: 't', group: 'MM-CKD student' },
  ]);
  assert.deepEqual(costScatterPoints(report, (r) => r.latency[0].medianMs).map((p) => p.x), [2, 30, 1]);
  assert.equal(costGroupLabel(report.rows[0]), 'teacher (all modalities)');
});
