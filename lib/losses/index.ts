/** Everything lib/losses exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './mvsc-loss';
export * from './multi-view-contrastive-loss';
export * from './label-classes';
export * from './regression-losses';
export * from './stop-gradient';
