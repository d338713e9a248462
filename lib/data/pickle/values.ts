/**
 * The JavaScript values the safe unpickler produces. Python dicts become `Map`s, lists and tuples
 * become arrays (tuples are marked), bytes become `Uint8Array` views, numpy arrays become `NdArray`.
 */

/** A numpy dtype as the reader understands it. */
export interface NumpyDtype {
  /** numpy's kind letter: 'f' float, 'i' signed int, 'u' unsigned, 'b' bool, 'U' unicode, 'S' bytes, 'O' object. */
  kind: string;
  /** Bytes per element. */
  itemSize: number;
  /** True when the stored bytes are little-endian (numpy '<' or '|'). */
  littleEndian: boolean;
  /** The dtype string as numpy spells it, e.g. '<f4'. */
  str: string;
}

/** The element storage of an `NdArray`, by dtype. */
export type NdData = Float32Array | Float64Array | Int32Array | Uint8Array | string[] | unknown[];

/**
 * A numpy array read from a pickle, in C order. Floats stay float32 / float64 (or all become
 * float32 with `floatsAs: 'float32'`); int8..int32 and uint8/uint16 become Int32Array;
 * int64 / uint32 / uint64 become Float64Array (exact up to 2^53, larger values are an error);
 * bool becomes Uint8Array; 'U' and 'S' strings become string[]; object arrays keep their items.
 */
export class NdArray {
  constructor(
    readonly dtype: NumpyDtype,
    readonly shape: number[],
    readonly data: NdData,
  ) {}
  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A Python tuple: an array with a marker so dict keys and error messages can tell. */
export type PyTuple = unknown[] & { readonly __tuple__: true };

/** Makes a tuple value from items. */
export function tuple(items: unknown[]): PyTuple {
  return Object.assign(items, { __tuple__: true as const });
}

/** A reference to an allowed Python global, before it is called. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/** The placeholder `_reconstruct` returns; BUILD turns its state into an NdArray. */
export class PendingArray {
  constructor(readonly kind: 'ndarray') {}
}

/** Returns a short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof NdArray) return `ndarray ${v.dtype.str} [${v.shape.join(', ')}]`;
  if (v instanceof Map) return `dict with ${v.size} keys`;
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (Array.isArray(v)) return `${'__tuple__' in v ? 'tuple' : 'list'} of ${v.length}`;
  if (v instanceof PyGlobal) return `global ${v.module}.${v.name}`;
  return typeof v;
}
