/**
 * A model-size estimate checked before a run writes anything: the parameters of the seven models
 * (teacher and six students) with what training keeps per parameter (weights, gradients, Adam's
 * two moments, the best copy), and the activations of one batch. `--layers 100000` or `--d 50000`
 * is refused in milliseconds, naming the option that makes the models too big, instead of growing
 * for minutes and dying on "Invalid typed array length" or the kernel's OOM killer.
 * The counts follow lib/models (encoders, fusion, heads) and are a lower bound: small terms
 * (biases of layer norms, masks) are left out.
 */
import { totalmem } from 'node:os';
import { SUBSET_NAMES, subsetModalities } from '../data/modalities';
import type { MultimodalDataset } from '../data/types';
import { validateModelConfig, type ModelConfig } from '../models/config';
import type { TrainConfig } from './config';

/** Bytes training keeps per parameter: weights, gradient, Adam m and v, best copy (float32 each). */
const BYTES_PER_PARAMETER = 5 * 4;

/** Floats one batch keeps per frame and width unit for the backward pass (projection, activation, pooling). */
const FRAME_ACTIVATIONS = 4;

/** Floats one transformer layer keeps per frame and width unit (Q, K, V, output, two norms, the feed-forward's f-wide hidden twice). */
const layerActivations = (ffnMult: number): number => 8 + 2 * ffnMult;

/** The estimate, by the option each part grows with. */
export interface ModelSizeEstimate {
  /** Scalar parameters of all models. */
  parameters: number;
  /** Bytes in total. */
  bytes: number;
  /** Bytes by the option that sizes them: transformer layers, width d, batch size x frames. */
  parts: { layers: number; d: number; batch: number };
}

/** Returns the parameters of one transformer layer of width d (attention, feed-forward, two layer norms). */
function layerParameters(d: number, ffnMult: number): number {
  return 4 * d * d + 4 * d + 2 * ffnMult * d * d + ffnMult * d + d + 4 * d;
}

/** Returns the parameters of one model, split into its transformer layers and the rest. */
function modelParameters(c: ModelConfig): { layers: number; rest: number } {
  let layers = 0;
  let rest = 0;
  const mods = subsetModalities(c.subset);
  for (const m of mods) {
    rest += c.inputDims[m] * c.d + c.d + (c.positional === 'learned' ? c.seqLens[m] * c.d : 0) + (c.pooling === 'attention' ? c.d + 1 : 0);
    layers += c.layers * layerParameters(c.d, c.ffnMult);
  }
  if (c.fusion === 'concat') rest += mods.length * c.d * c.d + c.d;
  else {
    layers += c.fusionLayers * layerParameters(c.d, c.ffnMult);
    rest += (mods.length + 1) * c.d;
  }
  rest += c.d + 1 + c.d * c.d + c.d + c.d * c.projectionDim + c.projectionDim; // regression and projection heads
  return { layers, rest };
}

/**
 * Returns the estimated training memory of a run of `config` on `dataset` (all seven models at
 * once, as MM-CKD's stage 2 trains them).
 */
export function estimateModelSize(dataset: Pick<MultimodalDataset, 'meta'>, config: TrainConfig): ModelSizeEstimate {
  const parts = { layers: 0, d: 0, batch: 0 };
  let parameters = 0;
  const B = config.batchSize;
  for (const subset of SUBSET_NAMES) {
    const c = validateModelConfig({ ...config.model, subset, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } });
    const p = modelParameters(c);
    parameters += p.layers + p.rest;
    parts.layers += p.layers * BYTES_PER_PARAMETER;
    parts.d += p.rest * BYTES_PER_PARAMETER;
    for (const m of subsetModalities(subset)) {
      const T = c.seqLens[m];
      parts.batch += 4 * B * T * (c.inputDims[m] + FRAME_ACTIVATIONS * c.d);
      parts.layers += 4 * c.layers * B * (T * c.d * layerActivations(c.ffnMult) + 2 * c.heads * T * T);
    }
  }
  return { parameters, bytes: parts.layers + parts.d + parts.batch, parts };
}

/** The wasm backend's heap: wasm32 addresses 4 GiB at most, whatever the machine has. */
const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * The default memory budget of a run: three quarters of this machine's memory, and at most the
 * 4 GiB heap on the wasm backend (past it a kernel fails with "operand outside the heap").
 */
export function defaultModelMemoryBudget(backend?: string): number {
  const machine = Math.floor(0.75 * totalmem());
  return backend === 'wasm' ? Math.min(machine, WASM_HEAP_BYTES) : machine;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * Throws, naming the option that makes the models too big, when the estimate of `config` on
 * `dataset` exceeds `maxBytes` (a number, or the default budget of a backend: see
 * defaultModelMemoryBudget); returns the estimate otherwise. Call it before anything is written.
 */
export function checkModelSize(dataset: Pick<MultimodalDataset, 'meta'>, config: TrainConfig, maxBytes: number | { backend?: string } = {}): ModelSizeEstimate {
  const budget = typeof maxBytes === 'number' ? maxBytes : defaultModelMemoryBudget(maxBytes.backend);
  const where = typeof maxBytes === 'number' ? '' : maxBytes.backend === 'wasm' && budget === WASM_HEAP_BYTES ? ' (the wasm backend\'s heap)' : " (3/4 of this machine's memory)";
  const e = estimateModelSize(dataset, config);
  if (e.bytes <= budget) return e;
  const { layers, d } = config.model as { layers?: number; d?: number };
  const culprit = e.parts.layers >= e.parts.d && e.parts.layers >= e.parts.batch
    ? `model.layers (--layers ${layers ?? validateModelConfig(config.model).layers}): ${gib(e.parts.layers)} for the transformer layers`
    : e.parts.d >= e.parts.batch
      ? `model.d (--d ${d ?? validateModelConfig(config.model).d}): ${gib(e.parts.d)} for the projections, fusion and heads`
      : `batchSize (--batch-size ${config.batchSize}) with ${Object.values(dataset.meta.seqLens).join('/')} frames: ${gib(e.parts.batch)} for one batch`;
  throw new Error(`The 7 models need about ${gib(e.bytes)} to train (${(e.parameters / 1e6).toFixed(1)} M parameters), over the memory budget of ${gib(budget)}${where}; most of it is ${culprit}. Lower that option.`);
}
