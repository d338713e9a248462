import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('04'); // the solutions reuse the grid notebook 04 trained

test('notebook 04 runs the quick grid and reports P1, P2 (AUILC), P3, P3c, ablations, the paired MM-CKD - B2 table and the teacher from its runs', async () => {
  const { outputs } = await runQuickNotebook('04', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /<summary>method grid: 5 cells, 5 computed now \(\d+ log lines\)<\/summary>/, 'the grid log is folded under one line');
  assert.match(all, /<summary>ablation grid: 4 cells, 2 computed now \(\d+ log lines\)<\/summary>/);
  for (const v of ['mmckd', 'b2']) for (const s of ['tav', 'av', 'v']) assert.match(all, new RegExp(`P1 ${v} ${s}: MAE \\d\\.\\d{4}`));
  for (const v of ['mmckd', 'b1', 'b2', 'b3', 'b4']) {
    assert.match(all, new RegExp(`P2 AUILC ${v}: MAE \\d\\.\\d{4}, Acc-2 0\\.\\d{4}`));
    assert.match(all, new RegExp(`P3 ${v}: MAE at 0\\.1 \\d\\.\\d{4}, at 0\\.7 \\d\\.\\d{4}`));
    assert.match(all, new RegExp(`P3c ${v}: MAE at 0\\.1 \\d\\.\\d{4}, at 0\\.7 \\d\\.\\d{4}`));
  }
  assert.match(all, /P3 \(IMDer\): test clips in batches of 10/, 'the quick test split (96 clips) is batched finer than 32');
  assert.match(all, /no reference learner table for synthetic-quick\b.*`npm run reference -- --dataset synthetic:quick` makes one/, 'the quick set has no reference table');
  assert.match(all, /\[1\/4\] mmckd seed 1: finished, reusing/, 'the ablation grid reuses the method cell');
  assert.match(all, /\[2\/4\] b2 seed 1: finished, reusing/);
  for (const v of ['b2', 'mmckd-3class', 'mmckd-detached']) assert.match(all, new RegExp(`ablation ${v}: student MAE \\d\\.\\d{4}`));
  for (const subset of ['tav', 'av', 'v', 'students']) {
    assert.match(all, new RegExp(`(^|\\n)${subset}: MM-CKD - B2 = -?\\d\\.\\d{4}, 95% CI \\[n/a, n/a\\] over 1 seed: within noise`), 'one seed has no interval and is never called a finding');
  }
  assert.match(all, /teacher test MAE, mean over 1 seed: the stage-1 teacher \(B1\) \d\.\d{4}; the teacher after online MM-CKD \d\.\d{4} \([+-]\d\.\d{4}\); the teacher after stage 2 with L1 only \(lambda 0, B2\) \d\.\d{4} \([+-]\d\.\d{4}\)/);
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 8, 'P1, P2 x2, P3 x2, P3c x2 and the ablations');
  assert.match(all, /constant predictor \(the median training label for every clip\): test MAE \d\.\d{4}/);
  assert.match(all, /students' mean test MAE minus B2's, paired by seed/, 'the ablations against B2, paired');
  assert.match(all, /arquero's rollup equals the kit's P1 table: true \(35 rows from 35 records\)/);
  // what we found, computed
  assert.match(all, /MM-CKD − B2 over seeds 1: 0 subset\(s\) better, 0 worse, 8 within noise \(of 8 rows, the students' mean included\)/);
  assert.match(all, /lowest mean P1 test MAE per subset: tav \w+ \(\d\.\d{4}\), ta \w+ \(\d\.\d{4}\), .*v \w+ \(\d\.\d{4}\)/);
  assert.match(all, /lowest P2 AUILC of MAE: \w+ \(\d\.\d{4}\), highest: \w+ \(\d\.\d{4}\)/);
  assert.match(all, /ablations over seeds 1: the students' mean test MAE spans \d\.\d{4}-\d\.\d{4} across 4 variants/);
});

test("notebook 04's solutions: IMDer's plan by hand equals the kit's, the constant-predictor floor, the consistency a gain needs", async () => {
  const { outputs } = await runQuickNotebook('solutions/04', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /5 grid cells read, 0 trained now/, 'the grid notebook 04 trained is reused');
  assert.match(all, /23 batches at rate 0\.7: 20 keep one modality, 3 keep all three; missing share 0\.5797/);
  assert.match(all, /test split in batches of 4 \(24 batches\): by hand equals the kit's plan: true; missing share by hand (0\.\d{4}), realised \1/);
  assert.match(all, /constant predictor \d\.\d{4}; MM-CKD models below it: /);
  assert.match(all, /n = 5 seeds: a mean gain of 0\.002 is 'better' only if the differences' sd < 0\.00161/);
});
