/**
 * The concat fusion and both heads of several models as ONE kernel call forward and one backward,
 * the same values as each model's own fusion.ts and heads.ts in tfjs ops.
 * After the fused encoders (fused-encoder.ts) the seven models' fusion and heads were most of the
 * step's ~800 kernel calls: per model a concatenation, four dense layers, two ReLUs and an L2
 * normalisation, and three times as many calls for their gradients. Per model i:
 *
 *   f    = relu([h_m1, h_m2, ...] Wf + bf)       [B, d]   (fusion.ts, 'concat')
 *   y    = f wr + br                             [B]      (heads.ts, regression)
 *   proj = l2normalize(relu(f Wh + bh) Wo + bo)  [B, p]   (heads.ts, projection)
 *
 * It reads the pooled features as the fused encoder returns them, [B, k, d] per modality, and
 * gives their gradients back in that form, so no split or concat sits between the two. Like the
 * encoder kernels, a backend provides the kernels (kernel-pack.ts: wasm over the OpenBLAS addon or
 * the WebAssembly module); elsewhere `fusedHeadsAvailable()` is false and each model's own
 * `applyPooled` runs. The weights are read from each model's typed `parameters`, not by name.
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import type { MsaModel } from '../models/model';

/** Kernel names: the forward and backward of each head over all models (a backend provides them). */
export const FUSED_HEAD_KERNELS = {
  fusion: 'MmckdFusion',
  fusionGrad: 'MmckdFusionGrad',
  regression: 'MmckdRegressionHeads',
  regressionGrad: 'MmckdRegressionHeadsGrad',
  projection: 'MmckdProjectionHeads',
  projectionGrad: 'MmckdProjectionHeadsGrad',
} as const;

/** Attributes of the kernels. */
export interface FusedHeadsAttrs {
  /** Models. */
  n: number;
  /** Clips per batch. */
  b: number;
  /** Model width. */
  d: number;
  /** Projection size. */
  p: number;
  /** Models per modality (k of its [B, k, d] pooled tensor; 0 when no model reads it), text, audio, vision. */
  k: number[];
  /** Per model: its modality count M, then M pairs (modality index, slot in that modality's pooled tensor). */
  spec: number[];
}

/** What one model gets back: the tensors of `ModelOutput` the heads make. */
export interface HeadOutputs {
  prediction: tf.Tensor1D;
  projection: tf.Tensor2D;
  fused: tf.Tensor2D;
}

/** Returns true when the active backend has every fused-heads kernel. */
export function fusedHeadsAvailable(): boolean {
  const backend = tf.getBackend();
  return Object.values(FUSED_HEAD_KERNELS).every((name) => tf.getKernel(name, backend) !== undefined);
}

/** True when the models' fusion is 'concat' with one width and one projection size (what the kernels compute). */
export function canFuseHeads(models: readonly MsaModel[]): boolean {
  const first = models[0]?.config;
  return first !== undefined && models.every((m) => m.config.fusion === 'concat' && m.config.d === first.d && m.config.projectionDim === first.projectionDim);
}

/**
 * Returns one op over all models: `forward` named inputs in, its first output out (the second, a
 * workspace, is saved with `saved` for the gradient kernel, which gets the same attributes).
 */
function stackedOp(kernel: string, gradKernel: string, attrs: FusedHeadsAttrs, names: string[],
  gradInputs: (dy: tf.Tensor, saved: tf.Tensor[], inputs: tf.Tensor[]) => tf.NamedTensorMap, keep: (inputs: tf.Tensor[], outs: tf.Tensor[]) => tf.Tensor[]) {
  const attrMap = attrs as unknown as tf.NamedAttrMap;
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const inputs = args.slice(0, names.length) as tf.Tensor[];
    const save = args[names.length] as tf.GradSaveFunc;
    const named: tf.NamedTensorMap = {};
    names.forEach((n, q) => (named[n] = inputs[q]));
    const outs = [tf.engine().runKernel(kernel, named, attrMap)].flat() as tf.Tensor[];
    save(keep(inputs, outs));
    return {
      value: outs[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(gradKernel, gradInputs(dy, saved, inputs), attrMap) as tf.Tensor[],
    };
  });
}

/** Returns `list` as inputs named prefix0, prefix1, ... */
function numbered(prefix: string, list: tf.Tensor[]): tf.NamedTensorMap {
  return Object.fromEntries(list.map((t, q) => [`${prefix}${q}`, t]));
}

/**
 * Returns every model's prediction [B], projection [B, p] and fused f [B, d] from the pooled
 * features per modality (`pooled[m]` [B, k_m, d]; model i's features of modality m are at slot
 * `slots[i][m]`), with gradients to the pooled tensors and every fusion and head weight that the
 * loss reaches.
 */
export function fusedHeads(models: readonly MsaModel[], pooled: Partial<Record<Modality, tf.Tensor3D>>,
  slots: readonly Partial<Record<Modality, number>>[]): HeadOutputs[] {
  const present = MODALITIES.filter((m) => pooled[m]);
  const [b, , d] = pooled[present[0]]!.shape;
  const n = models.length;
  const attrs: FusedHeadsAttrs = {
    n,
    b,
    d,
    p: models[0].config.projectionDim,
    k: MODALITIES.map((m) => pooled[m]?.shape[1] ?? 0),
    spec: models.flatMap((model, i) => [model.modalities.length, ...model.modalities.flatMap((m) => {
      const slot = slots[i][m];
      if (slot === undefined || !pooled[m]) throw new Error(`Expected pooled ${m} features for model '${model.name}', but got none`);
      return [MODALITIES.indexOf(m), slot];
    })]),
  };
  const K = FUSED_HEAD_KERNELS;
  // fusion: f [n B, d] from the pooled features; saves f and its workspace (the concatenated inputs)
  const concat = models.map((model) => {
    const layer = model.parameters.fusion.concat;
    if (!layer) throw new Error(`Expected model '${model.name}' to have the 'concat' fusion, but it has '${model.config.fusion}'`);
    return layer;
  });
  const fusionWeights = concat.flatMap((layer) => [layer.w, layer.b] as tf.Tensor[]);
  const pooledNames = present.map((m) => `p${MODALITIES.indexOf(m)}`);
  const fusion = stackedOp(K.fusion, K.fusionGrad, attrs, [...pooledNames, ...fusionWeights.map((_, q) => `w${q}`)],
    (dy, [f, ws]) => ({ dy, f, ws, ...numbered('w', concat.map((layer) => layer.w)) }), (_, outs) => [outs[0], outs[1]]);
  const f = fusion(...present.map((m) => pooled[m]!), ...fusionWeights) as tf.Tensor2D;
  // regression: y [n B, 1]; saves f
  const regression = models.map((model) => model.parameters.regression);
  const regressionWeights = regression.flatMap((layer) => [layer.w, layer.b] as tf.Tensor[]);
  const regressionOp = stackedOp(K.regression, K.regressionGrad, attrs, ['f', ...regressionWeights.map((_, q) => `w${q}`)],
    (dy, [fs]) => ({ dy, f: fs, ...numbered('w', regression.map((layer) => layer.w)) }), (inputs) => [inputs[0]]);
  const y = regressionOp(f, ...regressionWeights);
  // projection: proj [n B, p]; saves f and its workspace (hidden activations, row scales)
  const projectionWeights = models.flatMap((model) => {
    const { hidden, out } = model.parameters.projection;
    return [hidden.w, hidden.b, out.w, out.b] as tf.Tensor[];
  });
  const projection = stackedOp(K.projection, K.projectionGrad, attrs, ['f', ...projectionWeights.map((_, q) => `w${q}`)],
    (dy, [fs, ws]) => ({ dy, f: fs, ws, ...numbered('w', projectionWeights.filter((_, q) => q % 2 === 0)) }), (inputs, outs) => [inputs[0], outs[1]]);
  const proj = projection(f, ...projectionWeights);
  const perModel = (t: tf.Tensor) => (n === 1 ? [t] : tf.split(t, n, 0)); // n x [B, .]
  const [ys, projs, fs] = [perModel(y), perModel(proj), perModel(f)];
  return models.map((_, i) => ({
    prediction: ys[i].reshape([b]) as tf.Tensor1D,
    projection: projs[i] as tf.Tensor2D,
    fused: fs[i] as tf.Tensor2D,
  }));
}
