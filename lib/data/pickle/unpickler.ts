/**
 * A safe, minimal unpickler for the feature pickles MMSA publishes (protocols 2 to 5). It never
 * executes anything: GLOBAL / STACK_GLOBAL may only name the numpy array-reconstruction globals
 * in `ALLOWED_GLOBALS` (anything else is refused by module and name, before it could be
 * called), and REDUCE / BUILD / NEWOBJ only apply those known recipes. Lengths read from the
 * stream are checked against the bytes present before any slice or allocation.
 *
 * Opcodes follow CPython's Lib/pickle.py and pickletools.py (protocol 0 text opcodes other than
 * GLOBAL, PUT and GET are not supported: MMSA files are binary pickles).
 */
import { ForbiddenGlobalError, PickleError } from '../errors';
import { DtypeBuilder, makeNdArray, makeScalar, checkShape, type ArrayOptions } from './numpy';
import { PendingArray, PyGlobal, describeValue, tuple } from './values';

/** The globals a pickle may name, as 'module.name', and what each one builds. */
const ALLOWED_GLOBALS: Readonly<Record<string, string>> = {
  'numpy.core.multiarray._reconstruct': 'reconstruct',
  'numpy._core.multiarray._reconstruct': 'reconstruct',
  'numpy.ndarray': 'ndarray',
  'numpy.dtype': 'dtype',
  'numpy.core.multiarray.scalar': 'scalar',
  'numpy._core.multiarray.scalar': 'scalar',
  'numpy.core.numeric._frombuffer': 'frombuffer',
  'numpy._core.numeric._frombuffer': 'frombuffer',
  '_codecs.encode': 'encode',
  'collections.OrderedDict': 'dict',
  'builtins.bytes': 'bytes',
  '__builtin__.bytes': 'bytes',
  'builtins.bytearray': 'bytearray',
  '__builtin__.bytearray': 'bytearray',
  'builtins.set': 'set',
  '__builtin__.set': 'set',
  'builtins.frozenset': 'set',
  '__builtin__.frozenset': 'set',
};

/** Options of `unpickle`. */
export type UnpickleOptions = ArrayOptions;

const MAX_DEPTH_OF_MEMO = 1 << 24;

/**
 * A dict key that is a tuple becomes its text (`[1,"a"]`) so equal tuples are one key. Python only
 * hashes tuples of modest size; a key whose text would pass this many characters (a deep chain, or
 * items shared through the memo so the written-out key grows exponentially) is refused. The walk
 * stops as soon as the budget is spent, so its time is bounded by the budget, not by the key.
 */
const MAX_DICT_KEY_CHARS = 4096;

/** Limit of MARK nesting (open lists, tuples and dicts being built). */
const MAX_MARK_DEPTH = 10_000;

class DtypeValue {
  constructor(readonly builder: DtypeBuilder) {}
}

/**
 * Parses a pickle held in memory and returns its top-level value: Map for dicts, arrays for
 * lists / tuples / sets, Uint8Array for bytes, NdArray for numpy arrays, numbers, strings, null.
 * Throws PickleError on malformed input and ForbiddenGlobalError on a global outside the
 * allow-list.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let pos = 0;
  let opStart = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const fail = (msg: string): never => {
    throw new PickleError(msg, opStart);
  };
  const need = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > end) {
      fail(`truncated pickle: needs ${n} more bytes, ${end - pos} left`);
    }
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} is larger than the file`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail('truncated pickle: missing end of line');
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + pos, nl - pos).toString('latin1');
    pos = nl + 1;
    return s;
  };
  const utf8 = (b: Uint8Array): string => {
    try {
      return decoder.decode(b);
    } catch {
      return fail('invalid UTF-8 in a string');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) return fail('MARK missing');
    stack = prev;
    return items;
  };
  const memoPut = (index: number, value: unknown): void => {
    if (index > MAX_DEPTH_OF_MEMO) fail(`memo index ${index} is out of range`);
    memo.set(index, value);
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) fail(`memo key ${index} was never stored`);
    return memo.get(index);
  };
  const findGlobal = (module: string, name: string): PyGlobal => {
    if (!(`${module}.${name}` in ALLOWED_GLOBALS)) throw new ForbiddenGlobalError(module, name, opStart);
    return new PyGlobal(module, name);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail(`SETITEMS on ${describeValue(target)}`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(dictKey(items[i]), items[i + 1]);
  };
  const dictKey = (k: unknown): unknown => {
    if (!Array.isArray(k)) return k;
    let budget = MAX_DICT_KEY_CHARS;
    const spend = (s: string): string => {
      budget -= s.length;
      if (budget < 0) fail(`a dict key that is a tuple of more than ${MAX_DICT_KEY_CHARS} characters when written out (nested too deep, or items shared through the memo): refused`);
      return s;
    };
    const text = (v: unknown): string => {
      if (Array.isArray(v)) {
        spend('[]');
        const parts: string[] = [];
        for (let i = 0; i < v.length; i++) {
          if (i > 0) spend(',');
          parts.push(text(v[i]));
        }
        return `[${parts.join(',')}]`;
      }
      if (typeof v === 'bigint') return spend(v.toString());
      if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return spend(JSON.stringify(v));
      if (v instanceof Uint8Array) return spend(JSON.stringify(Buffer.from(v).toString('latin1')));
      return fail(`a dict key holding ${describeValue(v)} is not supported`);
    };
    return text(k);
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PyGlobal)) return fail(`REDUCE on ${describeValue(fn)}`);
    if (!Array.isArray(args)) return fail(`REDUCE arguments must be a tuple, got ${describeValue(args)}`);
    const kind = ALLOWED_GLOBALS[`${fn.module}.${fn.name}`];
    try {
      switch (kind) {
        case 'reconstruct': {
          const cls = args[0];
          if (!(cls instanceof PyGlobal) || ALLOWED_GLOBALS[`${cls.module}.${cls.name}`] !== 'ndarray') {
            return fail(`_reconstruct of ${describeValue(cls)}: only numpy.ndarray is supported`);
          }
          return new PendingArray('ndarray');
        }
        case 'dtype': {
          if (typeof args[0] !== 'string') return fail(`dtype(${describeValue(args[0])})`);
          return new DtypeValue(new DtypeBuilder(args[0]));
        }
        case 'scalar': {
          const dt = args[0];
          if (!(dt instanceof DtypeValue)) return fail('scalar() without a dtype');
          return makeScalar(dt.builder.finish(), args[1], options);
        }
        case 'encode': {
          // numpy's protocol-2 bytes: _codecs.encode(latin-1 text, 'latin1')
          const [text, encoding] = args;
          if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
            return fail('_codecs.encode is only accepted for latin1 text');
          }
          return new Uint8Array(Buffer.from(text, 'latin1'));
        }
        case 'frombuffer': {
          const [buf, dt, shape, order] = args;
          if (!(buf instanceof Uint8Array) || !(dt instanceof DtypeValue)) return fail('_frombuffer(buffer, dtype, shape, order) expected');
          checkShape(shape);
          return makeNdArray(dt.builder.finish(), shape as number[], order === 'F', buf, options);
        }
        case 'dict':
          return new Map();
        case 'bytes': // protocol 2 writes b'' as bytes()
          return args.length === 0 ? new Uint8Array(0) : fail('bytes() is only accepted without arguments');
        case 'bytearray':
          return args.length === 0 ? new Uint8Array(0) : args[0] instanceof Uint8Array ? args[0] : fail('bytearray() of a non-bytes value');
        case 'set':
          return Array.isArray(args[0]) ? (args[0] as unknown[]).slice() : [];
        default:
          return fail(`global ${fn.module}.${fn.name} cannot be called`);
      }
    } catch (err) {
      if (err instanceof PickleError) throw err;
      return fail((err as Error).message);
    }
  };
  const build = (obj: unknown, state: unknown): unknown => {
    try {
      if (obj instanceof DtypeValue) {
        if (!Array.isArray(state)) return fail('dtype state must be a tuple');
        obj.builder.setState(state);
        return obj;
      }
      if (obj instanceof PendingArray) {
        if (!Array.isArray(state)) return fail('ndarray state must be a tuple');
        // (version, shape, dtype, is_fortran, rawdata) or without the version
        const s = state.length === 5 ? state.slice(1) : state;
        const [shape, dt, fortran, raw] = s;
        if (!(dt instanceof DtypeValue)) return fail('ndarray state without a dtype');
        checkShape(shape);
        if (!(raw instanceof Uint8Array) && !Array.isArray(raw)) return fail(`ndarray data of ${describeValue(raw)}`);
        return makeNdArray(dt.builder.finish(), shape as number[], fortran === true, raw, options);
      }
      if (obj instanceof Map && state instanceof Map) {
        for (const [k, v] of state) obj.set(k, v);
        return obj;
      }
      return fail(`BUILD on ${describeValue(obj)}`);
    } catch (err) {
      if (err instanceof PickleError) throw err;
      return fail((err as Error).message);
    }
  };

  for (;;) {
    opStart = pos;
    if (pos >= end) fail('truncated pickle: no STOP opcode');
    const op = bytes[pos++];
    switch (op) {
      case 0x80: { // PROTO
        const v = u8();
        if (v > 5) fail(`unsupported pickle protocol ${v}`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: { // STOP
        const result = pop();
        if (result instanceof PendingArray || result instanceof DtypeValue) fail('incomplete numpy object at STOP');
        return result;
      }
      case 0x28: // MARK
        if (metastack.length >= MAX_MARK_DEPTH) fail(`more than ${MAX_MARK_DEPTH} nested MARKs: refused`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: // LONG1
      case 0x8b: { // LONG4
        const n = op === 0x8a ? u8() : u32();
        if (n > 8) fail(`integer of ${n} bytes is too large`);
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x49: { // INT (protocol 0)
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x47: { // BINFLOAT, big-endian
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x54: stack.push(Buffer.from(take(i32())).toString('latin1')); break; // BINSTRING
      case 0x55: stack.push(Buffer.from(take(u8())).toString('latin1')); break; // SHORT_BINSTRING
      case 0x58: stack.push(utf8(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(take(u64()))); break; // BINUNICODE8
      case 0x42: stack.push(take(u32())); break; // BINBYTES
      case 0x43: stack.push(take(u8())); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64())); break; // BINBYTES8
      case 0x96: stack.push(take(u64())); break; // BYTEARRAY8
      case 0x97: fail('NEXT_BUFFER: out-of-band buffers are not supported'); break;
      case 0x98: break; // READONLY_BUFFER: marks the buffer on the stack read-only; nothing to do
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x8f: stack.push([]); break; // EMPTY_SET
      case 0x74: { // TUPLE (popMark first: it replaces `stack`)
        const items = popMark();
        stack.push(tuple(items));
        break;
      }
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b, c]));
        break;
      }
      case 0x6c: { // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x91: { // FROZENSET
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x64: { // DICT
        const d = new Map<unknown, unknown>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(`APPEND on ${describeValue(list)}`);
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(`APPENDS on ${describeValue(list)}`);
        for (const it of items) (list as unknown[]).push(it);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: memoPut(u8(), top()); break; // BINPUT
      case 0x72: memoPut(u32(), top()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size, top()); break; // MEMOIZE
      case 0x70: memoPut(Number.parseInt(line(), 10), top()); break; // PUT
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number.parseInt(line(), 10))); break; // GET
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        stack.push(findGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(findGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args), only for allowed containers
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = pop();
        stack.push(build(obj, state));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
