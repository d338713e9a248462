/**
 * Finds and reads the plotly.js browser bundle shipped in node_modules (no network): the minified
 * `plotly.js-dist-min` (about 4.7 MB; docs/dependencies.md says why not `plotly.js-dist`).
 */
import { readFileSync } from 'node:fs';

/** The package of the bundle. */
const PLOTLY_BUNDLE_PACKAGE = 'plotly.js-dist-min';

let cached: { path: string; source: string } | undefined;

/** Returns the absolute path of the plotly.js bundle; throws naming the package when it does not resolve. */
export function plotlyBundlePath(): string {
  try {
    return require.resolve(PLOTLY_BUNDLE_PACKAGE);
  } catch {
    throw new Error(`plotly.js bundle not found: ${PLOTLY_BUNDLE_PACKAGE} is not installed (run npm ci)`);
  }
}

/** Returns the plotly.js bundle's source text (read once per process and cached). */
export function plotlyBundleSource(): string {
  const path = plotlyBundlePath();
  if (!cached || cached.path !== path) cached = { path, source: readFileSync(path, 'utf8') };
  return cached.source;
}

/** Returns the plotly.js version named in the bundle's header comment, or 'unknown'. */
export function plotlyBundleVersion(): string {
  const m = /plotly\.js v(\d+\.\d+\.\d+)/.exec(plotlyBundleSource().slice(0, 400));
  return m ? m[1] : 'unknown';
}
