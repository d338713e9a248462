/** Everything lib/models exports, in one import for tests and benchmarks (users import lib/index.ts, which picks its public names). */
export * from './config';
export * from './init';
export * from './parameter-store';
export * from './forward-context';
export * from './linear';
export * from './layer-norm';
export * from './attention';
export * from './transformer-layer';
export * from './positional';
export * from './encoder';
export * from './fusion';
export * from './heads';
export * from './model';
export * from './model-set';
export { isPoolingEncoder, tfjsPooledEncoder, type PooledEncoderOp, type PooledEncoderOptions, type PooledEncoderWeights } from './pooled-encoders';
export { applyModels, canVectoriseEncoders, type ApplyModelsOptions } from './vectorised-encoders';
export * from './flops';
