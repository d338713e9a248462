/** Public API of lib/imputers (re-exported by lib/index.ts): the B5 imputation baselines. */
export * from './config';
export * from './conditioning';
export * from './imputer';
export * from './autoencoder';
export * from './diffusion';
export * from './train-imputer';
export * from './predictor';
export * from './imputer-folder';
export * from './flops';
