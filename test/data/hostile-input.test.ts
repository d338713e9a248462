import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpickle } from '../../lib/data/pickle';
import { PickleError, DatasetFormatError } from '../../lib/data/errors';
import { parseMmsaPickle } from '../../lib/data/mmsa-pickle';
import { loadDataset } from '../../lib/data/load-dataset';
import { cachedLoad, cacheFileFor } from '../../lib/data/cache';
import { loadCsd } from '../../lib/data/cmu-sdk';
import { mmsaPickle, PyArray, pickleBytes } from './pickle-writer';

// Hostile or damaged inputs: each is refused within seconds by a one-line message that names the
// file and what is at fault, and nothing is written.

const bytes = (...parts: (number[] | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((x) => (typeof x === 'string' ? [...Buffer.from(x, 'latin1')] : x)));

function timed<T>(fn: () => T): { ms: number; value?: T; error?: Error } {
  const t0 = Date.now();
  try {
    return { ms: Date.now() - t0, value: fn() };
  } catch (err) {
    return { ms: Date.now() - t0, error: err as Error };
  }
}

test('a dict key whose tuples share each other through the memo is refused in linear time with a short message', () => {
  for (const depth of [20, 60]) {
    // t0 = (1,); t_i = (t_{i-1}, t_{i-1}) through BINGET: written out, the key doubles per level
    const parts: number[][] = [[0x80, 2, 0x7d], [0x4b, 1, 0x85, 0x71, 0, 0x30]];
    for (let i = 1; i <= depth; i++) parts.push([0x68, i - 1, 0x68, i - 1, 0x86, 0x71, i, 0x30]);
    parts.push([0x68, depth, 0x4e, 0x73, 0x2e]); // key t_depth, value None, SETITEM, STOP
    const r = timed(() => unpickle(bytes(...parts)));
    assert.ok(r.error instanceof PickleError, `depth ${depth}: ${r.error}`);
    assert.match(r.error!.message, /dict key that is a tuple of more than 4096 characters/);
    assert.ok(r.error!.message.length < 500, `message of ${r.error!.message.length} characters`);
    assert.ok(r.ms < 2000, `took ${r.ms} ms`);
  }
});

test('100k nested tuples as a dict key: the reader refuses it by its own limit, naming the file', () => {
  const nested = [[0x80, 2, 0x7d, 0x4e], new Array(100_000).fill(0x85), [0x4e, 0x73, 0x2e]];
  const r = timed(() => parseMmsaPickle(bytes(...nested), '/data/deep.pkl'));
  assert.ok(r.error instanceof DatasetFormatError, String(r.error));
  assert.match(r.error!.message, /^\/data\/deep\.pkl: not a readable MMSA pickle: a dict key that is a tuple/);
  assert.doesNotMatch(r.error!.message, /call stack/);
  // 100k nested MARKs hit the MARK limit
  assert.throws(() => unpickle(bytes([0x80, 2], new Array(100_000).fill(0x28), [0x2e])), /nested MARKs/);
});

test('zero-byte elements and element counts past the limit are refused before any allocation', () => {
  const frombuffer = (dtype: string, shape: number[]) => pickleBytes(new PyArray(dtype, shape, new Uint8Array(0)));
  const r = timed(() => unpickle(frombuffer('|S0', [1_000_000_000])));
  assert.match(String(r.error), /zero-byte elements but declares 1000000000/);
  assert.ok(r.ms < 1000);
  assert.throws(() => unpickle(frombuffer('<f4', [100_000, 100_000, 1000])), /declares 1\.00e\+13 elements, more than the limit/);
  // complex64 is named as complex, not as a byte string
  assert.throws(() => unpickle(frombuffer('<c8', [2])), /complex arrays are not supported \(dtype '<c8', complex64\)/);
});

test('empty splits and absurd frame counts are refused at load, naming file and split', () => {
  for (const [split, counts] of [
    ['train', { train: 0, valid: 2, test: 2 }],
    ['valid', { train: 3, valid: 0, test: 2 }],
    ['test', { train: 3, valid: 2, test: 0 }],
  ] as const) {
    assert.throws(() => parseMmsaPickle(mmsaPickle(counts), '/d/x.pkl'), (err: unknown) => err instanceof DatasetFormatError && err.split === split && new RegExp(`^/d/x\\.pkl, split '${split}': the split has no clips`).test((err as Error).message));
  }
  const huge = mmsaPickle({ train: 3, valid: 2, test: 2 }, { valid: { text: new PyArray('<f4', [2, 1_000_000_000, 4], new Uint8Array(0)) } });
  assert.throws(() => parseMmsaPickle(huge, '/d/y.pkl'), /^DatasetFormatError: \/d\/y\.pkl: not a readable MMSA pickle: array shape \[2, 1000000000, 4\] declares 8\.00e\+9 elements, more than the limit/);
  // zero clips of 10^9 frames cost nothing in the file: refused as an empty split, before any batch
  const emptyHuge = mmsaPickle({ train: 3, valid: 0, test: 2 }, { valid: { text: new PyArray('<f4', [0, 1_000_000_000, 4], new Uint8Array(0)) } });
  assert.throws(() => parseMmsaPickle(emptyHuge, '/d/z.pkl'), /\/d\/z\.pkl, split 'valid': the split has no clips/);
  // a well-formed small file loads
  const ok = parseMmsaPickle(mmsaPickle({ train: 3, valid: 2, test: 2 }), '/d/ok.pkl');
  assert.deepEqual([ok.train.ids.length, ok.valid.ids.length, ok.test.ids.length], [3, 2, 2]);
});

test('a missing .pkl names the file without a raw ENOENT; a failed load caches nothing', () => {
  assert.throws(() => loadDataset('/nonexistent/aligned_50.pkl'), /^DatasetFormatError: \/nonexistent\/aligned_50\.pkl: cannot read the dataset: no such file$|\/nonexistent\/aligned_50\.pkl: cannot read the dataset: no such file/);
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-hostile-'));
  try {
    const file = join(dir, 'empty-train.pkl');
    writeFileSync(file, mmsaPickle({ train: 0, valid: 1, test: 1 }));
    const cacheDir = join(dir, 'cache');
    assert.throws(() => loadDataset(file, { cacheDir }), /split 'train': the split has no clips/);
    assert.ok(!existsSync(cacheDir) || readdirSync(cacheDir).length === 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache write killed mid-way leaves a temp file that the next write removes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-cache-'));
  try {
    const src = join(dir, 'ok.pkl');
    writeFileSync(src, mmsaPickle({ train: 3, valid: 2, test: 2 }));
    const cacheDir = join(dir, 'cache');
    const entry = cacheFileFor(src, cacheDir);
    // a temp file of a process that no longer runs (pid 2^22 + 1 is above Linux's pid_max default range)
    const orphan = `${entry}.4194305.tmp`;
    require('node:fs').mkdirSync(cacheDir, { recursive: true });
    writeFileSync(orphan, 'half');
    cachedLoad(src, () => parseMmsaPickle(require('node:fs').readFileSync(src), src), { cacheDir });
    assert.ok(!existsSync(orphan));
    assert.ok(existsSync(entry));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an HDF5 file with a valid signature and garbage gives one line, not HDF5 diagnostics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-h5-'));
  try {
    const file = join(dir, 'garbage.csd');
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 251;
    writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), garbage]));
    const fsModule = require('node:fs');
    const original = fsModule.writeSync;
    let stderrWrites = 0;
    fsModule.writeSync = (fd: number, ...rest: unknown[]) => {
      if (fd === 2) stderrWrites++;
      return original(fd, ...rest);
    };
    try {
      await assert.rejects(loadCsd(file), (err: unknown) => err instanceof DatasetFormatError && !(err as Error).message.includes('\n') && (err as Error).message.startsWith(file));
    } finally {
      fsModule.writeSync = original;
    }
    assert.equal(stderrWrites, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a NaN (or any value but 0 and 1) in the text_bert attention mask is refused naming the split, clip and frame', () => {
  const T = 5;
  const bert = (n: number, bad?: number) => {
    const v: number[] = Array.from({ length: n * 3 * T }, (_, k) => (Math.floor(k / T) % 3 === 1 ? 1 : 0));
    if (bad !== undefined) v[(1 * 3 + 1) * T + 2] = bad; // clip 1, mask row, frame 2
    return PyArray.f4([n, 3, T], v);
  };
  const counts = { train: 3, valid: 2, test: 2 };
  const ok = parseMmsaPickle(mmsaPickle(counts, { train: { text_bert: bert(3) }, valid: { text_bert: bert(2) }, test: { text_bert: bert(2) } }), '/d/ok.pkl');
  assert.deepEqual(Array.from(ok.train.features.text.lengths), [T, T, T]);
  for (const bad of [NaN, 0.5, Infinity]) {
    assert.throws(() => parseMmsaPickle(mmsaPickle(counts, { train: { text_bert: bert(3, bad) }, valid: { text_bert: bert(2) }, test: { text_bert: bert(2) } }), '/d/x.pkl'),
      (err: unknown) => err instanceof DatasetFormatError && (err as Error).message === `/d/x.pkl, split 'train', key 'text_bert': the attention mask text_bert[1, 1, 2] is ${bad}, expected 0 or 1`);
  }
});
