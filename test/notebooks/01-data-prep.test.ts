import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('01'); // the solutions reuse what notebook 01 trained

test('notebook 01-data-prep executes headless on the quick synthetic set with tables, figures and batches', async () => {
  const { outputs } = await runQuickNotebook('01', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(outputs[0], /synthetic-quick \(synthetic\) loaded/);
  assert.match(all, /<table/);
  assert.equal((all.match(/class="mmckd-figure"/g) ?? []).length >= 8, true, 'label, length, two feature and four mask figures');
  assert.match(all, /P3 \(IMDer\) at 0\.5: 10 batches of 10 clips \(the last one 6\), D = 10: 7 keep one modality, 1 two, 2 all three/);
  assert.match(all, /P3 \(IMDer\) observed missing share 0\.\d{3} of \(clip, modality\) pairs; expected for this split 0\.500/);
  assert.match(all, /P3c \(per clip\) observed missing share 0\.\d{3} \(expected 0\.458/);
  assert.match(all, /first batch: text \[32, 20, 64\], audio \[32, 20, 5\], vision \[32, 20, 20\] labels \[32\]/);
  assert.match(all, /one epoch: 192 clips; live tensors before\/after: (\d+) \/ \1/);
  // what we found, computed
  assert.match(all, /the label is most linearly readable from (text|audio|vision) \(test R² -?\d\.\d{3}\), then (text|audio|vision) \(test R² -?\d\.\d{3}\), then (text|audio|vision)/);
  assert.match(all, /train labels: mean -?\d\.\d{3}, std \d\.\d{3}, \d+\.\d% positive, \d+\.\d% exactly 0/);
  assert.match(all, /P2 at rate 0\.4 removed \d+\.\d% of text frames, \d+\.\d% of audio frames, \d+\.\d% of vision frames of the test split/);
});

test("notebook 01's solutions: exactly-0 labels, per-dimension statistics by hand, the ridge strength", async () => {
  const { outputs } = await runQuickNotebook('solutions/01', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /labels exactly 0: train \d+\.\d%, test \d+\.\d%/);
  const train = all.match(/standardised audio, train: largest \|mean\| (\d\.\d{4}), std from (\d\.\d{4}) to (\d\.\d{4})/);
  assert.ok(train && Number(train[1]) < 1e-3 && Math.abs(Number(train[2]) - 1) < 1e-3 && Math.abs(Number(train[3]) - 1) < 1e-3, 'train is exactly standardised');
  assert.match(all, /standardised audio, test: largest \|mean\| \d\.\d{4}/);
  assert.equal([...all.matchAll(/text probe, lambda \d+: R² train -?\d\.\d{3}, test -?\d\.\d{3}/g)].length, 3);
});
