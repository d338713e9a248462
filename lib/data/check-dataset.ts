/**
 * Checks a loaded dataset before anything trains on it: every split holds clips (an empty train
 * split would "train" nothing, an empty valid split would select checkpoints by a MAE of 0, an
 * empty test split would fail only after training), and no stream declares more frames or
 * features than the kit's limits (a split of zero clips may declare 10^9 frames per clip at no
 * cost in the file, and batching it would then fail with "Invalid typed array length").
 */
import { DatasetFormatError } from './errors';
import { MODALITIES } from './modalities';
import { SPLIT_NAMES, type MultimodalDataset } from './types';

/** The largest number of frames per clip the kit accepts (MOSI/MOSEI use 50, SIMS 39 to 925). */
const MAX_FRAMES_PER_CLIP = 100_000;

/** The largest number of features per frame the kit accepts (BERT-large is 1024). */
const MAX_FEATURES_PER_FRAME = 100_000;

/** Why each split may not be empty, for the error message. */
const EMPTY_SPLIT_REASON: Record<string, string> = {
  train: 'nothing to train on',
  valid: 'checkpoints are selected on it',
  test: 'the models are scored on it',
};

/**
 * Throws DatasetFormatError naming the file (or the dataset's name), the split and the key when a
 * split is empty or a stream's frames or features pass the limits; returns the dataset otherwise.
 */
export function checkDataset(dataset: MultimodalDataset, file = dataset.meta.path ?? dataset.meta.name): MultimodalDataset {
  for (const s of SPLIT_NAMES) {
    const split = dataset[s];
    const n = split.labels.length;
    if (n === 0) throw new DatasetFormatError({ file, split: s }, `the split has no clips (${EMPTY_SPLIT_REASON[s]})`);
    if (split.ids.length !== n) throw new DatasetFormatError({ file, split: s, key: 'id' }, `has ${split.ids.length} ids but the split has ${n} clips`);
    for (const m of MODALITIES) {
      const f = split.features[m];
      if (!(Number.isInteger(f.seqLen) && f.seqLen >= 1 && f.seqLen <= MAX_FRAMES_PER_CLIP)) {
        throw new DatasetFormatError({ file, split: s, key: m }, `declares ${f.seqLen} frames per clip, expected 1 to ${MAX_FRAMES_PER_CLIP}`);
      }
      if (!(Number.isInteger(f.dim) && f.dim >= 1 && f.dim <= MAX_FEATURES_PER_FRAME)) {
        throw new DatasetFormatError({ file, split: s, key: m }, `declares ${f.dim} features per frame, expected 1 to ${MAX_FEATURES_PER_FRAME}`);
      }
      if (f.numClips !== n || f.data.length !== n * f.seqLen * f.dim || f.lengths.length !== n) {
        throw new DatasetFormatError({ file, split: s, key: m }, `holds ${f.data.length} values for ${f.numClips} clips of [${f.seqLen}, ${f.dim}], but the split has ${n} clips`);
      }
    }
  }
  return dataset;
}
