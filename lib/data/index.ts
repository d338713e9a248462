/** Everything lib/data exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './modalities';
export * from './types';
export * from './random';
export * from './errors';
export * from './synthetic';
export * from './synthetic-spec';
export * from './pickle';
export * from './mmsa-pickle';
export * from './cmu-sdk';
export * from './cache';
export * from './export-arrays';
export * from './load-dataset';
export * from './missing';
export * from './standardize';
export * from './batches';
export * from './summary';
export * from './probe';
