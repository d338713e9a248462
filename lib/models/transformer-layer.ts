/**
 * A pre-LN transformer layer (Xiong et al. 2020): x + Drop(MHSA(LN(x))), then
 * x + Drop(FFN(LN(x))) with FFN d -> ffnMult*d -> d.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationKind } from './config';
import { applyDropout, type ForwardContext } from './forward-context';
import { createLayerNorm } from './layer-norm';
import { createLinear } from './linear';
import type { ParameterStore } from './parameter-store';
import { createSelfAttention } from './attention';

/** Shape of one transformer layer. */
export interface TransformerLayerSpec {
  d: number;
  heads: number;
  ffnMult: number;
  activation: ActivationKind;
}

/** A transformer layer: returns [B, T, d] from [B, T, d] and an optional key bias [B, 1, 1, T]. */
export interface TransformerLayer {
  apply(x: tf.Tensor3D, keyBias: tf.Tensor4D | undefined, ctx: ForwardContext): tf.Tensor3D;
}

/** Returns exact GELU, 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** Creates the parameters of one layer under `prefix` (.ln1, .attention, .ln2, .ffn1, .ffn2). */
export function createTransformerLayer(store: ParameterStore, prefix: string, spec: TransformerLayerSpec): TransformerLayer {
  const { d, heads, ffnMult, activation } = spec;
  const ln1 = createLayerNorm(store, `${prefix}.ln1`, d);
  const attention = createSelfAttention(store, `${prefix}.attention`, d, heads);
  const ln2 = createLayerNorm(store, `${prefix}.ln2`, d);
  const ffn1 = createLinear(store, `${prefix}.ffn1`, d, ffnMult * d);
  const ffn2 = createLinear(store, `${prefix}.ffn2`, ffnMult * d, d);
  return {
    apply(x, keyBias, ctx) {
      const a = attention.apply(ln1.apply(x) as tf.Tensor3D, keyBias);
      const h = tf.add(x, applyDropout(a, ctx)) as tf.Tensor3D; // [B, T, d]
      const inner = activation === 'relu' ? ffn1.apply(ln2.apply(h), 'relu') : gelu(ffn1.apply(ln2.apply(h))); // [B, T, f*d]
      return tf.add(h, applyDropout(ffn2.apply(inner), ctx)) as tf.Tensor3D; // [B, T, d]
    },
  };
}
