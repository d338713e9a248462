import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendReport } from '../../lib/backend';
import { barFigure } from '../../lib/report/bar-figures';
import { notebookContext } from '../../lib/experiments/notebook-context';

const backend: BackendReport = {
  choice: 'cpu', tfjsBackend: 'cpu', version: '0', native: false, gpu: false, forced: true, attempts: [], notes: [], message: 'a test backend',
};
const noImage = { staticImage: { reason: 'not under test' } };

test('the context: backend, setting and seed; the dataset loads on first use, standardised, and captions name it', async () => {
  const ctx = await notebookContext({ seed: 3, backend, env: { MMCKD_QUICK: '1', MMCKD_RUNS_DIR: tmpdir() } });
  assert.equal(ctx.backend, backend);
  assert.equal(ctx.seed, 3);
  assert.equal(ctx.quick, true);
  assert.equal(ctx.datasetSpec, 'synthetic:quick');
  assert.equal(ctx.preset, 'quick');
  assert.equal(ctx.gridDir, join(tmpdir(), 'grid-synthetic-quick-quick'));
  const ds = ctx.dataset;
  assert.equal(ctx.dataset, ds, 'loaded once');
  assert.equal(ds.meta.name, 'synthetic-quick');
  assert.equal(ds.train.ids.length, 192);
  assert.match(String(ds.meta.details?.standardized), /train statistics/);
  assert.notEqual(ctx.rawDataset.train.features.audio.data, ds.train.features.audio.data, 'the raw dataset is another copy');
  assert.deepEqual(ctx.caption('A title'), { title: 'A title', dataset: 'synthetic-quick', seeds: [3], backend: 'cpu' });
  assert.deepEqual(ctx.caption('A title', 'a note'), { title: 'A title', dataset: 'synthetic-quick', seeds: [3], backend: 'cpu', note: 'a note' });
  assert.deepEqual(ctx.captionBase([1, 2]), { dataset: 'synthetic-quick', seeds: [1, 2], backend: 'cpu' });
});

test('ctx.figure and ctx.table show, and add to the collection only when one is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-ctx-'));
  const collecting = await notebookContext({ backend, env: { MMCKD_QUICK: '1', MMCKD_COLLECT_DIR: dir } });
  const quiet = await notebookContext({ backend, env: { MMCKD_QUICK: '1' } });
  assert.equal(collecting.seed, 1, 'the default seed');
  const spec = barFigure({ id: 'ctx-fig', caption: { title: 'bars', dataset: 'none', seeds: [], backend: 'cpu' }, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [1] });
  for (const ctx of [quiet, collecting]) {
    assert.match(ctx.figure(spec, noImage), /class="mmckd-figure"/);
    assert.match(ctx.table('ctx-table', [{ a: 1 }], { columns: ['a'] }), /<table/);
    assert.throws(() => ctx.table('no good', []), /file-name safe table name/);
  }
  assert.deepEqual(readdirSync(join(dir, 'figures')), ['ctx-fig.json']);
  assert.deepEqual(readdirSync(join(dir, 'tables')), ['ctx-table.json']);
  assert.equal(existsSync(join(dir, 'tables', 'no good.json')), false);
});

test('a seed that is not an integer is refused', async () => {
  await assert.rejects(notebookContext({ seed: 1.5, backend, env: {} }), /Expected seed to be an integer >= 0, but got 1.5/);
});
