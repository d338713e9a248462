/**
 * Products with one operand transposed, as the linear layers' gradients need them (x^T dy, dy W^T).
 * The wasm backend's own matmul with a transpose flag is about 10x slower than a plain one, so by
 * default the operand is transposed explicitly first. The kit's OpenBLAS kernel pack (lib/accelerator)
 * passes the flag to sgemm at no cost and says so here; then the transpose (a full copy of a
 * [rows, 768] text input per model and step) is skipped.
 */
import * as tf from '@tensorflow/tfjs';

const KEY = Symbol.for('mmckd.fastTransposedMatMul');
type Flags = { [KEY]?: Set<string> };

/** Declares (or withdraws) that `backend`'s BatchMatMul handles transpose flags as fast as a plain product. */
export function setFastTransposedMatMul(backend: string, fast: boolean): void {
  const g = globalThis as Flags;
  g[KEY] ??= new Set<string>();
  if (fast) g[KEY].add(backend);
  else g[KEY].delete(backend);
}

function fastHere(): boolean {
  return (globalThis as Flags)[KEY]?.has(tf.getBackend()) ?? false;
}

/** Returns a^T b for a [k, m], b [k, n]: [m, n]. */
export function matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return fastHere() ? tf.matMul(a, b, true, false) : tf.matMul(tf.transpose(a), b);
}

/** Returns a b^T for a [m, k], b [n, k]: [m, n]. */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return fastHere() ? tf.matMul(a, b, false, true) : tf.matMul(a, tf.transpose(b));
}
