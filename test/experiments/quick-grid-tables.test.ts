import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { QUICK_GRID_FIXTURE, quickGridTables } from './quick-grid-tables';

test('the quick grid (MM-CKD and B2, seed 1, P1) gives the tables saved before the experiments layer was split out', async () => {
  const saved: unknown = JSON.parse(readFileSync(QUICK_GRID_FIXTURE, 'utf8'));
  assert.deepEqual(await quickGridTables(), saved);
});
