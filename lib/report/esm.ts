/** The report layer's ESM-only packages (arquero 8), loaded through lib/esm.ts. */
import { importEsm } from '../esm';

export { importEsm };

/** Returns a promise of the arquero module (ESM-only), typed by arquero's own declarations. */
export function loadArquero(): Promise<typeof import('arquero')> {
  return importEsm<typeof import('arquero')>('arquero');
}
