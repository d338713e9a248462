/**
 * Where the kit reads and writes: data, caches, runs and figures. The cache, runs and figures
 * folders can be moved with an environment variable (MMCKD_CACHE_DIR, MMCKD_RUNS_DIR,
 * MMCKD_FIGURES_DIR) so notebooks, the CLI and tests agree.
 */
import { basename, resolve } from 'node:path';

/** The repository root (the folder holding package.json). */
export const KIT_ROOT = basename(resolve(__dirname, '..')) === 'dist' ? resolve(__dirname, '..', '..') : resolve(__dirname, '..');

/** Folders the kit uses: data/ (fixtures and how to get real data) and the movable cache, runs and figures folders. */
export interface KitPaths {
  root: string;
  data: string;
  cache: string;
  runs: string;
  figures: string;
}

/** Returns the kit's folders for the given environment (process.env by default). */
export function kitPaths(env: Record<string, string | undefined> = process.env): KitPaths {
  const data = resolve(KIT_ROOT, 'data');
  return {
    root: KIT_ROOT,
    data,
    cache: resolve(env.MMCKD_CACHE_DIR ?? resolve(data, 'cache')),
    runs: resolve(env.MMCKD_RUNS_DIR ?? resolve(KIT_ROOT, 'runs')),
    figures: resolve(env.MMCKD_FIGURES_DIR ?? resolve(KIT_ROOT, 'figures')),
  };
}

/** True when the quick setting (MMCKD_QUICK=1) asks notebooks and runs to stay small. */
export function isQuick(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.MMCKD_QUICK;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
