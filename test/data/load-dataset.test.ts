import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../lib/data/load-dataset';
import { loadCsd } from '../../lib/data/cmu-sdk';
import { DatasetFormatError } from '../../lib/data/errors';
import { fixture } from './helpers';

test("'synthetic:quick' gives the quick preset and honours overrides", () => {
  const d = loadDataset('synthetic:quick', { synthetic: { seed: 5, counts: { train: 50 } } });
  assert.equal(d.meta.name, 'synthetic-quick');
  assert.equal(d.train.labels.length, 50);
  assert.equal(d.valid.labels.length, 64);
  assert.deepEqual(d.meta.dims, { text: 64, audio: 5, vision: 20 });
  assert.throws(() => loadDataset('synthetic:huge'), /Expected a synthetic preset/);
});

test('a .pkl path loads the MMSA pickle (through the cache)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-load-'));
  try {
    const d = loadDataset(fixture('mmsa_aligned_np2.pkl'), { cacheDir: dir });
    assert.equal(d.train.labels.length, 4);
    const again = loadDataset(fixture('mmsa_aligned_np2.pkl'), { cacheDir: dir });
    assert.equal(again.meta.details?.cachedFrom, 'mmsa-pickle');
    assert.deepEqual([...again.test.labels], [...d.test.labels]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a .csd path is refused with an explanation; other extensions too', () => {
  assert.throws(() => loadDataset(fixture('sdk_covarep.csd')), (err: unknown) => err instanceof DatasetFormatError && /holds ONE modality/.test(err.message) && /loadCsd/.test(err.message));
  assert.throws(() => loadDataset('data/raw/features.h5'), /expected 'synthetic'/);
});

test('loadCsd reads features, intervals and metadata of every video', async () => {
  const csd = await loadCsd(fixture('sdk_covarep.csd'));
  assert.equal(csd.root, 'COVAREP');
  assert.equal(csd.dim, 5);
  assert.equal(csd.metadata['root name'], 'COVAREP');
  assert.deepEqual([...csd.videos.keys()].sort(), ['vidA', 'vidB']);
  const a = csd.videos.get('vidA')!;
  assert.equal(a.frames, 3);
  assert.equal(a.features[0], 0, '-inf became 0');
  assert.equal(a.features[1 * 5 + 2], 1 + 2 * 0.25);
  assert.deepEqual([...a.intervals], [0, 0.5, 0.5, 1, 1, 1.5]);
  await assert.rejects(loadCsd(fixture('mmsa_aligned_np1.pkl')), DatasetFormatError);
});
