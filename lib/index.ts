/**
 * The MM-CKD notebook kit's public API. Notebooks and the CLI import from here
 * (notebooks through the compiled `dist/lib`, see README "Notebooks").
 */
export * from './backend';
export * from './paths';
export * from './versions';
export * from './data/modalities';
export * from './data/types';
