/**
 * Reader of CMU-MultimodalSDK computational sequences (`.csd`, HDF5) through h5wasm:
 * `/<root>/data/<video_id>/{features, intervals}` and `/<root>/metadata`. A .csd file holds ONE
 * modality (e.g. COVAREP audio, FACET vision, glove/BERT text) for many videos, at its own frame
 * rate; word-level alignment of several files (the SDK's `align` onto a text sequence) is out of
 * scope here: combine aligned features into an MMSA-style pickle instead (data/README.md).
 * The file is untrusted, like a pickle: lib/data/hdf5-guard.ts keeps HDF5 from opening any other
 * file, and `loadCsd` checks every dataset's type, filters and declared size before reading.
 * @see notebooks/01-data-prep.ipynb
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { importEsm } from '../io/esm';
import { yieldToEventLoop } from '../io/event-loop';
import { DatasetFormatError } from './errors';
import { hdf5Guard } from './hdf5-guard';
import { checkDatasetFile } from './read-file';

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

/** Options of `loadCsd`. */
export interface CsdReadOptions {
  /**
   * Most bytes the decoded features and intervals may take (float32 features, float64
   * intervals), summed over what the file declares before anything is read (default
   * DEFAULT_CSD_MAX_BYTES). A small file can declare terabytes (unwritten chunks, compression).
   */
  maxBytes?: number;
}

/**
 * Default budget of `loadCsd`: 8 GiB of decoded data, that is a file of up to 16 GiB of float64
 * features (the CMU-MOSEI sequences the SDK distributes are a few GB each); raise it with
 * `maxBytes` (`mmckd data inspect --csd-max-gib`).
 */
export const DEFAULT_CSD_MAX_BYTES = 8 * 2 ** 30;

/** HDF5 filters that h5wasm decodes (deflate, shuffle, fletcher32, nbit, scaleoffset); any other (LZF, blosc, szip ...) is refused. */
const DECODABLE_FILTERS = new Map([[1, 'deflate'], [2, 'shuffle'], [3, 'fletcher32'], [5, 'nbit'], [6, 'scaleoffset']]);

/** HDF5 datatype classes by number (H5T_class_t). */
const TYPE_CLASSES = ['integer', 'float', 'time', 'string', 'bitfield', 'opaque', 'compound', 'reference', 'enum', 'variable-length', 'array'];

/** Videos read between two yields to the event loop (so signals are handled while a large file loads). */
const VIDEOS_PER_YIELD = 8;

/** Returns a byte count in GiB for messages. */
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;

/**
 * Reads a .csd file: every video's features and intervals, and the metadata strings. The file is
 * untrusted: it may open no other file (external storage, external links and virtual datasets are
 * refused by name), every features and intervals dataset must be of a numeric type with filters
 * the reader decodes, and the sizes it declares are summed and checked against
 * `options.maxBytes` before any data is read. Throws DatasetFormatError naming the file and the
 * HDF5 path at fault.
 * @see notebooks/01-data-prep.ipynb
 */
export async function loadCsd(path: string, options: CsdReadOptions = {}): Promise<CsdFile> {
  const maxBytes = options.maxBytes ?? DEFAULT_CSD_MAX_BYTES;
  if (!(maxBytes > 0)) throw new Error(`Expected maxBytes to be a positive number, but got ${maxBytes}`);
  if (!existsSync(path)) throw new DatasetFormatError({ file: path }, 'file not found');
  checkDatasetFile(path); // a FIFO or a device would block or never end
  if (!hasHdf5Signature(path)) throw new DatasetFormatError({ file: path }, 'not an HDF5 file (no HDF5 signature at the start)');
  const mod = await loadH5wasm();
  return readCsd(mod, path, maxBytes);
}

type H5Dataset = InstanceType<H5Module['Dataset']>;
type H5File = InstanceType<H5Module['File']>;

/**
 * Returns the entity at `key`, refusing a link that leaves the file by name. The link is looked
 * at without following it (h5wasm's `get` follows it, which opens the other file); `key`'s
 * parents must have been checked first.
 */
function entityAt(f: H5File, path: string, key: string): unknown {
  const link = f.get_external_link(key) as { filename?: string; obj_path?: string } | undefined;
  if (link?.filename !== undefined) {
    throw new DatasetFormatError({ file: path, key }, `is an external link to '${link.filename}:${link.obj_path}'; the kit reads only the .csd file itself`);
  }
  return f.get(key);
}

/** Checks that a dataset decodes to numbers, reading none of its data; returns its element count. */
function checkNumericDataset(ds: H5Dataset, path: string, key: string): number {
  const md = ds.metadata;
  if (md.virtual_sources && md.virtual_sources.length > 0) {
    throw new DatasetFormatError({ file: path, key }, `is a virtual dataset reading other files (${md.virtual_sources.map((v) => v.file_name).join(', ')}); the kit reads only the .csd file itself`);
  }
  if ((md.type !== 0 && md.type !== 1) || md.vlen) {
    const kind = `${md.vlen ? 'variable-length ' : ''}${TYPE_CLASSES[md.type] ?? `class ${md.type}`}`;
    throw new DatasetFormatError({ file: path, key }, `has dtype ${kind}, which the reader cannot decode to numbers (expected float or integer)`);
  }
  if (md.type === 1 && md.size !== 4 && md.size !== 8) throw new DatasetFormatError({ file: path, key }, `has dtype float${md.size * 8}, which the reader cannot decode (expected float32 or float64)`);
  for (const filter of ds.filters) {
    if (!DECODABLE_FILTERS.has(filter.id)) {
      throw new DatasetFormatError({ file: path, key }, `is compressed with HDF5 filter ${filter.id} ('${filter.name}'), which the reader cannot decode (it decodes ${[...DECODABLE_FILTERS.values()].join(', ')})`);
    }
  }
  return (md.shape ?? []).reduce((a, b) => a * b, 1);
}

/** Fills `out` with a dataset's values as numbers (int64 through Number: exact up to 2^53) and returns it. */
function numericValues<T extends Float32Array | Float64Array>(ds: H5Dataset, out: T, path: string, key: string): T {
  const v = ds.value as ArrayLike<number | bigint> | null;
  if (!v || v.length !== out.length) throw new DatasetFormatError({ file: path, key }, `declares ${out.length} values but ${v?.length ?? 0} were read`);
  for (let i = 0; i < out.length; i++) out[i] = Number(v[i]);
  return out;
}

/** One video as planned: its checked datasets and shape, nothing read yet. */
interface PlannedVideo {
  vid: string;
  key: string;
  fe: H5Dataset;
  iv: H5Dataset;
  frames: number;
  dim: number;
}

async function readCsd(mod: H5Module, path: string, maxBytes: number): Promise<CsdFile> {
  const guard = hdf5Guard(path);
  // Runs one synchronous step; a step that made HDF5 open another file is refused, naming both.
  const step = <T>(key: string | undefined, read: () => T, why = 'external storage, an external link or a virtual dataset'): T => {
    guard.clearRefused();
    let result: T | undefined;
    try {
      result = guard.run(read);
    } catch (err) {
      if (guard.refused.length === 0) throw err;
    }
    if (guard.refused.length > 0) {
      throw new DatasetFormatError({ file: path, key }, `makes HDF5 open another file, '${guard.refused[0]}' (${why}); the kit reads only the .csd file itself`);
    }
    return result as T;
  };
  let f: H5File;
  try {
    f = step(undefined, () => new mod.File(resolve(path), 'r'));
  } catch (err) {
    if (err instanceof DatasetFormatError) throw err;
    throw new DatasetFormatError({ file: path }, `not a readable HDF5 file: ${(err as Error).message}${guard.diagnostics()}`);
  }
  try {
    const roots = step(undefined, () => f.keys());
    if (roots.length !== 1) throw new DatasetFormatError({ file: path }, `expected one root group, found ${roots.length}: ${roots.join(', ')}`);
    const root = roots[0];
    const data = step(`/${root}/data`, () => entityAt(f, path, `/${root}/data`));
    if (!(data instanceof mod.Group)) throw new DatasetFormatError({ file: path, key: `/${root}/data` }, 'missing data group');
    const metadata: Record<string, string> = {};
    const meta = step(`/${root}/metadata`, () => entityAt(f, path, `/${root}/metadata`));
    if (meta instanceof mod.Group) {
      for (const k of step(`/${root}/metadata`, () => meta.keys())) {
        const key = `/${root}/metadata/${k}`;
        const e = step(key, () => entityAt(f, path, key));
        if (e instanceof mod.Dataset) metadata[k] = text(step(key, () => e.value));
      }
    }
    // Plan: every video's datasets checked and their declared sizes summed before any data is read.
    const plan: PlannedVideo[] = [];
    let dim = -1;
    let declared = 0;
    let largest = { key: '', bytes: 0 };
    const vids = step(`/${root}/data`, () => data.keys());
    for (const [i, vid] of vids.entries()) {
      if (i % (VIDEOS_PER_YIELD * 32) === 0) await yieldToEventLoop();
      const key = `/${root}/data/${vid}`;
      step(key, () => entityAt(f, path, key));
      const fe = step(`${key}/features`, () => entityAt(f, path, `${key}/features`));
      const iv = step(`${key}/intervals`, () => entityAt(f, path, `${key}/intervals`));
      if (!(fe instanceof mod.Dataset) || !(iv instanceof mod.Dataset)) {
        throw new DatasetFormatError({ file: path, key }, 'expected datasets features and intervals');
      }
      const shape = step(`${key}/features`, () => fe.shape ?? []);
      if (shape.length !== 2) throw new DatasetFormatError({ file: path, key: `${key}/features` }, `expected rank 2, got [${shape.join(', ')}]`);
      const [frames, d] = shape;
      if (dim >= 0 && d !== dim) throw new DatasetFormatError({ file: path, key: `${key}/features` }, `has ${d} dims, other videos ${dim}`);
      dim = d;
      const featureCount = step(`${key}/features`, () => checkNumericDataset(fe, path, `${key}/features`));
      const intervalCount = step(`${key}/intervals`, () => checkNumericDataset(iv, path, `${key}/intervals`));
      if (intervalCount !== frames * 2) {
        throw new DatasetFormatError({ file: path, key: `${key}/intervals` }, `expected [${frames}, 2], got ${intervalCount} values`);
      }
      const bytes = featureCount * 4 + intervalCount * 8; // float32 features, float64 intervals
      declared += bytes;
      if (bytes > largest.bytes) largest = { key, bytes };
      if (declared > maxBytes) {
        throw new DatasetFormatError({ file: path }, `declares at least ${gib(declared)} of features and intervals (the largest video so far, ${largest.key}, ${gib(largest.bytes)}), over the reader's budget of ${gib(maxBytes)}; if the file is genuine, raise the budget with loadCsd's maxBytes option (mmckd data inspect --csd-max-gib)`);
      }
      plan.push({ vid, key, fe, iv, frames, dim: d });
    }
    const videos = new Map<string, CsdVideo>();
    for (const [i, v] of plan.entries()) {
      if (i % VIDEOS_PER_YIELD === 0) await yieldToEventLoop();
      const external = 'its data is stored in another file: HDF5 external storage';
      const features = step(`${v.key}/features`, () => numericValues(v.fe, new Float32Array(v.frames * v.dim), path, `${v.key}/features`), external);
      for (let j = 0; j < features.length; j++) if (!Number.isFinite(features[j])) features[j] = 0;
      const intervals = step(`${v.key}/intervals`, () => numericValues(v.iv, new Float64Array(v.frames * 2), path, `${v.key}/intervals`), external);
      videos.set(v.vid, { features, intervals, frames: v.frames, dim: v.dim });
    }
    return { path, root, metadata, videos, dim: Math.max(dim, 0) };
  } catch (err) {
    if (err instanceof DatasetFormatError) throw err;
    throw new DatasetFormatError({ file: path }, `unreadable computational sequence: ${(err as Error).message}${guard.diagnostics()}`);
  } finally {
    try {
      guard.run(() => f.close());
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
