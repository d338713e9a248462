import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auilc } from '../../lib/eval';

describe('auilc', () => {
  it('is the trapezoid area: rates 0, 0.1, 0.3, 1.0 with values 0.8, 0.7, 0.6, 0.5', () => {
    // 0.1 * (0.8 + 0.7) / 2 + 0.2 * (0.7 + 0.6) / 2 + 0.7 * (0.6 + 0.5) / 2 = 0.075 + 0.13 + 0.385
    assert.ok(Math.abs(auilc([0, 0.1, 0.3, 1.0], [0.8, 0.7, 0.6, 0.5]) - 0.59) < 1e-12);
  });

  it('gives the constant itself over rates 0..1 in steps of 0.1', () => {
    const rates = Array.from({ length: 11 }, (_, i) => i / 10);
    assert.ok(Math.abs(auilc(rates, rates.map(() => 0.8)) - 0.8) < 1e-12);
  });

  it('rejects mismatched lengths, fewer than 2 points and unordered rates', () => {
    assert.throws(() => auilc([0, 1], [1]), /as many values as rates/);
    assert.throws(() => auilc([0], [1]), /at least 2/);
    assert.throws(() => auilc([0, 0.5, 0.5], [1, 1, 1]), /strictly increasing/);
  });
});
