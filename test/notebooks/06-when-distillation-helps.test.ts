import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('06'); // the solutions read the map notebook 06 trained

test('notebook 06-when-distillation-helps trains the quick regime map (two seeds), shows its table, four heatmaps and computed findings', async () => {
  const { outputs } = await runQuickNotebook('06', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /quick map: 6 regimes, seeds 1,2, training preset quick/);
  for (const [regime, cells] of [['n64-noise0', 8], ['n64-noise1', 8], ['n192-noise0', 12], ['n192-noise1', 8], ['shared0.8', 12], ['distractors50', 8]] as const) {
    assert.match(all, new RegExp(`regime ${regime}: ${cells} of ${cells} cells evaluated \\(`), `${regime}: every cell evaluated`);
  }
  assert.match(all, /map: 56 of 56 cells evaluated, 0 failure\(s\)/);
  assert.match(all, /paired test-MAE differences per regime/);
  assert.match(all, /arquero's rollup equals the kit's map table: true \(60 rows from \d+ records\)/, 'the map table wrangled by hand');
  assert.match(all, /4 heatmaps: regime-map-mmckd-b2, regime-map-b3-b2, regime-map-b4-b2, regime-map-ae-teacher-b1/);
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 4, 'four heatmaps drawn');
  for (const contrast of ['MM-CKD − B2', 'B3 − B2', 'B4 − B2']) {
    assert.match(all, new RegExp(`${contrast} over 6 regime\\(s\\) and 18 cells \\(regime × group of models\\): better in (none|\\d+)`));
  }
  assert.match(all, /AE \+ teacher − B1 over 2 regime\(s\) and 6 cells/);
  assert.match(all, /(Outside noise somewhere on the map, for the better: .*\.|No contrast is better than its baseline anywhere on this map\.)/);
  assert.match(all, /At the default regime \(n192-noise0\): no-text students \(a, v, av\) [+−]\d\.\d{4}, (better|worse|within noise)/);
  assert.match(all, /shared0\.8 \(sharedBeyondLabel 0\.8\), no-text students: AE \+ teacher − B1 -?\d\.\d{4} \[-?\d\.\d{4}, -?\d\.\d{4}\], n=2/);
});

test("notebook 06's solutions: the contrast by hand equals the table's, a regime added alone, the table as arquero data", async () => {
  const { outputs } = await runQuickNotebook('solutions/06', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /quick map: 56 cells read, seeds 1,2/, 'the map notebook 06 trained is read back');
  assert.match(all, /same mean: true; same interval \(to 1e-6\): true/);
  assert.match(all, /new {5}n128-noise0\.5: -?\d\.\d{4} \[-?\d\.\d{4}, -?\d\.\d{4}\] (better|worse|within noise)/);
  assert.match(all, /within the map's range of B3 − B2 \(text\): (true|false)/);
  assert.match(all, /verdict counts: \d+ rows; pivot: 2 sizes x 2 noise levels/);
});
