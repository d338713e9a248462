/**
 * Locating a Chromium binary for static figure export and the static pictures of notebook charts
 * (Debian's `chromium` package; playwright's own browser downloads do not work offline).
 * MMCKD_CHROMIUM names the binary; a value that is not an executable (e.g. `none`) means no
 * browser, which is how a machine without one is simulated.
 */
import { accessSync, constants } from 'node:fs';

/** Paths tried after MMCKD_CHROMIUM, in order. */
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] as const;

/** Thrown when no Chromium binary is found; the message says how to install or point to one. */
export class ChromiumNotFoundError extends Error {
  readonly tried: string[];
  constructor(tried: string[]) {
    super(
      `No Chromium found for static figure export (tried ${tried.join(', ')}). ` +
        'Install it with `sudo apt-get install chromium` on Debian/Ubuntu, ' +
        'or set MMCKD_CHROMIUM to the path of a Chromium or Chrome binary.',
    );
    this.name = 'ChromiumNotFoundError';
    this.tried = tried;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the Chromium path to use, or undefined when none exists (MMCKD_CHROMIUM first, then the usual paths). */
export function findChromium(env: Record<string, string | undefined> = process.env): string | undefined {
  const fromEnv = env.MMCKD_CHROMIUM;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  return CHROMIUM_CANDIDATES.find(isExecutable);
}

/** Returns the Chromium path to use; throws ChromiumNotFoundError listing the paths tried. */
export function requireChromium(env: Record<string, string | undefined> = process.env): string {
  const found = findChromium(env);
  if (found) return found;
  throw new ChromiumNotFoundError(env.MMCKD_CHROMIUM ? [`MMCKD_CHROMIUM=${env.MMCKD_CHROMIUM}`] : ['MMCKD_CHROMIUM (unset)', ...CHROMIUM_CANDIDATES]);
}
