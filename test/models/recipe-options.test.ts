import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { buildModel, validateModelConfig, type ModelConfig } from '../../lib/models';
import { maskedSoftmaxWeights } from '../../lib/models/attention-pooling';
import { modelFlops } from '../../lib/models/flops';
import { FlatAdam } from '../../lib/train/flat-adam';
import { TINY, disposeInput, randomInput } from './helpers';

before(async () => {
  await selectBackend();
});

const VARIANTS: Partial<ModelConfig>[] = [
  { pooling: 'attention', fusion: 'concat', layers: 0, frameActivation: 'tanh', positional: 'none' },
  { pooling: 'attention', fusion: 'transformer', layers: 1, frameActivation: 'none', positional: 'learned' },
  { pooling: 'mean', fusion: 'concat', layers: 1, frameActivation: 'tanh', positional: 'sinusoidal' },
];

describe('maskedSoftmaxWeights', () => {
  it('is the softmax over the valid frames, zero on padding, and all zero for a clip with no valid frame', () => {
    const scores = tf.tensor2d([[1, 2, 3, 40], [0.5, -1, 2, 2]]);
    const mask = tf.tensor2d([[1, 1, 1, 0], [0, 0, 0, 0]]);
    const w = maskedSoftmaxWeights(scores, mask).arraySync();
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0] + e[1] + e[2];
    e.forEach((v, i) => assert.ok(Math.abs(w[0][i] - v / z) < 1e-6, `weight ${i}: ${w[0][i]}`));
    assert.equal(w[0][3], 0);
    assert.deepEqual(w[1], [0, 0, 0, 0]);
    tf.dispose([scores, mask]);
  });
});

describe('model options of the recipe (pooling, fusion, frame activation, positions)', () => {
  for (const variant of VARIANTS) {
    const label = JSON.stringify(variant);
    it(`${label}: shapes, padding ignored, a missing modality pools to zero, one step lowers the loss, no leak`, () => {
      const config = { ...TINY, ...variant };
      for (const subset of SUBSET_NAMES) {
        const model = buildModel({ ...config, subset }, 3);
        const input = randomInput(3, config, { text: [6, 2, 4], audio: [1, 5, 3], vision: [4, 2, 1] }, 1);
        const out = tf.tidy(() => {
          const o = model.apply(input, { training: false });
          return [o.prediction.shape, o.fused.shape, o.projection.shape];
        });
        assert.deepEqual(out, [[3], [8], [3, 4]].map((s, i) => (i === 0 ? [3] : i === 1 ? [3, 8] : [3, 4])), `${subset}`);
        disposeInput(input);
        model.dispose();
      }
      // padded frames change nothing
      const model = buildModel({ ...config, subset: 'tav' }, 5);
      const lengths = { text: [6, 2, 4], audio: [1, 5, 3], vision: [4, 2, 1] };
      const a = randomInput(3, config, lengths, 7);
      const b = randomInput(3, config, lengths, 7);
      const noisy = tf.tidy(() => {
        const x = b.inputs.text!;
        const pad = tf.sub(1, b.masks.text!).expandDims(2); // [B, T, 1]
        return tf.keep(tf.add(x, tf.mul(pad, 5)) as tf.Tensor3D);
      });
      b.inputs.text!.dispose();
      b.inputs.text = noisy;
      const [pa, pb] = tf.tidy(() => [model.apply(a, { training: false }).prediction.arraySync(), model.apply(b, { training: false }).prediction.arraySync()]);
      pa.forEach((v, i) => assert.ok(Math.abs(v - pb[i]) < 1e-5, `padding changed prediction ${i}: ${v} vs ${pb[i]}`));
      // a missing modality (all-zero mask) pools to exactly zero
      const empty = randomInput(3, config, { audio: [0, 0, 0] }, 9);
      const pooledAudio = tf.tidy(() => model.apply(empty, { training: false }).pooled.audio!.abs().max().dataSync()[0]);
      assert.equal(pooledAudio, 0);
      // one Adam step on the L1 loss lowers it, and leaks nothing
      const opt = new FlatAdam(1e-2);
      // L1 plus a small term on the projection, so that every variable gets a gradient
      const objective = (seed: number) => () => {
        const o = model.apply(a, { training: true, seed });
        return tf.add(tf.mean(tf.abs(tf.sub(o.prediction, a.labels))), tf.mul(tf.mean(o.projection), 1e-3)) as tf.Scalar;
      };
      const loss = () => tf.tidy(() => tf.mean(tf.abs(tf.sub(model.apply(a, { training: false }).prediction, a.labels))).dataSync()[0]);
      const before = loss();
      const start = tf.memory().numTensors;
      for (let s = 0; s < 3; s++) {
        opt.minimize(objective(s), false, model.variables()); // FlatAdam keeps its state outside any tidy
        if (s === 0) assert.ok(tf.memory().numTensors - start <= 4, 'optimizer state only'); // m, v, x and one exported slot at most
      }
      const afterSteps = tf.memory().numTensors;
      opt.minimize(objective(9), false, model.variables());
      assert.equal(tf.memory().numTensors, afterSteps, 'a training step leaks no tensor');
      assert.ok(loss() < before, `loss ${before} -> ${loss()}`);
      opt.dispose();
      for (const x of [a, b, empty]) disposeInput(x);
      model.dispose();
    });
  }

  it('counts the attention pooling and the concat fusion in the FLOPs', () => {
    const base = { ...TINY, subset: 'tav' as const, layers: 0 };
    const mean = modelFlops({ ...base, pooling: 'mean', fusion: 'concat' });
    const attention = modelFlops({ ...base, pooling: 'attention', fusion: 'concat' });
    // score d -> 1 (2 d per frame) and the weighted sum (2 d per frame)
    assert.equal(attention.encoders.text! - mean.encoders.text!, 6 * 2 * 8 + 2 * 6 * 8);
    assert.equal(mean.fusion, 2 * 3 * 8 * 8);
  });

  it('names the field at fault for an unknown option', () => {
    assert.throws(() => validateModelConfig({ pooling: 'max' as never }), /Expected pooling to be 'mean' or 'attention', but got 'max'/);
    assert.throws(() => validateModelConfig({ fusion: 'sum' as never }), /Expected fusion to be 'transformer' or 'concat', but got 'sum'/);
    assert.throws(() => validateModelConfig({ frameActivation: 'relu' as never }), /Expected frameActivation to be 'none' or 'tanh'/);
    assert.throws(() => validateModelConfig({ positional: 'rope' as never }), /Expected positional to be 'learned', 'sinusoidal' or 'none'/);
  });
});

describe('FlatAdam weight decay (AdamW)', () => {
  it('one step equals x (1 - lr wd) - lr mhat / (sqrt(vhat) + eps), as torch.optim.AdamW; config round trip', () => {
    const x0 = [0.5, -2, 3];
    const g = [0.1, -0.3, 0.02];
    const v = tf.variable(tf.tensor1d(x0), true, 'adamw-test-x');
    const opt = new FlatAdam(0.1, 0.9, 0.999, null, 0.05);
    opt.applyGradients({ 'adamw-test-x': tf.tensor1d(g) });
    const got = v.dataSync();
    x0.forEach((x, i) => {
      const m = 0.1 * g[i];
      const s = 0.001 * g[i] * g[i];
      const want = x * (1 - 0.1 * 0.05) - (0.1 * (m / 0.1)) / (Math.sqrt(s / 0.001) + 1e-7);
      assert.ok(Math.abs(got[i] - want) < 1e-6, `x${i}: ${got[i]} vs ${want}`);
    });
    assert.equal(opt.getConfig().weightDecay, 0.05);
    assert.equal(new FlatAdam(0.1).getConfig().weightDecay, undefined);
    assert.throws(() => new FlatAdam(0.1, 0.9, 0.999, null, -1), /Expected weightDecay to be a number >= 0/);
    opt.dispose();
    v.dispose();
  });
});
