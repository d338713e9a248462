import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GRID_SEEDS } from '../../lib/experiments/experiment-grid';

test('the grid defaults to seeds 1..5', () => {
  assert.deepEqual(DEFAULT_GRID_SEEDS, [1, 2, 3, 4, 5]);
});
