import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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

test('a file rewritten with the same size and its mtime set back is parsed again (the key includes ctime and inode)', async () => {
  const dir = tempDir();
  try {
    const src = join(dir, 'aligned_50.pkl');
    copyFileSync(fixture('mmsa_aligned_np1.pkl'), src);
    let parses = 0;
    const load = () => (parses++, loadMmsaPickle(src));
    utimesSync(src, 1_700_000_000, 1_700_000_000); // whole seconds: restored exactly below
    cachedLoad(src, load, { cacheDir: join(dir, 'cache') });
    const before = statSync(src);
    await new Promise((r) => setTimeout(r, 20)); // ctime moves on the next write
    writeFileSync(src, readFileSync(src)); // same size (same bytes here: what matters is that a write happened)
    utimesSync(src, 1_700_000_000, 1_700_000_000);
    assert.equal(statSync(src).mtimeMs, before.mtimeMs);
    assert.equal(statSync(src).size, before.size);
    const again = cachedLoad(src, load, { cacheDir: join(dir, 'cache') });
    assert.equal(again.fromCache, false);
    assert.equal(parses, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache folder that cannot be written is skipped: the dataset loads, and the reason is returned', () => {
  const dir = tempDir();
  try {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const r = cachedLoad(fixture('mmsa_aligned_np1.pkl'), () => loadMmsaPickle(fixture('mmsa_aligned_np1.pkl')), { cacheDir: join(blocker, 'cache') });
    assert.equal(r.fromCache, false);
    assert.equal(r.dataset.train.ids.length, 4);
    assert.match(r.cacheError ?? '', /cannot write the cache .*not-a-folder\/cache\/.*: ENOTDIR/);
    const viaLoad = loadDataset(fixture('mmsa_aligned_np1.pkl'), { cacheDir: join(blocker, 'cache') });
    assert.equal(viaLoad.train.ids.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
