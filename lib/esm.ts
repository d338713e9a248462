/**
 * Loading ESM-only packages (arquero 8, h5wasm) from this CommonJS library, under tsx, from the
 * compiled dist/lib and inside tslab. See esm-import.cjs for why the import lives in a plain .cjs
 * file (loaded by its path under the kit root, since tsc does not copy .cjs files to dist/).
 */
import { join } from 'node:path';
import { KIT_ROOT } from './paths';

type Importer = (specifier: string) => Promise<unknown>;
let importer: Importer | undefined;

/** Returns a promise of the ES module namespace of `specifier`, loaded with a native import(). */
export function importEsm<T = unknown>(specifier: string): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  importer ??= require(join(KIT_ROOT, 'lib', 'esm-import.cjs')) as Importer;
  return importer(specifier) as Promise<T>;
}
