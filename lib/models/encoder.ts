/**
 * The per-modality encoder of MM-CKD (our reconstruction, docs/method.md): linear D_m -> d, an
 * optional per-frame tanh, positions (learned, sinusoidal or none), L pre-LN transformer layers
 * with a key-padding mask and a final LayerNorm (L >= 1 only), then pooling to h_m [B, d]:
 * masked mean, or attention pooling (attention-pooling.ts).
 *
 * A clip whose mask is all zero (the modality is missing) pools to exactly zero: mean pooling
 * divides by max(valid frames, 1), attention pooling zeroes the weights of padded frames.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { applyDropout, type ForwardContext } from './forward-context';
import { createLayerNorm } from './layer-norm';
import { createAttentionPooling } from './attention-pooling';
import { createLinear, type LinearParameters } from './linear';
import type { ParameterStore } from './parameter-store';
import { keyPaddingBias } from './attention';
import { sinusoidalPositions } from './positional';
import { createTransformerLayer } from './transformer-layer';

/**
 * The variables of an encoder that a computation of the pooling encoder reads (pooled-encoders.ts,
 * lib/accelerator); the transformer option's layers, positions and norm are reached by name
 * through the model's getWeights.
 */
export interface EncoderParameters {
  /** The per-frame input projection D_m -> d: w [D_m, d], b [d]. */
  readonly input: LinearParameters;
  /** The attention-pooling score layer d -> 1 (pooling 'attention' only). */
  readonly attentionScore?: LinearParameters;
}

/** One modality's encoder. */
export interface ModalityEncoder {
  /** Its input projection and pooling score variables. */
  readonly parameters: EncoderParameters;
  /** Returns pooled h_m [B, d] from features [B, T, D_m] and the [B, T] 1/0 mask. */
  apply(x: tf.Tensor3D, mask: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** Disposes non-trainable constants (the sinusoid table); variables live in the store. */
  dispose(): void;
}

/** Returns masked mean pooling sum_t mask*h / max(sum_t mask, 1): [B, d] from [B, T, d] and [B, T]. */
export function maskedMeanPool(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, 2); // [B, T, 1]
  const total = tf.sum(tf.mul(h, m), 1); // [B, d]
  const count = tf.maximum(tf.sum(mask, 1, true), 1); // [B, 1] guarded: an empty clip divides by 1
  return tf.div(total, count) as tf.Tensor2D;
}

/** Creates the encoder of `modality` under `prefix` with the model's width, depth and positions. */
export function createEncoder(
  store: ParameterStore,
  prefix: string,
  inputDim: number,
  seqLen: number,
  config: Pick<ModelConfig, 'd' | 'layers' | 'heads' | 'ffnMult' | 'positional' | 'activation' | 'pooling' | 'frameActivation'>,
): ModalityEncoder {
  const { d } = config;
  const input = createLinear(store, `${prefix}.input`, inputDim, d, { inputGrad: false });
  const positions =
    config.positional === 'learned'
      ? store.add(`${prefix}.positions`, [seqLen, d], { kind: 'normal', std: 0.02 })
      : config.positional === 'sinusoidal'
        ? tf.keep(tf.tensor2d(sinusoidalPositions(seqLen, d), [seqLen, d]))
        : undefined;
  const layers = Array.from({ length: config.layers }, (_, i) => createTransformerLayer(store, `${prefix}.layer${i}`, config));
  // Pre-LN layers leave their output unnormalised: the final norm belongs to them.
  const finalNorm = config.layers > 0 ? createLayerNorm(store, `${prefix}.norm`, d) : undefined;
  const attentionPool = config.pooling === 'attention' ? createAttentionPooling(store, `${prefix}.pool`, d) : undefined;
  return {
    parameters: { input: input.parameters, attentionScore: attentionPool?.score },
    apply(x, mask, ctx) {
      const [, t, dim] = x.shape;
      if (dim !== inputDim) throw new Error(`Expected ${prefix} features of size ${inputDim}, but got ${dim}`);
      if (t > seqLen) throw new Error(`Expected ${prefix} sequences of at most ${seqLen} frames, but got ${t}`);
      let h = input.apply(x) as tf.Tensor3D; // [B, T, d]
      if (config.frameActivation === 'tanh') h = tf.tanh(h);
      if (positions) h = tf.add(h, t === seqLen ? positions : tf.slice(positions, [0, 0], [t, d])); // + [T, d]
      h = applyDropout(h, ctx);
      const bias = config.layers > 0 ? keyPaddingBias(mask) : undefined; // [B, 1, 1, T]
      for (const layer of layers) h = layer.apply(h, bias, ctx);
      if (finalNorm) h = finalNorm.apply(h) as tf.Tensor3D;
      return attentionPool ? attentionPool.apply(h, mask) : maskedMeanPool(h, mask); // [B, d]
    },
    dispose() {
      if (config.positional === 'sinusoidal') positions?.dispose();
    },
  };
}
