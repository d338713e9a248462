/**
 * The seam between the models and the fused kernels: the forward passes that training, prediction
 * and evaluation run. Each returns what the models' own tfjs ops return (`MsaModel.apply`,
 * lib/models' `applyModels`), computed by the fused kernels where the active backend has them
 * registered (kernel-pack.ts; fused-encoder.ts, fused-heads.ts): a modality's pooling encoders as
 * one kernel call each way, the concat fusion and both heads of every model as one. Elsewhere, or
 * for a config the kernels do not compute, they are the models' tfjs ops. The kernels read each
 * model's weights from its typed `parameters`. The values agree with the tfjs ops up to the order
 * of float sums (test/accelerator/fused-model.test.ts, fused-encoder.test.ts, fused-heads.test.ts).
 * @see docs/native-kernels.md
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import type { ApplyOptions, ModelInput, ModelOutput, MsaModel } from '../models/model';
import { modelInputs } from '../models/model';
import { isPoolingEncoder } from '../models/pooled-encoders';
import {
  applyModels, canVectoriseEncoders, perModelPooled, pooledEncoderWeights, vectorisedEncoders, type ApplyModelsOptions,
} from '../models/vectorised-encoders';
import { acceleratedPooledEncoder, fusedEncoderApplies, fusedEncoderAvailable, fusedPooledEncoder } from './fused-encoder';
import { canFuseHeads, fusedHeads, fusedHeadsAvailable } from './fused-heads';

/** Returns the outputs of the model's fusion and heads from its pooled h_m [B, d]: one fused call each way for the concat fusion where the kernels are registered, else `applyPooled`. */
function acceleratedHeads(model: MsaModel, pooled: Partial<Record<Modality, tf.Tensor2D>>, options: ApplyOptions): ModelOutput {
  const seed = model.callSeed(options);
  if (model.config.fusion !== 'concat' || !fusedHeadsAvailable()) return model.applyPooled(pooled, { training: options.training, seed });
  // concat fusion takes no dropout seed
  const stacked: Partial<Record<Modality, tf.Tensor3D>> = {};
  for (const m of model.modalities) {
    if (!pooled[m]) throw new Error(`Expected pooled ${m} features for model '${model.name}', but got none`);
    stacked[m] = tf.expandDims<tf.Tensor3D>(pooled[m]!, 1); // [B, 1, d]
  }
  const [out] = fusedHeads([model], stacked, [Object.fromEntries(model.modalities.map((m) => [m, 0]))]);
  return { ...out, pooled };
}

/** Returns the model's pooled h_m [B, d] through the fused encoder kernel (k = 1), modality j taking dropout seed `seed + 1 + j` as `apply` does. */
function fusedEncodersOfOne(model: MsaModel, inputs: ReturnType<typeof modelInputs>, training: boolean, seed: number): Partial<Record<Modality, tf.Tensor2D>> {
  const { d, dropout, frameActivation } = model.config;
  const pooled: Partial<Record<Modality, tf.Tensor2D>> = {};
  model.modalities.forEach((m, j) => {
    const { x, mask } = inputs[m]!;
    const rate = training ? dropout : 0;
    const options = { tanh: frameActivation === 'tanh', dropout: rate, seeds: [rate > 0 ? (seed + 1 + j) >>> 0 : 0] };
    pooled[m] = fusedPooledEncoder(x, mask, pooledEncoderWeights([model], m), options).reshape([x.shape[0], d]) as tf.Tensor2D; // [B, d]
  });
  return pooled;
}

/**
 * Returns one model's outputs, as `model.apply(batch, options)` does (the same checks, dropout
 * seeds and call counter), through the fused kernels where they are registered.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
export function acceleratedApply(model: MsaModel, batch: ModelInput, options: ApplyOptions): ModelOutput {
  const c = model.config;
  const fuseHeads = c.fusion === 'concat' && fusedHeadsAvailable();
  const poolingEncoders = isPoolingEncoder(c) && fusedEncoderAvailable();
  if (!fuseHeads && !poolingEncoders) return model.apply(batch, options);
  const seed = model.callSeed(options);
  const own = { training: options.training, seed };
  const inputs = modelInputs(model, batch);
  const fuseEncoders = poolingEncoders && model.modalities.every((m) => fusedEncoderApplies(inputs[m]!.x, inputs[m]!.mask));
  const pooled = fuseEncoders ? fusedEncodersOfOne(model, inputs, options.training, seed) : model.encode(batch, own);
  return acceleratedHeads(model, pooled, own);
}

/**
 * Returns every model's outputs on the same batch, as lib/models' `applyModels` does (vectorised
 * encoders where the configs allow it; `vectorise: false` runs the models one by one), through the
 * fused kernels where they are registered: each modality's encoders as one call, and the fusion
 * and heads of all models as one.
 * @see notebooks/03-online-mmckd.ipynb
 */
export function acceleratedApplyModels(models: readonly MsaModel[], batch: ModelInput, options: ApplyModelsOptions): ModelOutput[] {
  const headsAvailable = fusedHeadsAvailable();
  if (!headsAvailable && !fusedEncoderAvailable()) return applyModels(models, batch, options);
  const opts = (i: number): ApplyOptions => ({ training: options.training, seed: options.seeds[i] });
  if (options.vectorise === false || !canVectoriseEncoders(models)) return models.map((model, i) => acceleratedApply(model, batch, opts(i)));
  const encoded = vectorisedEncoders(models, batch, options.training, options.seeds, acceleratedPooledEncoder);
  if (!canFuseHeads(models) || !headsAvailable) {
    const pooled = perModelPooled(models, encoded);
    return models.map((model, i) => acceleratedHeads(model, pooled[i], opts(i)));
  }
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
