/**
 * One entry point for every dataset the kit reads: 'synthetic' (the 'mosi' preset),
 * 'synthetic:quick', 'synthetic:mosi', either with a query of generator fields
 * ('synthetic:mosi?counts.train=300&addedLabelNoise=0.5', lib/data/synthetic-spec.ts), or a path
 * to an MMSA feature pickle (.pkl). A .csd file holds one modality only and is refused with an
 * explanation (use `loadCsd` to read it).
 * @see notebooks/01-data-prep.ipynb
 */
import { extname } from 'node:path';
import { cachedLoad, type CacheOptions } from './cache';
import { checkDataset } from './check-dataset';
import { DatasetFormatError } from './errors';
import { checkDatasetFile } from './read-file';
import { loadMmsaPickle } from './mmsa-pickle';
import { generateSynthetic, syntheticConfig, type SyntheticOverrides } from './synthetic';
import { isSyntheticSpec, mergeSyntheticOverrides, parseSyntheticSpec } from './synthetic-spec';
import type { MultimodalDataset } from './types';

/** Options of `loadDataset`. */
export interface LoadDatasetOptions extends CacheOptions {
  /** Overrides of the synthetic generator (counts, dims, seed, cue strengths ...), applied over the spec's query. */
  synthetic?: SyntheticOverrides;
}

/**
 * Loads a dataset by spec: 'synthetic', 'synthetic:<preset>' (optionally '?field=value&...'),
 * or a .pkl path (cached after the first parse). Throws DatasetFormatError for unreadable files, .csd files, empty splits and
 * streams past the kit's limits (lib/data/check-dataset.ts).
 * @see notebooks/01-data-prep.ipynb
 */
export function loadDataset(spec: string, options: LoadDatasetOptions = {}): MultimodalDataset {
  if (isSyntheticSpec(spec)) {
    const { preset, overrides } = parseSyntheticSpec(spec);
    return checkDataset(generateSynthetic(syntheticConfig(preset, mergeSyntheticOverrides(overrides, options.synthetic ?? {}))));
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.csd') {
    throw new DatasetFormatError(
      { file: spec },
      'a CMU-MultimodalSDK .csd file holds ONE modality (e.g. COVAREP audio) of many videos at its own frame rate; ' +
        'a dataset needs text, audio, vision and labels aligned per clip. Read it with loadCsd(path), or align the ' +
        "SDK's text, audio, vision and label sequences with mmsdk (dataset.align) and save MMSA's pickle layout " +
        '(see data/README.md), then pass the .pkl',
    );
  }
  if (ext !== '.pkl' && ext !== '.pickle') {
    throw new DatasetFormatError({ file: spec }, "expected 'synthetic', 'synthetic:quick' or an MMSA .pkl file");
  }
  checkDatasetFile(spec);
  return checkDataset(cachedLoad(spec, () => loadMmsaPickle(spec), options).dataset, spec);
}
