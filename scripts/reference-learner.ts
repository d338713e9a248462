/**
 * The reference learner from TypeScript: finds a Python with PyTorch, runs
 * bench/reference_learner.py on a dataset export (lib/data/export-arrays.ts), and turns its
 * result into the P1 table (mean and std per modality subset over seeds, failures listed).
 * Used by scripts/reference.ts (`npm run reference`) and its test.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomically } from '../lib/io/atomic-file';
import { formatMeanStd, toCsv, toMarkdown, type TableRow } from '../lib/report/table-format';
import { MSA_METRIC_KEYS, REPORTED_METRICS, type MsaMetricKey } from '../lib/vocabulary';
import { referencePython } from '../lib/experiments/pytorch-reference';

/** The repository root. */
const ROOT = resolve(__dirname, '..');

/** The Python script this module runs. */
export const REFERENCE_LEARNER_SCRIPT = join(ROOT, 'bench', 'reference_learner.py');

/** MMSA metric keys the reference learner reports, in MMSA's order: all eight. */
export const REFERENCE_METRICS = MSA_METRIC_KEYS;

/** One metric key of the reference learner's result. */
export type ReferenceMetric = MsaMetricKey;

/** Metrics of one successful run (NaN written as null). */
export type ReferenceMetricValues = Record<ReferenceMetric, number | null>;

/** One (subset, seed) run of the reference learner. */
export interface ReferenceRun {
  subset: string;
  seed: number;
  status: 'ok' | 'failed';
  /** Present when status is 'failed': the exception's type and message. */
  error?: string;
  best_epoch?: number;
  valid_MAE?: number;
  /** Test metrics rounded as MMSA does (4 decimals). */
  test?: ReferenceMetricValues;
  /** Test metrics unrounded. */
  test_raw?: ReferenceMetricValues;
  params?: number;
  seconds?: number;
}

/** Mean and sample std (divisor n - 1, null when n < 2) over a subset's successful runs. */
export interface ReferenceSubsetSummary {
  n: number;
  failed: { seed: number; error: string }[];
  mean: Record<ReferenceMetric | 'valid_MAE', number | null>;
  std: Record<ReferenceMetric | 'valid_MAE', number | null>;
}

/** The JSON that bench/reference_learner.py writes. */
export interface ReferenceResult {
  tool: string;
  export: { dir: string; dataset: string; contentHash: string; kit: { version: string; commit?: string }; counts: Record<string, number>; dims: Record<string, number> };
  config: Record<string, unknown>;
  seeds: number[];
  subsets: string[];
  runs: ReferenceRun[];
  summary: Record<string, ReferenceSubsetSummary>;
  failed: { subset: string; seed: number; error: string }[];
  versions: { python: string; torch: string; numpy: string; platform: string };
  wall_seconds: number;
}

/** Options of `runReferenceLearner`. */
export interface RunReferenceLearnerOptions {
  /** Export folder (holds manifest.json). */
  exportDir: string;
  /** Where the result JSON goes. */
  outJson: string;
  seeds?: number[];
  subsets?: string[];
  epochs?: number;
  /** torch.set_num_threads (default 1). */
  threads?: number;
  /** Interpreter (default `referencePython()`). */
  python?: string;
  /** More command-line arguments for the script (e.g. ['--inject-failure', 'a:1']). */
  extraArgs?: string[];
  /** Show the script's progress lines on this process's stderr (default true); otherwise they are captured. */
  showProgress?: boolean;
}

/** The script exited with an error (bad export, bad argument, no torch); `stderr` holds its message when captured. */
export class ReferenceLearnerError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(exitCode: number | null, stderr: string) {
    super(`bench/reference_learner.py exited with ${exitCode}${stderr ? `: ${stderr.trim()}` : ''}`);
    this.name = 'ReferenceLearnerError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Runs bench/reference_learner.py and returns its parsed result; throws ReferenceLearnerError when it exits non-zero. */
export function runReferenceLearner(options: RunReferenceLearnerOptions): ReferenceResult {
  const args = [REFERENCE_LEARNER_SCRIPT, options.exportDir, '--out', options.outJson, '--threads', String(options.threads ?? 1)];
  if (options.seeds) args.push('--seeds', options.seeds.join(','));
  if (options.subsets) args.push('--subsets', options.subsets.join(','));
  if (options.epochs !== undefined) args.push('--epochs', String(options.epochs));
  args.push(...(options.extraArgs ?? []));
  const show = options.showProgress ?? true;
  const r = spawnSync(options.python ?? referencePython(), args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'inherit', show ? 'inherit' : 'pipe'] });
  if (r.error) throw new ReferenceLearnerError(null, r.error.message);
  if (r.status !== 0) throw new ReferenceLearnerError(r.status, r.stderr ?? '');
  return JSON.parse(readFileSync(options.outJson, 'utf8')) as ReferenceResult;
}

/** The reported metrics, then MMSA's other two. */
const TABLE_METRICS = [...REPORTED_METRICS, 'Mult_acc_5', 'Has0_F1_score'] as const;

/** Returns NaN for null (JSON's nan), so table cells come out empty. */
const num = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);

/**
 * Returns one row per subset: subset, n (successful seeds), failed ('seed 2: error; ...' or ''),
 * then `<metric>_mean` and `<metric>_std` for test MAE, Corr, Has0_acc_2, Non0_acc_2,
 * Non0_F1_score, Mult_acc_7, Mult_acc_5, Has0_F1_score, and the validation MAE.
 */
export function referenceTableRows(result: ReferenceResult): TableRow[] {
  return result.subsets.map((subset) => {
    const s = result.summary[subset];
    const row: TableRow = { subset, n: s.n, failed: s.failed.map((f) => `seed ${f.seed}: ${f.error}`).join('; ') };
    for (const k of [...TABLE_METRICS, 'valid_MAE' as const]) {
      row[`${k}_mean`] = num(s.mean[k]);
      row[`${k}_std`] = num(s.std[k]);
    }
    return row;
  });
}

/** Returns the P1 table as GitHub Markdown: one "mean ± std" cell per metric, n and failures beside. */
export function referenceMarkdown(result: ReferenceResult): string {
  const rows = referenceTableRows(result).map((r) => {
    const out: TableRow = { subset: r.subset, n: r.n };
    for (const k of REPORTED_METRICS) {
      const mean = r[`${k}_mean`] as number;
      out[k === 'MAE' ? 'test MAE' : k] = Number.isNaN(mean) ? '' : formatMeanStd(mean, r[`${k}_std`] as number, 4);
    }
    out.failed = r.failed;
    return out;
  });
  return toMarkdown(rows);
}

/** Writes `<dir>/<name>.csv` (the rows of `referenceTableRows`) and `<dir>/<name>.json` ({ table, result }) atomically; returns their paths. */
export function writeReferenceTables(result: ReferenceResult, dir: string, name = 'reference-p1'): string[] {
  const rows = referenceTableRows(result);
  const csv = join(dir, `${name}.csv`);
  const json = join(dir, `${name}.json`);
  writeFileAtomically(csv, toCsv(rows));
  const nanToNull = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const exportDir = relative(ROOT, result.export.dir).startsWith('..') ? result.export.dir : relative(ROOT, result.export.dir); // no checkout path in a committed table
  const portable = { ...result, export: { ...result.export, dir: exportDir } };
  writeFileAtomically(json, JSON.stringify({ table: rows, result: portable }, nanToNull, 1) + '\n');
  return [csv, json];
}
