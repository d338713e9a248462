/**
 * Exports a dataset as plain arrays that any language can read (numpy: `np.fromfile`), so that a
 * reference model outside the kit (bench/reference_learner.py) trains on exactly the arrays the
 * kit trains on: pass `standardizeDataset(raw).dataset`, as the CLI does.
 *
 * Folder layout (every array raw, little-endian, row-major, no header):
 *
 *   manifest.json                 format, version, kit version, dataset meta, one entry per file
 *   <split>/ids.json              clip ids, a JSON array of strings
 *   <split>/labels.f32.bin        [N] float32 regression labels
 *   <split>/<modality>.f32.bin    [N, T_m, D_m] float32 features, zeros at padding frames
 *   <split>/<modality>.lengths.i32.bin   [N] int32 valid lengths
 *
 * Each file entry records dtype (numpy's '<f4' / '<i4', or 'json'), shape, byte size and SHA-256,
 * so a reader can refuse a truncated, edited or mismatched file by name. The folder is written
 * under a temporary name beside the target and renamed into place, so a crash leaves either the
 * old export or the new one, never half of one (`writeFolderAtomically`, shared with checkpoints).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { writeFolderAtomically } from '../io/atomic-folder';
import { kitVersions } from '../versions';
import { DatasetFormatError } from './errors';
import { MODALITIES, type Modality } from './modalities';
import { SPLIT_NAMES, type DatasetMeta, type ModalityFeatures, type MultimodalDataset, type MultimodalSplit, type SplitName } from './types';

/** The `format` field of every manifest this module writes. */
export const DATASET_ARRAYS_FORMAT = 'mmckd-dataset-arrays';

/** Bump when the layout changes; readers refuse other versions. */
export const DATASET_ARRAYS_VERSION = 1;

/** Name of the manifest file inside an export folder. */
const DATASET_ARRAYS_MANIFEST = 'manifest.json';

/** One exported file: where it is (relative to the folder), what it holds, and its checksum. */
export interface ExportedArrayFile {
  /** Path relative to the export folder, '/'-separated. */
  path: string;
  /** numpy dtype string ('<f4' float32, '<i4' int32, little-endian) or 'json'. */
  dtype: '<f4' | '<i4' | 'json';
  /** Array shape; [N] for ids.json (N strings). */
  shape: number[];
  /** File size in bytes. */
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The files of one split. */
export interface ExportedArraySplit {
  /** Clips in the split (N). */
  count: number;
  ids: ExportedArrayFile;
  labels: ExportedArrayFile;
  modalities: Record<Modality, { features: ExportedArrayFile; lengths: ExportedArrayFile }>;
}

/** The manifest.json of an export folder. */
export interface DatasetArraysManifest {
  format: typeof DATASET_ARRAYS_FORMAT;
  formatVersion: number;
  /** The kit that wrote it (lib/versions.ts). */
  kit: { version: string; commit?: string };
  createdAt: string;
  /** The dataset's meta: name, source, dims, seqLens, details (e.g. the generator config). */
  dataset: DatasetMeta;
  modalities: Modality[];
  splits: Record<SplitName, ExportedArraySplit>;
  /**
   * SHA-256 over the dataset meta and every file's path and checksum: two exports of the same
   * arrays share it whatever the kit version or the time. `exportDatasetArrays` reuses a folder by it.
   */
  contentHash: string;
}

/** Options of `exportDatasetArrays`. */
export interface ExportDatasetArraysOptions {
  /** Keep an existing export whose contentHash and file sizes match instead of rewriting it (default true). */
  reuse?: boolean;
}

/** What `exportDatasetArrays` did. */
export interface ExportDatasetArraysResult {
  /** Absolute path of the export folder. */
  dir: string;
  manifest: DatasetArraysManifest;
  /** True when a matching export was already there and nothing was written. */
  reused: boolean;
  /** Total bytes of the exported files (manifest excluded). */
  bytes: number;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Returns the little-endian bytes of a typed array (a view on little-endian hosts, a copy otherwise). */
function littleEndianBytes(a: Float32Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) view.setFloat32(i * 4, a[i], true);
    else view.setInt32(i * 4, a[i], true);
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fail(field: string, expected: string, got: unknown): never {
  throw new Error(`Expected ${field} to be ${expected}, but got ${typeof got === 'string' ? got : JSON.stringify(got)}`);
}

/** Throws naming the first field of a modality's features that does not fit the meta and the split size. */
function checkFeatures(f: ModalityFeatures | undefined, field: string, n: number, seqLen: number, dim: number): void {
  if (!f) fail(field, 'present', 'nothing');
  if (f.numClips !== n) fail(`${field}.numClips`, `${n} (the split's clip count)`, f.numClips);
  if (f.seqLen !== seqLen) fail(`${field}.seqLen`, `${seqLen} (meta.seqLens)`, f.seqLen);
  if (f.dim !== dim) fail(`${field}.dim`, `${dim} (meta.dims)`, f.dim);
  if (!(f.data instanceof Float32Array)) fail(`${field}.data`, 'a Float32Array', Object.prototype.toString.call(f.data));
  if (f.data.length !== n * seqLen * dim) fail(`${field}.data.length`, `${n * seqLen * dim} = ${n} x ${seqLen} x ${dim}`, f.data.length);
  if (!(f.lengths instanceof Int32Array) || f.lengths.length !== n) fail(`${field}.lengths`, `an Int32Array of length ${n}`, f.lengths?.length);
  for (let i = 0; i < n; i++) {
    if (f.lengths[i] < 0 || f.lengths[i] > seqLen) fail(`${field}.lengths[${i}]`, `in [0, ${seqLen}]`, f.lengths[i]);
  }
  for (let i = 0; i < f.data.length; i++) {
    if (!Number.isFinite(f.data[i])) fail(`${field}.data[${i}]`, 'finite', String(f.data[i]));
  }
}

/** Throws naming the first field of a split that does not fit the meta or its own clip count. */
function checkSplit(split: MultimodalSplit | undefined, name: SplitName, meta: DatasetMeta): void {
  if (!split) fail(`dataset.${name}`, 'a split', 'nothing');
  if (!Array.isArray(split.ids) || split.ids.some((id) => typeof id !== 'string')) fail(`${name}.ids`, 'an array of strings', typeof split.ids);
  const n = split.ids.length;
  if (!(split.labels instanceof Float32Array) || split.labels.length !== n) fail(`${name}.labels`, `a Float32Array of length ${n} (one per id)`, split.labels?.length);
  for (let i = 0; i < n; i++) if (!Number.isFinite(split.labels[i])) fail(`${name}.labels[${i}]`, 'finite', String(split.labels[i]));
  for (const m of MODALITIES) checkFeatures(split.features?.[m], `${name}.features.${m}`, n, meta.seqLens[m], meta.dims[m]);
}

/** Throws "Expected <field> to be ..., but got ..." for the first inconsistency of a dataset; returns nothing. */
function validateDatasetForExport(dataset: MultimodalDataset): void {
  const meta = dataset?.meta;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') fail('dataset.meta.name', 'a non-empty string', meta?.name);
  for (const m of MODALITIES) {
    if (!Number.isInteger(meta.dims?.[m]) || meta.dims[m] < 1) fail(`meta.dims.${m}`, 'a positive integer', meta.dims?.[m]);
    if (!Number.isInteger(meta.seqLens?.[m]) || meta.seqLens[m] < 1) fail(`meta.seqLens.${m}`, 'a positive integer', meta.seqLens?.[m]);
  }
  for (const s of SPLIT_NAMES) checkSplit(dataset[s], s, meta);
}

/** Returns the manifest's dataset entry: the meta with its fields in a fixed order (JSON-safe). */
function metaEntry(meta: DatasetMeta): DatasetMeta {
  const entry: DatasetMeta = { name: meta.name, source: meta.source, aligned: meta.aligned, dims: { ...meta.dims }, seqLens: { ...meta.seqLens } };
  if (meta.path !== undefined) entry.path = meta.path;
  if (meta.details !== undefined) entry.details = JSON.parse(JSON.stringify(meta.details)) as Record<string, unknown>;
  return entry;
}

/** Returns the manifest's contentHash: dataset meta plus every file's path and checksum. */
function contentHashOf(dataset: DatasetMeta, splits: Record<SplitName, ExportedArraySplit>): string {
  const h = createHash('sha256').update(JSON.stringify(dataset));
  for (const s of SPLIT_NAMES) {
    const sp = splits[s];
    const files = [sp.ids, sp.labels, ...MODALITIES.flatMap((m) => [sp.modalities[m].features, sp.modalities[m].lengths])];
    for (const f of files) h.update(`${f.path}:${f.sha256}\n`);
  }
  return h.digest('hex');
}

/** Plans an export: the bytes of every file and the manifest, without touching the disk. */
function planExport(dataset: MultimodalDataset): { manifest: DatasetArraysManifest; contents: Map<string, Uint8Array> } {
  const contents = new Map<string, Uint8Array>();
  const add = (path: string, dtype: ExportedArrayFile['dtype'], shape: number[], bytes: Uint8Array): ExportedArrayFile => {
    contents.set(path, bytes);
    return { path, dtype, shape, bytes: bytes.byteLength, sha256: sha256(bytes) };
  };
  const splits = {} as Record<SplitName, ExportedArraySplit>;
  for (const s of SPLIT_NAMES) {
    const sp = dataset[s];
    const n = sp.ids.length;
    const modalities = {} as ExportedArraySplit['modalities'];
    for (const m of MODALITIES) {
      const f = sp.features[m];
      modalities[m] = {
        features: add(`${s}/${m}.f32.bin`, '<f4', [n, f.seqLen, f.dim], littleEndianBytes(f.data)), // [N, T, D]
        lengths: add(`${s}/${m}.lengths.i32.bin`, '<i4', [n], littleEndianBytes(f.lengths)),
      };
    }
    splits[s] = {
      count: n,
      ids: add(`${s}/ids.json`, 'json', [n], Buffer.from(JSON.stringify(sp.ids) + '\n', 'utf8')),
      labels: add(`${s}/labels.f32.bin`, '<f4', [n], littleEndianBytes(sp.labels)),
      modalities,
    };
  }
  const meta = metaEntry(dataset.meta);
  const versions = kitVersions();
  const manifest: DatasetArraysManifest = {
    format: DATASET_ARRAYS_FORMAT,
    formatVersion: DATASET_ARRAYS_VERSION,
    kit: versions.commit ? { version: versions.kit, commit: versions.commit } : { version: versions.kit },
    createdAt: new Date().toISOString(),
    dataset: meta,
    modalities: [...MODALITIES],
    splits,
    contentHash: contentHashOf(meta, splits),
  };
  return { manifest, contents };
}

/** Returns the manifest of an existing export when its contentHash is `hash` and every file has its recorded size. */
function matchingExport(dir: string, hash: string): DatasetArraysManifest | undefined {
  const path = join(dir, DATASET_ARRAYS_MANIFEST);
  if (!existsSync(path)) return undefined;
  let manifest: DatasetArraysManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as DatasetArraysManifest;
  } catch {
    return undefined; // unreadable: rewrite it
  }
  if (manifest.format !== DATASET_ARRAYS_FORMAT || manifest.formatVersion !== DATASET_ARRAYS_VERSION || manifest.contentHash !== hash) return undefined;
  for (const f of manifestFiles(manifest)) {
    const file = join(dir, f.path);
    if (!existsSync(file) || statSync(file).size !== f.bytes) return undefined;
  }
  return manifest;
}

/** Returns every file entry of a manifest in a fixed order (per split: ids, labels, then per modality features and lengths). */
export function manifestFiles(manifest: DatasetArraysManifest): ExportedArrayFile[] {
  return SPLIT_NAMES.flatMap((s) => {
    const sp = manifest.splits[s];
    return [sp.ids, sp.labels, ...MODALITIES.flatMap((m) => [sp.modalities[m].features, sp.modalities[m].lengths])];
  });
}

/**
 * Writes `dataset` (normally `standardizeDataset(raw).dataset`) to the folder `dir` as raw
 * little-endian arrays plus manifest.json (see the module doc), atomically, and returns the
 * manifest. With `reuse` (the default) an existing export of the same arrays is kept as is.
 * Throws "Expected <field> to be ..., but got ..." on an inconsistent dataset, and refuses to
 * replace an existing folder that is not an export (no manifest.json of this format).
 */
export function exportDatasetArrays(dataset: MultimodalDataset, dir: string, options: ExportDatasetArraysOptions = {}): ExportDatasetArraysResult {
  if (typeof dir !== 'string' || dir === '') fail('dir', 'a folder path', dir);
  validateDatasetForExport(dataset);
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) fail('dir', 'a folder or a new path', `the file ${target}`);
    if (!existsSync(join(target, DATASET_ARRAYS_MANIFEST))) {
      throw new Error(`Refusing to replace ${target}: it exists and holds no ${DATASET_ARRAYS_MANIFEST}, so it is not a dataset export`);
    }
  }
  const { manifest, contents } = planExport(dataset);
  const bytes = [...contents.values()].reduce((sum, b) => sum + b.byteLength, 0);
  if (options.reuse ?? true) {
    const existing = matchingExport(target, manifest.contentHash);
    if (existing) return { dir: target, manifest: existing, reused: true, bytes };
  }
  writeFolderAtomically(target, (tmp) => {
    for (const s of SPLIT_NAMES) mkdirSync(join(tmp, s));
    for (const [path, content] of contents) writeFileSync(join(tmp, path), content);
    writeFileSync(join(tmp, DATASET_ARRAYS_MANIFEST), JSON.stringify(manifest, null, 1) + '\n'); // last: its presence marks a complete export
  });
  return { dir: target, manifest, reused: false, bytes };
}

/** Returns the bytes of one manifest entry after checking its path, size and SHA-256; throws DatasetFormatError naming the file. */
function readVerified(dir: string, f: ExportedArrayFile, split: SplitName, key: string): Buffer {
  const rel = normalize(f.path ?? '');
  if (!f.path || isAbsolute(f.path) || rel === '..' || rel.startsWith('..' + sep)) {
    throw new DatasetFormatError({ file: join(dir, DATASET_ARRAYS_MANIFEST), split, key }, `file path ${JSON.stringify(f.path)} is not inside the export folder`);
  }
  const file = join(dir, rel);
  if (!existsSync(file)) throw new DatasetFormatError({ file, split, key }, 'missing file (listed in manifest.json)');
  if (!['<f4', '<i4', 'json'].includes(f.dtype)) throw new DatasetFormatError({ file, split, key }, `unknown dtype ${JSON.stringify(f.dtype)} (expected '<f4', '<i4' or 'json')`);
  const itemSize = f.dtype === 'json' ? undefined : 4;
  const expected = itemSize === undefined ? f.bytes : f.shape.reduce((a, b) => a * b, 1) * itemSize;
  if (expected !== f.bytes) {
    throw new DatasetFormatError({ file, split, key }, `manifest says shape [${f.shape.join(', ')}] of ${f.dtype} (${expected} bytes) but ${f.bytes} bytes`);
  }
  const buf = readFileSync(file);
  if (buf.length !== f.bytes) throw new DatasetFormatError({ file, split, key }, `expected ${f.bytes} bytes (manifest.json), but the file has ${buf.length}`);
  const digest = sha256(buf);
  if (digest !== f.sha256) throw new DatasetFormatError({ file, split, key }, `SHA-256 ${digest} does not match manifest.json (${f.sha256})`);
  return buf;
}

/** Returns a copy of a file's bytes as an aligned ArrayBuffer in host byte order (files are little-endian). */
function hostOrderCopy(buf: Buffer, dtype: '<f4' | '<i4'): ArrayBuffer {
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer; // file buffers need not be 4-byte aligned
  if (!LITTLE_ENDIAN_HOST) {
    const view = new DataView(copy);
    for (let i = 0; i + 4 <= copy.byteLength; i += 4) {
      if (dtype === '<f4') view.setFloat32(i, view.getFloat32(i, true));
      else view.setInt32(i, view.getInt32(i, true));
    }
  }
  return copy;
}

/**
 * Reads an export folder back, checking every file against manifest.json (present, byte size,
 * shape, SHA-256) and the shapes against the dataset's dims and seqLens; returns the dataset and
 * the manifest. Throws DatasetFormatError naming the file at fault.
 */
export function readDatasetArrays(dir: string): { dataset: MultimodalDataset; manifest: DatasetArraysManifest } {
  const root = resolve(dir);
  const manifestPath = join(root, DATASET_ARRAYS_MANIFEST);
  if (!existsSync(manifestPath)) throw new DatasetFormatError({ file: manifestPath }, 'missing: not a dataset export folder');
  let manifest: DatasetArraysManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as DatasetArraysManifest;
  } catch (err) {
    throw new DatasetFormatError({ file: manifestPath }, `not valid JSON (${(err as Error).message})`);
  }
  if (manifest.format !== DATASET_ARRAYS_FORMAT || manifest.formatVersion !== DATASET_ARRAYS_VERSION) {
    throw new DatasetFormatError({ file: manifestPath }, `expected format ${DATASET_ARRAYS_FORMAT} version ${DATASET_ARRAYS_VERSION}, but got ${manifest.format} version ${manifest.formatVersion}`);
  }
  const meta = manifest.dataset;
  const out = {} as Record<SplitName, MultimodalSplit>;
  for (const s of SPLIT_NAMES) {
    const sp = manifest.splits?.[s];
    if (!sp) throw new DatasetFormatError({ file: manifestPath, split: s }, 'split missing from manifest.json');
    const n = sp.count;
    const ids = JSON.parse(readVerified(root, sp.ids, s, 'ids').toString('utf8')) as string[];
    if (!Array.isArray(ids) || ids.length !== n) throw new DatasetFormatError({ file: join(root, sp.ids.path), split: s, key: 'ids' }, `expected ${n} ids, but got ${Array.isArray(ids) ? ids.length : typeof ids}`);
    const labels = new Float32Array(hostOrderCopy(readVerified(root, sp.labels, s, 'labels'), '<f4'));
    if (labels.length !== n) throw new DatasetFormatError({ file: join(root, sp.labels.path), split: s, key: 'labels' }, `expected ${n} labels, but got ${labels.length}`);
    const features = {} as Record<Modality, ModalityFeatures>;
    for (const m of MODALITIES) {
      const entry = sp.modalities?.[m];
      if (!entry) throw new DatasetFormatError({ file: manifestPath, split: s, key: m }, 'modality missing from manifest.json');
      const want = [n, meta.seqLens[m], meta.dims[m]];
      if (entry.features.shape.join(',') !== want.join(',')) {
        throw new DatasetFormatError({ file: join(root, entry.features.path), split: s, key: m }, `expected shape [${want.join(', ')}] (count, seqLens, dims), but the manifest says [${entry.features.shape.join(', ')}]`);
      }
      const data = new Float32Array(hostOrderCopy(readVerified(root, entry.features, s, m), '<f4'));
      const lengths = new Int32Array(hostOrderCopy(readVerified(root, entry.lengths, s, `${m} lengths`), '<i4'));
      if (lengths.length !== n) throw new DatasetFormatError({ file: join(root, entry.lengths.path), split: s, key: m }, `expected ${n} lengths, but got ${lengths.length}`);
      features[m] = { data, numClips: n, seqLen: meta.seqLens[m], dim: meta.dims[m], lengths };
    }
    out[s] = { name: s, ids, labels, features };
  }
  return { dataset: { meta, train: out.train, valid: out.valid, test: out.test }, manifest };
}
