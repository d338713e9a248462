import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classSeparation, crossModelAgreement, type Projections } from '../../lib/eval/projections';

const proj = (rows: number[][]): Projections => ({ data: Float32Array.from(rows.flat()), n: rows.length, dim: rows[0].length });

test('cross-model agreement is the mean cosine of the same clip in two spaces', () => {
  const a = proj([[1, 0], [0, 1], [1, 0]]);
  const b = proj([[1, 0], [1, 0], [-1, 0]]);
  assert.ok(Math.abs(crossModelAgreement(a, b) - (1 + 0 - 1) / 3) < 1e-12);
  assert.throws(() => crossModelAgreement(a, proj([[1, 0]])), /same shape/);
});

test('class separation: within-class minus between-class mean cosine, by hand', () => {
  // class 0 at (1,0) twice, class 1 at (0,1) twice: within = 1, between = 0
  assert.ok(Math.abs(classSeparation(proj([[1, 0], [1, 0], [0, 1], [0, 1]]), [0, 0, 1, 1]) - 1) < 1e-12);
  // class 0: (1,0),(0,1) -> within cos 0; class 1: (1,0),(0,1) -> 0; between pairs: 8 ordered pairs, cos 1 for 4, 0 for 4 -> 0.5
  assert.ok(Math.abs(classSeparation(proj([[1, 0], [0, 1], [1, 0], [0, 1]]), [0, 0, 1, 1]) - (0 - 0.5)) < 1e-12);
  assert.ok(Number.isNaN(classSeparation(proj([[1, 0], [0, 1]]), [0, 0])), 'a single class has no between pairs');
});
