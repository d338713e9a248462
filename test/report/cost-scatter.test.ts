import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostReport, CostRow } from '../../lib/eval/cost';
import { costGroupLabel, costScatterPoints } from '../../lib/report/cost-scatter';
import { labelPositions, scatterFigure } from '../../lib/report/scatter-figures';

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
    row('teacher', 'teacher', 100, 0.8),
    row('student t', 'student', 10, 1.2),
    row('MM-CKD students (mean)', 'students-mean', 20, 1.0),
    row('autoencoder + teacher', 'imputer+teacher', 300, 0.9),
  ],
} as unknown as CostReport;

test('costScatterPoints: rows with an accuracy, the teacher last as a ring, short labels and legend groups', () => {
  const points = costScatterPoints(report, (r) => r.flops);
  assert.deepEqual(points, [
    { x: 10, y: 1.2, label: 't', group: 'MM-CKD student' },
    { x: 20, y: 1.0, label: 'MM-CKD students (mean)', group: 'MM-CKD student' },
    { x: 300, y: 0.9, label: 'autoencoder', group: 'imputer + teacher (B5)' },
    { x: 100, y: 0.8, label: 'teacher', group: 'teacher (all modalities)', symbol: 'circle-open' },
  ]);
  assert.deepEqual(costScatterPoints(report, (r) => r.latency[0].medianMs).map((p) => p.x), [1, 2, 30, 10]);
  assert.equal(costGroupLabel(report.rows[0]), 'teacher (all modalities)');
});

test('scatter labels take positions that keep them off each other and off other points', () => {
  // two points at nearly the same place (the teacher and the ta student) and a third near them
  const points = [
    { x: 5.14e6, y: 0.7796, label: 'teacher' }, { x: 4.99e6, y: 0.78, label: 'ta' }, { x: 5.09e6, y: 0.7747, label: 'tv' },
    { x: 5e4, y: 1.11, label: 'a' }, { x: 1.1e9, y: 0.99, label: 'diffusion K=200' }, { x: 2.9e8, y: 0.994, label: 'diffusion K=50' },
  ];
  const pos = labelPositions(points, true);
  assert.equal(pos.length, points.length);
  assert.equal(new Set(pos.slice(0, 3)).size, 3, 'the three near-coincident points get three different positions');
  assert.ok(!(pos[4] === 'top center' && pos[5] === 'top center'), 'the two diffusion labels are not both above their points');
  const spec = scatterFigure({ id: 's', caption: { title: 't', dataset: 'd', seeds: [1], backend: 'cpu' }, points, xTitle: 'x', yTitle: 'y', logX: true });
  assert.deepEqual((spec.data[0] as unknown as { textposition: string[] }).textposition, pos);
});
