/**
 * Loading ESM-only packages (arquero 8 for the report's tables, h5wasm for .csd files) from this CommonJS library, under tsx, from the
 * compiled dist/lib and inside tslab. See esm-import.cjs for why the import lives in a plain .cjs
 * file (loaded by its path under the kit root, since tsc does not copy .cjs files to dist/).
 */
import { join } from 'node:path';
import { KIT_ROOT } from '../paths';

type Importer = (specifier: string) => Promise<unknown>;
let importer: Importer | undefined;

/** Returns a promise of the ES module namespace of `specifier`, loaded with a native import(). */
export function importEsm<T = unknown>(specifier: string): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  importer ??= require(join(KIT_ROOT, 'lib', 'io', 'esm-import.cjs')) as Importer;
  return importer(specifier) as Promise<T>;
}

/** Returns a promise of the arquero module (ESM-only), typed by arquero's own declarations. */
export function loadArquero(): Promise<typeof import('arquero')> {
  return importEsm<typeof import('arquero')>('arquero');
}
