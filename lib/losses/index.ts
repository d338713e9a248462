/** Public API of lib/losses (re-exported by lib/index.ts). */
export * from './mvsc-loss';
export * from './multi-view-contrastive-loss';
export * from './label-classes';
export * from './regression-losses';
export * from './stop-gradient';
