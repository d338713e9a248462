import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMmsaPickle } from '../../lib/data/mmsa-pickle';
import { DatasetFormatError } from '../../lib/data/errors';
import { MODALITIES } from '../../lib/data/modalities';
import { SPLIT_NAMES } from '../../lib/data/types';
import { datasetHash, fixture } from './helpers';

// The closed forms of data/fixtures/make_fixtures.py.
const LABELS = { train: [-3.0, -1.4, 0.0, 2.8], valid: [0.6, -0.2], test: [3.0, 1.2, -2.4] };
const length = (i: number): number => 6 - (i % 3);
const textValue = (si: number, i: number, t: number, d: number): number => Math.fround(si * 10 + i + t * 0.1 + d * 0.01 + 0.5);
const audioValue = (i: number, t: number, d: number): number => Math.fround(-(i + 1) - t * 0.1 - d * 0.01);
const visionValue = (i: number, t: number, d: number): number => Math.fround(i * 2 + t + d * 0.5);

for (const file of ['mmsa_aligned_np1.pkl', 'mmsa_aligned_np2.pkl', 'mmsa_aligned_np1_p2.pkl', 'mmsa_aligned_np2_p5.pkl']) {
  test(`${file}: exact values, lengths from text_bert, -inf and NaN set to 0`, () => {
    const d = loadMmsaPickle(fixture(file));
    assert.equal(d.meta.source, 'mmsa-pickle');
    assert.equal(d.meta.aligned, true);
    assert.deepEqual(d.meta.dims, { text: 8, audio: 5, vision: 3 });
    SPLIT_NAMES.forEach((s, si) => {
      const sp = d[s];
      assert.deepEqual([...sp.labels], LABELS[s].map(Math.fround));
      assert.deepEqual(sp.ids, LABELS[s].map((_, i) => `vid${si}_${i}`));
      for (const m of MODALITIES) assert.deepEqual([...sp.features[m].lengths], LABELS[s].map((_, i) => length(i)));
      const { text, audio, vision } = sp.features;
      for (let i = 0; i < sp.labels.length; i++) {
        for (let t = 0; t < 6; t++) {
          for (let k = 0; k < 8; k++) assert.equal(text.data[(i * 6 + t) * 8 + k], t < length(i) ? textValue(si, i, t, k) : 0);
          for (let k = 0; k < 5; k++) {
            const cleared = s === 'train' && i === 0 && t === 0 && k < 2; // -inf and NaN in the file
            assert.equal(audio.data[(i * 6 + t) * 5 + k], t < length(i) && !cleared ? audioValue(i, t, k) : 0);
          }
          for (let k = 0; k < 3; k++) assert.equal(vision.data[(i * 6 + t) * 3 + k], t < length(i) ? visionValue(i, t, k) : 0);
        }
      }
    });
  });
}

test('numpy 1.x and numpy 2.x pickles give byte-identical datasets', () => {
  const hashes = ['mmsa_aligned_np1.pkl', 'mmsa_aligned_np2.pkl', 'mmsa_aligned_np1_p2.pkl', 'mmsa_aligned_np2_p5.pkl'].map((f) => datasetHash(loadMmsaPickle(fixture(f))));
  assert.equal(new Set(hashes).size, 1);
});

test('unaligned float64 pickle: float32 values, explicit lengths (list and array), text length from non-zero frames', () => {
  const d = loadMmsaPickle(fixture('mmsa_unaligned_np1.pkl'));
  assert.equal(d.meta.aligned, false);
  assert.deepEqual(d.meta.seqLens, { text: 6, audio: 7, vision: 4 });
  const tr = d.train.features;
  assert.ok(tr.audio.data instanceof Float32Array);
  assert.deepEqual([...tr.text.lengths], [6, 5, 4, 6]);
  assert.deepEqual([...tr.audio.lengths], [7, 6, 5, 7]);
  assert.deepEqual([...tr.vision.lengths], [4, 4, 4, 4]);
  assert.equal(tr.audio.data[(1 * 7 + 2) * 5 + 3], audioValue(1, 2, 3));
  assert.equal(tr.vision.data[(3 * 4 + 3) * 3 + 2], visionValue(3, 3, 2));
});

const BAD: [string, RegExp, string | undefined, string | undefined][] = [
  ['bad_truncated.pkl', /not a readable MMSA pickle: truncated pickle/, undefined, undefined],
  ['bad_not_pickle.pkl', /not a readable MMSA pickle/, undefined, undefined],
  ['bad_missing_key.pkl', /missing key/, 'valid', 'vision'],
  ['bad_missing_split.pkl', /missing split/, 'test', undefined],
  ['bad_mismatch.pkl', /has 2 clips but regression_labels has 3/, 'test', 'audio'],
  ['bad_label_range.pkl', /clip 1 has label 3\.5, outside \[-3, 3\]/, 'train', 'regression_labels'],
  ['bad_rank.pkl', /expected rank 3/, 'train', 'vision'],
  ['bad_malicious.pkl', /refused global 'posix\.system'/, undefined, undefined],
  ['bad_huge_shape.pkl', /needs 4000000 bytes/, undefined, undefined],
];

for (const [file, message, split, key] of BAD) {
  test(`${file} is rejected with an error naming file, split and key`, () => {
    assert.throws(
      () => loadMmsaPickle(fixture(file)),
      (err: unknown) => {
        assert.ok(err instanceof DatasetFormatError, `DatasetFormatError, got ${String(err)}`);
        assert.match(err.message, message);
        assert.equal(err.file, fixture(file));
        assert.ok(err.message.startsWith(fixture(file)));
        assert.equal(err.split, split);
        assert.equal(err.key, key);
        return true;
      },
    );
  });
}

test('a missing file is a DatasetFormatError naming it', () => {
  assert.throws(() => loadMmsaPickle('/nonexistent/aligned_50.pkl'), (err: unknown) => err instanceof DatasetFormatError && err.file === '/nonexistent/aligned_50.pkl');
});
