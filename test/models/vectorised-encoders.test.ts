import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import type { Batch } from '../../lib/data/types';
import { buildModelSet, disposeModelSet } from '../../lib/models/model-set';
import { acceleratedApplyModels } from '../../lib/accelerator/model-forward';
import { canVectoriseEncoders } from '../../lib/models/vectorised-encoders';
import { onlineDistillationObjective, regressionObjective } from '../../lib/train/objectives';
import { maskedStepBatch, STEP_BATCH } from './helpers';

type Objective = ReturnType<typeof regressionObjective>;

// The seven models' encoders run as one computation per modality: the loss and every gradient must
// equal the model-by-model formulation (up to the order of float sums), with dropout on, masks
// with padding and a clip whose modality is missing entirely.

const { clips: B, frames: T, dims: DIMS } = STEP_BATCH;

function makeBatch(): Batch {
  const input = (m: keyof typeof DIMS, seed: number) => tf.randomNormal([B, T, DIMS[m]], 0, 1, 'float32', seed) as tf.Tensor3D;
  return maskedStepBatch({ text: input('text', 1), audio: input('audio', 2), vision: input('vision', 3) });
}

function lossAndGrads(objective: Objective, vars: tf.Variable[], batch: Batch): { loss: number; grads: Map<string, Float32Array> } {
  const { value, grads } = tf.variableGrads(() => objective(batch, 5).total, vars);
  const out = new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

function assertSame(a: ReturnType<typeof lossAndGrads>, b: ReturnType<typeof lossAndGrads>, what: string): void {
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `${what}: loss ${a.loss} vs ${b.loss}`);
  assert.equal(a.grads.size, b.grads.size);
  for (const [name, g] of a.grads) {
    const h = b.grads.get(name)!;
    const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
    for (let i = 0; i < g.length; i++) {
      assert.ok(Math.abs(g[i] - h[i]) <= 1e-4 * scale, `${what}: gradient of ${name}[${i}] ${g[i]} vs ${h[i]}`);
    }
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`vectorised encoders equal the per-model ones on ${backend}: MM-CKD and L1 losses and every gradient, dropout on`, async () => {
    await selectBackend({ force: backend });
    const before = tf.memory().numTensors;
    const models = buildModelSet({ d: 16, projectionDim: 8, dropout: 0.1, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T } }, SUBSET_NAMES, 3);
    assert.ok(canVectoriseEncoders(Object.values(models)), 'the default architecture vectorises');
    const vars = Object.values(models).flatMap((m) => m.variables());
    const batch = makeBatch();
    const config = { lambda: 0.1, tau: 0.5, classScheme: 7 as const, detachTeacherViews: false };
    for (const [what, make] of [
      ['MM-CKD', (vectorise: boolean) => onlineDistillationObjective(models, config, true, { vectorise })],
      ['L1 of seven models', (vectorise: boolean) => regressionObjective(models, { vectorise })],
    ] as const) {
      assertSame(lossAndGrads(make(false), vars, batch), lossAndGrads(make(true), vars, batch), `${backend} ${what}`);
    }
    // the pooled features of a missing modality are exactly zero, as per model
    const outs = tf.tidy(() => acceleratedApplyModels(Object.values(models), batch, { training: true, seeds: [1, 2, 3, 4, 5, 6, 7] }).map((o) => o.pooled.audio?.arraySync()));
    for (const pooled of outs) if (pooled) assert.ok((pooled as number[][])[1].every((v) => v === 0));
    tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
    disposeModelSet(models);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });
}

test('models with transformer layers are applied model by model', async () => {
  await selectBackend({ force: 'cpu' });
  const models = buildModelSet({ d: 8, heads: 2, layers: 1, projectionDim: 4, inputDims: DIMS, seqLens: { text: T, audio: T, vision: T } }, ['ta', 't'], 1);
  assert.equal(canVectoriseEncoders(Object.values(models)), false);
  disposeModelSet(models);
});
