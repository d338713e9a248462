/**
 * Analytic inference FLOPs of the imputers per clip (batch 1), in the convention of
 * lib/models/flops.ts: one multiply-add = 2 FLOPs, every matmul counted at the full padded
 * length, elementwise work (pooling, ReLU, bias, positions, the DDIM update, masking) ignored.
 * Only what runs for a missing pattern is counted: the encoders of the available modalities and
 * the decoders (denoisers) of the missing ones; the diffusion imputer pays its denoisers K times.
 * @see notebooks/05-computational-cost.ipynb
 */
import { MODALITIES, subsetModalities, type Modality, type SubsetName } from '../data/modalities';
import { denseFlops } from '../models/flops';
import { validateImputerConfig, type ImputerConfig } from './config';

/** FLOPs of one imputer for one missing pattern, by part. */
export interface ImputerFlops {
  /** Encoders of the available modalities (pooled D_m -> d), plus the diffusion code fusion. */
  condition: number;
  /** Autoencoder: the residual cascade. 0 for diffusion. */
  cascade: number;
  /** Per missing modality: the frame decoder (autoencoder) or K denoiser passes (diffusion). */
  decoders: Partial<Record<Modality, number>>;
  total: number;
}

/** FLOPs of the autoencoder's frame decoder of one modality: code (3d+3 -> h), then T frames of h -> h -> D. */
export function frameDecoderFlops(c: Pick<ImputerConfig, 'd' | 'hidden'>, seqLen: number, dim: number): number {
  return denseFlops(1, 3 * c.d + 3, c.hidden) + denseFlops(seqLen, c.hidden, c.hidden) + denseFlops(seqLen, c.hidden, dim);
}

/** FLOPs of one denoiser pass of one modality: condition and step (d -> h), T frames of D -> h -> h -> D. */
export function denoiserFlops(c: Pick<ImputerConfig, 'd' | 'hidden'>, seqLen: number, dim: number): number {
  return 2 * denseFlops(1, c.d, c.hidden) + denseFlops(seqLen, dim, c.hidden) + denseFlops(seqLen, c.hidden, c.hidden) + denseFlops(seqLen, c.hidden, dim);
}

/** Returns the imputer's FLOPs per clip for the clips whose available modalities are `subset`. */
export function imputerFlops(config: Partial<ImputerConfig>, subset: SubsetName, options: { sampleSteps?: number } = {}): ImputerFlops {
  const c = validateImputerConfig(config);
  const available = subsetModalities(subset);
  const missing = MODALITIES.filter((m) => !available.includes(m));
  if (missing.length === 0) return { condition: 0, cascade: 0, decoders: {}, total: 0 };
  const width = 3 * c.d + 3;
  let condition = available.reduce((s, m) => s + denseFlops(1, c.inputDims[m], c.d), 0);
  let cascade = 0;
  const decoders: Partial<Record<Modality, number>> = {};
  if (c.kind === 'autoencoder') {
    cascade = c.aeBlocks * (denseFlops(1, width, c.bottleneck) + denseFlops(1, c.bottleneck, width));
    for (const m of missing) decoders[m] = frameDecoderFlops(c, c.seqLens[m], c.inputDims[m]);
  } else {
    condition += denseFlops(1, width, c.d);
    const k = options.sampleSteps ?? c.sampleSteps;
    for (const m of missing) decoders[m] = k * denoiserFlops(c, c.seqLens[m], c.inputDims[m]);
  }
  const total = condition + cascade + Object.values(decoders).reduce((s, v) => s + (v ?? 0), 0);
  return { condition, cascade, decoders, total };
}
