import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook } from './helpers';

test('notebook 01-data-prep executes headless on the quick synthetic set with tables, figures and batches', () => {
  const { outputs } = runQuickNotebook('01');
  const all = outputs.join('\n');
  assert.match(outputs[0], /synthetic-quick \(synthetic\) loaded/);
  assert.match(all, /<table/);
  assert.equal((all.match(/class="mmckd-figure"/g) ?? []).length >= 6, true, 'label, length, feature and three mask figures');
  assert.match(all, /first batch: text \[32, 20, 64\], audio \[32, 20, 5\], vision \[32, 20, 20\] labels \[32\]/);
  assert.match(all, /one epoch: 192 clips; live tensors before\/after: (\d+) \/ \1/);
});
