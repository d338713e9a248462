/** Everything lib/accelerator exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './kernel-pack';
export * from './model-forward';
export * from './fused-encoder';
export * from './fused-heads';
export { heapOffset, type KernelFunc, type WasmBackendLike } from './tfjs-internals';
