/**
 * Chooses between CPU backends that all load (tfjs-node and wasm with the kit's kernels, say) by
 * timing the real workload: a few online MM-CKD training steps (teacher + six students, the
 * default model, MOSI shapes, batch 32, what lib/train/trainer.ts runs per batch) on each, once
 * per machine. The result is kept in the cache folder (`backend-choice.json`) under a key of
 * everything that can change it (the kit's workload version, Node, TensorFlow.js and the
 * backends' package versions, the kernel engine of wasm, platform, CPU model and count), so an
 * upgrade measures again. Used by lib/backend.ts; `MMCKD_BACKEND` bypasses it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Bumped when the measured step changes (a cached result of another workload is measured again). */
const WORKLOAD_VERSION = 1;

/** File name of the cached measurement in the cache folder. */
export const MEASUREMENT_FILE = 'backend-choice.json';

/** One step of the measured workload. */
export interface MeasureStep {
  /** Runs one step; resolves when its values are read back. */
  run(seed: number): Promise<void>;
  dispose(): void;
}

/** What was measured: milliseconds per step (median) per backend, and when. */
export interface BackendMeasurement {
  /** Median step time per backend, ms. */
  ms: Record<string, number>;
  /** The fastest. */
  choice: string;
  /** ISO date of the measurement. */
  date: string;
  /** Steps timed per backend (after one warm-up). */
  steps: number;
  /** True when read from the cache file, false when measured now. */
  cached: boolean;
  /** The cache file (undefined when not cached). */
  file?: string;
}

/** Returns the online MM-CKD training step at the benchmark's shapes, on the active backend. */
export function defaultMeasureStep(): MeasureStep {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { buildModelSet, disposeModelSet } = require('./models/model-set') as typeof import('./models/model-set');
  const { onlineDistillationObjective } = require('./train/objectives') as typeof import('./train/objectives');
  const { FlatAdam } = require('./train/flat-adam') as typeof import('./train/flat-adam');
  const { runOptimizationStep } = require('./train/optimization-step') as typeof import('./train/optimization-step');
  const { SUBSET_NAMES } = require('./data/modalities') as typeof import('./data/modalities');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const [B, T] = [32, 50];
  const dims = { text: 768, audio: 5, vision: 20 };
  const models = buildModelSet({}, SUBSET_NAMES, 0);
  const objective = onlineDistillationObjective(models, { lambda: 0.1, tau: 0.2, classScheme: 7, detachTeacherViews: false }, true);
  const vars = Object.values(models).flatMap((m) => m.variables());
  const optimizer = new FlatAdam(1e-3);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lengths = Array.from({ length: B }, () => 10 + Math.floor(rand() * (T - 9)));
  const mask = new Float32Array(B * T);
  lengths.forEach((len, b) => mask.fill(1, b * T, b * T + len));
  const feature = (dim: number) => tf.tensor3d(Float32Array.from({ length: B * T * dim }, (_, i) => (mask[Math.floor(i / dim)] ? 2 * rand() - 1 : 0)), [B, T, dim]);
  const labelValues = Float32Array.from({ length: B }, () => 6 * rand() - 3);
  const batch = {
    inputs: { text: feature(dims.text), audio: feature(dims.audio), vision: feature(dims.vision) },
    masks: { text: tf.tensor2d(mask, [B, T]), audio: tf.tensor2d(mask, [B, T]), vision: tf.tensor2d(mask, [B, T]) },
    labels: tf.tensor1d(labelValues),
    labelValues,
    indices: Int32Array.from({ length: B }, (_, i) => i),
  };
  return {
    async run(seed) {
      await runOptimizationStep({ objective, batch, seed, varList: vars, optimizer, clipNorm: 1 }); // the trainer's step
    },
    dispose() {
      tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
      optimizer.dispose();
      disposeModelSet(models);
    },
  };
}

/** A loaded candidate: its kit name, its TensorFlow.js backend name and a version line for the cache key. */
export interface Candidate {
  name: string;
  tfjsBackend: string;
  /** Everything of this backend that changes its speed (package version, kernel engine). */
  version: string;
}

/** Options of `measureBackends`. */
export interface MeasureOptions {
  /** The cache folder; undefined: measure without caching. */
  cacheDir?: string;
  /** Steps timed per backend after one warm-up (default 3). */
  steps?: number;
  /** The workload (default: `defaultMeasureStep`); tests pass a small one. */
  makeStep?: () => MeasureStep;
  /** Part of the cache key for a workload other than the default one. */
  workload?: string;
}

function cacheKey(candidates: Candidate[], workload: string): string {
  const cpu = cpus();
  return JSON.stringify({
    workload, node: process.version, tfjs: tf.version.tfjs, platform: process.platform, arch: process.arch,
    cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, backends: candidates.map((c) => `${c.name} ${c.version}`).sort(),
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Returns the measurement of the candidates (each already loaded and registered with TensorFlow.js):
 * from the cache when its key matches, else by timing the workload on each (then cached). Leaves
 * the active backend as it found it.
 */
export async function measureBackends(candidates: Candidate[], options: MeasureOptions = {}): Promise<BackendMeasurement> {
  const workload = options.workload ?? `mmckd-step-v${WORKLOAD_VERSION}`;
  const key = cacheKey(candidates, workload);
  const file = options.cacheDir ? join(options.cacheDir, MEASUREMENT_FILE) : undefined;
  if (file) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string; measurement: BackendMeasurement };
      if (saved.key === key) return { ...saved.measurement, cached: true, file };
    } catch {
      // no cache yet, or unreadable: measure
    }
  }
  const steps = options.steps ?? 3;
  const before = tf.getBackend();
  const ms: Record<string, number> = {};
  try {
    for (const c of candidates) {
      if (!(await tf.setBackend(c.tfjsBackend))) throw new Error(`backend '${c.tfjsBackend}' did not initialise for the measurement`);
      const step = (options.makeStep ?? defaultMeasureStep)();
      try {
        await step.run(0); // warm-up: kernel setup, optimizer slots
        const times: number[] = [];
        for (let i = 0; i < steps; i++) {
          const t0 = performance.now();
          await step.run(1 + i);
          times.push(performance.now() - t0);
        }
        ms[c.name] = median(times);
      } finally {
        step.dispose();
      }
    }
  } finally {
    if (before) await tf.setBackend(before);
  }
  const choice = candidates.map((c) => c.name).reduce((a, b) => (ms[b] < ms[a] ? b : a));
  const measurement: BackendMeasurement = { ms, choice, date: new Date().toISOString(), steps, cached: false, file };
  if (file) {
    try {
      mkdirSync(options.cacheDir!, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify({ key, measurement: { ...measurement, cached: undefined, file: undefined } }, null, 1) + '\n');
      renameSync(`${file}.tmp`, file);
    } catch {
      // a read-only cache folder: measured again next time
    }
  }
  return measurement;
}

/** One line for the backend report: what was measured and what won. */
export function describeMeasurement(m: BackendMeasurement): string {
  const times = Object.entries(m.ms).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(', ');
  const where = m.cached ? `measured ${m.date.slice(0, 10)}, cached in ${m.file}` : `measured now${m.file ? `, cached in ${m.file}` : ''}`;
  return `chosen by measurement: ${times} per training step (median of ${m.steps}; ${where}; MMCKD_BACKEND forces one)`;
}
