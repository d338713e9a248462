import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyntheticSpec } from '../../lib/data/synthetic-spec';
import { syntheticConfig } from '../../lib/data/synthetic';
import { REGIME_GROUPS, regimeContrasts, regimeKnobs, regimeMap, regimeMapRows, regimeSpec, regimeVariants, type RegimeCell } from '../../lib/report/regime-map';

test('the regime map: 3 sizes x 3 label-noise levels, then sharing and difficulty; each spec parses back to its knobs', () => {
  const regimes = regimeMap();
  assert.equal(regimes.length, 11);
  assert.equal(new Set(regimes.map((r) => r.name)).size, regimes.length, 'names are unique (they name the grid folders)');
  const byName = Object.fromEntries(regimes.map((r) => [r.name, r]));
  assert.equal(regimeSpec(byName['n1284-noise0']), 'synthetic:mosi', 'the default regime is the calibrated default');
  const small = parseSyntheticSpec(regimeSpec(byName['n150-noise1']));
  const config = syntheticConfig(small.preset, small.overrides);
  assert.equal(config.counts.train, 150);
  assert.equal(config.addedLabelNoise, 1);
  assert.equal(syntheticConfig('mosi', parseSyntheticSpec(regimeSpec(byName['shared0.8'])).overrides).sharedBeyondLabel, 0.8);
  const hard = syntheticConfig('mosi', parseSyntheticSpec(regimeSpec(byName['distractors200'])).overrides);
  assert.deepEqual([hard.modalities.audio.distractorDims, hard.modalities.vision.distractorDims, hard.modalities.text.distractorDims], [200, 200, 0]);
  assert.deepEqual(regimes.filter((r) => r.imputation).map((r) => r.name), ['n1284-noise0', 'shared0.8'], 'imputation is compared at both ends of the sharing axis');
  assert.deepEqual(regimeVariants(byName['shared0.8']), ['mmckd', 'b2', 'b3', 'b4', 'b1']);
  assert.deepEqual(regimeVariants(byName['n150-noise0']), ['mmckd', 'b2', 'b3', 'b4']);
  assert.deepEqual(regimeKnobs(byName['distractors200']), { trainClips: 1284, addedLabelNoise: 0, sharedBeyondLabel: 0, distractorDims: 200 });
});

test('the quick map: the quick preset, 2 sizes x 2 noise levels, sharing and difficulty; its own size is the default', () => {
  const quick = regimeMap('quick');
  assert.deepEqual(quick.map((r) => r.name), ['n64-noise0', 'n64-noise1', 'n192-noise0', 'n192-noise1', 'shared0.8', 'distractors50']);
  assert.ok(quick.every((r) => r.preset === 'quick'));
  assert.equal(regimeSpec(quick[2]), 'synthetic:quick');
  assert.equal(regimeSpec(quick[1]), 'synthetic:quick?counts.train=64&addedLabelNoise=1');
});

test('regimeContrasts pairs each contrast by seed over the seeds both sides have, per group of models', () => {
  const mae = (base: number) => Object.fromEntries(['tav', 'ta', 'tv', 'av', 't', 'a', 'v'].map((s) => [s, base + (REGIME_GROUPS.noText.includes(s as 'a') ? 0.3 : 0)]));
  const cells: RegimeCell[] = [];
  for (const seed of [1, 2, 3, 4]) {
    cells.push({ variant: 'b2', seed, testMae: mae(1 + 0.01 * seed) });
    // MM-CKD lower by 0.05 ± 0.01 on the no-text students only; seed 4 has no MM-CKD cell
    if (seed < 4) cells.push({ variant: 'mmckd', seed, testMae: { ...mae(1 + 0.01 * seed), a: 1.3 + 0.01 * seed - 0.05 - 0.01 * (seed - 2), v: 1.3 + 0.01 * seed - 0.05, av: 1.3 + 0.01 * seed - 0.05 } });
  }
  const rows = regimeContrasts('r', cells);
  assert.deepEqual(rows.map((r) => `${r.contrast}/${r.group}`), ['MM-CKD − B2/noText', 'MM-CKD − B2/text', 'MM-CKD − B2/teacher'], 'B3 and B4 have no cells: left out');
  const noText = rows[0];
  assert.deepEqual(noText.seeds, [1, 2, 3]);
  assert.ok(Math.abs(noText.meanDiff + 0.05) < 1e-12);
  assert.equal(noText.verdict, 'better');
  assert.equal(rows[1].meanDiff, 0);
  assert.equal(rows[1].verdict, 'within noise');
});

test('regimeMapRows: every contrast of a regime per group with its knobs; a contrast without pairs keeps its rows as "no cells"', () => {
  const regime = regimeMap('quick').find((r) => r.name === 'shared0.8')!;
  const mae = (x: number) => Object.fromEntries(['tav', 'ta', 'tv', 'av', 't', 'a', 'v'].map((s) => [s, x]));
  const cells: RegimeCell[] = [1, 2, 3].flatMap((seed) => [
    { variant: 'b2', seed, testMae: mae(1 + 0.01 * seed) },
    { variant: 'mmckd', seed, testMae: mae(0.9 + 0.01 * seed + 0.001 * seed * seed) },
  ]);
  const rows = regimeMapRows([{ regime, cells, planned: 30, failures: [] }]);
  assert.equal(rows.length, 4 * 3, 'four contrasts (imputation included here) x three groups');
  const first = rows[0];
  assert.equal(first.contrast, 'MM-CKD − B2');
  assert.deepEqual([...new Set(rows.map((r) => `${r.variant} − ${r.baseline}`))], ['mmckd − b2', 'b3 − b2', 'b4 − b2', 'ae-teacher − b1'], 'each row names the variants it pairs');
  assert.equal(first.default_regime, false);
  assert.deepEqual([first.train_clips, first.added_label_noise, first.shared_beyond_label, first.distractor_dims], [192, 0, 0.8, 0]);
  assert.equal(first.n, 3);
  assert.equal(first.seeds, '1 2 3');
  assert.equal(first.verdict, 'better');
  assert.equal(first.missing_cells, 24);
  const ae = rows.filter((r) => r.contrast === 'AE + teacher − B1');
  assert.equal(ae.length, 3);
  assert.ok(ae.every((r) => r.n === 0 && Number.isNaN(r.mean_diff) && r.verdict === 'no cells'));
  const plain = regimeMapRows([{ regime: regimeMap('quick')[0], cells, planned: 8, failures: [] }]);
  assert.ok(!plain.some((r) => r.contrast === 'AE + teacher − B1'), 'no imputation contrast off the sharing axis');
  assert.equal(regimeMapRows([{ regime: regimeMap('quick')[2], cells: [], planned: 12, failures: ['x'] }])[0].default_regime, true);
});
