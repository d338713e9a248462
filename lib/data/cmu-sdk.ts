/**
 * Reader of CMU-MultimodalSDK computational sequences (`.csd`, HDF5) through h5wasm:
 * `/<root>/data/<video_id>/{features, intervals}` and `/<root>/metadata`. A .csd file holds ONE
 * modality (e.g. COVAREP audio, FACET vision, glove/BERT text) for many videos, at its own frame
 * rate; word-level alignment of several files (the SDK's `align` onto a text sequence) is out of
 * scope here: combine aligned features into an MMSA-style pickle instead (data/README.md).
 * @see notebooks/01-data-prep.ipynb
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { importEsm } from '../io/esm';
import { DatasetFormatError } from './errors';

/** One video of a computational sequence. */
export interface CsdVideo {
  /** Row-major [frames, dim] features (float32; -inf and NaN become 0). */
  features: Float32Array;
  /** Row-major [frames, 2] start and end times in seconds. */
  intervals: Float64Array;
  frames: number;
  dim: number;
}

/** A computational sequence: its root name, metadata and videos by id. */
export interface CsdFile {
  path: string;
  root: string;
  metadata: Record<string, string>;
  videos: Map<string, CsdVideo>;
  dim: number;
}

type H5Module = typeof import('h5wasm');

let h5: Promise<H5Module> | undefined;

/** Loads h5wasm's Node build once (ESM-only, so through lib/io/esm.ts). */
async function loadH5wasm(): Promise<H5Module> {
  if (!h5) {
    h5 = importEsm<H5Module>('h5wasm/node').then(async (mod) => {
      await mod.ready;
      return mod;
    });
  }
  return h5;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(text).join(' ');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/**
 * Reads a .csd file: every video's features and intervals, and the metadata strings.
 * Throws DatasetFormatError naming the file and the HDF5 path at fault.
 * @see notebooks/01-data-prep.ipynb
 */
export async function loadCsd(path: string): Promise<CsdFile> {
  if (!existsSync(path)) throw new DatasetFormatError({ file: path }, 'file not found');
  if (!hasHdf5Signature(path)) throw new DatasetFormatError({ file: path }, 'not an HDF5 file (no HDF5 signature at the start)');
  const mod = await loadH5wasm();
  return quietHdf5((diagnostics) => readCsd(mod, path, diagnostics));
}

/**
 * Runs a synchronous h5wasm read with HDF5's diagnostic stack (dozens of lines that h5wasm writes
 * straight to file descriptor 2) captured instead of printed; an error then carries the innermost
 * HDF5 message in its one line.
 */
function quietHdf5<T>(read: (diagnostics: () => string) => T): T {
  const fsModule = require('node:fs') as { writeSync: (...args: unknown[]) => number };
  const original = fsModule.writeSync;
  let captured = '';
  fsModule.writeSync = (fd: unknown, buf: unknown, offset?: unknown, length?: unknown, ...rest: unknown[]): number => {
    if (fd !== 2) return original(fd, buf, offset, length, ...rest);
    const bytes = typeof buf === 'string' ? Buffer.from(buf) : Buffer.from((buf as Uint8Array).buffer, (buf as Uint8Array).byteOffset + Number(offset ?? 0), Number(length ?? (buf as Uint8Array).byteLength - Number(offset ?? 0)));
    if (captured.length < 1 << 16) captured += bytes.toString('utf8');
    return bytes.length;
  };
  const innermost = (): string => {
    const frames = captured.split('\n').filter((l) => /^\s*#\d+:/.test(l));
    const last = frames[frames.length - 1];
    return last ? ` (HDF5: ${last.replace(/^.*\(\): /, '').trim()})` : '';
  };
  try {
    return read(innermost);
  } finally {
    fsModule.writeSync = original;
  }
}

function readCsd(mod: H5Module, path: string, diagnostics: () => string): CsdFile {
  let f: InstanceType<H5Module['File']>;
  try {
    f = new mod.File(resolve(path), 'r');
  } catch (err) {
    throw new DatasetFormatError({ file: path }, `not a readable HDF5 file: ${(err as Error).message}${diagnostics()}`);
  }
  try {
    const roots = f.keys();
    if (roots.length !== 1) throw new DatasetFormatError({ file: path }, `expected one root group, found ${roots.length}: ${roots.join(', ')}`);
    const root = roots[0];
    const data = f.get(`${root}/data`);
    if (!(data instanceof mod.Group)) throw new DatasetFormatError({ file: path, key: `/${root}/data` }, 'missing data group');
    const metadata: Record<string, string> = {};
    const meta = f.get(`${root}/metadata`);
    if (meta instanceof mod.Group) {
      for (const k of meta.keys()) {
        const e = meta.get(k);
        if (e instanceof mod.Dataset) metadata[k] = text(e.value);
      }
    }
    const videos = new Map<string, CsdVideo>();
    let dim = -1;
    for (const vid of data.keys()) {
      const key = `/${root}/data/${vid}`;
      const fe = f.get(`${key}/features`);
      const iv = f.get(`${key}/intervals`);
      if (!(fe instanceof mod.Dataset) || !(iv instanceof mod.Dataset)) {
        throw new DatasetFormatError({ file: path, key }, 'expected datasets features and intervals');
      }
      const shape = fe.shape ?? [];
      if (shape.length !== 2) throw new DatasetFormatError({ file: path, key: `${key}/features` }, `expected rank 2, got [${shape.join(', ')}]`);
      const [frames, d] = shape;
      if (dim >= 0 && d !== dim) throw new DatasetFormatError({ file: path, key: `${key}/features` }, `has ${d} dims, other videos ${dim}`);
      dim = d;
      const features = Float32Array.from(fe.value as ArrayLike<number>);
      for (let i = 0; i < features.length; i++) if (!Number.isFinite(features[i])) features[i] = 0;
      const intervals = Float64Array.from(iv.value as ArrayLike<number>);
      if (intervals.length !== frames * 2) {
        throw new DatasetFormatError({ file: path, key: `${key}/intervals` }, `expected [${frames}, 2], got ${intervals.length} values`);
      }
      videos.set(vid, { features, intervals, frames, dim: d });
    }
    return { path, root, metadata, videos, dim: Math.max(dim, 0) };
  } catch (err) {
    if (err instanceof DatasetFormatError) throw err;
    throw new DatasetFormatError({ file: path }, `unreadable computational sequence: ${(err as Error).message}${diagnostics()}`);
  } finally {
    try {
      f.close();
    } catch {
      // a file HDF5 could not open has no handle to close; the error above says why
    }
  }
}

/** True when the file starts with the 8-byte HDF5 signature (user blocks are not supported). */
function hasHdf5Signature(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    return n === 8 && b.equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
  } finally {
    closeSync(fd);
  }
}
