import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regimeMap, regimeMapRows, type RegimeCell } from '../../lib/report/regime-map';
import { formatDifference, regimeHeatmaps } from '../../lib/report/regime-map-figures';
import { regimeMapFindings } from '../../lib/report/regime-map-findings';

/** Two regimes of the quick map: MM-CKD clearly better on the no-text students of the first, B3 worse everywhere, no B4 or AE cells. */
function rows() {
  const [small, , own] = regimeMap('quick');
  const cells = (shift: number): RegimeCell[] => [1, 2, 3].flatMap((seed) => {
    const base = (x: number) => Object.fromEntries(['tav', 'ta', 'tv', 'av', 't', 'a', 'v'].map((s) => [s, x + 0.01 * seed]));
    return [
      { variant: 'b2', seed, testMae: base(1) },
      { variant: 'mmckd', seed, testMae: { ...base(1 + 0.0001 * (seed - 2)), a: 1 - shift + 0.01 * seed + 0.001 * seed, v: 1 - shift + 0.01 * seed, av: 1 - shift + 0.01 * seed } },
      { variant: 'b3', seed, testMae: base(1.05 + 0.001 * seed) },
    ];
  });
  return regimeMapRows([
    { regime: small, cells: cells(0.05), planned: 12, failures: [] },
    { regime: own, cells: cells(0), planned: 15, failures: [] },
  ]);
}

test('one heatmap per contrast with cells, regimes down and groups across; colour only where the interval excludes 0', () => {
  const figs = regimeHeatmaps(rows(), { dataset: 'synthetic-quick regimes', seeds: [1, 2, 3], backend: 'cpu' });
  assert.deepEqual(figs.map((f) => f.id), ['regime-map-mmckd-b2', 'regime-map-b3-b2', 'regime-map-b4-b2', 'regime-map-ae-teacher-b1'], 'B4 and AE have no cells: their figures show the holes');
  const mmckd = figs[0].data[0] as unknown as { z: number[][]; y: string[]; x: string[]; text: string[][]; customdata: string[][] };
  assert.deepEqual(mmckd.y, ['n64-noise0', 'n192-noise0']);
  assert.equal(mmckd.x.length, 3);
  assert.ok(mmckd.z[0][0] < -0.04, 'better: coloured by its mean difference');
  assert.equal(mmckd.z[0][1], 0, 'within noise: white');
  assert.match(mmckd.text[0][0], /^−0\.049\d better$/);
  assert.match(mmckd.text[0][1], /≈ noise$/);
  assert.match(mmckd.customdata[0][0], /95% interval \[−0\.\d{4}, −0\.\d{4}\], n=3 \(seeds 1 2 3\)/);
  const ae = figs[3].data[0] as unknown as { text: string[][] };
  assert.deepEqual(ae.text[0], ['no cells', 'no cells', 'no cells']);
  assert.match(figs[0].caption.title, /MM-CKD − B2/);
});

test('the findings name where each method is better, worse or within noise, and where the default regime sits', () => {
  const f = regimeMapFindings(rows());
  assert.deepEqual(f.map((x) => x.contrast), ['MM-CKD − B2', 'B3 − B2', 'B4 − B2', 'AE + teacher − B1']);
  assert.deepEqual(f[0].better.map((r) => `${r.regime}/${r.group}`), ['n64-noise0/noText']);
  assert.equal(f[1].worse.length, 6);
  assert.equal(f[2].noCells.length, 6);
  assert.equal(f[3].noCells.length, 3);
  assert.match(f[0].text, /better in 1: n64-noise0 \(no-text students \(a, v, av\) −0\.049\d \[/);
  assert.match(f[0].text, /At the default regime \(n192-noise0\): no-text students \(a, v, av\) [+−]0\.\d{4}, within noise/);
  assert.match(f[3].text, /No paired cells yet in 3 \(n192-noise0\)/);
  assert.equal(formatDifference(-0.00771), '−0.0077');
  assert.equal(formatDifference(NaN), 'n/a');
});
