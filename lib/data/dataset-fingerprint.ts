/**
 * A dataset's fingerprint: SHA-256 over its name, source, dims and lengths, and every split's ids,
 * labels, valid lengths and feature values. Run folders record it, so a folder trained on one
 * dataset refuses another one that merely shares its name or its clip counts.
 */
import { createHash } from 'node:crypto';
import { MODALITIES } from './modalities';
import { SPLIT_NAMES, type MultimodalDataset } from './types';

const cache = new WeakMap<MultimodalDataset, string>();

const bytesOf = (a: Float32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Returns the dataset's fingerprint (`sha256:<16 hex>`), computed once per dataset object. */
export function datasetFingerprint(dataset: MultimodalDataset): string {
  const known = cache.get(dataset);
  if (known) return known;
  const h = createHash('sha256');
  const { name, source, dims, seqLens } = dataset.meta;
  h.update(JSON.stringify({ name, source, dims, seqLens }));
  for (const s of SPLIT_NAMES) {
    const split = dataset[s];
    h.update(`|${s}|${split.ids.length}|${split.ids.join('\u0000')}`);
    h.update(bytesOf(split.labels));
    for (const m of MODALITIES) {
      const f = split.features[m];
      h.update(`|${m}|${f.numClips}|${f.seqLen}|${f.dim}`);
      h.update(bytesOf(f.lengths));
      h.update(bytesOf(f.data));
    }
  }
  const fingerprint = `sha256:${h.digest('hex').slice(0, 16)}`;
  cache.set(dataset, fingerprint);
  return fingerprint;
}
