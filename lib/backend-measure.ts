/**
 * Chooses between CPU backends that all load (tfjs-node and wasm with the kit's kernels, say) by
 * timing a workload on each, once per machine: the caller names it and gives its step (the kit's
 * is a few online MM-CKD training steps, lib/train/measured-backend.ts, which passes it to
 * lib/backend.ts). The result is kept in the cache folder (`backend-choice.json`) under a key of
 * everything that can change it (the workload's name and version, Node, TensorFlow.js and the
 * backends' package versions, the kernel engine of wasm, platform, CPU model and count), so an
 * upgrade measures again. `MMCKD_BACKEND` bypasses it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

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
  /** Makes the timed workload's step (the kit's: `trainingStepWorkload`); tests pass a small one. */
  makeStep: () => MeasureStep;
  /** The workload's name and version, part of the cache key (a changed workload is measured again). */
  workload: string;
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
export async function measureBackends(candidates: Candidate[], options: MeasureOptions): Promise<BackendMeasurement> {
  const key = cacheKey(candidates, options.workload);
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
      const step = options.makeStep();
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
