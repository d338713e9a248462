/**
 * Backend activation for the benchmarks: the kit's own choices (wasm, cpu, node, node-gpu) through
 * lib/backend.ts, plus 'blas' (the optional OpenBLAS kernel pack of lib/native) when it is built.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, isBackendChoice } from '../lib/backend';

/** Activates `name`; throws with the reason when it does not load here. */
export async function activateBenchBackend(name: string): Promise<string> {
  if (name === 'blas' || name === 'wasm+blas') {
    const native = await import('../lib/native/index');
    const report = await native.activateBlasBackend();
    if (!report.ok) throw new Error(report.reason);
    return report.message;
  }
  if (!isBackendChoice(name)) throw new Error(`Expected a backend name, but got '${name}'`);
  const r = await selectBackend({ force: name });
  void tf;
  return r.message;
}
