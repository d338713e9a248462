/** Public API of lib/train (re-exported by lib/index.ts). */
export * from './config';
export * from './schedule';
export * from './objectives';
export * from './trainer';
export * from './predict';
export * from './checkpoint';
export * from './run-folder';
export * from './resumable-stage';
export * from './run-method';
export * from './progress';
export * from './batch-source';
