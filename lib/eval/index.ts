/** Public API of lib/eval (re-exported by lib/index.ts). */
export * from './metrics';
export * from './auilc';
export * from './evaluate-subsets';
export * from './projections';
export * from './evaluate-protocols';
export * from './experiment-grid';
export { defaultGridWorkers } from './grid-workers';
export * from './cost';
export * from './pytorch-reference';
