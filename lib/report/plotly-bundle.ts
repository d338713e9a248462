/**
 * Finds and reads the plotly.js browser bundle shipped in node_modules (no network): the
 * minified `plotly.js-dist-min` when installed (about 4.7 MB), else `plotly.js-dist` (3.x ships
 * only an unminified bundle of about 11 MB).
 */
import { readFileSync } from 'node:fs';

/** The bundle packages tried, in order. */
const PLOTLY_BUNDLE_PACKAGES = ['plotly.js-dist-min', 'plotly.js-dist'] as const;

let cached: { path: string; source: string } | undefined;

/** Returns the absolute path of the plotly.js bundle; throws naming the packages tried when none resolves. */
export function plotlyBundlePath(): string {
  for (const name of PLOTLY_BUNDLE_PACKAGES) {
    try {
      return require.resolve(name);
    } catch {
      // try the next package
    }
  }
  throw new Error(`plotly.js bundle not found: install one of ${PLOTLY_BUNDLE_PACKAGES.join(', ')} (npm install plotly.js-dist)`);
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
