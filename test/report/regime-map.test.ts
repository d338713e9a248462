import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyntheticSpec } from '../../lib/data/synthetic-spec';
import { syntheticConfig } from '../../lib/data/synthetic';
import { REGIME_GROUPS, regimeContrasts, regimeMap, regimeSpec, type RegimeCell } from '../../lib/report/regime-map';

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
