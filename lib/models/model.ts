/**
 * One MM-CKD model (the teacher 'tav' or a student): per-modality encoders -> fusion ->
 * regression head + projection head, written functionally over a ParameterStore in tfjs ops
 * alone. The "topology" of a checkpoint is the ModelConfig: `buildModel(config)` rebuilds the
 * same parameter names, and `setWeights` fills them. Its parts' variables are also reachable as a
 * typed structure (`parameters`): what lib/accelerator reads to run the same model through fused
 * kernels.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { subsetModalities, type Modality, type SubsetName } from '../data/modalities';
import { validateModelConfig, type ModelConfig } from './config';
import { createEncoder, type EncoderParameters, type ModalityEncoder } from './encoder';
import { forwardContext, type ForwardContext } from './forward-context';
import { createFusion } from './fusion';
import { createProjectionHead, createRegressionHead, type ProjectionHeadParameters } from './heads';
import type { LinearParameters } from './linear';
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

/** The variables of a model's parts, by part (the same variables as `variables()`, no copies). */
export interface ModelParameters {
  /** Per modality of the model: its encoder's input projection and pooling score. */
  readonly encoders: Partial<Record<Modality, EncoderParameters>>;
  /** The 'concat' fusion's dense layer [M*d, d] (undefined for the 'transformer' fusion). */
  readonly fusion: { readonly concat?: LinearParameters };
  /** The regression head: w [d, 1], b [1]. */
  readonly regression: LinearParameters;
  /** The projection head: hidden [d, d] and out [d, p]. */
  readonly projection: ProjectionHeadParameters;
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
  /** The variables of its parts, typed (no copies). */
  readonly parameters: ModelParameters;
  /** Returns prediction [B], projection [B, p], fused [B, d] and pooled h_m; reads only its modalities. */
  apply(batch: ModelInput, options: ApplyOptions): ModelOutput;
  /** Returns the pooled encoder outputs h_m [B, d] of `apply` with the same options (the encoders alone). */
  encode(batch: ModelInput, options: ApplyOptions): Partial<Record<Modality, tf.Tensor2D>>;
  /**
   * Fusion and heads from pooled h_m computed elsewhere (vectorised-encoders.ts runs the encoders of
   * several models at once). `options.seed` must be the seed `apply` would have used: the call's
   * dropout seeds continue after those pooling encoders take.
   */
  applyPooled(pooled: Partial<Record<Modality, tf.Tensor2D>>, options: ApplyOptions): ModelOutput;
  /**
   * Returns the dropout seed of one call: `options.seed`, else the model's next own call seed
   * (what `apply` takes without one; the model's call counter advances).
   */
  callSeed(options: ApplyOptions): number;
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
  const encode = (batch: ModelInput, ctx: ForwardContext): Partial<Record<Modality, tf.Tensor2D>> => {
    const inputs = modelInputs(model, batch);
    const pooled: Partial<Record<Modality, tf.Tensor2D>> = {};
    for (const m of modalities) pooled[m] = encoders[m].apply(inputs[m]!.x, inputs[m]!.mask, ctx); // [B, d]
    return pooled;
  };
  const heads = (pooled: Partial<Record<Modality, tf.Tensor2D>>, ctx: ForwardContext): ModelOutput => {
    const fused = fusion.apply(modalities.map((m) => pooled[m] as tf.Tensor2D), ctx); // [B, d]
    return { prediction: regression.apply(fused), projection: projection.apply(fused), fused, pooled };
  };

  const model: MsaModel = {
    name: c.subset,
    config: c,
    modalities,
    parameters: {
      encoders: Object.fromEntries(modalities.map((m) => [m, encoders[m].parameters])),
      fusion: { concat: fusion.concat },
      regression: regression.parameters,
      projection: projection.parameters,
    },
    callSeed: (options) => options.seed ?? deriveSeed(seed, `call${calls++}`),
    applyPooled(pooled, options) {
      const callSeed = model.callSeed(options);
      for (const m of modalities) if (!pooled[m]) throw new Error(`Expected pooled ${m} features for model '${c.subset}', but got none`);
      // A pooling encoder (no transformer layer) takes one dropout seed while dropout is on.
      const taken = options.training && c.dropout > 0 ? modalities.length : 0;
      return heads(pooled, forwardContext(options.training, c.dropout, (callSeed + taken) >>> 0));
    },
    encode: (batch, options) => encode(batch, forwardContext(options.training, c.dropout, model.callSeed(options))),
    apply(batch, options) {
      const ctx = forwardContext(options.training, c.dropout, model.callSeed(options));
      return heads(encode(batch, ctx), ctx);
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

/**
 * Returns the frames x [B, T, D_m] and mask [B, T] of each modality the model reads, checked:
 * present, of the model's feature size and length, and of one batch size. Throws naming the
 * modality at fault.
 */
export function modelInputs(model: Pick<MsaModel, 'name' | 'modalities' | 'config'>, batch: ModelInput): Partial<Record<Modality, { x: tf.Tensor3D; mask: tf.Tensor2D }>> {
  const out: Partial<Record<Modality, { x: tf.Tensor3D; mask: tf.Tensor2D }>> = {};
  let batchSize = -1;
  for (const m of model.modalities) {
    const x = batch.inputs[m];
    const mask = batch.masks[m];
    if (!x || !mask) throw new Error(`Expected the batch to hold ${m} inputs and mask for model '${model.name}', but it has none`);
    if (batchSize >= 0 && x.shape[0] !== batchSize) {
      throw new Error(`Expected every modality to have batch size ${batchSize}, but ${m} has ${x.shape[0]}`);
    }
    batchSize = x.shape[0];
    const [, t, dim] = x.shape;
    if (dim !== model.config.inputDims[m]) throw new Error(`Expected encoder.${m} features of size ${model.config.inputDims[m]}, but got ${dim}`);
    if (t > model.config.seqLens[m]) throw new Error(`Expected encoder.${m} sequences of at most ${model.config.seqLens[m]} frames, but got ${t}`);
    out[m] = { x, mask };
  }
  return out;
}
