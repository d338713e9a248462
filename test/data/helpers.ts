/** Shared helpers of the data-layer tests. */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { MODALITIES } from '../../lib/data/modalities';
import { SPLIT_NAMES, type MultimodalDataset } from '../../lib/data/types';

/** Absolute path of a fixture file. */
export const fixture = (name: string): string => resolve(__dirname, '..', '..', 'data', 'fixtures', name);

/** SHA-256 over every array, id and label of a dataset. */
export function datasetHash(d: MultimodalDataset): string {
  const h = createHash('sha256');
  for (const s of SPLIT_NAMES) {
    h.update(d[s].ids.join('\n'));
    h.update(new Uint8Array(d[s].labels.buffer, d[s].labels.byteOffset, d[s].labels.byteLength));
    for (const m of MODALITIES) {
      const f = d[s].features[m];
      h.update(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength));
      h.update(new Uint8Array(f.lengths.buffer, f.lengths.byteOffset, f.lengths.byteLength));
    }
  }
  return h.digest('hex');
}
