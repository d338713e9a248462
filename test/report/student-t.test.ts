import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, regularizedIncompleteBeta, studentTCdf, studentTQuantile } from '../../lib/report/student-t';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('the 0.975 quantile of t matches published values for df 1 .. 1000', () => {
  // scipy.stats.t.ppf(0.975, df)
  const known: [number, number][] = [
    [1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [4, 2.7764451051977934], [5, 2.5705818356363146],
    [10, 2.228138851986274], [29, 2.045229642132703], [30, 2.0422724563012378], [100, 1.9839715185235518], [1000, 1.9623390808264083],
  ];
  for (const [df, t] of known) close(studentTQuantile(0.975, df), t, 1e-9, `df ${df}`);
  // the brief's rounded values
  assert.equal(studentTQuantile(0.975, 4).toFixed(6), '2.776445');
  assert.equal(studentTQuantile(0.975, 2).toFixed(6), '4.302653');
  assert.equal(studentTQuantile(0.975, 1).toFixed(4), '12.7062');
  assert.equal(studentTQuantile(0.975, 29).toFixed(6), '2.045230');
});

test('quantiles match the closed forms of df 1 and 2, are odd, and invert the CDF', () => {
  for (const p of [0.6, 0.9, 0.995, 0.9999]) {
    close(studentTQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-9, `df 1, p ${p}`);
    close(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-9, `df 2, p ${p}`);
    close(studentTQuantile(1 - p, 7), -studentTQuantile(p, 7), 1e-12, `symmetry p ${p}`);
    close(studentTCdf(studentTQuantile(p, 3.5), 3.5), p, 1e-12, `round trip p ${p}`);
  }
  assert.equal(studentTQuantile(0.5, 9), 0);
  close(studentTQuantile(0.995, 3), 5.840909309733355, 1e-9, 'df 3, p 0.995');
  assert.throws(() => studentTQuantile(1, 3), /Expected p to be in \(0, 1\)/);
  assert.throws(() => studentTQuantile(0.9, 0), /Expected df > 0/);
});

test('the CDF matches scipy and the Cauchy closed form', () => {
  close(studentTCdf(-1.5, 7), 0.088649243494985, 1e-12, 'df 7 at -1.5');
  close(studentTCdf(2, 3.5), 0.9369307387120432, 1e-12, 'df 3.5 at 2');
  for (const t of [-3, -0.2, 0, 0.7, 5]) close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `df 1 at ${t}`);
});

test('log Gamma and the incomplete beta match known values', () => {
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, 'lnGamma(1/2)');
  close(logGamma(10), Math.log(362880), 1e-14, 'lnGamma(10)');
  close(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-14, 'I_x(1, 1) = x');
  close(regularizedIncompleteBeta(0.4, 2, 3), 0.5248, 1e-13, 'I_0.4(2, 3)');
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
});
