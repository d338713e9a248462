import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barFigure } from '../../lib/report/bar-figures';
import { collectFigure, collectTable, readCollection } from '../../lib/report/collect';
import { checkTableName } from '../../lib/report/write-table';

const caption = { title: 't', dataset: 'd', seeds: [1], backend: 'cpu' };

test('collectFigure and collectTable write JSON that readCollection reads back, sorted by name, NaN as null', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-collect-'));
  const b = barFigure({ id: 'b-fig', caption, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [1] });
  const a = barFigure({ id: 'a-fig', caption, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [2] });
  assert.equal(collectFigure(dir, b), join(dir, 'figures', 'b-fig.json'));
  collectFigure(dir, a);
  assert.equal(collectTable(dir, 'scores', [{ m: 'x', MAE: Number.NaN }], ['MAE', 'm']), join(dir, 'tables', 'scores.json'));
  collectTable(dir, 'plain', [{ n: 1 }]);
  assert.match(readFileSync(join(dir, 'tables', 'scores.json'), 'utf8'), /"MAE":null/);
  const c = readCollection(dir);
  assert.deepEqual(c.figures.map((f) => f.id), ['a-fig', 'b-fig']);
  assert.deepEqual(c.figures[1], JSON.parse(JSON.stringify(b)));
  assert.deepEqual(c.tables, [
    { name: 'plain', rows: [{ n: 1 }], columns: null },
    { name: 'scores', rows: [{ m: 'x', MAE: null }], columns: ['MAE', 'm'] },
  ]);
});

test('a collection folder that does not exist reads as empty; unsafe names are refused', () => {
  assert.deepEqual(readCollection(join(tmpdir(), 'mmckd-no-such-collection')), { figures: [], tables: [] });
  assert.throws(() => checkTableName('../x'), /Expected a file-name safe table name, but got "\.\.\/x"/);
  assert.throws(() => collectTable(tmpdir(), 'a b', []), /file-name safe table name/);
  assert.equal(checkTableName('p1-methods'), 'p1-methods');
});
