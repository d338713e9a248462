import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('03'); // the solutions reuse the runs notebook 03 trained

test('notebook 03-online-mmckd trains MM-CKD and B2 (quick) and compares them from the runs', async () => {
  const { outputs } = await runQuickNotebook('03', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /MVSC by hand \d\.\d{6}, mmckd\.mvscLoss \d\.\d{6}: equal to 1e-5: true/, "the loss written out by hand equals the library's");
  assert.match(all, /stage-2 loss of the toy batch: L1 \d\.\d{4} \+ \d\.\d{4} \+ λ 0\.1 × MVSC \d\.\d{4} = \d\.\d{4}/);
  const toy = [...all.matchAll(/tau (\S+): MVSC aligned (\d+\.\d+), scrambled (\d+\.\d+)/g)];
  assert.equal(toy.length, 3);
  for (const [, , aligned, scrambled] of toy) assert.ok(Number(aligned) < Number(scrambled), 'aligned views cost less than scrambled ones');
  assert.match(all, /MM-CKD stage 2: 4 epochs; B2: 4 epochs/);
  assert.match(all, /stage2 · 4 epochs · last validation MAE tav/, 'the training display shows the final state');
  for (const s of ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']) assert.match(all, new RegExp(`\\n${s}: MM-CKD \\d\\.\\d{4} B2 \\d\\.\\d{4} change -?\\d\\.\\d{4}`));
  // MVSC at work: the probe's curves, per run, from the runs' histories
  for (const run of ['MM-CKD', 'B4 \\(unsupervised views\\)', 'B2 \\(no contrastive term\\)']) {
    assert.match(all, new RegExp(`${run}: MVSC \\(train\\) \\d+\\.\\d{3} -> \\d+\\.\\d{3}; spread of t \\d\\.\\d{3} -> \\d\\.\\d{3}`));
  }
  // each student beside the teacher copy of its own kept epoch
  assert.match(all, /t \(MM-CKD\): agreement -?\d\.\d{3}, class separation -?\d\.\d{3}, spread \d\.\d{3} \(against the teacher at stage-2 epoch \d+\)/);
  assert.match(all, /teacher at stage-2 epoch \d+ \(with t\) \(B2\): agreement 1\.000/);
  // the verdict over the grid's seeds (one seed in the quick setting: no interval)
  assert.match(all, /students' mean test MAE: MM-CKD \d\.\d{4} vs B2 \d\.\d{4}, difference -?\d\.\d{4}, 95% CI \[n\/a, n\/a\] over 1 seed\(s\): one seed, no interval/);
  for (const s of ['t', 'a', 'v']) assert.match(all, new RegExp(`\\n${s}: class separation: MM-CKD -?\\d\\.\\d{4} vs B2`));
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 8);
});

test("notebook 03's solutions: MVSC in tensor ops equals the library's, lambda 1 against 0.1 in the probe, the floor near log 3", async () => {
  const { outputs } = await runQuickNotebook('solutions/03', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /the two agree to 1e-5 at every tau: true/);
  for (const s of ['a', 'v', 't']) assert.match(all, new RegExp(`${s} student, valid: alignment -?\\d\\.\\d{3} \\(λ 0\\.1\\) -> -?\\d\\.\\d{3} \\(λ 1\\); separation -?\\d\\.\\d{3} -> -?\\d\\.\\d{3}`));
  const rows = [...all.matchAll(/tau ([\d.]+): perfectly aligned \d\.\d{4} \(gap to log 3 (-?\d\.\d{4})\), the toy views \d\.\d{4} \(gap (-?\d\.\d{4})\)/g)].map((m) => ({ tau: Number(m[1]), perfect: Number(m[2]), toy: Number(m[3]) }));
  assert.equal(rows.length, 7);
  assert.ok(rows.filter((r) => r.tau <= 0.1).every((r) => Math.abs(r.perfect) < 1e-3), 'perfectly aligned views sit at log 3 for small tau');
  assert.ok(rows[6].perfect > 0.1 && Math.min(...rows.map((r) => r.toy)) < 0.01, 'above it at large tau; the toy views come close to it');
});
