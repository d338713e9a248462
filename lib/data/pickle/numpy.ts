/**
 * numpy arrays from pickle pieces: dtype strings, raw bytes, byte order and memory order. Every
 * conversion copies the raw bytes once into a fresh typed array (a view into the file buffer
 * might be misaligned), in bounded chunks so a large float64 array does not need a second full
 * copy, and checks that the bytes present match the declared shape before allocating.
 */
import { NdArray, type NdData, type NumpyDtype } from './values';

/** Options of the array conversion. */
export interface ArrayOptions {
  /** 'float32' turns every floating array into a Float32Array; 'keep' (default) keeps float64. */
  floatsAs?: 'keep' | 'float32';
}

/** A dtype under construction: `numpy.dtype(spec, align, copy)` then BUILD sets its byte order. */
export class DtypeBuilder {
  kind: string;
  itemSize: number;
  byteOrder: string;
  constructor(readonly spec: string) {
    const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(spec);
    if (!m) throw new Error(`unsupported numpy dtype '${spec}'`);
    this.byteOrder = m[1] || '=';
    // 'c' alone is numpy's old one-byte character code (S1); 'c8' / 'c16' are complex numbers
    if (m[2] === 'c' && m[3]) throw new Error(`complex arrays are not supported (dtype '${spec}', complex${Number(m[3]) * 8})`);
    this.kind = m[2] === 'c' ? 'S' : m[2];
    const n = m[3] ? Number(m[3]) : m[2] === 'c' ? 1 : 0;
    const defaults: Record<string, number> = { f: 8, i: 8, u: 8, b: 1, O: 8, U: 0, S: 0 };
    if (!(this.kind in defaults)) throw new Error(`unsupported numpy dtype '${spec}' (kind '${this.kind}')`);
    this.itemSize = this.kind === 'U' ? n * 4 : n || defaults[this.kind];
  }
  /** Applies numpy's dtype state tuple (version, byteorder, subarray, names, fields, elsize, ...). */
  setState(state: unknown[]): void {
    const order = state[1];
    if (typeof order === 'string') this.byteOrder = order;
    if (state[2] != null || state[3] != null || state[4] != null) {
      throw new Error(`structured or sub-array dtypes are not supported (dtype '${this.spec}')`);
    }
    const elsize = state[5];
    if ((this.kind === 'U' || this.kind === 'S') && typeof elsize === 'number' && elsize > 0) this.itemSize = elsize;
  }
  /** Returns the finished dtype. */
  finish(): NumpyDtype {
    const little = this.byteOrder !== '>';
    const order = this.kind === 'b' || this.kind === 'O' || this.itemSize === 1 ? '|' : little ? '<' : '>';
    const size = this.kind === 'U' ? this.itemSize / 4 : this.itemSize;
    return { kind: this.kind, itemSize: this.itemSize, littleEndian: little, str: `${order}${this.kind}${size}` };
  }
}

const CHUNK = 1 << 20; // elements per conversion chunk

function swapInPlace(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

type View = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

function viewOf(kind: string, itemSize: number, buf: ArrayBuffer): View {
  const key = `${kind}${itemSize}`;
  switch (key) {
    case 'f4': return new Float32Array(buf);
    case 'f8': return new Float64Array(buf);
    case 'i1': return new Int8Array(buf);
    case 'i2': return new Int16Array(buf);
    case 'i4': return new Int32Array(buf);
    case 'i8': return new BigInt64Array(buf);
    case 'u1': case 'b1': return new Uint8Array(buf);
    case 'u2': return new Uint16Array(buf);
    case 'u4': return new Uint32Array(buf);
    case 'u8': return new BigUint64Array(buf);
    default: throw new Error(`unsupported numpy dtype kind '${kind}' with ${itemSize} bytes`);
  }
}

function numericTarget(dtype: NumpyDtype, size: number, options: ArrayOptions): Float32Array | Float64Array | Int32Array | Uint8Array {
  const { kind, itemSize } = dtype;
  if (kind === 'f') {
    if (itemSize === 2) throw new Error('float16 arrays are not supported');
    return itemSize === 4 || options.floatsAs === 'float32' ? new Float32Array(size) : new Float64Array(size);
  }
  if (kind === 'b') return new Uint8Array(size);
  if ((kind === 'i' && itemSize <= 4) || (kind === 'u' && itemSize <= 2)) return new Int32Array(size);
  return new Float64Array(size);
}

function convertNumeric(bytes: Uint8Array, dtype: NumpyDtype, size: number, options: ArrayOptions): NdData {
  const out = numericTarget(dtype, size, options);
  const { itemSize } = dtype;
  for (let start = 0; start < size; start += CHUNK) {
    const count = Math.min(CHUNK, size - start);
    // copy into a fresh, aligned buffer (Buffer#slice would return a view)
    const chunk = new Uint8Array(count * itemSize);
    chunk.set(bytes.subarray(start * itemSize, (start + count) * itemSize));
    if (!dtype.littleEndian && itemSize > 1) swapInPlace(chunk, itemSize);
    const view = viewOf(dtype.kind, itemSize, chunk.buffer);
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
      for (let i = 0; i < count; i++) {
        const v = view[i];
        if (v > 9007199254740991n || v < -9007199254740991n) throw new Error(`integer ${v} does not fit a JavaScript number`);
        out[start + i] = Number(v);
      }
    } else {
      out.set(view as ArrayLike<number>, start);
    }
  }
  return out;
}

function convertStrings(bytes: Uint8Array, dtype: NumpyDtype, size: number): string[] {
  const out: string[] = new Array(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < size; i++) {
    const base = i * dtype.itemSize;
    let s = '';
    if (dtype.kind === 'U') {
      for (let c = 0; c < dtype.itemSize; c += 4) {
        const cp = view.getUint32(base + c, dtype.littleEndian);
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
    } else {
      for (let c = 0; c < dtype.itemSize; c++) {
        const b = bytes[base + c];
        if (b === 0) break;
        s += String.fromCharCode(b);
      }
    }
    out[i] = s;
  }
  return out;
}

/** Reorders Fortran-order (column-major) data into C order for the given shape. */
function fortranToC<T extends { length: number; [i: number]: any }>(data: T, shape: number[], make: (n: number) => T): T {
  const n = data.length;
  const out = make(n);
  const k = shape.length;
  const fStride = new Array<number>(k);
  let s = 1;
  for (let j = 0; j < k; j++) {
    fStride[j] = s;
    s *= shape[j];
  }
  const idx = new Array<number>(k).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let j = 0; j < k; j++) f += idx[j] * fStride[j];
    out[c] = data[f];
    for (let j = k - 1; j >= 0; j--) {
      if (++idx[j] < shape[j]) break;
      idx[j] = 0;
    }
  }
  return out;
}

/** The largest element count the reader accepts for one array (2^31 - 1: 8 GiB of float32). */
const MAX_ARRAY_ELEMENTS = 2 ** 31 - 1;

/** The largest rank the reader accepts. */
const MAX_ARRAY_RANK = 32;

/** Checks a shape tuple; returns its element count. Throws for a count past MAX_ARRAY_ELEMENTS. */
export function checkShape(shape: unknown): number {
  if (!Array.isArray(shape) || shape.length > MAX_ARRAY_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    const text = JSON.stringify(shape, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(shape);
    throw new Error(`Expected an array shape of at most ${MAX_ARRAY_RANK} non-negative integers, but got ${text.length > 80 ? text.slice(0, 80) + '...' : text}`);
  }
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (size > MAX_ARRAY_ELEMENTS) {
    throw new Error(`array shape [${(shape as number[]).join(', ')}] declares ${size.toExponential(2)} elements, more than the limit of ${MAX_ARRAY_ELEMENTS}`);
  }
  return size;
}

/**
 * Builds an NdArray from raw bytes (or, for object arrays, a list of items). Throws when the
 * bytes present do not match the declared shape, before allocating anything.
 */
export function makeNdArray(dtype: NumpyDtype, shape: number[], fortran: boolean, raw: Uint8Array | unknown[], options: ArrayOptions): NdArray {
  const size = checkShape(shape);
  let data: NdData;
  if (dtype.kind === 'O') {
    if (!Array.isArray(raw)) throw new Error('object array without a list of items');
    if (raw.length !== size) throw new Error(`object array declares ${size} items but holds ${raw.length}`);
    data = raw.slice();
  } else {
    if (!(raw instanceof Uint8Array)) throw new Error(`array of dtype ${dtype.str} without raw bytes`);
    if (dtype.itemSize === 0 && size > 0) {
      throw new Error(`array of dtype ${dtype.str} has zero-byte elements but declares ${size} of them: refused`);
    }
    const need = size * dtype.itemSize;
    if (raw.length !== need) {
      throw new Error(`array of dtype ${dtype.str} and shape [${shape.join(', ')}] needs ${need} bytes but the pickle holds ${raw.length}`);
    }
    data = dtype.kind === 'U' || dtype.kind === 'S' ? convertStrings(raw, dtype, size) : convertNumeric(raw, dtype, size, options);
  }
  if (fortran && shape.length > 1 && size > 0) {
    const src = data;
    const make = (n: number): NdData => (Array.isArray(src) ? new Array(n) : new (src.constructor as new (n: number) => Float32Array)(n));
    data = fortranToC(src as Float32Array, shape, make as (n: number) => Float32Array);
  }
  return new NdArray(dtype, shape.slice(), data);
}

/** Converts a numpy scalar (`scalar(dtype, bytes)`) to a JavaScript number, boolean or string. */
export function makeScalar(dtype: NumpyDtype, raw: unknown, options: ArrayOptions): unknown {
  if (dtype.kind === 'O') return raw;
  if (!(raw instanceof Uint8Array)) throw new Error(`numpy scalar of dtype ${dtype.str} without raw bytes`);
  const a = makeNdArray(dtype, [], false, raw, { ...options, floatsAs: 'keep' });
  const v = (a.data as ArrayLike<unknown>)[0];
  return dtype.kind === 'b' ? v === 1 : v;
}
