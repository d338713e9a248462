/**
 * Seeded weight initialisation for the functional models: a tiny deterministic PRNG
 * (mulberry32) and the Glorot-uniform / normal / constant initialisers built on it.
 * Kept inside lib/models so model weights do not depend on any other module's generator.
 * @see notebooks/02-teacher-pretraining.ipynb
 */

/** A seeded uniform generator on [0, 1). */
export type UniformSource = () => number;

/** Returns a mulberry32 generator: deterministic uniforms in [0, 1) for a 32-bit seed. */
export function mulberry32(seed: number): UniformSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a 32-bit seed mixed from a base seed and a string (FNV-1a), e.g. a parameter name. */
export function deriveSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.imul(seed >>> 16, 0x9e3779b1) >>> 0;
  return h >>> 0;
}

/** How a parameter starts: Glorot uniform over (fanIn, fanOut), uniform(-limit, limit), normal(0, std), or a constant. */
export type Initializer =
  | { kind: 'glorot'; fanIn: number; fanOut: number }
  | { kind: 'uniform'; limit: number }
  | { kind: 'normal'; std: number }
  | { kind: 'constant'; value: number };

/** Returns `size` initial values drawn from `init` with the generator `rand`. */
export function initialValues(size: number, init: Initializer, rand: UniformSource): Float32Array {
  const out = new Float32Array(size);
  if (init.kind === 'constant') {
    out.fill(init.value);
  } else if (init.kind === 'glorot') {
    const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
    for (let i = 0; i < size; i++) out[i] = (2 * rand() - 1) * limit;
  } else if (init.kind === 'uniform') {
    for (let i = 0; i < size; i++) out[i] = (2 * rand() - 1) * init.limit;
  } else {
    // Box-Muller: two uniforms per normal, the cosine branch only (simple, deterministic).
    for (let i = 0; i < size; i++) {
      const u = 1 - rand(); // (0, 1]
      out[i] = init.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    }
  }
  return out;
}
