import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedLoad, cacheFileFor, readDatasetCache, writeDatasetCache } from '../../lib/data/cache';
import { loadMmsaPickle } from '../../lib/data/mmsa-pickle';
import { loadDataset } from '../../lib/data/load-dataset';
import { DatasetFormatError } from '../../lib/data/errors';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { datasetHash, fixture } from './helpers';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'mmckd-cache-'));

test('write then read round-trips every array, id and label exactly', () => {
  const dir = tempDir();
  try {
    const d = generateSynthetic(syntheticConfig('quick', { seed: 3 }));
    const file = writeDatasetCache(d, join(dir, 'x.mmckd'));
    const back = readDatasetCache(file);
    assert.equal(datasetHash(back), datasetHash(d));
    assert.deepEqual(back.meta.dims, d.meta.dims);
    assert.equal(back.meta.name, d.meta.name);
    assert.deepEqual(readdirSync(dir), ['x.mmckd'], 'no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cachedLoad parses once, then serves the cache; the key follows the file', () => {
  const dir = tempDir();
  try {
    const src = join(dir, 'aligned_50.pkl');
    copyFileSync(fixture('mmsa_aligned_np1.pkl'), src);
    let parses = 0;
    const load = () => {
      parses++;
      return loadMmsaPickle(src);
    };
    const first = cachedLoad(src, load, { cacheDir: join(dir, 'cache') });
    const second = cachedLoad(src, load, { cacheDir: join(dir, 'cache') });
    assert.equal(parses, 1);
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    assert.equal(datasetHash(second.dataset), datasetHash(first.dataset));
    assert.equal(second.cacheFile, cacheFileFor(src, join(dir, 'cache')));
    const other = join(dir, 'other.pkl');
    copyFileSync(fixture('mmsa_aligned_np2.pkl'), other);
    assert.notEqual(cacheFileFor(other, join(dir, 'cache')), first.cacheFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed load leaves nothing in the cache', () => {
  const dir = tempDir();
  try {
    const cacheDir = join(dir, 'cache');
    assert.throws(() => loadDataset(fixture('bad_mismatch.pkl'), { cacheDir }), DatasetFormatError);
    assert.throws(() => loadDataset(fixture('bad_truncated.pkl'), { cacheDir }), DatasetFormatError);
    let entries: string[] = [];
    try {
      entries = readdirSync(cacheDir);
    } catch {
      entries = [];
    }
    assert.deepEqual(entries, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
