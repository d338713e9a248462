/** Everything lib/imputers exports, in one import for tests and benchmarks: the B5 imputation baselines (users import lib/index.ts, which picks its public names). */
export * from './config';
export * from './conditioning';
export * from './imputer';
export * from './autoencoder';
export * from './diffusion';
export * from './train-imputer';
export * from './predictor';
export * from './imputer-checkpoint';
export * from './flops';
