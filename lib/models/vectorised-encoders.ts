/**
 * The encoders of several models as one computation per modality. MM-CKD trains seven models on
 * the same batch, and four of them read each modality: their input projections, tanh, dropout
 * and attention pooling are the same operations on the same frames with different weights. Here
 * the four projections are one matrix product (weights side by side, [D_m, 4d]), and every
 * following step runs over a model axis ([B, T, 4, d]), so a training step issues a fraction of
 * the kernel calls. The values equal the per-model encoders' (each model keeps its own weights,
 * dropout seeds and masks; only the order of some float sums changes), and the gradients flow to
 * each model's own variables. Encoders with transformer layers or positions are not vectorised.
 * @see docs/method.md
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import { MASKED_SCORE } from './attention';
import { affineConstantInput } from './linear';
import type { ApplyOptions, ModelInput, ModelOutput, MsaModel } from './model';

/** True when every model's encoders can run vectorised (no layers, no positions, attention pooling, one width and dropout). */
export function canVectoriseEncoders(models: readonly MsaModel[]): boolean {
  if (models.length < 2) return false;
  const first = models[0].config;
  return models.every((m) => {
    const c = m.config;
    return c.layers === 0 && c.positional === 'none' && c.pooling === 'attention' && c.d === first.d && c.dropout === first.dropout && c.frameActivation === first.frameActivation;
  });
}

/**
 * Returns h_m [B, d] of every model for every modality it reads, computed per modality over all
 * models at once. `seeds[i]` is model i's call seed (as `apply` takes it); with dropout on, model
 * i's encoder of its j-th modality uses seed `seeds[i] + 1 + j`, as in `apply`.
 */
export function vectorisedPooled(models: readonly MsaModel[], batch: ModelInput, training: boolean, seeds: readonly number[]): Partial<Record<Modality, tf.Tensor2D>>[] {
  const out: Partial<Record<Modality, tf.Tensor2D>>[] = models.map(() => ({}));
  const { d, dropout, frameActivation } = models[0].config;
  for (const m of MODALITIES) {
    const members = models.map((model, i) => ({ model, i, slot: model.modalities.indexOf(m) })).filter((x) => x.slot >= 0);
    if (members.length === 0) continue;
    const x = batch.inputs[m];
    const mask = batch.masks[m];
    if (!x || !mask) throw new Error(`Expected the batch to hold ${m} inputs and mask, but it has none`);
    const [b, t, dim] = x.shape;
    const k = members.length;
    const p = (name: string) => members.map(({ model }) => model.parameter(`encoder.${m}.${name}`));
    // One product for the k projections: [B*T, D] x [D, k*d] + [k*d]
    const w = k === 1 ? p('input.w')[0] : tf.concat(p('input.w'), 1);
    const bias = k === 1 ? p('input.b')[0] : tf.concat(p('input.b'), 0);
    let h = affineConstantInput(x.reshape([b * t, dim]) as tf.Tensor2D, w as tf.Tensor2D, bias as tf.Tensor1D).reshape([b, t, k, d]) as tf.Tensor4D;
    if (frameActivation === 'tanh') h = tf.tanh(h);
    if (training && dropout > 0) {
      // tf.dropout's own formula, with each model's noise drawn from its own seed and shape
      const keep = 1 - dropout;
      const noise = tf.stack(members.map(({ i, slot }) => tf.randomUniform([b, t, d], 0, 1, 'float32', (seeds[i] + 1 + slot) >>> 0)), 2); // [B, T, k, d]
      h = tf.mul(h, tf.div(tf.floor(tf.add(noise, keep)), keep)) as tf.Tensor4D;
    }
    // Attention pooling per model: score = w . h_t + c, softmax over the valid frames, weighted sum
    const scoreW = tf.concat(p('pool.score.w').map((v) => v.reshape([1, d])), 0); // [k, d]
    const scoreB = k === 1 ? p('pool.score.b')[0] : tf.concat(p('pool.score.b'), 0); // [k]
    const scores = tf.add(tf.sum(tf.mul(h, scoreW), 3), scoreB); // [B, T, k]
    const m3 = mask.reshape([b, t, 1]);
    const biased = tf.add(scores, tf.mul(tf.sub(1, m3), MASKED_SCORE)); // padded frames -> -1e9
    const weights = tf.mul(tf.softmax(tf.transpose(biased, [0, 2, 1])), mask.reshape([b, 1, t])); // [B, k, T]; an empty clip -> 0
    const pooled = tf.sum(tf.mul(h, tf.expandDims(tf.transpose(weights, [0, 2, 1]), 3)), 1); // [B, k, d]
    const parts = k === 1 ? [pooled] : tf.split(pooled, k, 1);
    members.forEach(({ i }, j) => {
      out[i][m] = parts[j].reshape([b, d]) as tf.Tensor2D;
    });
  }
  return out;
}

/**
 * Applies every model to the same batch: through `vectorisedPooled` and each model's heads when the
 * encoders allow it (and `vectorise` is not false), else model by model. Same outputs either way.
 */
export function applyModels(models: readonly MsaModel[], batch: ModelInput, options: { training: boolean; seeds: readonly number[]; vectorise?: boolean }): ModelOutput[] {
  const opts = (i: number): ApplyOptions => ({ training: options.training, seed: options.seeds[i] });
  if (options.vectorise === false || !canVectoriseEncoders(models)) return models.map((model, i) => model.apply(batch, opts(i)));
  const pooled = vectorisedPooled(models, batch, options.training, options.seeds);
  return models.map((model, i) => model.applyPooled(pooled[i], opts(i)));
}
