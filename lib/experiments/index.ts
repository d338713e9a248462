/** Everything lib/experiments exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './experiment-grid';
export * from './grid-workers';
export * from './notebook-setting';
export * from './notebook-context';
export * from './pytorch-reference';
export * from './train-grid-cell';
export * from './regime-map-runs';
export * from './run-method';
export * from './run-folder';
export * from './run-lock';
export * from './kit-folders';
export * from './imputer-run';
