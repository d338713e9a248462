/**
 * The optimised wasm kernels of lib/accelerator against the reference cpu kernels, on random shapes,
 * forward and gradient: BatchMatMul, _FusedMatMul and Transpose of each engine (the OpenBLAS addon,
 * the WebAssembly kernels' SIMD128 sgemm; skipped with a message where an engine is not
 * available), and the JavaScript Identity, Cast, SplitV and Tanh (always).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { enableNativeKernels, disableNativeKernels, loadWasmKernels } from '../../lib/accelerator/index';
import { assertClose, kernelEngines, randInt, randValues, rng, valuesOn } from './helpers';

/** The engine the wasm runs of the test being run use (set at the start of each engine's tests). */
let engineEnv: Record<string, string | undefined> = process.env;

/** Reference on cpu, then the same on wasm with the kit's kernels; returns both value lists. */
async function compare(f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const expected = await valuesOn('cpu', f);
  await tf.setBackend('wasm');
  enableNativeKernels({ env: engineEnv });
  const actual = await valuesOn('wasm', f);
  return [actual, expected];
}

interface ProductCase {
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** True when one operand's batch is broadcast. */
  broadcast: boolean;
  label: string;
}

/** Random product shapes: no batch, equal batches (rank 3 and 4), B broadcast, A broadcast. */
function productCases(seed: number, count: number): ProductCase[] {
  const rand = rng(seed);
  const out: ProductCase[] = [];
  for (let i = 0; i < count; i++) {
    const [m, n, k] = [randInt(rand, 1, 40), randInt(rand, 1, 40), randInt(rand, 1, 40)];
    const transposeA = rand() < 0.5;
    const transposeB = rand() < 0.5;
    const kind = i % 5;
    const b1 = randInt(rand, 1, 5);
    const b2 = randInt(rand, 1, 3);
    const outerA = kind === 0 ? [] : kind === 1 ? [b1] : kind === 2 ? [b1, b2] : kind === 3 ? [b1] : [1];
    const outerB = kind === 0 ? [] : kind === 1 ? [b1] : kind === 2 ? [b1, b2] : kind === 3 ? [1] : [b1];
    const aShape = [...outerA, ...(transposeA ? [k, m] : [m, k])];
    const bShape = [...outerB, ...(transposeB ? [n, k] : [k, n])];
    out.push({ aShape, bShape, transposeA, transposeB, broadcast: kind >= 3, label: `[${aShape}]${transposeA ? 'T' : ''} x [${bShape}]${transposeB ? 'T' : ''}` });
  }
  return out;
}

for (const e of kernelEngines()) {
test(`BatchMatMul (${e.label}) matches the cpu kernel on random shapes, forward and gradient`, { skip: e.skip }, async () => {
  engineEnv = e.env;
  for (const [i, c] of productCases(11, 40).entries()) {
    const rand = rng(100 + i);
    const av = randValues(rand, c.aShape.reduce((x, y) => x * y, 1));
    const bv = randValues(rand, c.bShape.reduce((x, y) => x * y, 1));
    const f = () => {
      const a = tf.tensor(av, c.aShape);
      const b = tf.tensor(bv, c.bShape);
      const y = tf.matMul(a, b, c.transposeA, c.transposeB);
      const w = tf.tensor(randValues(rng(7), y.size), y.shape); // a non-trivial upstream gradient
      // tfjs-core's matMul gradient does not reduce broadcast batch axes: gradients for equal batches only
      if (!c.broadcast) {
        const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, z, c.transposeA, c.transposeB), w)))([a, b]);
        return [y, da, db];
      }
      return [y];
    };
    const [actual, expected] = await compare(f);
    ['forward', 'dA', 'dB'].slice(0, expected.length).forEach((part, j) => assertClose(actual[j], expected[j], `${c.label} ${part}`));
  }
});

test(`BatchMatMul (${e.label}) matches the cpu kernel on shapes that cross the WebAssembly sgemm's blocks (k > 256, m > 128, n > 512) and its 4 x 8 tile edges`, { skip: e.skip }, async () => {
  engineEnv = e.env;
  const cases: Array<[number, number, number]> = [[131, 517, 263], [5, 700, 3], [257, 9, 530], [1, 1, 600]];
  for (const [i, [m, n, k]] of cases.entries()) {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const rand = rng(300 + i);
      const av = randValues(rand, m * k);
      const bv = randValues(rand, k * n);
      const f = () => [tf.matMul(tf.tensor2d(av, transposeA ? [k, m] : [m, k]), tf.tensor2d(bv, transposeB ? [n, k] : [k, n]), transposeA, transposeB)];
      const [actual, expected] = await compare(f);
      assertClose(actual[0], expected[0], `[${m}, ${k}] x [${k}, ${n}] transposeA ${transposeA} transposeB ${transposeB}`, 1e-4, 1e-4);
    }
  }
});

test(`_FusedMatMul (${e.label}, bias + linear/relu) matches the cpu kernel, forward and gradient; other activations fall back`, { skip: e.skip }, async () => {
  engineEnv = e.env;
  const activations = ['linear', 'relu', 'elu'] as const;
  for (const [i, c] of productCases(23, 24).entries()) {
    const rand = rng(300 + i);
    const av = randValues(rand, c.aShape.reduce((x, y) => x * y, 1));
    const bv = randValues(rand, c.bShape.reduce((x, y) => x * y, 1));
    const n = c.bShape[c.bShape.length - (c.transposeB ? 2 : 1)];
    const biasv = randValues(rand, n);
    const activation = activations[i % 3];
    const withBias = i % 4 !== 3;
    const f = () => {
      const a = tf.tensor(av, c.aShape);
      const b = tf.tensor(bv, c.bShape);
      const bias = tf.tensor1d(biasv);
      const run = (x: tf.Tensor, z: tf.Tensor, bi: tf.Tensor) =>
        tf.fused.matMul({ a: x, b: z, transposeA: c.transposeA, transposeB: c.transposeB, bias: withBias ? bi : undefined, activation });
      const y = run(a, b, bias);
      const w = tf.tensor(randValues(rng(9), y.size), y.shape);
      if (c.broadcast) return [y]; // tfjs-core cannot differentiate broadcast batches (see above)
      const grads = withBias
        ? tf.grads((x: tf.Tensor, z: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(run(x, z, bi), w)))([a, b, bias])
        : tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(run(x, z, bias), w)))([a, b]);
      return [y, ...grads];
    };
    let actual: Float32Array[];
    let expected: Float32Array[];
    if (activation === 'elu') {
      // the fallback must be exactly the stock wasm kernel (which, in tfjs 4.22, itself disagrees with
      // cpu for elu + bias on batched inputs: not ours to fix here)
      disableNativeKernels();
      expected = await valuesOn('wasm', f);
      enableNativeKernels({ env: engineEnv });
      actual = await valuesOn('wasm', f);
    } else {
      [actual, expected] = await compare(f);
    }
    assert.equal(actual.length, expected.length);
    ['forward', 'dA', 'dB', 'dBias'].slice(0, actual.length).forEach((part, j) =>
      assertClose(actual[j], expected[j], `${c.label} ${activation} bias=${withBias} ${part}`));
  }
});

}

test('SplitV copies blocks like the cpu kernel on random shapes, axes and sizes, forward and gradient', async () => {
  const rand = rng(5);
  for (let i = 0; i < 30; i++) {
    const rank = randInt(rand, 1, 4);
    const shape = Array.from({ length: rank }, () => randInt(rand, 1, 6));
    const axis = randInt(rand, 0, rank - 1);
    shape[axis] = randInt(rand, 2, 9);
    const cut = randInt(rand, 0, shape[axis]); // a part may be empty
    const sizes = i % 3 === 0 ? [cut, shape[axis] - cut] : i % 3 === 1 ? [1, -1] : shape[axis];
    const values = randValues(rand, shape.reduce((x, y) => x * y, 1));
    const f = () => {
      const x = tf.tensor(values, shape);
      const parts = tf.split(x, sizes as number[] | number, axis);
      const weights = parts.map((p, j) => tf.tensor(randValues(rng(j + 1), p.size), p.shape));
      const dx = tf.grad((t: tf.Tensor) => tf.addN(tf.split(t, sizes as number[] | number, axis).map((p, j) => tf.sum(tf.mul(p, weights[j])))))(x);
      return [...parts, dx];
    };
    const [actual, expected] = await compare(f);
    actual.forEach((v, j) => assertClose(v, expected[j], `split [${shape}] axis ${axis} sizes ${JSON.stringify(sizes)} output ${j}`, 0, 0));
  }
  // int32 too (the copy is bytewise)
  const [actual, expected] = await compare(() => tf.split(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [2, 1], 1));
  actual.forEach((v, j) => assertClose(v, expected[j], `int32 split output ${j}`, 0, 0));
});

test('Tanh (2 sigmoid(2x) - 1) matches the cpu kernel within 3e-7 (+1e-6 relative), forward and gradient, on random shapes and extreme values', async () => {
  const rand = rng(11);
  for (let i = 0; i < 12; i++) {
    const shape = Array.from({ length: randInt(rand, 1, 3) }, () => randInt(rand, 1, 40));
    const values = randValues(rand, shape.reduce((x, y) => x * y, 1)).map((v, j) => v * (1 + (j % 7)));
    const f = () => {
      const x = tf.tensor(values, shape);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(t), t)))(x);
      return [tf.tanh(x), dx];
    };
    const [actual, expected] = await compare(f);
    actual.forEach((v, j) => assertClose(v, expected[j], `tanh [${shape}] output ${j}`, 3e-7, 1e-6));
  }
  const [actual, expected] = await compare(() => [tf.tanh(tf.tensor([-1e30, -20, -1e-6, 0, 1e-6, 20, 1e30, 88.7, -88.7]))]);
  assertClose(actual[0], expected[0], 'tanh of extreme values', 3e-7, 0);
  const [nan] = await compare(() => [tf.tanh(tf.tensor([Number.NaN]))]);
  assert.ok(Number.isNaN(nan[0][0]), 'NaN stays NaN');
});

test('Identity and same-dtype Cast share data: values kept after the source is disposed, nothing leaks', async () => {
  await tf.setBackend('wasm');
  enableNativeKernels();
  const before = tf.memory().numTensors;
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const idsBefore = backend.numDataIds();
  const x = tf.tensor([1.5, -2, 3], [3]);
  const copy = tf.clone(x);
  const same = tf.cast(x, 'float32');
  const ints = tf.tidy(() => tf.cast(tf.tensor([1, 2], [2], 'int32'), 'float32')); // a real conversion still converts
  x.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1.5, -2, 3]);
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 3]);
  assert.equal(ints.dtype, 'float32');
  assert.deepEqual(Array.from(ints.dataSync()), [1, 2]);
  // gradients that clone saved tensors still give the cpu result
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.square(t), t)))(copy);
  assert.deepEqual(Array.from(g.dataSync()).map((v) => Math.round(v * 100) / 100), [6.75, 12, 27]);
  tf.dispose([copy, same, ints, g]);
  assert.equal(tf.memory().numTensors, before, 'tensor count back to where it started');
  assert.ok(backend.numDataIds() <= idsBefore + 1, `wasm data ids back to baseline (${backend.numDataIds()} vs ${idsBefore})`);
});

test('a MM-CKD model step on wasm with the kit kernels matches the cpu backend (loss and gradients)', async () => {
  const { buildModel } = await import('../../lib/models/index');
  const { acceleratedApply } = await import('../../lib/accelerator/model-forward');
  const { randomBatch } = await import('../../bench/workload');
  const f = () => {
    const model = buildModel({ subset: 'tav', d: 8, heads: 2, projectionDim: 4, dropout: 0 }, 3);
    const batch = randomBatch(4, 5);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(acceleratedApply(model, batch, { training: true }).prediction, batch.labels))) as tf.Scalar,
      model.variables());
    const out = [value, ...Object.keys(grads).sort().map((k) => grads[k])];
    tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
    const kept = out.map((t) => tf.clone(t));
    tf.dispose(out);
    model.dispose();
    return kept;
  };
  const [actual, expected] = await compare(f);
  actual.forEach((v, j) => assertClose(v, expected[j], `model output ${j}`, 1e-4, 1e-3));
});

test('MMCKD_NATIVE=0 MMCKD_WASM_KERNELS=0 keeps the stock wasm matmul and reports why; MMCKD_NATIVE=0 alone takes the WebAssembly kernels', async () => {
  disableNativeKernels();
  const r = enableNativeKernels({ env: { MMCKD_NATIVE: '0', MMCKD_WASM_KERNELS: '0' } });
  assert.equal(r.ok, false);
  assert.equal(r.engine, 'stock');
  assert.match(r.reason, /MMCKD_NATIVE=0/);
  assert.match(r.wasmReason, /MMCKD_WASM_KERNELS=0/);
  assert.ok(!r.kernels.includes('BatchMatMul'));
  const wasm = enableNativeKernels({ env: { MMCKD_NATIVE: '0' } }); // another engine: re-registers
  if (loadWasmKernels({}).ok) {
    assert.equal(wasm.engine, 'wasm');
    assert.ok(wasm.kernels.includes('BatchMatMul') && wasm.kernels.includes('MmckdFusedEncoder'), wasm.message);
    assert.match(wasm.message, /WebAssembly SIMD128 kernels/);
  } else assert.equal(wasm.engine, 'stock');
  disableNativeKernels();
});

for (const e of kernelEngines()) test(`Transpose (${e.label}) matches the cpu kernel on random shapes and permutations, forward and gradient`, { skip: e.skip }, async () => {
  engineEnv = e.env;
  const rand = rng(17);
  const cases: Array<[number[], number[]]> = [[[1600, 768], [1, 0]], [[3, 5, 4, 2], [0, 2, 1, 3]], [[2, 1, 3], [2, 1, 0]]];
  for (let i = 0; i < 30; i++) {
    const rank = randInt(rand, 1, 5);
    const shape = Array.from({ length: rank }, () => randInt(rand, 1, 7));
    const perm = Array.from({ length: rank }, (_, j) => j).sort(() => rand() - 0.5);
    cases.push([shape, perm]);
  }
  for (const [shape, perm] of cases) {
    const values = randValues(rng(shape.length), shape.reduce((x, y) => x * y, 1));
    const f = () => {
      const x = tf.tensor(values, shape);
      const y = tf.transpose(x, perm);
      const w = tf.tensor(randValues(rng(3), y.size), y.shape);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), w)))(x);
      const yi = tf.transpose(tf.cast(tf.mul(x, 100), 'int32'), perm);
      return [y, dx, yi];
    };
    const [actual, expected] = await compare(f);
    actual.forEach((v, j) => assertClose(v, expected[j], `transpose [${shape}] perm [${perm}] output ${j}`, 0, 0));
  }
});
