import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock } from 'node:test';
import { DatasetFormatError } from '../../lib/data/errors';
import {
  DATASET_ARRAYS_FORMAT,
  DATASET_ARRAYS_VERSION,
  exportDatasetArrays,
  manifestFiles,
  readDatasetArrays,
} from '../../lib/data/export-arrays';
import { MODALITIES } from '../../lib/data/modalities';
import { standardizeDataset } from '../../lib/data/standardize';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { SPLIT_NAMES, type MultimodalDataset } from '../../lib/data/types';
import { kitVersions } from '../../lib/versions';

const quick = (seed = 1): MultimodalDataset => standardizeDataset(generateSynthetic(syntheticConfig('quick', { seed }))).dataset;
const scratch = (): string => mkdtempSync(join(tmpdir(), 'mmckd-export-'));

test('round trip: the arrays, ids, labels and meta read back equal; the manifest describes every file', () => {
  const root = scratch();
  try {
    const dataset = quick();
    const dir = join(root, 'synthetic-quick');
    const result = exportDatasetArrays(dataset, dir);
    assert.equal(result.reused, false);
    assert.equal(statSync(dir).mode & 0o777, 0o755, 'not left private like a mkdtemp folder');
    const m = result.manifest;
    assert.equal(m.format, DATASET_ARRAYS_FORMAT);
    assert.equal(m.formatVersion, DATASET_ARRAYS_VERSION);
    assert.equal(m.kit.version, kitVersions().kit);
    assert.equal(m.dataset.name, 'synthetic-quick');
    assert.deepEqual(m.dataset.dims, { text: 64, audio: 5, vision: 20 });
    assert.deepEqual(m.dataset.seqLens, { text: 20, audio: 20, vision: 20 });
    assert.deepEqual(SPLIT_NAMES.map((s) => m.splits[s].count), [192, 64, 96]);
    assert.deepEqual(m.splits.valid.modalities.text.features.shape, [64, 20, 64]);
    assert.equal(m.splits.test.modalities.vision.features.bytes, 96 * 20 * 20 * 4);
    // every recorded size and checksum is the file's own
    const files = manifestFiles(m);
    assert.equal(files.length, 3 * (2 + 2 * MODALITIES.length));
    for (const f of files) {
      const bytes = readFileSync(join(dir, f.path));
      assert.equal(bytes.length, f.bytes, f.path);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.path);
    }
    // raw little-endian float32: the first feature of train text is the dataset's
    const raw = readFileSync(join(dir, 'train/text.f32.bin'));
    assert.equal(raw.readFloatLE(4), dataset.train.features.text.data[1]);

    const back = readDatasetArrays(dir);
    assert.deepEqual(back.manifest, m);
    assert.deepEqual(back.dataset.meta, JSON.parse(JSON.stringify(dataset.meta)));
    for (const s of SPLIT_NAMES) {
      assert.deepEqual(back.dataset[s].ids, dataset[s].ids);
      assert.deepEqual(back.dataset[s].labels, dataset[s].labels);
      for (const mod of MODALITIES) {
        assert.deepEqual(back.dataset[s].features[mod].data, dataset[s].features[mod].data, `${s} ${mod}`);
        assert.deepEqual(back.dataset[s].features[mod].lengths, dataset[s].features[mod].lengths, `${s} ${mod} lengths`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('reuse: the same arrays keep the folder untouched; other arrays replace it', () => {
  const root = scratch();
  try {
    const dir = join(root, 'export');
    const first = exportDatasetArrays(quick(1), dir);
    const mtime = statSync(join(dir, 'manifest.json')).mtimeMs;
    const again = exportDatasetArrays(quick(1), dir);
    assert.equal(again.reused, true);
    assert.equal(again.manifest.createdAt, first.manifest.createdAt);
    assert.equal(statSync(join(dir, 'manifest.json')).mtimeMs, mtime);
    const forced = exportDatasetArrays(quick(1), dir, { reuse: false });
    assert.equal(forced.reused, false);
    assert.equal(forced.manifest.contentHash, first.manifest.contentHash);
    const other = exportDatasetArrays(quick(2), dir);
    assert.equal(other.reused, false);
    assert.notEqual(other.manifest.contentHash, first.manifest.contentHash);
    assert.deepEqual(readDatasetArrays(dir).manifest.contentHash, other.manifest.contentHash);
    assert.deepEqual(readdirSync(root), ['export'], 'no temporary or old folders left');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad input throws naming the field, and writes nothing', () => {
  const root = scratch();
  try {
    const dir = join(root, 'export');
    const cases: [string, (d: MultimodalDataset) => void, RegExp][] = [
      ['labels length', (d) => (d.train.labels = d.train.labels.subarray(1)), /Expected train\.labels to be a Float32Array of length 192/],
      ['length out of range', (d) => (d.valid.features.audio.lengths[3] = 21), /Expected valid\.features\.audio\.lengths\[3\] to be in \[0, 20\], but got 21/],
      ['NaN feature', (d) => (d.test.features.vision.data[7] = NaN), /Expected test\.features\.vision\.data\[7\] to be finite, but got NaN/],
      ['dim vs meta', (d) => (d.meta = { ...d.meta, dims: { ...d.meta.dims, text: 65 } }), /Expected train\.features\.text\.dim to be 65 \(meta\.dims\), but got 64/],
      ['missing modality', (d) => delete (d.train.features as Partial<typeof d.train.features>).vision, /Expected train\.features\.vision to be present/],
      ['missing split', (d) => delete (d as Partial<MultimodalDataset>).valid, /Expected dataset\.valid to be a split/],
    ];
    for (const [name, corrupt, message] of cases) {
      const d = structuredClone(quick());
      corrupt(d);
      assert.throws(() => exportDatasetArrays(d, dir), message, name);
    }
    assert.throws(() => exportDatasetArrays(quick(), ''), /Expected dir to be a folder path/);
    assert.deepEqual(readdirSync(root), [], 'nothing written');
    // an existing folder that is not an export, or a file, is never replaced
    mkdirSync(join(root, 'mine'));
    writeFileSync(join(root, 'mine', 'notes.txt'), 'keep me');
    assert.throws(() => exportDatasetArrays(quick(), join(root, 'mine')), /Refusing to replace .*mine: it exists and holds no manifest\.json/);
    writeFileSync(join(root, 'a-file'), 'x');
    assert.throws(() => exportDatasetArrays(quick(), join(root, 'a-file')), /Expected dir to be a folder or a new path/);
    assert.equal(readFileSync(join(root, 'mine', 'notes.txt'), 'utf8'), 'keep me');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a write that fails half way leaves the previous export whole and no temporary folder', () => {
  const root = scratch();
  try {
    const dir = join(root, 'export');
    const first = exportDatasetArrays(quick(1), dir);
    // the module object itself (not an interop copy), so the mock reaches lib/data/export-arrays.ts
    const fs = require('node:fs') as typeof import('node:fs');
    let calls = 0;
    const original = fs.writeFileSync;
    const spy = mock.method(fs, 'writeFileSync', (...args: Parameters<typeof fs.writeFileSync>) => {
      if (++calls === 5) throw new Error('disk full (simulated)');
      return original(...args);
    });
    try {
      assert.throws(() => exportDatasetArrays(quick(2), dir), /disk full \(simulated\)/);
    } finally {
      spy.mock.restore();
    }
    assert.equal(calls, 5, 'the export went through the mocked writeFileSync');
    assert.deepEqual(readdirSync(root), ['export']);
    assert.equal(readDatasetArrays(dir).manifest.contentHash, first.manifest.contentHash);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('reading refuses a truncated, edited, missing or mis-described file and names it', () => {
  const root = scratch();
  try {
    const dir = join(root, 'export');
    exportDatasetArrays(quick(), dir);
    const expectError = (pattern: RegExp) =>
      assert.throws(() => readDatasetArrays(dir), (err: unknown) => err instanceof DatasetFormatError && pattern.test(err.message));

    const audio = join(dir, 'valid/audio.f32.bin');
    const good = readFileSync(audio);
    writeFileSync(audio, good.subarray(0, good.length - 4));
    expectError(/valid\/audio\.f32\.bin, split 'valid', key 'audio': expected 25600 bytes \(manifest\.json\), but the file has 25596/);
    const edited = Buffer.from(good);
    edited[10] ^= 1;
    writeFileSync(audio, edited);
    expectError(/valid\/audio\.f32\.bin.*SHA-256 [0-9a-f]{64} does not match manifest\.json/);
    writeFileSync(audio, good);

    rmSync(join(dir, 'test/labels.f32.bin'));
    expectError(/test\/labels\.f32\.bin, split 'test', key 'labels': missing file/);
    exportDatasetArrays(quick(), dir, { reuse: false });

    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.splits.train.modalities.vision.features.shape = [192, 20, 21];
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expectError(/train\/vision\.f32\.bin, split 'train', key 'vision': expected shape \[192, 20, 20\]/);
    manifest.splits.train.modalities.vision.features.shape = [192, 20, 20];
    manifest.splits.train.labels.path = '../outside.bin';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expectError(/manifest\.json, split 'train', key 'labels': file path "\.\.\/outside\.bin" is not inside the export folder/);
    delete manifest.splits.test;
    manifest.splits.train.labels.path = 'train/labels.f32.bin';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expectError(/manifest\.json, split 'test': split missing from manifest\.json/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
