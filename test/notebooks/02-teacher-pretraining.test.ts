import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('02'); // the solutions reuse what notebook 02 trained

test('notebook 02-teacher-pretraining trains the teacher (quick) and scores B1 on the seven subsets', async () => {
  const { outputs } = await runQuickNotebook('02', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /dataset synthetic-quick: train\/valid\/test 192\/64\/96, preset quick/);
  assert.match(all, /teacher: \d+ parameters, \d+\.\d\d MFLOPs per clip/);
  assert.match(all, /model config: d=16, layers=\d+, .*fusion=\w+.*pooling=\w+/, 'the resolved config: the quick preset over the defaults');
  assert.doesNotMatch(all, /model config: .*=undefined/);
  assert.match(all, /stage 1: 4 epochs, best validation MAE \d\.\d{4} at epoch \d/);
  assert.match(all, /<img alt="validation MAE"[^>]*src="data:image\/svg\+xml;charset=utf-8,%3Csvg[^"]*validation%20MAE/, 'the live display drew its curves (as images, kept in untrusted notebooks)');
  assert.match(all, /class="mmckd-figure"/);
  for (const s of ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']) assert.match(all, new RegExp(`B1 ${s}: MAE \\d\\.\\d{4} Corr -?\\d\\.\\d{4}`));
  // what we found, computed
  assert.match(all, /the teacher on complete clips: test MAE \d\.\d{4}; zero-filled \(B1\) over the six missing patterns: \d\.\d{4}/);
  assert.match(all, /with text \(ta, tv, t\): \d\.\d{4}; without text \(av, a, v\): \d\.\d{4}; worst: \w+ \(\d\.\d{4}, seed 1\)/);
});

test("notebook 02's solutions: when stage 1 stopped, which missing modality hurts most, zero-filling as mean-filling", async () => {
  const { outputs } = await runQuickNotebook('solutions/02', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /stage 1 ran \d+ of 4 epochs \(patience 4\); kept epoch \d+, \d+ epoch\(s\) before the stop/);
  assert.match(all, /B1 with one modality, best to worst: [tav] \d\.\d{4}, [tav] \d\.\d{4}, [tav] \d\.\d{4}/);
  assert.match(all, /probes, most to least readable: .*; same order: (true|false)/);
  for (const m of ['text', 'audio', 'vision']) assert.match(all, new RegExp(`${m}: largest \\|training mean\\| over valid frames after standardisation \\d\\.\\d{2}e-\\d+`));
});
