import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { SUBSET_NAMES, subsetModalities } from '../../lib/data/modalities';
import { buildModel, buildModelSet, disposeModelSet, validateModelConfig, DEFAULT_MODEL_CONFIG } from '../../lib/models';
import { TINY, disposeInput, randomInput } from './helpers';

const B = 3;

before(async () => {
  await selectBackend();
});

describe('buildModel', () => {
  it('gives prediction [B], unit-norm projection [B, p], fused [B, d] and pooled per own modality for all seven models', () => {
    const models = buildModelSet(TINY, SUBSET_NAMES, 7);
    const input = randomInput(B, TINY, { text: [6, 3, 1], audio: [5, 2, 4] }, 1);
    for (const name of SUBSET_NAMES) {
      const out = tf.tidy(() => {
        const o = models[name].apply(input, { training: false });
        return {
          prediction: o.prediction.shape,
          projection: o.projection.shape,
          fused: o.fused.shape,
          pooled: Object.keys(o.pooled).sort(),
          norms: Array.from(tf.norm(o.projection, 'euclidean', 1).dataSync()),
          finite: tf.all(tf.isFinite(o.prediction)).dataSync()[0],
        };
      });
      assert.deepEqual(out.prediction, [B], name);
      assert.deepEqual(out.projection, [B, 4], name);
      assert.deepEqual(out.fused, [B, 8], name);
      assert.deepEqual(out.pooled, [...subsetModalities(name)].sort(), name);
      for (const n of out.norms) assert.ok(Math.abs(n - 1) < 1e-5, `${name} projection norm ${n}`);
      assert.equal(out.finite, 1);
    }
    disposeInput(input);
    disposeModelSet(models);
  });

  it('reads only its own modalities: a student runs on a batch without the missing one', () => {
    const model = buildModel({ ...TINY, subset: 'av' }, 3);
    const input = randomInput(B, TINY, {}, 2);
    const { text, ...inputs } = input.inputs;
    const { text: textMask, ...masks } = input.masks;
    void text;
    void textMask;
    const shape = tf.tidy(() => model.apply({ inputs, masks }, { training: false }).prediction.shape);
    assert.deepEqual(shape, [B]);
    const textModel = buildModel({ ...TINY, subset: 'tv' });
    assert.throws(() => textModel.apply({ inputs, masks }, { training: false }), /text inputs and mask/);
    textModel.dispose();
    disposeInput(input);
    model.dispose();
  });

  it('ignores padded frames: changing values at masked positions changes nothing (training=false)', () => {
    const model = buildModel({ ...TINY, subset: 'tav' }, 5);
    const lengths = { text: [6, 2, 4], audio: [1, 5, 3], vision: [4, 2, 1] };
    const input = randomInput(B, TINY, lengths, 3);
    const noisy = {
      inputs: Object.fromEntries(
        Object.entries(input.inputs).map(([m, x]) => {
          const mask = input.masks[m as keyof typeof input.masks]!;
          const noise = tf.mul(tf.randomNormal(x!.shape, 0, 5, 'float32', 11), tf.sub(1, mask).expandDims(2));
          return [m, tf.add(x!, noise)];
        }),
      ),
      masks: input.masks,
    };
    const run = (x: typeof input | typeof noisy) =>
      tf.tidy(() => {
        const o = model.apply(x, { training: false });
        return { prediction: o.prediction, projection: o.projection };
      });
    const a = run(input);
    const b = run(noisy);
    assert.deepEqual(Array.from(b.prediction.dataSync()), Array.from(a.prediction.dataSync()));
    assert.deepEqual(Array.from(b.projection.dataSync()), Array.from(a.projection.dataSync()));
    tf.dispose([a, b, ...Object.values(noisy.inputs)] as never);
    disposeInput(input);
    model.dispose();
  });

  it('gives finite outputs and a zero pooled vector when a modality is missing entirely (all-zero mask)', () => {
    const model = buildModel({ ...TINY, subset: 'tav' }, 6);
    const input = randomInput(B, TINY, { audio: [0, 0, 0], vision: [0, 3, 0] }, 4);
    const out = tf.tidy(() => {
      const o = model.apply(input, { training: true, seed: 1 });
      return {
        finite: tf.all(tf.isFinite(tf.concat([o.prediction.expandDims(1), o.projection, o.fused], 1))).dataSync()[0],
        audio: Array.from(o.pooled.audio!.dataSync()),
      };
    });
    assert.equal(out.finite, 1);
    assert.ok(out.audio.every((v) => v === 0));
    disposeInput(input);
    model.dispose();
  });

  it('round-trips getWeights / setWeights into a differently seeded model with identical predictions', () => {
    const a = buildModel({ ...TINY, subset: 'tv', positional: 'sinusoidal', activation: 'gelu' }, 1);
    const b = buildModel({ ...TINY, subset: 'tv', positional: 'sinusoidal', activation: 'gelu' }, 2);
    const input = randomInput(B, TINY, { text: [2, 6, 5] }, 5);
    const before = tf.tidy(() => Array.from(b.apply(input, { training: false }).prediction.dataSync()));
    const weights = a.getWeights();
    b.setWeights(weights);
    tf.dispose(Object.values(weights));
    const pa = tf.tidy(() => Array.from(a.apply(input, { training: false }).prediction.dataSync()));
    const pb = tf.tidy(() => Array.from(b.apply(input, { training: false }).prediction.dataSync()));
    assert.deepEqual(pb, pa);
    assert.notDeepEqual(before, pa);
    const w = a.getWeights();
    delete w['heads.regression.b'];
    assert.throws(() => b.setWeights(w), /heads\.regression\.b/);
    tf.dispose(Object.values(w));
    disposeInput(input);
    a.dispose();
    b.dispose();
  });

  it('is deterministic: same config and seed give the same weights; same dropout seed gives the same output', () => {
    const a = buildModel({ ...TINY, subset: 'a' }, 9);
    const b = buildModel({ ...TINY, subset: 'a' }, 9);
    const input = randomInput(B, TINY, {}, 6);
    const run = (m: typeof a, seed: number) => tf.tidy(() => Array.from(m.apply(input, { training: true, seed }).prediction.dataSync()));
    assert.deepEqual(run(a, 4), run(b, 4));
    assert.notDeepEqual(run(a, 4), run(a, 5));
    disposeInput(input);
    a.dispose();
    b.dispose();
  });

  it('leaks no tensor across 20 Adam steps (measured after step 1, which creates the slots)', () => {
    const model = buildModel({ ...TINY, subset: 'tav' }, 8);
    const input = randomInput(B, TINY, { text: [6, 2, 3] }, 7);
    const optimizer = tf.train.adam(1e-3);
    const step = (i: number) => {
      const loss = optimizer.minimize(
        () => {
          const o = model.apply(input, { training: true, seed: i });
          return tf.add(tf.mean(tf.abs(tf.sub(o.prediction, input.labels))), tf.mean(o.projection)) as tf.Scalar;
        },
        true,
        model.variables(),
      );
      loss!.dispose();
    };
    step(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 20; i++) step(i);
    assert.equal(tf.memory().numTensors, before);
    optimizer.dispose();
    disposeInput(input);
    const live = tf.memory().numTensors;
    const vars = model.variables().length;
    model.dispose();
    assert.equal(tf.memory().numTensors, live - vars);
  });
});

describe('validateModelConfig', () => {
  it('fills defaults from DEFAULT_MODEL_CONFIG', () => {
    const c = validateModelConfig({ subset: 'ta', inputDims: { text: 10 } as never });
    assert.equal(c.d, DEFAULT_MODEL_CONFIG.d);
    assert.deepEqual(c.inputDims, { text: 10, audio: 5, vision: 20 });
  });

  it('names the field at fault', () => {
    assert.throws(() => validateModelConfig({ d: 30, heads: 4 }), /Expected heads to divide d, but got d=30, heads=4/);
    assert.throws(() => validateModelConfig({ dropout: 1 }), /Expected dropout to be in \[0, 1\)/);
    assert.throws(() => validateModelConfig({ subset: 'x' as never }), /Expected subset to be one of/);
    assert.throws(() => validateModelConfig({ seqLens: { text: 0 } as never }), /seqLens\.text/);
    assert.throws(() => validateModelConfig({ positional: 'rope' as never }), /positional/);
  });
});
