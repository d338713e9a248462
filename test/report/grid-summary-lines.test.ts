import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanAtRate, pairedDifferenceLine, teacherSummaryLine } from '../../lib/report/grid-summary-lines';
import type { MeanStdRow } from '../../lib/report/mean-std';

test('meanAtRate reads a variant\'s mean at one rate, NaN where the table has no such row', () => {
  const rows: MeanStdRow[] = [
    { variant: 'mmckd', rate: 0.1, n: 1, MAE_mean: 0.8, Non0_acc_2_mean: 0.7 },
    { variant: 'mmckd', rate: 0.7, n: 1, MAE_mean: 1.1 },
    { variant: 'b2', rate: 0.1, n: 1, MAE_mean: 0.9 },
  ];
  assert.equal(meanAtRate(rows, 'mmckd', 0.7), 1.1);
  assert.equal(meanAtRate(rows, 'mmckd', 0.1 + 1e-12), 0.8, 'rates compare within 1e-9');
  assert.equal(meanAtRate(rows, 'mmckd', 0.1, 'Non0_acc_2'), 0.7);
  assert.ok(Number.isNaN(meanAtRate(rows, 'b2', 0.7)));
});

test('pairedDifferenceLine names the interval, or n/a for the ends one seed leaves undefined', () => {
  assert.equal(
    pairedDifferenceLine({ subset: 'tav', n: 5, mean_diff: -0.05, ci_low: -0.061, ci_high: -0.039, verdict: 'better' }),
    'tav: MM-CKD - B2 = -0.0500, 95% CI [-0.0610, -0.0390] over 5 seeds: better',
  );
  assert.equal(
    pairedDifferenceLine({ subset: 'students', n: 1, mean_diff: 0.01, ci_low: Number.NaN, ci_high: Number.NaN, verdict: 'within noise' }, ['A', 'B']),
    'students: A - B = 0.0100, 95% CI [n/a, n/a] over 1 seed: within noise',
  );
});

test('teacherSummaryLine gives each teacher\'s mean test MAE and its change from the stage-1 teacher', () => {
  const rows = [
    { seed: 1, stage1_test_MAE: 1, mmckd_test_MAE: 1.1, b2_test_MAE: 0.9 },
    { seed: 'mean', stage1_test_MAE: 1, mmckd_test_MAE: 1.1, b2_test_MAE: 0.9 },
    { seed: 'std', stage1_test_MAE: Number.NaN, mmckd_test_MAE: Number.NaN, b2_test_MAE: Number.NaN },
  ];
  assert.equal(
    teacherSummaryLine(rows),
    'teacher test MAE, mean over 1 seed: the stage-1 teacher (B1) 1.0000; the teacher after online MM-CKD 1.1000 (+0.1000); the teacher after stage 2 with L1 only (lambda 0, B2) 0.9000 (-0.1000)',
  );
});
