/**
 * Loader of MMSA feature pickles (`aligned_50.pkl`, `unaligned_50.pkl` of MOSI / MOSEI, SIMS
 * `unaligned_39.pkl`): {train, valid, test} -> text, audio, vision, regression_labels, id and,
 * when present, audio_lengths, vision_lengths, text_bert, raw_text. Key names follow MMSA's
 * data_loader.py exactly.
 *
 * Cleaning, as MMSA does: audio == -inf becomes 0 (`audio[audio == -np.inf] = 0`); the kit also
 * turns NaN and +-inf into 0 in every modality (MMSA only removes NaN after time averaging, which
 * the kit does not do). Float64 arrays become float32, as MMSA's `.astype(np.float32)`.
 *
 * Valid lengths: text from the attention-mask row of `text_bert` ([N, 3, T], row 1) when present,
 * else the position of the last non-zero frame + 1 (at least 1). Audio and vision from
 * `audio_lengths` / `vision_lengths` when present; else, in aligned files (same T as text), the
 * text length (MMSA uses the text_bert mask for aligned data); else the full length. Frames past
 * a clip's length are zeroed, so padding is exactly zero.
 * @see notebooks/01-data-prep.ipynb
 */
import { readDatasetFile } from './read-file';
import { checkDataset } from './check-dataset';
import { DatasetFormatError, listForMessage, PickleError } from './errors';
import { MODALITIES, type Modality } from './modalities';
import { NdArray, unpickle } from './pickle';
import { describeValue } from './pickle/values';
import { SPLIT_NAMES, type ModalityFeatures, type MultimodalDataset, type MultimodalSplit, type SplitName } from './types';

/** Options of `loadMmsaPickle`. */
export interface MmsaLoadOptions {
  /** Dataset name for meta.name (default: from the file name, e.g. 'aligned_50'). */
  name?: string;
}

/** Reads one array key of a split; throws naming file, split and key. */
function arrayAt(file: string, split: string, d: Map<unknown, unknown>, key: string, required: true): NdArray;
function arrayAt(file: string, split: string, d: Map<unknown, unknown>, key: string, required: false): NdArray | undefined;
function arrayAt(file: string, split: string, d: Map<unknown, unknown>, key: string, required: boolean): NdArray | undefined {
  const v = d.get(key);
  if (v === undefined) {
    if (!required) return undefined;
    throw new DatasetFormatError({ file, split, key }, `missing key (keys present: ${listForMessage(d.keys())})`);
  }
  if (v instanceof NdArray) return v;
  if (Array.isArray(v)) {
    // a Python list (MMSA writes some lengths as lists)
    const nums = v.map((x) => (typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : NaN));
    if (nums.some((x) => Number.isNaN(x))) {
      if (v.every((x) => typeof x === 'string')) return new NdArray({ kind: 'O', itemSize: 8, littleEndian: true, str: '|O' }, [v.length], v.slice());
      throw new DatasetFormatError({ file, split, key }, `expected an array of numbers, got a list with ${describeValue(v.find((x) => typeof x !== 'number'))}`);
    }
    return new NdArray({ kind: 'f', itemSize: 8, littleEndian: true, str: '<f8' }, [v.length], Float64Array.from(nums));
  }
  throw new DatasetFormatError({ file, split, key }, `expected a numpy array, got ${describeValue(v)}`);
}

function numeric(file: string, split: string, key: string, a: NdArray): ArrayLike<number> {
  if (Array.isArray(a.data)) throw new DatasetFormatError({ file, split, key }, `expected numbers, got dtype ${a.dtype.str}`);
  return a.data as ArrayLike<number>;
}

function toFloat32(x: ArrayLike<number>): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

function featureStream(file: string, split: string, m: Modality, a: NdArray, n: number): Float32Array {
  if (a.shape.length !== 3) {
    throw new DatasetFormatError({ file, split, key: m }, `expected rank 3 [clips, frames, dims], got shape [${a.shape.join(', ')}]`);
  }
  if (a.shape[0] !== n) {
    throw new DatasetFormatError({ file, split, key: m }, `has ${a.shape[0]} clips but regression_labels has ${n}`);
  }
  const data = toFloat32(numeric(file, split, m, a));
  // MMSA: audio[audio == -np.inf] = 0; the kit clears NaN and inf everywhere
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) data[i] = 0;
  return data;
}

function textLengths(data: Float32Array, n: number, T: number, D: number, bert: NdArray | undefined, file: string, split: string): Int32Array {
  const lengths = new Int32Array(n);
  if (bert) {
    if (bert.shape.length !== 3 || bert.shape[0] !== n || bert.shape[1] !== 3) {
      throw new DatasetFormatError({ file, split, key: 'text_bert' }, `expected shape [${n}, 3, T], got [${bert.shape.join(', ')}]`);
    }
    const Tb = bert.shape[2];
    const b = numeric(file, split, 'text_bert', bert);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < Tb; t++) {
        const v = b[(i * 3 + 1) * Tb + t];
        // an attention mask is 0 or 1; NaN would make every length 0 and train on nothing
        if (v !== 0 && v !== 1) throw new DatasetFormatError({ file, split, key: 'text_bert' }, `the attention mask text_bert[${i}, 1, ${t}] is ${v}, expected 0 or 1`);
        s += v;
      }
      lengths[i] = Math.max(1, Math.min(T, Math.round(s)));
    }
    return lengths;
  }
  for (let i = 0; i < n; i++) {
    let last = 0;
    for (let t = 0; t < T; t++) {
      const row = (i * T + t) * D;
      for (let d = 0; d < D; d++) {
        if (data[row + d] !== 0) {
          last = t + 1;
          break;
        }
      }
    }
    lengths[i] = Math.max(1, last);
  }
  return lengths;
}

function explicitLengths(file: string, split: string, key: string, a: NdArray, n: number, T: number): Int32Array {
  if (a.size !== n) throw new DatasetFormatError({ file, split, key }, `has ${a.size} entries but the split has ${n} clips`);
  const v = numeric(file, split, key, a);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] > T) {
      throw new DatasetFormatError({ file, split, key }, `clip ${i} has length ${v[i]}, expected an integer in [0, ${T}]`);
    }
    out[i] = v[i];
  }
  return out;
}

function zeroPadding(f: ModalityFeatures): void {
  const { numClips: n, seqLen: T, dim: D } = f;
  for (let i = 0; i < n; i++) f.data.fill(0, (i * T + f.lengths[i]) * D, (i + 1) * T * D);
}

function readSplit(file: string, split: SplitName, raw: unknown): { split: MultimodalSplit; extras: string[] } {
  if (!(raw instanceof Map)) throw new DatasetFormatError({ file, split }, `expected a dict, got ${describeValue(raw)}`);
  const d = raw as Map<unknown, unknown>;
  const labelsArr = arrayAt(file, split, d, 'regression_labels', true);
  const n = labelsArr.shape[0] ?? 0;
  if (labelsArr.size !== n || (labelsArr.shape.length !== 1 && !(labelsArr.shape.length === 2 && labelsArr.shape[1] === 1))) {
    throw new DatasetFormatError({ file, split, key: 'regression_labels' }, `expected shape [N] or [N, 1], got [${labelsArr.shape.join(', ')}]`);
  }
  const labels = Float32Array.from(numeric(file, split, 'regression_labels', labelsArr));
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= -3 - 1e-6 && labels[i] <= 3 + 1e-6)) {
      throw new DatasetFormatError({ file, split, key: 'regression_labels' }, `clip ${i} has label ${labels[i]}, outside [-3, 3]`);
    }
  }
  const arrays = {} as Record<Modality, NdArray>;
  for (const m of MODALITIES) arrays[m] = arrayAt(file, split, d, m, true);
  const features = {} as Record<Modality, ModalityFeatures>;
  const text = arrays.text;
  const textData = featureStream(file, split, 'text', text, n);
  const [, Tt, Dt] = text.shape;
  const bert = arrayAt(file, split, d, 'text_bert', false);
  features.text = { data: textData, numClips: n, seqLen: Tt, dim: Dt, lengths: textLengths(textData, n, Tt, Dt, bert, file, split) };
  for (const m of ['audio', 'vision'] as const) {
    const a = arrays[m];
    const data = featureStream(file, split, m, a, n);
    const [, T, D] = a.shape;
    const key = `${m}_lengths`;
    const given = arrayAt(file, split, d, key, false);
    const lengths = given
      ? explicitLengths(file, split, key, given, n, T)
      : T === Tt
        ? features.text.lengths.slice()
        : new Int32Array(n).fill(T);
    features[m] = { data, numClips: n, seqLen: T, dim: D, lengths };
  }
  for (const m of MODALITIES) zeroPadding(features[m]);
  const idArr = arrayAt(file, split, d, 'id', false);
  let ids: string[];
  if (idArr) {
    if (idArr.size !== n) throw new DatasetFormatError({ file, split, key: 'id' }, `has ${idArr.size} ids but the split has ${n} clips`);
    ids = Array.from(idArr.data as ArrayLike<unknown>, (x) => String(x));
  } else {
    ids = Array.from({ length: n }, (_, i) => `${split}_${i}`);
  }
  return { split: { name: split, ids, labels, features }, extras: [...d.keys()].map(String) };
}

/**
 * Parses MMSA pickle bytes already in memory; `file` names the source in errors.
 * @see notebooks/01-data-prep.ipynb
 */
export function parseMmsaPickle(bytes: Uint8Array, file: string, options: MmsaLoadOptions = {}): MultimodalDataset {
  let root: unknown;
  try {
    root = unpickle(bytes, { floatsAs: 'float32' });
  } catch (err) {
    if (err instanceof PickleError) throw new DatasetFormatError({ file }, `not a readable MMSA pickle: ${err.message}`);
    // e.g. RangeError from an allocation the limits did not foresee: still name the file
    throw new DatasetFormatError({ file }, `not a readable MMSA pickle: ${(err as Error).message}`);
  }
  if (!(root instanceof Map)) throw new DatasetFormatError({ file }, `expected a dict of splits, got ${describeValue(root)}`);
  const splits = {} as Record<SplitName, MultimodalSplit>;
  const keys: Record<string, string[]> = {};
  for (const s of SPLIT_NAMES) {
    if (!root.has(s)) {
      throw new DatasetFormatError({ file, split: s }, `missing split (keys present: ${listForMessage(root.keys())})`);
    }
    const r = readSplit(file, s, root.get(s));
    splits[s] = r.split;
    keys[s] = r.extras;
  }
  const dims = {} as Record<Modality, number>;
  const seqLens = {} as Record<Modality, number>;
  for (const m of MODALITIES) {
    for (const s of SPLIT_NAMES) {
      const f = splits[s].features[m];
      if (s !== 'train' && f.dim !== dims[m]) {
        throw new DatasetFormatError({ file, split: s, key: m }, `has ${f.dim} features per frame but train has ${dims[m]}`);
      }
      dims[m] = f.dim;
      seqLens[m] = Math.max(seqLens[m] ?? 0, f.seqLen);
    }
  }
  const aligned = MODALITIES.every((m) => SPLIT_NAMES.every((s) => splits[s].features[m].seqLen === splits[s].features.text.seqLen));
  const base = file.split(/[\\/]/).pop() ?? file;
  return checkDataset({
    meta: {
      name: options.name ?? base.replace(/\.pkl$/, ''),
      source: 'mmsa-pickle',
      path: file,
      aligned,
      dims,
      seqLens,
      details: { keys, hasTextBert: keys.train.includes('text_bert') },
    },
    train: splits.train,
    valid: splits.valid,
    test: splits.test,
  }, file);
}

/**
 * Reads an MMSA feature pickle from disk (the file is read once into one Buffer).
 * Throws DatasetFormatError naming the file, split and key at fault.
 * @see notebooks/01-data-prep.ipynb
 */
export function loadMmsaPickle(path: string, options: MmsaLoadOptions = {}): MultimodalDataset {
  let bytes: Buffer;
  bytes = readDatasetFile(path);
  return parseMmsaPickle(bytes, path, options);
}
