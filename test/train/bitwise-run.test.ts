import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { DIGEST_BACKENDS, tinyRunDigest, variantName, type TinyRunDigest } from './tiny-run-digest';

/** Digests the synchronous loop gave (recorded before the loop became asynchronous). */
const RECORDED = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'tiny-run-digest.json'), 'utf8')) as Record<string, TinyRunDigest>;

for (const backend of DIGEST_BACKENDS) {
  test(`on ${backend}, a tiny run gives bitwise the losses, weights and metrics the synchronous loop gave, and leaks no tensor`, async (t) => {
    const report = await selectBackend({ force: backend });
    const variant = variantName(report.choice);
    const recorded = RECORDED[variant];
    if (!recorded) {
      t.skip(`no recorded digest for ${variant} (recorded: ${Object.keys(RECORDED).join(', ')})`);
      return;
    }
    assert.equal(tf.getBackend(), report.tfjsBackend);
    const before = tf.memory().numTensors;
    const digest = await tinyRunDigest();
    assert.equal(tf.memory().numTensors, before, 'the run leaked tensors');
    assert.deepStrictEqual(digest.history, recorded.history, 'losses, scores, gradient norms or probe values differ');
    assert.deepStrictEqual(digest.weights, recorded.weights, 'final weights differ');
    assert.deepStrictEqual(digest.metrics, recorded.metrics, 'test metrics differ');
  });
}
