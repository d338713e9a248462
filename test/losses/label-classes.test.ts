import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelClasses, roundHalfEven } from '../../lib/losses';

describe('labelClasses', () => {
  it('rounds halves to even like numpy for the 7-class scheme', () => {
    // 0.5 -> 0, 1.5 -> 2, -0.5 -> -0 (class 3), 2.5 -> 2, -1.5 -> -2, -2.5 -> -2
    assert.deepEqual(Array.from(labelClasses([0.5, 1.5, -0.5, 2.5, -1.5, -2.5], 7)), [3, 5, 3, 5, 1, 1]);
  });

  it('clips to [-3, 3] before rounding', () => {
    assert.deepEqual(Array.from(labelClasses([-3.4, 3.2, 2.6, -2.6, 0.49], 7)), [0, 6, 6, 0, 3]);
  });

  it('uses the sign for 3 classes and y >= 0 for 2 classes', () => {
    assert.deepEqual(Array.from(labelClasses([-0.1, 0, 0.1, -0], 3)), [0, 1, 2, 1]);
    assert.deepEqual(Array.from(labelClasses([-0.1, 0, 0.1, -0], 2)), [0, 1, 1, 1]);
  });

  it('rejects unknown schemes and NaN labels', () => {
    assert.throws(() => labelClasses([0], 5 as never), /Expected scheme to be 7, 3 or 2/);
    assert.throws(() => labelClasses([0, NaN], 7), /label 1 is NaN/);
  });

  it('roundHalfEven matches np.round on ties and non-ties', () => {
    const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, -0], [-1.5, -2], [0.49999999999999994, 0], [2.6, 3], [-2.6, -3]];
    for (const [x, y] of cases) assert.ok(Object.is(roundHalfEven(x), y) || roundHalfEven(x) === y, `${x} -> ${roundHalfEven(x)}`);
  });
});
