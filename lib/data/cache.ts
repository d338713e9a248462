/**
 * A cache of parsed datasets in a fast binary form under kitPaths().cache (data/cache,
 * git-ignored). A 400 MB pickle takes seconds to parse; the cached form is read back as typed
 * array views of one Buffer.
 *
 * Key: SHA-256 of the source's absolute path, size, mtime, ctime, inode and the cache format
 * version, so an edited or replaced file is parsed again, even one rewritten with the same size
 * and its mtime set back (a write always moves ctime, which no user call can set). A cache that
 * cannot be written (a read-only or missing MMCKD_CACHE_DIR) is skipped: the dataset still loads. Writes go to a temporary name then `rename`, so a
 * crash never leaves a half-written entry; nothing is written when the load fails.
 *
 * File layout: 'MMCKDC01' magic, u32 little-endian header length, JSON header, zero padding to
 * 8 bytes, then the arrays (labels, per modality data and lengths) each at an 8-byte-aligned
 * offset recorded in the header.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { kitPaths } from '../paths';
import { removeStaleTempFiles } from '../io/stale-temp-files';
import { MODALITIES, type Modality } from './modalities';
import { SPLIT_NAMES, type ModalityFeatures, type MultimodalDataset, type MultimodalSplit, type SplitName } from './types';

const MAGIC = 'MMCKDC01';
/** Bump when the layout or the loaders' output changes, to invalidate old entries. */
const CACHE_FORMAT_VERSION = 1;

interface ArrayRef {
  offset: number;
  length: number;
}

interface Header {
  version: number;
  meta: MultimodalDataset['meta'];
  splits: Record<SplitName, {
    ids: string[];
    labels: ArrayRef;
    features: Record<Modality, { numClips: number; seqLen: number; dim: number; data: ArrayRef; lengths: ArrayRef }>;
  }>;
}

/** Returns the cache file path for a source file (it need not exist yet). */
export function cacheFileFor(sourcePath: string, cacheDir = kitPaths().cache): string {
  const abs = resolve(sourcePath);
  const st = statSync(abs);
  const key = createHash('sha256').update(`${abs}|${st.size}|${st.mtimeMs}|${st.ctimeMs}|${st.dev}:${st.ino}|v${CACHE_FORMAT_VERSION}`).digest('hex').slice(0, 20);
  return join(cacheDir, `${basename(abs).replace(/[^A-Za-z0-9._-]/g, '_')}-${key}.mmckd`);
}

/** Writes a dataset to `file` through a temporary name; returns the file. */
export function writeDatasetCache(dataset: MultimodalDataset, file: string): string {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (a: Float32Array | Int32Array): ArrayRef => {
    const ref = { offset, length: a.length };
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    offset += a.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      chunks.push(new Uint8Array(pad));
      offset += pad;
    }
    return ref;
  };
  const splits = {} as Header['splits'];
  for (const s of SPLIT_NAMES) {
    const sp = dataset[s];
    const features = {} as Header['splits'][SplitName]['features'];
    for (const m of MODALITIES) {
      const f = sp.features[m];
      features[m] = { numClips: f.numClips, seqLen: f.seqLen, dim: f.dim, data: add(f.data), lengths: add(f.lengths) };
    }
    splits[s] = { ids: sp.ids, labels: add(sp.labels), features };
  }
  const meta = { ...dataset.meta, source: dataset.meta.source };
  const header: Header = { version: CACHE_FORMAT_VERSION, meta, splits };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headLen = 8 + 4 + json.length;
  const headPad = (8 - (headLen % 8)) % 8;
  const head = Buffer.alloc(headLen + headPad);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 8);
  json.copy(head, 12);
  mkdirSync(resolve(file, '..'), { recursive: true });
  removeStaleTempFiles(resolve(file, '..')); // left by writers killed mid-way
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    for (const c of chunks) writeSync(fd, c);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}

/** Reads a dataset written by `writeDatasetCache`; arrays are views of one Buffer when aligned. */
export function readDatasetCache(file: string): MultimodalDataset {
  const buf = readFileSync(file);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file}: not a kit cache file`);
  const jsonLen = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + jsonLen)) as Header;
  if (header.version !== CACHE_FORMAT_VERSION) throw new Error(`${file}: cache version ${header.version}, expected ${CACHE_FORMAT_VERSION}`);
  const headLen = 12 + jsonLen;
  const base = headLen + ((8 - (headLen % 8)) % 8);
  const f32 = (r: ArrayRef): Float32Array => {
    const at = buf.byteOffset + base + r.offset;
    if (base + r.offset + r.length * 4 > buf.length) throw new Error(`${file}: truncated cache file`);
    return at % 4 === 0 ? new Float32Array(buf.buffer, at, r.length) : new Float32Array(new Uint8Array(buf.buffer, at, r.length * 4).slice().buffer);
  };
  const i32 = (r: ArrayRef): Int32Array => new Int32Array(f32(r).buffer, f32(r).byteOffset, r.length);
  const out = {} as Record<SplitName, MultimodalSplit>;
  for (const s of SPLIT_NAMES) {
    const h = header.splits[s];
    const features = {} as Record<Modality, ModalityFeatures>;
    for (const m of MODALITIES) {
      const f = h.features[m];
      features[m] = { numClips: f.numClips, seqLen: f.seqLen, dim: f.dim, data: f32(f.data), lengths: i32(f.lengths) };
    }
    out[s] = { name: s, ids: h.ids, labels: f32(h.labels), features };
  }
  return { meta: { ...header.meta, details: { ...(header.meta.details ?? {}), cachedFrom: header.meta.source, cacheFile: file } }, ...out };
}

/** Options of `cachedLoad`. */
export interface CacheOptions {
  /** Folder of the cache (default kitPaths().cache). */
  cacheDir?: string;
  /** false: neither read nor write the cache. */
  cache?: boolean;
}

/**
 * Returns the dataset from the cache when an entry for this exact file exists, else calls
 * `load`, stores its result and returns it. A failed load stores nothing.
 */
export function cachedLoad(sourcePath: string, load: () => MultimodalDataset, options: CacheOptions = {}): { dataset: MultimodalDataset; fromCache: boolean; cacheFile?: string; cacheError?: string } {
  if (options.cache === false) return { dataset: load(), fromCache: false };
  const file = cacheFileFor(sourcePath, options.cacheDir);
  if (existsSync(file)) {
    try {
      return { dataset: readDatasetCache(file), fromCache: true, cacheFile: file };
    } catch {
      // a stale or damaged entry: parse the source again and overwrite it
    }
  }
  const dataset = load();
  try {
    writeDatasetCache(dataset, file);
  } catch (err) {
    // the dataset loaded; only its cache could not be kept
    return { dataset, fromCache: false, cacheError: `cannot write the cache ${file}: ${(err as Error).message}` };
  }
  return { dataset, fromCache: false, cacheFile: file };
}
