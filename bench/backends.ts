/**
 * Backend activation for the benchmarks: the kit's own choices (wasm, cpu, node, node-gpu) through
 * lib/backend.ts, plus 'blas' (the optional OpenBLAS kernel pack of lib/native) when it is built.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, isBackendChoice } from '../lib/backend';
import { enableNativeKernels } from '../lib/native/index';

/** Activates `name`; throws with the reason when it does not load here. */
export async function activateBenchBackend(name: string): Promise<string> {
  if (name === 'blas' || name === 'wasm+blas') {
    const r = await selectBackend({ force: 'wasm' });
    const report = enableNativeKernels();
    if (!report.ok) throw new Error(report.reason);
    return `${r.message}; ${report.message}`;
  }
  if (!isBackendChoice(name)) throw new Error(`Expected a backend name, but got '${name}'`);
  const r = await selectBackend({ force: name });
  void tf;
  return r.message;
}
