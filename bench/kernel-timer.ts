/**
 * Per-kernel wall-clock timing: re-registers every kernel of a backend with a wrapper that
 * measures its kernelFunc (synchronous on cpu and wasm, so the wall time is the kernel's time).
 */
import * as tf from '@tensorflow/tfjs';

/** Accumulated time and calls per kernel name. */
export interface KernelStats {
  ms: Map<string, number>;
  calls: Map<string, number>;
  /** Shapes of the slowest calls per kernel (first input shapes). */
  shapes: Map<string, Map<string, number>>;
  reset(): void;
}

/** Wraps every kernel of `backendName`; returns the live statistics. Call once per process. */
export function instrumentKernels(backendName: string, withShapes = false): KernelStats {
  const stats: KernelStats = {
    ms: new Map(),
    calls: new Map(),
    shapes: new Map(),
    reset() {
      this.ms.clear();
      this.calls.clear();
      this.shapes.clear();
    },
  };
  for (const k of tf.getKernelsForBackend(backendName)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const out = inner(args);
        const dt = performance.now() - t0;
        stats.ms.set(k.kernelName, (stats.ms.get(k.kernelName) ?? 0) + dt);
        stats.calls.set(k.kernelName, (stats.calls.get(k.kernelName) ?? 0) + 1);
        if (!withShapes) return out;
        const key = Object.values(args.inputs)
          .map((t) => `[${(t as tf.TensorInfo).shape}]`)
          .join('x') + ` ${JSON.stringify(args.attrs ?? {}).slice(0, 60)}`;
        let m = stats.shapes.get(k.kernelName);
        if (!m) stats.shapes.set(k.kernelName, (m = new Map()));
        m.set(key, (m.get(key) ?? 0) + dt);
        return out;
      },
    });
  }
  return stats;
}
