/**
 * The model configuration: one typed object with every hyperparameter and its default,
 * and `validateModelConfig`, which fills defaults and names the field at fault.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import type { LinearInitKind } from './parameter-store';
import { MODALITIES, MOSI_FEATURE_DIMS, SUBSET_NAMES, type Modality, type SubsetName } from '../data/modalities';

/** How encoders tell positions apart: a learned [T, d] table, fixed sinusoids, or not at all. */
export type PositionalKind = 'learned' | 'sinusoidal' | 'none';

/** How an encoder pools its frames into h_m: masked mean, or learned attention weights. */
export type PoolingKind = 'mean' | 'attention';

/** Inter-modal fusion: a transformer over modality tokens, or a ReLU layer over their concatenation. */
export type FusionKind = 'transformer' | 'concat';

/** Nonlinearity applied to each frame right after the input projection. */
export type FrameActivationKind = 'none' | 'tanh';

/** Feed-forward nonlinearity: ReLU (fused into the matmul, fastest) or exact GELU (erf). */
export type ActivationKind = 'relu' | 'gelu';

/** Every hyperparameter of one MM-CKD model (teacher or student). */
export interface ModelConfig {
  /** Which modalities the model reads: 'tav' is the teacher, the others are students. */
  subset: SubsetName;
  /** Feature size D_m per modality (MOSI: 768 / 5 / 20). */
  inputDims: Record<Modality, number>;
  /** Padded sequence length T_m per modality (sizes the learned position table). */
  seqLens: Record<Modality, number>;
  /** Model width d of encoders, fusion and heads. */
  d: number;
  /** Transformer layers L per modality encoder. */
  layers: number;
  /** Attention heads H (must divide d). */
  heads: number;
  /** Feed-forward width multiplier: d -> ffnMult * d -> d. */
  ffnMult: number;
  /** Dropout rate in [0, 1) on embeddings, attention output and feed-forward output (training only). */
  dropout: number;
  /** Size p of the projection head output z (the MVSC embedding). */
  projectionDim: number;
  /** Inter-modal fusion of the pooled h_m into f. */
  fusion: FusionKind;
  /** Transformer layers of the fusion over modality tokens (fusion 'transformer' only). */
  fusionLayers: number;
  /** Positional encoding of the modality encoders. */
  positional: PositionalKind;
  /** Feed-forward activation. */
  activation: ActivationKind;
  /** Pooling of the encoder frames into h_m. */
  pooling: PoolingKind;
  /** Per-frame nonlinearity after the input projection (before positions and layers). */
  frameActivation: FrameActivationKind;
  /**
   * Initialisation of every dense weight: Glorot uniform, or uniform(+-1/sqrt(fanIn)) ('fanIn',
   * torch.nn.Linear's default; 2.4x smaller than Glorot for the 768-d text projection).
   */
  init: LinearInitKind;
}

/**
 * Defaults: the recipe that learned best on the embedded MOSI-shaped data (docs/recipe-search.md):
 * per-frame tanh projection to d = 64, attention pooling over time, concatenation fusion, no
 * transformer layers and no positions, dense weights initialised as torch.nn.Linear does (fanIn);
 * dims and lengths of aligned CMU-MOSI (768/5/20, 50).
 */
export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({
  subset: 'tav' as SubsetName,
  inputDims: MOSI_FEATURE_DIMS as Record<Modality, number>,
  seqLens: Object.freeze({ text: 50, audio: 50, vision: 50 }) as Record<Modality, number>,
  d: 64,
  layers: 0,
  heads: 4,
  ffnMult: 2,
  dropout: 0.1,
  projectionDim: 64,
  fusion: 'concat' as FusionKind,
  fusionLayers: 1,
  positional: 'none' as PositionalKind,
  activation: 'relu' as ActivationKind,
  pooling: 'attention' as PoolingKind,
  frameActivation: 'tanh' as FrameActivationKind,
  init: 'fanIn' as LinearInitKind,
});

function checkInteger(field: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`Expected ${field} to be an integer >= ${min}, but got ${String(value)}`);
  }
}

/**
 * Returns a complete config: `partial` over DEFAULT_MODEL_CONFIG (inputDims and seqLens merged per
 * modality). Throws an error naming the field on any out-of-range value.
 */
export function validateModelConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const c: ModelConfig = {
    ...DEFAULT_MODEL_CONFIG,
    ...partial,
    inputDims: { ...DEFAULT_MODEL_CONFIG.inputDims, ...(partial.inputDims ?? {}) },
    seqLens: { ...DEFAULT_MODEL_CONFIG.seqLens, ...(partial.seqLens ?? {}) },
  };
  if (!(SUBSET_NAMES as readonly string[]).includes(c.subset)) {
    throw new Error(`Expected subset to be one of ${SUBSET_NAMES.join(', ')}, but got '${String(c.subset)}'`);
  }
  for (const m of MODALITIES) {
    checkInteger(`inputDims.${m}`, c.inputDims[m], 1);
    checkInteger(`seqLens.${m}`, c.seqLens[m], 1);
  }
  checkInteger('d', c.d, 1);
  checkInteger('layers', c.layers, 0);
  checkInteger('heads', c.heads, 1);
  checkInteger('ffnMult', c.ffnMult, 1);
  checkInteger('projectionDim', c.projectionDim, 1);
  checkInteger('fusionLayers', c.fusionLayers, 0);
  if (c.d % c.heads !== 0) {
    throw new Error(`Expected heads to divide d, but got d=${c.d}, heads=${c.heads}`);
  }
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) {
    throw new Error(`Expected dropout to be in [0, 1), but got ${String(c.dropout)}`);
  }
  if (!['learned', 'sinusoidal', 'none'].includes(c.positional)) {
    throw new Error(`Expected positional to be 'learned', 'sinusoidal' or 'none', but got '${String(c.positional)}'`);
  }
  if (c.fusion !== 'transformer' && c.fusion !== 'concat') {
    throw new Error(`Expected fusion to be 'transformer' or 'concat', but got '${String(c.fusion)}'`);
  }
  if (c.pooling !== 'mean' && c.pooling !== 'attention') {
    throw new Error(`Expected pooling to be 'mean' or 'attention', but got '${String(c.pooling)}'`);
  }
  if (c.init !== 'glorot' && c.init !== 'fanIn') {
    throw new Error(`Expected init to be 'glorot' or 'fanIn', but got '${String(c.init)}'`);
  }
  if (c.frameActivation !== 'none' && c.frameActivation !== 'tanh') {
    throw new Error(`Expected frameActivation to be 'none' or 'tanh', but got '${String(c.frameActivation)}'`);
  }
  if (c.activation !== 'relu' && c.activation !== 'gelu') {
    throw new Error(`Expected activation to be 'relu' or 'gelu', but got '${String(c.activation)}'`);
  }
  return c;
}
