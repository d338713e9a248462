/**
 * The encoders of several models as one computation per modality. MM-CKD trains seven models on
 * the same batch, and four of them read each modality: their input projections, tanh, dropout
 * and attention pooling are the same operations on the same frames with different weights. Here
 * the four projections are one matrix product (weights side by side, [D_m, 4d]), and every
 * following step runs over a model axis ([B, T, 4, d]), so a training step issues a fraction of
 * the kernel calls (pooled-encoders.ts). The values equal the per-model encoders' (each model
 * keeps its own weights, dropout seeds and masks; only the order of some float sums changes), and
 * the gradients flow to each model's own variables. Encoders with transformer layers or positions
 * are not vectorised. lib/accelerator runs the same set through fused kernels where a backend has
 * them (`acceleratedApplyModels`), passing its own `PooledEncoderOp` to `vectorisedEncoders`.
 * @see docs/method.md
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import type { ApplyOptions, ModelInput, ModelOutput, MsaModel } from './model';
import { isPoolingEncoder, tfjsPooledEncoder, type PooledEncoderOp, type PooledEncoderWeights } from './pooled-encoders';

/** Options of `applyModels`. */
export interface ApplyModelsOptions {
  /** True while training: dropout is active. */
  training: boolean;
  /** Model i's call seed, as `MsaModel.apply` takes it. */
  seeds: readonly number[];
  /** False runs the models one by one (default: vectorised where `canVectoriseEncoders`); same values either way. */
  vectorise?: boolean;
}

/** True when every model's encoders can run vectorised (pooling encoders, `isPoolingEncoder`, of one width, dropout and frame activation). */
export function canVectoriseEncoders(models: readonly MsaModel[]): boolean {
  if (models.length < 2) return false;
  const first = models[0].config;
  return models.every((m) => {
    const c = m.config;
    return isPoolingEncoder(c) && c.d === first.d && c.dropout === first.dropout && c.frameActivation === first.frameActivation;
  });
}

/** The encoders of several models, per modality: pooled [B, k, d] and which model reads each slot. */
export interface ModalityPooled {
  /** pooled[m] [B, k_m, d]: slot j holds the features of model members[m][j]. */
  pooled: Partial<Record<Modality, tf.Tensor3D>>;
  /** Model indices per modality, in slot order. */
  members: Partial<Record<Modality, number[]>>;
}

/** Returns the pooling-encoder weights of `models` for modality `m`, in model order (their own variables). */
export function pooledEncoderWeights(models: readonly MsaModel[], m: Modality): PooledEncoderWeights {
  const parts = models.map((model) => {
    const p = model.parameters.encoders[m];
    if (!p?.attentionScore) throw new Error(`Expected model '${model.name}' to have an attention-pooling ${m} encoder, but it has none`);
    return { input: p.input, score: p.attentionScore };
  });
  return { w: parts.map((p) => p.input.w), b: parts.map((p) => p.input.b), scoreW: parts.map((p) => p.score.w), scoreB: parts.map((p) => p.score.b) };
}

/**
 * Returns the pooled features of every model's encoders, one [B, k, d] tensor per modality over
 * the k models that read it, each computed by `pooledEncoder` (default: tfjs ops). `seeds[i]` is
 * model i's call seed (as `apply` takes it); with dropout on, model i's encoder of its j-th
 * modality uses seed `seeds[i] + 1 + j`, as in `apply`.
 */
export function vectorisedEncoders(models: readonly MsaModel[], batch: ModelInput, training: boolean, seeds: readonly number[],
  pooledEncoder: PooledEncoderOp = tfjsPooledEncoder): ModalityPooled {
  const out: ModalityPooled = { pooled: {}, members: {} };
  const { dropout, frameActivation } = models[0].config;
  for (const m of MODALITIES) {
    const members = models.map((model, i) => ({ model, i, slot: model.modalities.indexOf(m) })).filter((x) => x.slot >= 0);
    if (members.length === 0) continue;
    const x = batch.inputs[m];
    const mask = batch.masks[m];
    if (!x || !mask) throw new Error(`Expected the batch to hold ${m} inputs and mask, but it has none`);
    const options = { tanh: frameActivation === 'tanh', dropout: training ? dropout : 0, seeds: members.map(({ i, slot }) => (seeds[i] + 1 + slot) >>> 0) };
    out.pooled[m] = pooledEncoder(x, mask, pooledEncoderWeights(members.map(({ model }) => model), m), options); // [B, k, d]
    out.members[m] = members.map(({ i }) => i);
  }
  return out;
}

/** Returns model i's h_m [B, d] per modality it reads, sliced from `vectorisedEncoders`' output. */
export function perModelPooled(models: readonly MsaModel[], encoded: ModalityPooled): Partial<Record<Modality, tf.Tensor2D>>[] {
  const out: Partial<Record<Modality, tf.Tensor2D>>[] = models.map(() => ({}));
  for (const m of MODALITIES) {
    const pooled = encoded.pooled[m];
    const members = encoded.members[m];
    if (!pooled || !members) continue;
    const [b, k, d] = pooled.shape;
    const parts = k === 1 ? [pooled] : tf.split(pooled, k, 1);
    members.forEach((i, j) => {
      out[i][m] = parts[j].reshape([b, d]) as tf.Tensor2D;
    });
  }
  return out;
}

/**
 * Applies every model to the same batch, in tfjs ops: through `vectorisedEncoders` when the
 * encoders allow it (and `vectorise` is not false), then each model's fusion and heads; else
 * model by model. Same outputs either way.
 */
export function applyModels(models: readonly MsaModel[], batch: ModelInput, options: ApplyModelsOptions): ModelOutput[] {
  const opts = (i: number): ApplyOptions => ({ training: options.training, seed: options.seeds[i] });
  if (options.vectorise === false || !canVectoriseEncoders(models)) return models.map((model, i) => model.apply(batch, opts(i)));
  const pooled = perModelPooled(models, vectorisedEncoders(models, batch, options.training, options.seeds));
  return models.map((model, i) => model.applyPooled(pooled[i], opts(i)));
}
