/**
 * One MM-CKD model (the teacher 'tav' or a student): per-modality encoders -> fusion ->
 * regression head + projection head, written functionally over a ParameterStore.
 * The "topology" of a checkpoint is the ModelConfig: `buildModel(config)` rebuilds the same
 * parameter names, and `setWeights` fills them.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { subsetModalities, type Modality, type SubsetName } from '../data/modalities';
import { validateModelConfig, type ModelConfig } from './config';
import { createEncoder, type ModalityEncoder } from './encoder';
import { forwardContext, type ForwardContext } from './forward-context';
import { createFusion } from './fusion';
import { fusedHeads, fusedHeadsAvailable } from './fused-heads';
import { createProjectionHead, createRegressionHead } from './heads';
import { deriveSeed } from './init';
import { ParameterStore } from './parameter-store';

/** What a model reads: features and masks of (at least) its own modalities. A `Batch` fits. */
export interface ModelInput {
  /** [B, T_m, D_m] features per modality. */
  inputs: Partial<Record<Modality, tf.Tensor3D>>;
  /** [B, T_m] float32 masks, 1 valid, 0 padding. */
  masks: Partial<Record<Modality, tf.Tensor2D>>;
}

/** Options of `MsaModel.apply`. */
export interface ApplyOptions {
  /** True while training: dropout is active. */
  training: boolean;
  /** Seed of this call's dropout masks; when omitted a per-model counter advances each call. */
  seed?: number;
}

/** Outputs of one forward pass; the caller owns the tensors (run inside tf.tidy or dispose). */
export interface ModelOutput {
  /** Sentiment prediction y_hat, [B]. */
  prediction: tf.Tensor1D;
  /** Unit-norm projection z for the contrastive loss, [B, p]. */
  projection: tf.Tensor2D;
  /** Fused representation f, [B, d]. */
  fused: tf.Tensor2D;
  /** Pooled encoder output h_m [B, d] per modality of the model. */
  pooled: Partial<Record<Modality, tf.Tensor2D>>;
}

/** Parameter counts by part. */
export interface ParameterCounts {
  /** Per modality encoder (only the model's modalities). */
  encoders: Partial<Record<Modality, number>>;
  /** Sum over the encoders. */
  encoderTotal: number;
  fusion: number;
  regressionHead: number;
  projectionHead: number;
  /** Everything. */
  total: number;
}

/** A teacher or student model with explicitly owned variables. */
export interface MsaModel {
  /** The subset it reads ('tav' teacher, or a student). */
  readonly name: SubsetName;
  /** The validated config it was built from (its checkpoint topology). */
  readonly config: ModelConfig;
  /** The modalities it reads, in MMSA order. */
  readonly modalities: readonly Modality[];
  /** Returns prediction [B], projection [B, p], fused [B, d] and pooled h_m; reads only its modalities. */
  apply(batch: ModelInput, options: ApplyOptions): ModelOutput;
  /**
   * Fusion and heads from pooled h_m computed elsewhere (vectorised-encoders.ts runs the encoders of
   * several models at once). `options.seed` must be the seed `apply` would have used: the call's
   * dropout seeds continue after those the encoders took.
   */
  applyPooled(pooled: Partial<Record<Modality, tf.Tensor2D>>, options: ApplyOptions): ModelOutput;
  /** Returns the variable of one parameter by name (no copy), e.g. 'encoder.text.input.w'. */
  parameter(name: string): tf.Variable;
  /** Returns every trainable variable (for optimizer.minimize(f, true, model.variables())). */
  variables(): tf.Variable[];
  /** Returns a copy of every weight by parameter name; the caller disposes the copies. */
  getWeights(): Record<string, tf.Tensor>;
  /** Assigns weights by parameter name (all names, exact shapes). */
  setWeights(weights: Record<string, tf.Tensor>): void;
  /** Returns parameter counts per part. */
  parameterCounts(): ParameterCounts;
  /** Disposes every variable and constant of the model. */
  dispose(): void;
}

/**
 * Builds the model of `config.subset` with weights initialised from `seed` (the same config and
 * seed always give the same weights). Returns an MsaModel; `config` is validated first.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
export function buildModel(config: Partial<ModelConfig>, seed = 0): MsaModel {
  const c = validateModelConfig(config);
  const modalities = subsetModalities(c.subset);
  const store = new ParameterStore(seed, c.subset, c.init);
  const encoders = {} as Record<Modality, ModalityEncoder>;
  for (const m of modalities) encoders[m] = createEncoder(store, `encoder.${m}`, c.inputDims[m], c.seqLens[m], c);
  const fusion = createFusion(store, 'fusion', modalities, c);
  const regression = createRegressionHead(store, 'heads.regression', c.d);
  const projection = createProjectionHead(store, 'heads.projection', c.d, c.projectionDim);
  let calls = 0;
  const heads = (pooled: Partial<Record<Modality, tf.Tensor2D>>, ctx: ForwardContext): ModelOutput => {
    if (c.fusion === 'concat' && fusedHeadsAvailable()) {
      // the three heads as one kernel call each way (fused-heads.ts; concat fusion takes no dropout seed)
      const stacked = Object.fromEntries(modalities.map((m) => [m, tf.expandDims(pooled[m]!, 1)])) as Partial<Record<Modality, tf.Tensor3D>>; // [B, 1, d]
      const [out] = fusedHeads([model], stacked, [Object.fromEntries(modalities.map((m) => [m, 0]))]);
      return { ...out, pooled };
    }
    const fused = fusion.apply(modalities.map((m) => pooled[m] as tf.Tensor2D), ctx); // [B, d]
    return { prediction: regression.apply(fused), projection: projection.apply(fused), fused, pooled };
  };

  const model: MsaModel = {
    name: c.subset,
    config: c,
    modalities,
    applyPooled(pooled, options) {
      const callSeed = options.seed ?? deriveSeed(seed, `call${calls++}`);
      for (const m of modalities) if (!pooled[m]) throw new Error(`Expected pooled ${m} features for model '${c.subset}', but got none`);
      // A vectorisable encoder (no transformer layer) takes one dropout seed while dropout is on.
      const taken = options.training && c.dropout > 0 ? modalities.length : 0;
      return heads(pooled, forwardContext(options.training, c.dropout, (callSeed + taken) >>> 0));
    },
    parameter: (name) => store.get(name),
    apply(batch, options) {
      const callSeed = options.seed ?? deriveSeed(seed, `call${calls++}`);
      const ctx = forwardContext(options.training, c.dropout, callSeed);
      const pooled: Partial<Record<Modality, tf.Tensor2D>> = {};
      let batchSize = -1;
      for (const m of modalities) {
        const x = batch.inputs[m];
        const mask = batch.masks[m];
        if (!x || !mask) throw new Error(`Expected the batch to hold ${m} inputs and mask for model '${c.subset}', but it has none`);
        if (batchSize >= 0 && x.shape[0] !== batchSize) {
          throw new Error(`Expected every modality to have batch size ${batchSize}, but ${m} has ${x.shape[0]}`);
        }
        batchSize = x.shape[0];
        pooled[m] = encoders[m].apply(x, mask, ctx); // [B, d]
      }
      return heads(pooled, ctx);
    },
    variables: () => store.variables(),
    getWeights: () => store.getWeights(),
    setWeights: (w) => store.setWeights(w),
    parameterCounts() {
      const enc: Partial<Record<Modality, number>> = {};
      for (const m of modalities) enc[m] = store.count(`encoder.${m}.`);
      const encoderTotal = store.count('encoder.');
      const out = {
        encoders: enc,
        encoderTotal,
        fusion: store.count('fusion.'),
        regressionHead: store.count('heads.regression.'),
        projectionHead: store.count('heads.projection.'),
        total: store.count(),
      };
      return out;
    },
    dispose() {
      for (const m of modalities) encoders[m].dispose();
      store.dispose();
    },
  };
  return model;
}
