/**
 * The kit's internals in one entry, for tests and benchmarks: every layer's modules, beyond the
 * curated public API of `lib/index.ts`. Nothing here is promised to stay; notebooks and the
 * command line import from `lib/index.ts` only.
 */
export * from './backend';
export * from './paths';
export * from './versions';
export * from './vocabulary';
export * from './io/index';
export * from './data/index';
export * from './models/index';
export * from './losses/index';
export * from './accelerator/index';
export * from './train/index';
export * from './imputers/index';
export * from './eval/index';
export * from './report/index';
export * from './experiments/index';
