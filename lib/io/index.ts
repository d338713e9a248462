/** The kit's file and module input/output: atomic files and folders, JSON files, ESM loading, temporaries of dead processes, output-folder checks, yielding to the event loop. */
export * from './atomic-file';
export * from './atomic-folder';
export * from './json-file';
export * from './esm';
export * from './stale-temp-files';
export * from './output-folder';
export * from './event-loop';
