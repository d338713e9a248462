/**
 * The calibrated default must not move when the generator grows: these hashes were recorded from
 * the generator before the regime knobs (training-set size, added label noise, sharing beyond the
 * label, distractor dimensions) existed, so a knob whose default draws a random number or moves a
 * value fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEFAULT_SYNTHETIC_CONFIG, generateSynthetic, syntheticConfig, type SyntheticDataset } from '../../lib/data/synthetic';
import { SPLIT_NAMES } from '../../lib/data/types';
import { datasetHash } from './helpers';

/** SHA-256 over the ground truth that existed before the knobs (latent, speakers, flipped). */
function truthHash(d: SyntheticDataset): string {
  const h = createHash('sha256');
  for (const s of SPLIT_NAMES) {
    for (const a of [d.truth[s].latent, d.truth[s].speakers, d.truth[s].flipped]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

test('the default config generates byte-identical data to the calibrated generator', () => {
  const d = generateSynthetic(DEFAULT_SYNTHETIC_CONFIG);
  assert.equal(datasetHash(d), 'd7fa12f1b7635cadcdc2ad8cd06c4020f0313ac972e38ce17d239a0dcea80a28');
  assert.equal(truthHash(d), '06a91bf58f5807c7d1ebbeec07ea70e61b5950dad2f5bfab4fa4a9fd2b40d6cc');
});

test("the 'quick' preset generates byte-identical data to the calibrated generator", () => {
  const d = generateSynthetic(syntheticConfig('quick'));
  assert.equal(datasetHash(d), '02df287fafdc9ac70276648120fb669f39c7e7e2cbb2a9054b76fb5d4ec3eb06');
  assert.equal(truthHash(d), 'c0c804085b13efc4f271a9f5a9b2c20fd77f937fed3ba2a947786253794a3fca');
});

test('a smaller training set (counts.train 150) generates byte-identical data to the calibrated generator', () => {
  const d = generateSynthetic(syntheticConfig('mosi', { counts: { train: 150 } }));
  assert.equal(datasetHash(d), '6f28ee4d6cc987e9b05a5020361e91bbd3ac3cdafb8254adf466fca411d08329');
});
