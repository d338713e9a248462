/**
 * Checkpoints on the file system without tfjs-node: a TensorFlow.js IOHandler that writes
 * `model.json` (topology = the model config the builder rebuilds from, weight manifest, metadata)
 * and `weights.bin`, atomically (temporary folder, then rename). Works on every backend.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { writeFolderAtomically } from '../atomic-folder';
import { buildModel, type MsaModel } from '../models/model';
import type { ModelConfig } from '../models/config';

/** The topology we store: enough for `buildModel` to rebuild the same architecture. */
export interface MsaTopology {
  kind: 'mmckd-msa-model';
  config: ModelConfig;
  seed: number;
}

/** Raised when a checkpoint folder is missing, incomplete or of another kind; names the file. */
export class CheckpointError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CheckpointError';
  }
}

/** Re-exported for the run folder and callers that imported it from here. */
export { writeFolderAtomically };

/** Writes a file atomically (temporary name in the same folder, then rename). */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Returns an IOHandler that saves to and loads from a folder (`model.json` + `weights.bin`). */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const data = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : new Uint8Array(0);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        userDefinedMetadata: artifacts.userDefinedMetadata ?? {},
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFolderAtomically(dir, (tmp) => {
        writeFileSync(join(tmp, 'weights.bin'), data);
        writeFileSync(join(tmp, 'model.json'), JSON.stringify(json, null, 1));
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, 'model.json');
      const binPath = join(dir, 'weights.bin');
      if (!existsSync(jsonPath)) throw new CheckpointError(jsonPath, 'no checkpoint here (model.json is missing)');
      if (!existsSync(binPath)) throw new CheckpointError(binPath, 'weights.bin is missing');
      let json: { modelTopology?: unknown; weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[]; format?: string; generatedBy?: string; userDefinedMetadata?: Record<string, unknown> };
      try {
        json = JSON.parse(readFileSync(jsonPath, 'utf8'));
      } catch (err) {
        throw new CheckpointError(jsonPath, `not valid JSON (${(err as Error).message})`);
      }
      const bin = readFileSync(binPath);
      const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: json.weightsManifest?.[0]?.weights ?? [],
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
      };
    },
  };
}

/** Something with named weights and a topology to rebuild it from (a model or an imputer). */
export interface Checkpointable {
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>): void;
  dispose(): void;
}

/**
 * Saves `topology` (a JSON object with a `kind`) and the weights of `owner` to `dir`
 * (`model.json` + `weights.bin`, atomically); returns the number of bytes of weights.
 */
export async function saveCheckpoint(owner: Checkpointable, topology: { kind: string }, dir: string, metadata: Record<string, unknown> = {}): Promise<number> {
  const weights = owner.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(weights);
    await fileSystemHandler(dir).save!({
      modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs,
      weightData: data,
      format: topology.kind,
      generatedBy: `TensorFlow.js v${tf.version.tfjs}`,
      userDefinedMetadata: metadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    });
    return data.byteLength;
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Loads a checkpoint written by `saveCheckpoint`: checks its topology's kind, rebuilds the owner
 * with `build(topology)` and assigns the weights. Errors name the file at fault.
 */
export async function loadCheckpoint<T extends { kind: string }, O extends Checkpointable>(dir: string, kind: T['kind'], build: (topology: T) => O): Promise<O> {
  const artifacts = await fileSystemHandler(dir).load!();
  const topology = artifacts.modelTopology as unknown as T;
  if (!topology || topology.kind !== kind) {
    throw new CheckpointError(join(dir, 'model.json'), `expected modelTopology.kind '${kind}', but got ${JSON.stringify(topology?.kind)}`);
  }
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const owner = build(topology);
  try {
    owner.setWeights(weights);
  } catch (err) {
    owner.dispose();
    throw new CheckpointError(join(dir, 'weights.bin'), (err as Error).message);
  } finally {
    tf.dispose(Object.values(weights));
  }
  return owner;
}

/** Saves a model (config + weights) to `dir`; returns the number of bytes of weights. */
export async function saveModel(model: MsaModel, dir: string, seed = 0, metadata: Record<string, unknown> = {}): Promise<number> {
  const topology: MsaTopology = { kind: 'mmckd-msa-model', config: model.config, seed };
  return saveCheckpoint(model, topology, dir, metadata);
}

/** Loads a model saved by `saveModel`: rebuilds it from its config and assigns its weights. */
export async function loadModel(dir: string): Promise<MsaModel> {
  return loadCheckpoint<MsaTopology, MsaModel>(dir, 'mmckd-msa-model', (t) => buildModel(t.config, t.seed));
}

/** A tensor with its name, as optimizers' getWeights returns them. */
export interface NamedTensorEntry {
  name: string;
  tensor: tf.Tensor;
}

/** Saves named tensors (e.g. best weights or optimizer state) to `<dir>/<name>.bin` + `.json`. */
export async function saveTensors(tensors: NamedTensorEntry[] | tf.NamedTensorMap, dir: string, name: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  mkdirSync(dir, { recursive: true });
  writeFileAtomically(join(dir, `${name}.bin`), new Uint8Array(data));
  writeFileAtomically(join(dir, `${name}.json`), JSON.stringify(specs));
}

/** Loads tensors written by `saveTensors`, in their saved order; the caller disposes them. */
export function loadTensors(dir: string, name: string): NamedTensorEntry[] {
  const specPath = join(dir, `${name}.json`);
  const binPath = join(dir, `${name}.bin`);
  if (!existsSync(specPath) || !existsSync(binPath)) throw new CheckpointError(specPath, 'saved tensors are missing');
  const specs = JSON.parse(readFileSync(specPath, 'utf8')) as tf.io.WeightsManifestEntry[];
  const bin = readFileSync(binPath);
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}
