import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook } from './helpers';

test('notebook 04 runs the quick grid and reports P1, P2 (AUILC), P3 and ablations from its runs', () => {
  const { outputs } = runQuickNotebook('04');
  const all = outputs.join('\n');
  assert.match(all, /5 cells, 5 computed now/);
  for (const v of ['mmckd', 'b2']) for (const s of ['tav', 'av', 'v']) assert.match(all, new RegExp(`P1 ${v} ${s}: MAE \\d\\.\\d{4}`));
  for (const v of ['mmckd', 'b1', 'b2', 'b3', 'b4']) {
    assert.match(all, new RegExp(`P2 AUILC ${v}: MAE \\d\\.\\d{4}, Acc-2 0\\.\\d{4}`));
    assert.match(all, new RegExp(`P3 ${v}: MAE at 0\\.1 \\d\\.\\d{4}, at 0\\.7 \\d\\.\\d{4}`));
  }
  assert.match(all, /\[1\/4\] mmckd seed 1: finished, reusing/, 'the ablation grid reuses the method cell');
  assert.match(all, /\[2\/4\] b2 seed 1: finished, reusing/);
  for (const v of ['b2', 'mmckd-3class', 'mmckd-detached']) assert.match(all, new RegExp(`ablation ${v}: student MAE \\d\\.\\d{4}`));
  assert.match(all, /av: MM-CKD - B2 = -?\d\.\d{4} MAE \(within the seed spread\)/, 'one seed is never called a finding');
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 6);
});
