import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook } from './helpers';

test('notebook 03-online-mmckd trains MM-CKD and B2 (quick) and compares them from the runs', async () => {
  const { outputs } = await runQuickNotebook('03');
  const all = outputs.join('\n');
  const toy = [...all.matchAll(/tau (\S+): MVSC aligned (\d+\.\d+), scrambled (\d+\.\d+)/g)];
  assert.equal(toy.length, 3);
  for (const [, , aligned, scrambled] of toy) assert.ok(Number(aligned) < Number(scrambled), 'aligned views cost less than scrambled ones');
  assert.match(all, /MM-CKD stage 2: 4 epochs; B2: 4 epochs/);
  assert.match(all, /stage2 · 4 epochs · last validation MAE tav/, 'the training display shows the final state');
  for (const s of ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']) assert.match(all, new RegExp(`\\n${s}: MM-CKD \\d\\.\\d{4} B2 \\d\\.\\d{4} change -?\\d\\.\\d{4}`));
  assert.match(all, /t \(MM-CKD\): agreement -?\d\.\d{3}, class separation -?\d\.\d{3}/);
  assert.match(all, /MM-CKD students better than B2 on \d of 6 subsets/);
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 3);
});
