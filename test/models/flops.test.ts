import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../lib/backend';
import { attentionFlops, buildModel, denseFlops, modelFlops, transformerLayerFlops } from '../../lib/models';

before(async () => {
  await selectBackend();
});

describe('FLOPs', () => {
  it('counts a dense layer as 2 * rows * in * out', () => {
    // 5 rows of 3 -> 4: 5 * 3 * 4 = 60 multiply-adds = 120 FLOPs.
    assert.equal(denseFlops(5, 3, 4), 120);
  });

  it('counts one attention layer: QKV 480 + QK^T 200 + AV 200 + output 160 for T=5, d=4', () => {
    // QKV: 5*4*12 = 240 MACs; scores: 5*5*4 = 100; weighted sum: 100; output: 5*4*4 = 80.
    assert.equal(attentionFlops(5, 4), 2 * (240 + 100 + 100 + 80));
    // plus the feed-forward 4 -> 8 -> 4 over 5 tokens: 2 * (160 + 160)
    assert.equal(transformerLayerFlops(5, 4, 2), 1040 + 640);
  });

  it('adds encoders, fusion and heads, and can leave out the projection head', () => {
    const config = {
      subset: 't' as const,
      inputDims: { text: 3, audio: 1, vision: 1 },
      seqLens: { text: 5, audio: 1, vision: 1 },
      d: 4, heads: 2, layers: 1, ffnMult: 2, projectionDim: 2, fusionLayers: 1,
      pooling: 'mean' as const, fusion: 'transformer' as const, // the transformer variant of the encoder and fusion
    };
    const f = modelFlops(config);
    assert.equal(f.encoders.text, 120 + 1680);
    assert.equal(f.fusion, transformerLayerFlops(2, 4, 2));
    assert.equal(f.regressionHead, 8);
    assert.equal(f.projectionHead, 2 * (16 + 8));
    assert.equal(f.total, 1800 + f.fusion + 8 + 48);
    const inference = modelFlops(config, { excludeTrainingHeads: true });
    assert.equal(inference.projectionHead, 0);
    assert.equal(inference.total, f.total - 48);
  });
});

describe('parameter counts', () => {
  it('matches a hand count for a tiny text-only model', () => {
    const model = buildModel({
      subset: 't',
      inputDims: { text: 3, audio: 1, vision: 1 },
      seqLens: { text: 4, audio: 1, vision: 1 },
      d: 4, heads: 2, layers: 1, ffnMult: 2, projectionDim: 2, fusionLayers: 1, positional: 'learned',
      pooling: 'mean' as const, fusion: 'transformer' as const, frameActivation: 'none' as const,
    });
    // layer: ln1 8 + qkv (4*12 + 12) 60 + out (16 + 4) 20 + ln2 8 + ffn1 (32 + 8) 40 + ffn2 (32 + 4) 36 = 172
    // encoder: input (12 + 4) 16 + positions 16 + layer 172 + norm 8 = 212
    // fusion: cls 4 + type embedding 2*4 8 + layer 172 + norm 8 = 192
    // heads: regression 4 + 1 = 5; projection (16 + 4) + (8 + 2) = 30
    const c = model.parameterCounts();
    assert.deepEqual(c, { encoders: { text: 212 }, encoderTotal: 212, fusion: 192, regressionHead: 5, projectionHead: 30, total: 439 });
    assert.equal(model.variables().reduce((s, v) => s + v.size, 0), 439);
    model.dispose();
  });
});
