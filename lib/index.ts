/**
 * The MM-CKD notebook kit's public API. Notebooks and the CLI import from here
 * (notebooks through the compiled `dist/lib`, see README "Notebooks").
 * Layers: data -> models + losses -> train -> eval -> report; each imports only from earlier ones.
 */
export * from './backend';
export * from './paths';
export * from './versions';
export * from './vocabulary';
export * from './io/index';
export * from './data/index';
export * from './models/index';
export * from './losses/index';
export * from './train/index';
export * from './imputers/index';
export * from './eval/index';
export * from './report/index';
