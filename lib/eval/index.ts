/** Everything lib/eval exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './metrics';
export * from './auilc';
export * from './evaluate-subsets';
export * from './projections';
export * from './evaluate-protocols';
export * from './grid-cell';
export * from './cost';
