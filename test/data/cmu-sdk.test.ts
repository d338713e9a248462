/** The .csd reader as a security boundary: every hostile file is built here with h5wasm (and, for an unsupported filter, one patched byte range). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CSD_MAX_BYTES, loadCsd } from '../../lib/data/cmu-sdk';
import { DatasetFormatError } from '../../lib/data/errors';
import { hdf5Guard } from '../../lib/data/hdf5-guard';
import { importEsm } from '../../lib/io/esm';

type H5 = typeof import('h5wasm');
type H5Group = InstanceType<H5['Group']>;

async function h5(): Promise<H5> {
  const mod = await importEsm<H5>('h5wasm/node');
  await mod.ready;
  return mod;
}

/** Writes a .csd file with root 'X' whose videos `fill` creates under /X/data; returns its path. */
async function writeCsd(dir: string, name: string, fill: (data: H5Group) => void, libver?: 'earliest'): Promise<string> {
  const mod = await h5();
  const path = join(dir, name);
  const f = new mod.File(path, 'w', libver ? { libver: ['earliest', 'v108'] } : undefined);
  const root = f.create_group('X');
  root.create_group('metadata').create_dataset({ name: 'root name', data: 'X' });
  fill(root.create_group('data'));
  f.close();
  return path;
}

/** Adds video `id` with float32 features [frames, dim] (value 1) and intervals. */
function addVideo(data: H5Group, id: string, frames = 4, dim = 3, extra: Record<string, unknown> = {}): void {
  const v = data.create_group(id);
  v.create_dataset({ name: 'features', data: new Float32Array(frames * dim).fill(1), shape: [frames, dim], ...extra });
  v.create_dataset({ name: 'intervals', data: Float64Array.from({ length: frames * 2 }, (_, i) => i / 10), shape: [frames, 2] });
}

const refusal = (pattern: RegExp) => (err: unknown) =>
  err instanceof DatasetFormatError && pattern.test((err as Error).message) && !(err as Error).message.includes('\n');

test('a well-formed .csd file still loads: features, intervals, int64 features as numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const path = await writeCsd(dir, 'ok.csd', (data) => {
      addVideo(data, 'a', 4, 3, { chunks: [2, 3], compression: 'gzip' });
      const b = data.create_group('b');
      b.create_dataset({ name: 'features', data: new BigInt64Array([1n, -2n, 3n, 2n ** 40n, 5n, 6n]), shape: [2, 3] });
      b.create_dataset({ name: 'intervals', data: new Float64Array([0, 1, 1, 2]), shape: [2, 2] });
    });
    const csd = await loadCsd(path);
    assert.equal(csd.dim, 3);
    assert.deepEqual(Array.from(csd.videos.get('a')!.features), new Array(12).fill(1));
    assert.deepEqual(Array.from(csd.videos.get('a')!.intervals), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    assert.deepEqual(Array.from(csd.videos.get('b')!.features), [1, -2, 3, 2 ** 40, 5, 6]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a small file declaring more than the budget (unwritten chunks) is refused before anything is read; the budget can be raised', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const path = await writeCsd(dir, 'huge.csd', (data) => {
      for (let i = 0; i < 3; i++) {
        // 2^26 frames: 4 GiB of float32 features and 1 GiB of float64 intervals per video, never written
        const v = data.create_group(`v${i}`);
        v.create_dataset({ name: 'features', data: new Float32Array(16), shape: [1, 16], maxshape: [null, 16], chunks: [64, 16] }).resize([2 ** 26, 16]);
        v.create_dataset({ name: 'intervals', data: new Float64Array(2), shape: [1, 2], maxshape: [null, 2], chunks: [64, 2] }).resize([2 ** 26, 2]);
      }
    });
    assert.ok(readFileSync(path).length < 200_000, `the file itself is small: ${readFileSync(path).length} bytes`);
    const t0 = Date.now();
    await assert.rejects(loadCsd(path), refusal(/declares at least 10\.0 GiB of features and intervals \(the largest video so far, \/X\/data\/v0, 5\.0 GiB\), over the reader's budget of 8\.0 GiB; .*maxBytes.*--csd-max-gib/));
    assert.ok(Date.now() - t0 < 5000, 'refused without reading');
    // the budget counts float32 features and float64 intervals: 4 frames x 3 dims x 4 + 8 x 8 = 112 bytes
    const small = await writeCsd(dir, 'small.csd', (data) => addVideo(data, 'a', 4, 3));
    await assert.rejects(loadCsd(small, { maxBytes: 111 }), refusal(/declares at least 0\.000 GiB/));
    assert.equal((await loadCsd(small, { maxBytes: 112 })).videos.size, 1);
    assert.equal(DEFAULT_CSD_MAX_BYTES, 8 * 2 ** 30);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('external links are refused by name, and HDF5 may open no other file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const other = await writeCsd(dir, 'other.h5', (data) => addVideo(data, 'secret'));
    const linked = await writeCsd(dir, 'linked.csd', (data) => {
      addVideo(data, 'a');
      data.create_external_link(other, '/X/data/secret', 'b');
    });
    await assert.rejects(loadCsd(linked), refusal(new RegExp(`key '/X/data/b': is an external link to '${other}:/X/data/secret'; the kit reads only the \\.csd file itself`)));
    const deeper = await writeCsd(dir, 'deeper.csd', (data) => {
      const v = data.create_group('a');
      v.create_external_link(other, '/X/data/secret/features', 'features');
      v.create_dataset({ name: 'intervals', data: new Float64Array(8), shape: [4, 2] });
    });
    await assert.rejects(loadCsd(deeper), refusal(/key '\/X\/data\/a\/features': is an external link/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Writes a .csd file whose video 'a' keeps its features in `target` (HDF5 external storage, which
 * h5wasm cannot write): an earliest-format file (no checksums) is patched in three places. The
 * features' contiguous layout loses its address, a placeholder attribute message becomes an
 * External Data Files message (type 7), and a placeholder dataset's bytes become the local heap
 * holding the file name (HDF5 file format spec, sections IV.A.2.g and III.D).
 */
async function writeExternalStorageCsd(dir: string, target: string): Promise<string> {
  const heapBytes = new Uint8Array(32 + 64);
  heapBytes.set(Buffer.from('HEAPMARK'));
  const features = new Float32Array([1234.5, 2345.5, 3456.5, 4567.5]); // [2, 2], 16 bytes
  const path = await writeCsd(dir, 'external.csd', (data) => {
    const v = data.create_group('a');
    v.create_dataset({ name: 'features', data: features, shape: [2, 2] }).create_attribute('efl_placeholder_attribute', new Uint8Array(64));
    v.create_dataset({ name: 'intervals', data: new Float64Array([0, 1, 1, 2]), shape: [2, 2] });
    (data.parent.get('metadata') as H5Group).create_dataset({ name: 'heap', data: heapBytes, shape: [heapBytes.length] });
  }, 'earliest');
  const b = readFileSync(path);
  const undef = 0xffffffffffffffffn;
  // the local heap: "HEAP", version 0, data size 64, free list none (1), data right after the 32-byte prefix
  const heap = b.indexOf('HEAPMARK');
  b.write('HEAP\0\0\0\0', heap, 'latin1');
  b.writeBigUInt64LE(64n, heap + 8);
  b.writeBigUInt64LE(1n, heap + 16);
  b.writeBigUInt64LE(BigInt(heap + 32), heap + 24);
  b.fill(0, heap + 32, heap + 96);
  b.write(target, heap + 40, 'latin1'); // name at offset 8 (offset 0 holds the empty name)
  // the layout message (version 3, contiguous): address -> undefined
  const dataAt = b.indexOf(Buffer.from(features.buffer));
  const layout = Buffer.alloc(18);
  layout[0] = 3;
  layout[1] = 1;
  layout.writeBigUInt64LE(BigInt(dataAt), 2);
  layout.writeBigUInt64LE(16n, 10);
  const at = b.indexOf(layout);
  assert.ok(dataAt > 0 && at > 0, 'the contiguous layout message is where the format puts it');
  b.writeBigUInt64LE(undef, at + 2);
  // the attribute message (header 8 bytes, body from version 1) -> External Data Files, one slot of 16 bytes
  const body = b.indexOf('efl_placeholder_attribute') - 8;
  const size = b.readUInt16LE(body - 6);
  b.writeUInt16LE(0x0007, body - 8);
  b[body - 4] = 0;
  b.fill(0, body, body + size);
  b[body] = 1;
  b.writeUInt16LE(1, body + 4);
  b.writeUInt16LE(1, body + 6);
  b.writeBigUInt64LE(BigInt(heap), body + 8);
  b.writeBigUInt64LE(8n, body + 16);
  b.writeBigUInt64LE(0n, body + 24);
  b.writeBigUInt64LE(16n, body + 32);
  writeFileSync(path, b);
  return path;
}

test('a dataset with external storage is refused naming the dataset and the file, and none of its bytes are read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'SECRET-BYTES-16!');
    const path = await writeExternalStorageCsd(dir, secret);
    // the file is what it claims: h5wasm unguarded reads the secret as features
    const mod = await h5();
    const f = new mod.File(path, 'r');
    const leaked = (f.get('X/data/a/features') as InstanceType<H5['Dataset']>).value as Float32Array;
    assert.equal(Buffer.from(leaked.buffer, leaked.byteOffset, leaked.byteLength).toString('latin1'), 'SECRET-BYTES-16!');
    f.close();
    await assert.rejects(loadCsd(path), refusal(new RegExp(`key '/X/data/a/features': makes HDF5 open another file, '${secret}' \\(its data is stored in another file: HDF5 external storage\\); the kit reads only the \\.csd file itself`)));
    await assert.rejects(loadCsd(await writeExternalStorageCsd(dir, '/etc/passwd')), refusal(/'\/etc\/passwd' \(its data is stored in another file/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HDF5 guard lets only the guarded file be opened, reports any other, and restores fs afterwards', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const mine = join(dir, 'mine.csd');
    writeFileSync(mine, 'x');
    const guard = hdf5Guard(mine);
    const original = fs.openSync;
    // what external storage does: HDF5 opens the named file while reading a dataset
    assert.throws(() => guard.run(() => fs.openSync('/etc/passwd', 'r')), /EACCES: the \.csd reader opens no other file, open '\/etc\/passwd'/);
    assert.deepEqual(guard.refused, ['/etc/passwd']);
    const fd = guard.run(() => fs.openSync(join(dir, '.', 'mine.csd'), 'r'));
    fs.closeSync(fd);
    assert.equal(fs.openSync, original);
    guard.clearRefused();
    assert.deepEqual(guard.refused, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('string and variable-length string features are refused naming the dataset and the dtype', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const strings = await writeCsd(dir, 'strings.csd', (data) => {
      const v = data.create_group('a');
      v.create_dataset({ name: 'features', data: ['1', '2', '3', '4'], shape: [2, 2] });
      v.create_dataset({ name: 'intervals', data: new Float64Array(4), shape: [2, 2] });
    });
    await assert.rejects(loadCsd(strings), refusal(/key '\/X\/data\/a\/features': has dtype variable-length string, which the reader cannot decode to numbers/));
    const fixed = await writeCsd(dir, 'fixed.csd', (data) => {
      const v = data.create_group('a');
      v.create_dataset({ name: 'features', data: ['1', '2', '3', '4'], shape: [2, 2], dtype: 'S1' });
      v.create_dataset({ name: 'intervals', data: new Float64Array(4), shape: [2, 2] });
    });
    await assert.rejects(loadCsd(fixed), refusal(/key '\/X\/data\/a\/features': has dtype string, which the reader cannot decode/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('features compressed with a filter the reader cannot decode (LZF) are refused naming the dataset and the filter', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    // an earliest-format file stores the filter pipeline with names and no checksum: deflate (1) becomes lzf (32000)
    const path = await writeCsd(dir, 'lzf.csd', (data) => addVideo(data, 'a', 4, 3, { chunks: [4, 3], compression: 'gzip' }), 'earliest');
    const bytes = readFileSync(path);
    const at = bytes.indexOf('deflate\0');
    assert.ok(at > 8 && bytes.readUInt16LE(at - 8) === 1, 'the deflate filter entry is where the format puts it');
    bytes.writeUInt16LE(32000, at - 8);
    bytes.write('lzf\0\0\0\0\0', at, 'latin1');
    writeFileSync(path, bytes);
    await assert.rejects(loadCsd(path), refusal(/key '\/X\/data\/a\/features': is compressed with HDF5 filter 32000 \('lzf'\), which the reader cannot decode \(it decodes deflate, shuffle/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO is refused as not a regular file instead of blocking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-csd-'));
  try {
    const fifo = join(dir, 'pipe.csd');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(loadCsd(fifo), refusal(/not a regular file/));
    await assert.rejects(loadCsd('/dev/zero'), refusal(/not a regular file/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
