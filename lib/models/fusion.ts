/**
 * Inter-modal fusion (our reconstruction), two kinds:
 * - 'transformer': a small transformer over the modality tokens [cls, h_t, h_a, h_v] (only the
 *   model's modalities), each token plus a learned modality-type embedding; f = final LayerNorm
 *   of the output at cls, [B, d].
 * - 'concat': f = ReLU(W [h_t; h_a; h_v] + b), [B, d]. No LayerNorm touches the tokens, so the
 *   size of h_m (how strongly a clip's cue frames spoke) reaches the head intact; see
 *   docs/recipe-search.md for what each kind gave.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { Modality } from '../data/modalities';
import type { ModelConfig } from './config';
import type { ForwardContext } from './forward-context';
import { createLayerNorm } from './layer-norm';
import { createLinear, type LinearParameters } from './linear';
import type { ParameterStore } from './parameter-store';
import { createTransformerLayer } from './transformer-layer';

/** The fusion block. */
export interface Fusion {
  /** The 'concat' fusion's dense layer, w [M*d, d] and b [d]; undefined for 'transformer'. */
  readonly concat?: LinearParameters;
  /** Returns f [B, d] from the pooled h_m [B, d] of the model's modalities (in MMSA order). */
  apply(pooled: tf.Tensor2D[], ctx: ForwardContext): tf.Tensor2D;
}

/** Creates `${prefix}.concat` (M*d -> d), or `${prefix}.cls`, `${prefix}.type` [1 + M, d], the layers and `${prefix}.norm`. */
export function createFusion(
  store: ParameterStore,
  prefix: string,
  modalities: readonly Modality[],
  config: Pick<ModelConfig, 'd' | 'fusion' | 'fusionLayers' | 'heads' | 'ffnMult' | 'activation'>,
): Fusion {
  const { d } = config;
  if (config.fusion === 'concat') {
    const mix = createLinear(store, `${prefix}.concat`, modalities.length * d, d);
    return {
      concat: mix.parameters,
      apply: (pooled) => mix.apply(pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1), 'relu') as tf.Tensor2D, // [B, d] from [B, M*d]
    };
  }
  const tokens = modalities.length + 1;
  const cls = store.add(`${prefix}.cls`, [1, 1, d], { kind: 'normal', std: 0.02 });
  // Row 0 is the cls token's type; row 1 + i is modality i's (modalities in MMSA order).
  const typeEmbedding = store.add(`${prefix}.type`, [tokens, d], { kind: 'normal', std: 0.02 });
  const layers = Array.from({ length: config.fusionLayers }, (_, i) => createTransformerLayer(store, `${prefix}.layer${i}`, config));
  const norm = createLayerNorm(store, `${prefix}.norm`, d);
  return {
    apply(pooled, ctx) {
      const b = pooled[0].shape[0];
      const seq = tf.concat([tf.tile(cls, [b, 1, 1]), ...pooled.map((h) => tf.expandDims(h, 1))], 1); // [B, 1+M, d]
      let x = tf.add(seq, typeEmbedding) as tf.Tensor3D; // [B, 1+M, d]
      for (const layer of layers) x = layer.apply(x, undefined, ctx);
      const first = tf.slice(x, [0, 0, 0], [b, 1, d]).reshape([b, d]); // [B, d] output at cls
      return norm.apply(first) as tf.Tensor2D;
    },
  };
}
