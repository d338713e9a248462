import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MSA_METRIC_KEYS } from '../../lib/vocabulary';
import { msaMetrics, pythonRound, weightedF1, type MsaMetricsOptions } from '../../lib/eval';

interface GoldenValues {
  rounded: Record<string, number | null>;
  raw: Record<string, number | null>;
}
interface GoldenCase {
  name: string;
  pred: number[];
  truth: number[];
  'truth-first': GoldenValues;
  'pred-first': GoldenValues;
}

// Written by test/eval/make_metrics_golden.py (MMSA's function with numpy + sklearn); no Python here.
const golden = JSON.parse(readFileSync(join(__dirname, 'metrics-golden.json'), 'utf8')) as { cases: GoldenCase[] };

describe('msaMetrics against MMSA (golden values from numpy + sklearn)', () => {
  for (const c of golden.cases) {
    for (const order of ['truth-first', 'pred-first'] as NonNullable<MsaMetricsOptions['f1Order']>[]) {
      it(`${c.name}, f1 ${order}: rounded values equal, raw within 1e-12`, () => {
        const got = msaMetrics(c.pred, c.truth, { f1Order: order });
        const want = c[order];
        assert.deepEqual(Object.keys(got.rounded), [...MSA_METRIC_KEYS]);
        for (const k of MSA_METRIC_KEYS) {
          const r = want.rounded[k];
          const w = want.raw[k];
          if (r === null) {
            assert.ok(Number.isNaN(got.rounded[k]), `${k}: expected NaN, got ${got.rounded[k]}`);
            assert.ok(Number.isNaN(got.raw[k]));
          } else {
            assert.equal(got.rounded[k], r, `${k} rounded`);
            assert.ok(Math.abs(got.raw[k] - (w as number)) <= 1e-12, `${k} raw ${got.raw[k]} vs ${w}`);
          }
        }
      });
    }
  }
  it('covers both F1 argument orders with a case where they differ', () => {
    const skewed = golden.cases.find((c) => c.name === 'skewed-positive')!;
    assert.notEqual(skewed['truth-first'].rounded.Has0_F1_score, skewed['pred-first'].rounded.Has0_F1_score);
  });
});

describe('msaMetrics hand-made cases', () => {
  it('rounds halves to even in Mult_acc (0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0)', () => {
    const m = msaMetrics([0.5, 1.5, 2.5, -0.5], [0, 2, 2, 0]).raw;
    assert.equal(m.Mult_acc_7, 1);
    assert.equal(m.Mult_acc_5, 1);
  });

  it('drops truth == 0 from Non0 and gives NaN when every truth is 0', () => {
    const m = msaMetrics([1, -1, 2], [0, -2, 0]);
    assert.equal(m.counts.nonZero, 1);
    assert.equal(m.raw.Non0_acc_2, 1);
    const z = msaMetrics([0.3, -0.2], [0, 0]);
    assert.ok(Number.isNaN(z.raw.Non0_acc_2) && Number.isNaN(z.raw.Non0_F1_score));
    assert.equal(z.raw.Has0_acc_2, 0.5); // 0.3 >= 0 right, -0.2 >= 0 wrong
  });

  it('gives Corr NaN for constant predictions, written as null in JSON', () => {
    const m = msaMetrics([1, 1, 1], [0, 1, 2]);
    assert.ok(Number.isNaN(m.rounded.Corr));
    assert.equal(JSON.parse(JSON.stringify(m.rounded)).Corr, null);
  });

  it('gives 1 for a single class predicted perfectly', () => {
    const m = msaMetrics([1, 2, 0.4], [2, 1, 0.2]).raw;
    assert.equal(m.Has0_F1_score, 1);
    assert.equal(m.Non0_F1_score, 1);
  });

  it('weights F1 by the support of y_true (sklearn average="weighted")', () => {
    // y_true = [T, T, T, F], y_pred = [T, T, F, F]: F1(T) = 4/5, F1(F) = 2/3, weights 3 and 1.
    assert.ok(Math.abs(weightedF1([true, true, true, false], [true, true, false, false]) - (3 * 0.8 + 2 / 3) / 4) < 1e-15);
  });

  it('rejects length mismatches, empty input and non-finite values, naming the index', () => {
    assert.throws(() => msaMetrics([1, 2], [1]), /same length, but got 2 and 1/);
    assert.throws(() => msaMetrics([], []), /at least one/);
    assert.throws(() => msaMetrics([1, NaN], [1, 2]), /prediction 1 is NaN/);
  });
});

describe('pythonRound', () => {
  it('matches Python round(x, 4), including exact binary ties', () => {
    assert.equal(pythonRound(0.90625), 0.9062); // exact tie, even
    assert.equal(pythonRound(0.96875), 0.9688); // exact tie, even
    assert.equal(pythonRound(0.03125), 0.0312);
    assert.equal(pythonRound(1.00005), 1.0001); // 1.00005 is stored slightly above the tie
    assert.equal(pythonRound(2.675, 2), 2.67); // 2.675 is stored slightly below the tie
    assert.equal(pythonRound(-0.90625), -0.9062);
    assert.ok(Number.isNaN(pythonRound(NaN)));
  });
});
