/**
 * Analytic inference cost of one clip (batch 1), in FLOPs with one multiply-add = 2 FLOPs.
 *
 * Counted: every matmul — the input projections D_m -> d, the Q/K/V and output projections,
 * attention scores Q K^T and the weighted sum A V (2 T^2 d each per layer, all heads together),
 * the feed-forward d -> f d -> d, and the heads. Sequences are counted at their full padded
 * length T_m, as the implementation computes them.
 * Ignored (elementwise or O(T d), small next to the matmuls): bias adds, positions, LayerNorm,
 * softmax, activations, dropout, the mask bias, pooling, the type embedding and the L2
 * normalisation. `excludeTrainingHeads` drops the projection head, which only the MVSC loss
 * uses: inference cost in the literature counts what runs at test time.
 * @see notebooks/05-computational-cost.ipynb
 */
import { subsetModalities, type Modality } from '../data/modalities';
import { validateModelConfig, type ModelConfig } from './config';

/** FLOPs of a dense layer applied to `rows` vectors: 2 * rows * inDim * outDim. */
export function denseFlops(rows: number, inDim: number, outDim: number): number {
  return 2 * rows * inDim * outDim;
}

/**
 * FLOPs of one multi-head self-attention block over T tokens of width d: QKV projection
 * (2 T d 3d), scores (2 T T d), weighted sum (2 T T d) and output projection (2 T d d).
 */
export function attentionFlops(t: number, d: number): number {
  return denseFlops(t, d, 3 * d) + 2 * t * t * d + 2 * t * t * d + denseFlops(t, d, d);
}

/** FLOPs of one transformer layer over T tokens: attention plus the d -> f d -> d feed-forward. */
export function transformerLayerFlops(t: number, d: number, ffnMult: number): number {
  return attentionFlops(t, d) + denseFlops(t, d, ffnMult * d) + denseFlops(t, ffnMult * d, d);
}

/** FLOPs of a model's parts for one clip. */
export interface FlopsBreakdown {
  encoders: Partial<Record<Modality, number>>;
  fusion: number;
  regressionHead: number;
  /** Zero when training-only heads are excluded. */
  projectionHead: number;
  total: number;
}

/** Options of `modelFlops`. */
export interface FlopsOptions {
  /** Leave out the projection head (used only by the training loss). Default false. */
  excludeTrainingHeads?: boolean;
}

/** Returns the analytic FLOPs per clip of the model `config` describes, by part. */
export function modelFlops(config: Partial<ModelConfig>, options: FlopsOptions = {}): FlopsBreakdown {
  const c = validateModelConfig(config);
  const mods = subsetModalities(c.subset);
  const encoders: Partial<Record<Modality, number>> = {};
  let total = 0;
  for (const m of mods) {
    const t = c.seqLens[m];
    // attention pooling: one score per frame (d -> 1) and the weighted sum (2 d per frame)
    const pooling = c.pooling === 'attention' ? denseFlops(t, c.d, 1) + 2 * t * c.d : 0;
    const f = denseFlops(t, c.inputDims[m], c.d) + c.layers * transformerLayerFlops(t, c.d, c.ffnMult) + pooling;
    encoders[m] = f;
    total += f;
  }
  const fusion = c.fusion === 'concat' ? denseFlops(1, mods.length * c.d, c.d) : c.fusionLayers * transformerLayerFlops(mods.length + 1, c.d, c.ffnMult);
  const regressionHead = denseFlops(1, c.d, 1);
  const projectionHead = options.excludeTrainingHeads ? 0 : denseFlops(1, c.d, c.d) + denseFlops(1, c.d, c.projectionDim);
  total += fusion + regressionHead + projectionHead;
  return { encoders, fusion, regressionHead, projectionHead, total };
}
