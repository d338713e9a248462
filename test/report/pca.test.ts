import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { pca2d } from '../../lib/report/pca';

/** Deterministic pseudo-random numbers in [-1, 1) (LCG), so the test data are fixed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

test('pca2d finds a known dominant direction and a known second direction', () => {
  const n = 400;
  const dim = 5;
  const rand = lcg(7);
  // direction u (dominant, scale 10) and w (orthogonal to u, scale 3), plus small noise
  const u = [1, 2, 0, -2, 0].map((v) => v / 3);
  const w = [0, 0, 1, 0, 0];
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    // a and b exactly uncorrelated over the full period, so the sample PCs are u and w
    const t = (2 * Math.PI * i) / n;
    const a = 10 * Math.cos(t);
    const b = 3 * Math.sin(t);
    for (let j = 0; j < dim; j++) rows[i * dim + j] = 5 + a * u[j] + b * w[j] + 0.01 * rand();
  }
  const r = pca2d(rows, n, dim);
  const [v1, v2] = r.components;
  // u has tied largest entries (2/3, -2/3), so compare v1 up to sign
  const cos1 = Math.abs(v1.reduce((s, v, j) => s + v * u[j], 0));
  const cos2 = Math.abs(v2.reduce((s, v, j) => s + v * w[j], 0));
  assert.ok(cos1 > 0.9999, `|cos(v1, u)| = ${cos1}`);
  assert.ok(cos2 > 0.9999, `|cos(v2, w)| = ${cos2}`);
  assert.ok(v2[2] > 0, 'largest entry of v2 is positive');
  assert.ok(Math.abs(r.mean[0] - 5) < 0.01);
  // variance of 10 cos t over a full period (divisor n-1) is 50 n/(n-1); of 3 sin t, 4.5 n/(n-1)
  assert.ok(Math.abs(r.explainedVariance[0] - (50 * n) / (n - 1)) < 0.01, `lambda1 = ${r.explainedVariance[0]}`);
  assert.ok(Math.abs(r.explainedVariance[1] - (4.5 * n) / (n - 1)) < 0.01, `lambda2 = ${r.explainedVariance[1]}`);
  assert.ok(r.explainedVarianceRatio[0] + r.explainedVarianceRatio[1] > 0.999);
  // scores are centred projections: their sample variance equals the eigenvalue
  const variance = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0) / (n - 1);
  assert.ok(Math.abs(variance(r.pc1) - r.explainedVariance[0]) < 1e-6 * r.explainedVariance[0]);
  assert.ok(Math.abs(r.pc1.reduce((s, v) => s + v, 0)) < 1e-6 * n);
});

test('pca2d is exact on a 2-d ellipse and deterministic in sign', () => {
  // points (3 cos t, sin t) rotated by 30 degrees: components (cos30, sin30) and (-sin30, cos30)
  const n = 360;
  const rows = new Float64Array(n * 2);
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const x = 3 * Math.cos(t);
    const y = Math.sin(t);
    rows[2 * i] = c * x - s * y;
    rows[2 * i + 1] = s * x + c * y;
  }
  const r = pca2d(rows, n, 2);
  assert.ok(Math.abs(r.components[0][0] - c) < 1e-9 && Math.abs(r.components[0][1] - s) < 1e-9, `v1 = ${[...r.components[0]]}`);
  // v2 = +-(-s, c); largest entry c must be positive
  assert.ok(Math.abs(r.components[1][0] + s) < 1e-9 && Math.abs(r.components[1][1] - c) < 1e-9, `v2 = ${[...r.components[1]]}`);
  // variance of 3 cos t over a full period (divisor n-1): 9/2 * n/(n-1)
  assert.ok(Math.abs(r.explainedVariance[0] - (4.5 * n) / (n - 1)) < 1e-9);
  assert.ok(Math.abs(r.explainedVariance[1] - (0.5 * n) / (n - 1)) < 1e-9);
  const again = pca2d(rows, n, 2);
  assert.deepEqual([...again.pc1], [...r.pc1]);
});

test('pca2d rejects inconsistent sizes', () => {
  assert.throws(() => pca2d(new Float32Array(5), 2, 3), /n\*dim = 6/);
  assert.throws(() => pca2d(new Float32Array(3), 1, 3), /n to be an integer >= 2/);
});
