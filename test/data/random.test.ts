import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, hashSeed } from '../../lib/data/random';

test('same seed gives the same stream, another seed another stream', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xa = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.nextUint32()));
});

test('uniform draws lie in [0, 1) with mean near 1/2, normals have mean 0 and std 1', () => {
  const r = createRng(7);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  const z = new Float32Array(20000);
  r.addNormal(z, 0, z.length, 1);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(sd - 1) < 0.03, `std ${sd}`);
});

test('int stays in range and shuffle is a seeded permutation', () => {
  const r = createRng(1);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  const p1 = createRng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  const p2 = createRng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(p1, p2);
  assert.deepEqual([...p1].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual([...p1], Array.from({ length: 50 }, (_, i) => i));
});

test('fork and hashSeed derive stable, label-dependent seeds', () => {
  assert.equal(hashSeed(1, 'a'), hashSeed(1, 'a'));
  assert.notEqual(hashSeed(1, 'a'), hashSeed(1, 'b'));
  assert.equal(createRng(3).fork('x').next(), createRng(3).fork('x').next());
  assert.throws(() => createRng(NaN), /Expected seed/);
});
