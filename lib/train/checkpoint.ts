/**
 * Checkpoints on the file system without tfjs-node: a TensorFlow.js IOHandler that writes
 * `model.json` (topology = the model config the builder rebuilds from, weight manifest, metadata)
 * and `weights.bin`, atomically (temporary folder, then rename). Works on every backend.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../io/atomic-file';
import { writeFolderAtomically } from '../io/atomic-folder';
import { buildModel, type MsaModel } from '../models/model';
import type { ModelConfig } from '../models/config';

/** The topology we store: enough for `buildModel` to rebuild the same architecture. */
export interface MsaTopology {
  kind: 'mmckd-msa-model';
  config: ModelConfig;
  seed: number;
}

/** Raised when a checkpoint folder is missing, incomplete or of another kind; names the file. */
class CheckpointError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CheckpointError';
  }
}

/** Re-exported for the run folder and callers that imported it from here. */
export { writeFolderAtomically };


const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Bytes a manifest entry takes in weights.bin (float32 / int32: 4 per value, bool: 1). */
function entryBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const per = spec.dtype === 'bool' ? 1 : spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : NaN;
  return size * per;
}

/** What a checkpoint records of its binary file, to refuse a truncated, padded or edited one. */
export interface WeightsRecord {
  bytes: number;
  sha256: string;
  /** SHA-256 of the weight manifest (names, shapes, dtypes) as written. */
  manifestSha256: string;
}

/**
 * Checks weights.bin against the manifest (and the recorded size and checksums when the
 * checkpoint has them); throws CheckpointError naming the file and, where one is at fault, the weight.
 */
function verifyWeights(binPath: string, jsonPath: string, bin: Uint8Array, specs: tf.io.WeightsManifestEntry[], record?: WeightsRecord): void {
  if (record) {
    if (sha256(JSON.stringify(specs)) !== record.manifestSha256) {
      throw new CheckpointError(jsonPath, 'the weight manifest (names, shapes, dtypes) does not match its recorded checksum: the file was edited or damaged');
    }
  }
  let offset = 0;
  for (const spec of specs) {
    const n = entryBytes(spec);
    if (!Number.isFinite(n)) throw new CheckpointError(jsonPath, `weight '${spec.name}' has dtype '${spec.dtype}', which the kit does not write`);
    if (offset + n > bin.length) {
      throw new CheckpointError(binPath, `weight '${spec.name}' [${spec.shape.join(', ')}] needs bytes ${offset} to ${offset + n}, but the file has ${bin.length}: truncated`);
    }
    offset += n;
  }
  if (offset !== bin.length) throw new CheckpointError(binPath, `holds ${bin.length} bytes but the manifest's weights take ${offset}: ${bin.length - offset} bytes were appended`);
  if (record && bin.length !== record.bytes) throw new CheckpointError(binPath, `holds ${bin.length} bytes but the checkpoint recorded ${record.bytes}`);
  if (record && sha256(bin) !== record.sha256) throw new CheckpointError(binPath, 'the bytes do not match the recorded SHA-256: the file was damaged or edited');
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
        weightsFile: { bytes: data.length, sha256: sha256(data), manifestSha256: sha256(JSON.stringify(artifacts.weightSpecs ?? [])) } satisfies WeightsRecord,
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
      let json: { modelTopology?: unknown; weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[]; weightsFile?: WeightsRecord; format?: string; generatedBy?: string; userDefinedMetadata?: Record<string, unknown> };
      try {
        json = JSON.parse(readFileSync(jsonPath, 'utf8'));
      } catch (err) {
        throw new CheckpointError(jsonPath, `not valid JSON (${(err as Error).message})`);
      }
      const bin = readFileSync(binPath);
      const specs = json.weightsManifest?.[0]?.weights ?? [];
      verifyWeights(binPath, jsonPath, bin, specs, json.weightsFile);
      const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
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
  const owner = build(topology);
  const specs = artifacts.weightSpecs ?? [];
  // The manifest must describe the weights the rebuilt owner has: same names, shapes and dtypes.
  const expected = owner.getWeights();
  try {
    const byName = new Map(specs.map((w) => [w.name, w]));
    for (const [name, t] of Object.entries(expected)) {
      const spec = byName.get(name);
      const where = join(dir, 'model.json');
      if (!spec) {
        owner.dispose();
        throw new CheckpointError(where, `weight '${name}' is missing from the manifest`);
      }
      if (spec.dtype !== t.dtype || spec.shape.join(',') !== t.shape.join(',')) {
        owner.dispose();
        throw new CheckpointError(where, `weight '${name}' is stored as ${spec.dtype} [${spec.shape.join(', ')}] but the model needs ${t.dtype} [${t.shape.join(', ')}]`);
      }
    }
  } finally {
    tf.dispose(Object.values(expected));
  }
  const weights = tf.io.decodeWeights(artifacts.weightData!, specs);
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
  const bytes = new Uint8Array(data);
  mkdirSync(dir, { recursive: true });
  writeFileAtomically(join(dir, `${name}.bin`), bytes);
  const record: SavedTensorsFile = { format: 'mmckd-tensors', specs, weightsFile: { bytes: bytes.length, sha256: sha256(bytes), manifestSha256: sha256(JSON.stringify(specs)) } };
  writeFileAtomically(join(dir, `${name}.json`), JSON.stringify(record));
}

/** The `.json` of saved tensors (older runs wrote the bare manifest array). */
interface SavedTensorsFile {
  format: 'mmckd-tensors';
  specs: tf.io.WeightsManifestEntry[];
  weightsFile: WeightsRecord;
}

/** Loads tensors written by `saveTensors`, in their saved order; the caller disposes them. */
export function loadTensors(dir: string, name: string): NamedTensorEntry[] {
  const specPath = join(dir, `${name}.json`);
  const binPath = join(dir, `${name}.bin`);
  if (!existsSync(specPath) || !existsSync(binPath)) throw new CheckpointError(specPath, 'saved tensors are missing');
  let saved: SavedTensorsFile | tf.io.WeightsManifestEntry[];
  try {
    saved = JSON.parse(readFileSync(specPath, 'utf8'));
  } catch (err) {
    throw new CheckpointError(specPath, `not valid JSON (${(err as Error).message})`);
  }
  const specs = Array.isArray(saved) ? saved : saved.specs;
  const bin = readFileSync(binPath);
  verifyWeights(binPath, specPath, bin, specs, Array.isArray(saved) ? undefined : saved.weightsFile);
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}
