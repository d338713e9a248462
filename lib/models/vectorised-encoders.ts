/**
 * The encoders of several models as one computation per modality. MM-CKD trains seven models on
 * the same batch, and four of them read each modality: their input projections, tanh, dropout
 * and attention pooling are the same operations on the same frames with different weights. Here
 * the four projections are one matrix product (weights side by side, [D_m, 4d]), and every
 * following step runs over a model axis ([B, T, 4, d]), so a training step issues a fraction of
 * the kernel calls; where the backend has the fused encoder kernels (fused-encoder.ts: the
 * OpenBLAS pack on wasm) a modality is one kernel call forward and one backward. The values equal
 * the per-model encoders' (each model keeps its own weights, dropout seeds and masks; only the
 * order of some float sums changes), and the gradients flow to each model's own variables.
 * Encoders with transformer layers or positions are not vectorised.
 * @see docs/method.md
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import { isPoolingEncoder, pooledEncoder } from './fused-encoder';
import { canFuseHeads, fusedHeads, fusedHeadsAvailable } from './fused-heads';
import type { ApplyOptions, ModelInput, ModelOutput, MsaModel } from './model';

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

/**
 * Returns the pooled features of every model's encoders, one [B, k, d] tensor per modality over
 * the k models that read it. `seeds[i]` is model i's call seed (as `apply` takes it); with dropout
 * on, model i's encoder of its j-th modality uses seed `seeds[i] + 1 + j`, as in `apply`.
 */
function vectorisedEncoders(models: readonly MsaModel[], batch: ModelInput, training: boolean, seeds: readonly number[]): ModalityPooled {
  const out: ModalityPooled = { pooled: {}, members: {} };
  const { dropout, frameActivation } = models[0].config;
  for (const m of MODALITIES) {
    const members = models.map((model, i) => ({ model, i, slot: model.modalities.indexOf(m) })).filter((x) => x.slot >= 0);
    if (members.length === 0) continue;
    const x = batch.inputs[m];
    const mask = batch.masks[m];
    if (!x || !mask) throw new Error(`Expected the batch to hold ${m} inputs and mask, but it has none`);
    const p = (name: string) => members.map(({ model }) => model.parameter(`encoder.${m}.${name}`));
    const options = { tanh: frameActivation === 'tanh', dropout: training ? dropout : 0, seeds: members.map(({ i, slot }) => (seeds[i] + 1 + slot) >>> 0) };
    const weights = { w: p('input.w'), b: p('input.b'), scoreW: p('pool.score.w'), scoreB: p('pool.score.b') };
    out.pooled[m] = pooledEncoder(x, mask, weights, options); // [B, k, d]; one kernel call each way where fused
    out.members[m] = members.map(({ i }) => i);
  }
  return out;
}

/** Returns model i's h_m [B, d] per modality it reads, sliced from `vectorisedEncoders`' output. */
function perModelPooled(models: readonly MsaModel[], encoded: ModalityPooled): Partial<Record<Modality, tf.Tensor2D>>[] {
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
 * Applies every model to the same batch: through `vectorisedEncoders` when the encoders allow it
 * (and `vectorise` is not false), then the fused fusion and heads of all models where the backend
 * has them (fused-heads.ts), else each model's heads; else model by model. Same outputs either way.
 */
export function applyModels(models: readonly MsaModel[], batch: ModelInput, options: { training: boolean; seeds: readonly number[]; vectorise?: boolean }): ModelOutput[] {
  const opts = (i: number): ApplyOptions => ({ training: options.training, seed: options.seeds[i] });
  if (options.vectorise === false || !canVectoriseEncoders(models)) return models.map((model, i) => model.apply(batch, opts(i)));
  const encoded = vectorisedEncoders(models, batch, options.training, options.seeds);
  if (canFuseHeads(models) && fusedHeadsAvailable()) {
    // concat fusion takes no dropout seed, so the heads need none of the models' call seeds
    const slots = models.map((_, i) => Object.fromEntries(MODALITIES.flatMap((m) => {
      const j = encoded.members[m]?.indexOf(i) ?? -1;
      return j >= 0 ? [[m, j]] : [];
    })) as Partial<Record<Modality, number>>);
    const heads = fusedHeads(models, encoded.pooled, slots);
    // Each model's own h_m [B, d] is sliced only when read: no loss reads it, so a training step makes none.
    let pooled: Partial<Record<Modality, tf.Tensor2D>>[] | undefined;
    return models.map((_, i) => ({
      ...heads[i],
      get pooled() {
        pooled ??= perModelPooled(models, encoded);
        return pooled[i];
      },
    }));
  }
  const pooled = perModelPooled(models, encoded);
  return models.map((model, i) => model.applyPooled(pooled[i], opts(i)));
}
