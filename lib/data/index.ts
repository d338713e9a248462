/** Public API of lib/data (re-exported by lib/index.ts). */
export * from './modalities';
export * from './types';
export * from './random';
export * from './errors';
export * from './synthetic';
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
