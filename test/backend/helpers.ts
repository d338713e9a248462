/** Shared fixtures of the backend tests. */
import type { ModuleLoader } from '../../lib/backend';

/** A loader that pretends the native packages are missing, as on a machine without internet. */
export const withoutNative: ModuleLoader = (name) => {
  if (name.startsWith('@tensorflow/tfjs-node')) {
    const err = new Error(`Cannot find module '${name}'`) as Error & { code: string };
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return require(name);
};
