import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataFrameRows } from '../../lib/report/data-frame-rows';
import { tableHtml } from '../../lib/report/table-format';

test('dataFrameRows gives one row per index entry, the index first, numbers rounded to 3 decimals', () => {
  const frame = { columns: ['label', 'length'], index: ['count', 'mean'], values: [[10, 10], [0.123456, 20.5]] };
  const rows = dataFrameRows(frame);
  assert.deepEqual(rows, [{ '': 'count', label: 10, length: 10 }, { '': 'mean', label: 0.123, length: 20.5 }]);
  assert.deepEqual(Object.keys(rows[0]), ['', 'label', 'length']);
  assert.deepEqual(dataFrameRows(frame, 1)[1], { '': 'mean', label: 0.1, length: 20.5 });
  assert.match(tableHtml(rows), /<td[^>]*>count<\/td>/);
});

test('dataFrameRows refuses a one-dimensional frame (a Series) with the row at fault', () => {
  assert.throws(() => dataFrameRows({ columns: ['a'], index: [0], values: [1] }), /Expected row 0 of the DataFrame's values to be an array, but got number/);
});
