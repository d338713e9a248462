/**
 * Backend activation for the benchmarks: the kit's own choices (wasm, cpu, node, node-gpu) through
 * lib/backend.ts, plus the wasm backend with a named kernel pack of lib/accelerator:
 * - 'wasm+blas' (or 'blas'): the OpenBLAS addon (an error when it is not built);
 * - 'wasm+kernels' (or 'kernels'): the WebAssembly kernels (native/wasm/mmckd_kernels.wasm), the
 *   addon turned off, as on a machine without libopenblas-dev or a C compiler;
 * - 'wasm': stock, both turned off (the JavaScript kernels only).
 */
import { selectBackend, isBackendChoice } from '../lib/backend';
import { enableNativeKernels, type KernelEngine } from '../lib/accelerator/kernel-pack';

/** The environment each benchmark name runs the wasm backend with (undefined: not a wasm engine name). */
export function engineEnv(name: string): { engine: KernelEngine; env: Record<string, string | undefined> } | undefined {
  if (name === 'blas' || name === 'wasm+blas') return { engine: 'blas', env: { ...process.env, MMCKD_NATIVE: '1', MMCKD_WASM_KERNELS: '0' } };
  if (name === 'kernels' || name === 'wasm+kernels') return { engine: 'wasm', env: { ...process.env, MMCKD_NATIVE: '0', MMCKD_WASM_KERNELS: '1' } };
  if (name === 'wasm') return { engine: 'stock', env: { ...process.env, MMCKD_NATIVE: '0', MMCKD_WASM_KERNELS: '0' } };
  return undefined;
}

/** Activates `name`; throws with the reason when it does not load here. */
export async function activateBenchBackend(name: string): Promise<string> {
  const wasm = engineEnv(name);
  if (wasm) {
    const r = await selectBackend({ force: 'wasm', env: wasm.env });
    const report = enableNativeKernels({ env: wasm.env });
    if (report.engine !== wasm.engine) throw new Error(wasm.engine === 'blas' ? report.reason : report.wasmReason || report.message);
    return r.message;
  }
  if (!isBackendChoice(name)) throw new Error(`Expected a backend name, but got '${name}'`);
  const r = await selectBackend({ force: name });
  return r.message;
}
