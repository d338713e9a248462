/** Public API of lib/data (re-exported by lib/index.ts). */
export * from './modalities';
export * from './types';
