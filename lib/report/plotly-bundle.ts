/**
 * Finds and reads the plotly.js browser bundle shipped in node_modules (no network): the minified
 * `plotly.js-dist-min` (about 4.7 MB; docs/dependencies.md says why not `plotly.js-dist`).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { KIT_ROOT } from '../paths';

/** The package of the bundle. */
const PLOTLY_BUNDLE_PACKAGE = 'plotly.js-dist-min';

let cached: { path: string; source: string } | undefined;

/**
 * Returns the absolute path of the plotly.js bundle; throws naming the package when it does not
 * resolve. `require.resolve` follows symbolic links, so where the kit's node_modules (or the
 * package in it) is a link to elsewhere, the path through the kit's own node_modules is returned
 * when it names the same file: a Jupyter server rooted at the kit serves only what lies under it.
 */
export function plotlyBundlePath(): string {
  let resolved: string;
  let packageDir: string;
  try {
    resolved = require.resolve(PLOTLY_BUNDLE_PACKAGE);
    packageDir = dirname(require.resolve(`${PLOTLY_BUNDLE_PACKAGE}/package.json`));
  } catch {
    throw new Error(`plotly.js bundle not found: ${PLOTLY_BUNDLE_PACKAGE} is not installed (run npm ci)`);
  }
  const throughKit = join(KIT_ROOT, 'node_modules', PLOTLY_BUNDLE_PACKAGE, relative(packageDir, resolved));
  try {
    if (throughKit !== resolved && realpathSync(throughKit) === realpathSync(resolved)) return throughKit;
  } catch {
    // not installed under the kit's own node_modules: the resolved path is the only one
  }
  return resolved;
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
