/**
 * A tiny protocol-2 pickle writer for tests: builds MMSA-shaped files (and hostile variants) in
 * the test itself, with numpy arrays as `numpy.core.numeric._frombuffer(bytes, dtype, shape, 'C')`.
 */

/** A numpy array to write. */
export class PyArray {
  constructor(
    readonly dtype: string,
    readonly shape: number[],
    readonly raw: Uint8Array,
  ) {}
  /** A float32 array of the given shape and values. */
  static f4(shape: number[], values: ArrayLike<number>): PyArray {
    const data = Float32Array.from(values);
    return new PyArray('<f4', shape, new Uint8Array(data.buffer));
  }
}

/** A Python tuple to write. */
export class PyTupleValue {
  constructor(readonly items: PyValue[]) {}
}

/** Values the writer understands. */
export type PyValue = null | boolean | number | string | PyValue[] | PyTupleValue | Map<string, PyValue> | PyArray;

const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const str = (s: string): number[] => {
  const b = [...Buffer.from(s, 'utf8')];
  return [0x58, ...u32(b.length), ...b];
};

function write(v: PyValue, out: number[]): void {
  if (v === null) out.push(0x4e);
  else if (v === true) out.push(0x88);
  else if (v === false) out.push(0x89);
  else if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`pickle-writer: only int32 numbers, got ${v}`);
    out.push(0x4a, ...u32(v >>> 0));
  } else if (typeof v === 'string') out.push(...str(v));
  else if (Array.isArray(v)) {
    out.push(0x5d, 0x28);
    for (const x of v) write(x, out);
    out.push(0x65);
  } else if (v instanceof PyTupleValue) {
    out.push(0x28);
    for (const x of v.items) write(x, out);
    out.push(0x74);
  } else if (v instanceof Map) {
    out.push(0x7d, 0x28);
    for (const [k, x] of v) {
      out.push(...str(k));
      write(x, out);
    }
    out.push(0x75);
  } else {
    out.push(...Buffer.from('cnumpy.core.numeric\n_frombuffer\n', 'latin1'), 0x28);
    out.push(0x42, ...u32(v.raw.length), ...v.raw);
    out.push(...Buffer.from('cnumpy\ndtype\n', 'latin1'), ...str(v.dtype), 0x89, 0x88, 0x87, 0x52);
    write(new PyTupleValue(v.shape), out);
    out.push(...str('C'), 0x74, 0x52);
  }
}

/** Returns the protocol-2 pickle of `value`. */
export function pickleBytes(value: PyValue): Uint8Array {
  const out = [0x80, 2];
  write(value, out);
  out.push(0x2e);
  return Uint8Array.from(out);
}

/** An MMSA-shaped split of `n` clips (T frames; dims 4/3/2), labels in [-3, 3]. */
export function mmsaSplit(n: number, T = 5, overrides: Record<string, PyValue> = {}): Map<string, PyValue> {
  const values = (count: number) => Array.from({ length: count }, (_, i) => ((i * 37) % 11) / 11 - 0.5);
  return new Map<string, PyValue>([
    ['text', PyArray.f4([n, T, 4], values(n * T * 4))],
    ['audio', PyArray.f4([n, T, 3], values(n * T * 3))],
    ['vision', PyArray.f4([n, T, 2], values(n * T * 2))],
    ['regression_labels', PyArray.f4([n], Array.from({ length: n }, (_, i) => (i % 7) - 3))],
    ...Object.entries(overrides),
  ]);
}

/** An MMSA-shaped pickle: train/valid/test with the given clip counts. */
export function mmsaPickle(counts: { train: number; valid: number; test: number }, splitOverrides: Partial<Record<'train' | 'valid' | 'test', Record<string, PyValue>>> = {}): Uint8Array {
  return pickleBytes(
    new Map<string, PyValue>([
      ['train', mmsaSplit(counts.train, 5, splitOverrides.train)],
      ['valid', mmsaSplit(counts.valid, 5, splitOverrides.valid)],
      ['test', mmsaSplit(counts.test, 5, splitOverrides.test)],
    ]),
  );
}
