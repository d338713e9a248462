/** Everything lib/train exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './config';
export * from './recipe';
export * from './measured-backend';
export * from './schedule';
export * from './objectives';
export * from './trainer';
export * from './optimization-step';
export * from './predict';
export * from './checkpoint';
export * from './train-method';
export * from './resumable-stage';
export * from './progress';
export * from './batch-source';
