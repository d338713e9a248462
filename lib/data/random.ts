/**
 * A small seeded pseudo-random generator (mulberry32) with normal sampling, integer draws and
 * Fisher-Yates shuffles. Every random choice of the kit (synthetic data, missing-modality masks,
 * batch order) goes through it, so a seed fixes a run byte for byte on every machine.
 *
 * mulberry32 (Tommy Ettinger, public domain) has a 2^32 period and passes gjrand's tests at the
 * sizes used here; it is fast in JavaScript because it stays in 32-bit integer arithmetic.
 * @see notebooks/01-data-prep.ipynb
 */

/** A seeded generator; every method advances the same stream. */
export interface Rng {
  /** The seed the generator was created with. */
  readonly seed: number;
  /** Returns a uniform float in [0, 1). */
  next(): number;
  /** Returns a uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Returns a standard normal draw (Box-Muller, the second value is cached). */
  normal(): number;
  /** Returns a uniform integer in [0, n). */
  int(n: number): number;
  /** Shuffles the array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(array: T): T;
  /** Returns a new independent generator whose seed is derived from this seed and a label. */
  fork(label: string | number): Rng;
  /** Fills `out[offset .. offset + count)` by adding `scale` times standard normal draws. */
  addNormal(out: Float32Array, offset: number, count: number, scale: number): void;
}

/** Mixes a string or number into a 32-bit seed (FNV-1a then a murmur3 finaliser). */
export function hashSeed(seed: number, label: string | number = ''): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  const text = String(label);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Returns a seeded generator. Seeds are integers; the same seed gives the same stream.
 * @see notebooks/01-data-prep.ipynb
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`Expected seed to be a finite number, but got ${seed}`);
  const seed32 = Math.floor(seed) >>> 0;
  let state = seed32;
  let spare = 0;
  let hasSpare = false;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextUint32() / 4294967296;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = next();
    while (u <= 1e-300) u = next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };
  const rng: Rng = {
    seed: seed32,
    next,
    nextUint32,
    normal,
    int(n: number): number {
      if (!(n >= 1)) throw new Error(`Expected n to be >= 1, but got ${n}`);
      return Math.floor(next() * n);
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    fork(label) {
      return createRng(hashSeed(seed32, label));
    },
    addNormal(out, offset, count, scale) {
      const end = offset + count;
      let i = offset;
      if (hasSpare && i < end) {
        out[i++] += scale * spare;
        hasSpare = false;
      }
      for (; i + 1 < end; i += 2) {
        let u = next();
        while (u <= 1e-300) u = next();
        const r = scale * Math.sqrt(-2 * Math.log(u));
        const theta = 2 * Math.PI * next();
        out[i] += r * Math.cos(theta);
        out[i + 1] += r * Math.sin(theta);
      }
      if (i < end) out[i] += scale * normal();
    },
  };
  return rng;
}
