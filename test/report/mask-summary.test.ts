import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../lib/data/load-dataset';
import { imderBatchMissing } from '../../lib/data/missing/imder-batch-missing';
import type { MaskedSplit } from '../../lib/data/missing/masks';
import { imderEvaluationBatchSize } from '../../lib/eval/evaluate-protocols';
import { imderBatchView, missingModalityShare } from '../../lib/report/mask-summary';

test('missingModalityShare is the share of (clip, modality) pairs with no frame left', () => {
  const masked = { available: Uint8Array.from([1, 1, 0, 1, 0, 0]) } as MaskedSplit;
  assert.equal(missingModalityShare(masked), 0.5);
  assert.equal(missingModalityShare({ available: new Uint8Array(0) } as MaskedSplit), 0);
});

test('imderBatchView shows two clips of the first batch keeping one, two and three modalities, with the plan counts', () => {
  const test = loadDataset('synthetic:quick').test; // 96 clips
  const batchSize = imderEvaluationBatchSize(test.ids.length);
  const p3 = imderBatchMissing(test, 0.5, 1, { batchSize });
  const view = imderBatchView(p3, { batchSize, seed: 1 });
  assert.equal(batchSize, 10);
  assert.deepEqual(view.keeping, [7, 1, 2], 'IMDer counting at 0.5 on 10 batches');
  assert.equal(view.lastBatchSize, 6);
  assert.equal(view.perBatchMissingShare, 0.5);
  assert.deepEqual(view.batches.map((b) => p3.plan.kept[b]), [1, 2, 3]);
  assert.equal(view.clips.length, 6);
  view.clips.forEach((clip, i) => {
    assert.equal(p3.batchOfClip[clip], view.batches[Math.floor(i / 2)], `clip ${clip} is in the batch it is shown for`);
    assert.equal(view.rowLabels[i], `clip ${clip}, batch ${p3.batchOfClip[clip]}`);
  });
  assert.equal(view.note, `test clips, two per batch: ${view.batches.map((b, k) => `batch ${b} keeps ${k + 1} of 3 modalities`).join(', ')} (10 batches of 10, clips shuffled by seed 1)`);
  assert.equal(imderBatchView(p3, { batchSize, seed: 1, clipsPerBatch: 1, splitName: 'valid' }).clips.length, 3);
});
