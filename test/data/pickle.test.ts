import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unpickle, NdArray } from '../../lib/data/pickle';
import { ForbiddenGlobalError, PickleError } from '../../lib/data/errors';
import { fixture } from './helpers';

// Hand-written protocol-2 pickles: the reader's behaviour on single opcodes.
const p = (...parts: (number[] | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((x) => (typeof x === 'string' ? [...Buffer.from(x, 'latin1')] : x)));

test('reads containers, numbers, strings, bytes and memo references', () => {
  // {'a': [1, -2, 3.5, None, True], 'b': (b'xy', 'é')} with a memo GET
  const bytes = p(
    [0x80, 2, 0x7d, 0x71, 0], // PROTO 2, EMPTY_DICT, BINPUT 0
    [0x28], [0x8c, 1], 'a', [0x5d, 0x28, 0x4b, 1, 0x4a, 0xfe, 0xff, 0xff, 0xff],
    [0x47, 0x40, 0x0c, 0, 0, 0, 0, 0, 0], [0x4e, 0x88, 0x65], // BINFLOAT 3.5, NONE, TRUE, APPENDS
    [0x8c, 1], 'b', [0x43, 2], 'xy', [0x58, 2, 0, 0, 0, 0xc3, 0xa9], [0x86], // SHORT_BINBYTES, BINUNICODE, TUPLE2
    [0x75, 0x2e], // SETITEMS, STOP
  );
  const v = unpickle(bytes) as Map<string, unknown>;
  assert.deepEqual(v.get('a'), [1, -2, 3.5, null, true]);
  const b = v.get('b') as unknown[];
  assert.deepEqual([...(b[0] as Uint8Array)], [0x78, 0x79]);
  assert.equal(b[1], 'é');
});

test('refuses a global outside the allow-list, naming module and name', () => {
  assert.throws(
    () => unpickle(readFileSync(fixture('bad_malicious.pkl'))),
    (err: unknown) => err instanceof ForbiddenGlobalError && err.module === 'posix' && err.globalName === 'system' && /refused global 'posix\.system'/.test(err.message),
  );
  // protocol-0 GLOBAL of builtins.eval
  assert.throws(() => unpickle(p('cbuiltins\neval\n.')), /refused global 'builtins\.eval'/);
});

test('a declared shape larger than the bytes present is an error, not an allocation', () => {
  assert.throws(() => unpickle(readFileSync(fixture('bad_huge_shape.pkl'))), (err: unknown) => err instanceof PickleError && /needs 4000000 bytes but the pickle holds 8/.test((err as Error).message));
});

test('truncated input and huge declared lengths fail cleanly', () => {
  assert.throws(() => unpickle(readFileSync(fixture('bad_truncated.pkl'))), /truncated pickle/);
  // BINBYTES8 declaring 2^40 bytes
  assert.throws(() => unpickle(p([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 1, 0, 0, 0x2e])), /truncated pickle: needs 1099511627776 more bytes/);
  assert.throws(() => unpickle(p([0x80, 2])), /no STOP/);
  assert.throws(() => unpickle(p([0xff])), /unsupported pickle opcode 0xff/);
});

test('numpy arrays from both numpy flavours and protocols 2, 4, 5 decode to the same values', () => {
  const files = ['mmsa_aligned_np1.pkl', 'mmsa_aligned_np1_p2.pkl', 'mmsa_aligned_np2.pkl', 'mmsa_aligned_np2_p5.pkl'];
  const decoded = files.map((f) => unpickle(readFileSync(fixture(f))) as Map<string, Map<string, unknown>>);
  for (const d of decoded) {
    const text = d.get('train')!.get('text') as NdArray;
    assert.ok(text instanceof NdArray);
    assert.deepEqual(text.shape, [4, 6, 8]);
    assert.equal(text.dtype.str, '<f4');
    assert.ok(text.data instanceof Float32Array);
    assert.equal((text.data as Float32Array)[1 * 48 + 2 * 8 + 3], Math.fround(0 * 10 + 1 + 2 * 0.1 + 3 * 0.01 + 0.5));
    const ids = d.get('valid')!.get('id') as NdArray;
    assert.deepEqual(ids.data, ['vid1_0', 'vid1_1']);
    const bert = d.get('train')!.get('text_bert') as NdArray;
    assert.equal(bert.dtype.str, '<f8');
    assert.ok(bert.data instanceof Float64Array);
  }
  const f64 = unpickle(readFileSync(fixture('mmsa_unaligned_np1.pkl')), { floatsAs: 'float32' }) as Map<string, Map<string, unknown>>;
  const audio = f64.get('train')!.get('audio') as NdArray;
  assert.equal(audio.dtype.str, '<f8');
  assert.ok(audio.data instanceof Float32Array, 'floatsAs float32 converts float64');
  const lengths = f64.get('train')!.get('vision_lengths') as NdArray;
  assert.deepEqual([...(lengths.data as Float64Array)], [4, 4, 4, 4]);
});

test('big-endian, Fortran order, integer, bool, unicode, bytes, scalar and empty arrays (numpy 1.x p4, numpy 2.x p2)', () => {
  const expected = Array.from({ length: 24 }, (_, i) => i / 4); // arange(24).reshape(2, 3, 4) / 4 in C order
  for (const f of ['variants_np1.pkl', 'variants_np2_p2.pkl']) {
    const v = unpickle(readFileSync(fixture(f))) as Map<string, NdArray | number>;
    const arr = (k: string): NdArray => v.get(k) as NdArray;
    assert.deepEqual([...(arr('big_f4').data as Float32Array)], expected);
    assert.deepEqual([...(arr('big_f8').data as Float64Array)], expected);
    assert.deepEqual([...(arr('fortran_f4').data as Float32Array)], expected);
    assert.deepEqual(arr('fortran_f4').shape, [2, 3, 4]);
    assert.deepEqual([...(arr('i8').data as Float64Array)], [-(2 ** 40), 0, 7]);
    assert.ok(arr('i2').data instanceof Int32Array);
    assert.deepEqual([...(arr('i2').data as Int32Array)], [-3, 4, 5, -6]);
    assert.deepEqual([...(arr('u1').data as Int32Array)], [0, 255]);
    assert.deepEqual([...(arr('bool').data as Uint8Array)], [1, 0, 1]);
    assert.deepEqual(arr('unicode').data, ['a', 'été', '😀']);
    assert.deepEqual(arr('bytes').data, ['ab', 'c']);
    assert.equal(v.get('scalar'), 1.5);
    assert.deepEqual(arr('empty').shape, [0, 3]);
    assert.equal(arr('empty').data.length, 0);
  }
});
