/**
 * Computational cost of inference, per clip: parameters, analytic FLOPs, measured latency at
 * batch 1 and 32 (warm-up, repetitions, median and interquartile range) and peak memory, for the
 * teacher, each MM-CKD student, and the teacher fed by each imputer (B5).
 *
 * What counts at inference: what runs at test time. Teacher and students: encoders, fusion and
 * the regression head; the projection head (used only by the MVSC loss in training) is excluded
 * from parameters and FLOPs, as the literature does. Imputer + teacher: the whole imputer (its
 * checkpoint) plus the teacher; FLOPs of the parts that run for a missing pattern (available
 * modalities' encoders, missing modalities' decoders, K denoiser passes for diffusion). Imputer
 * rows average the six missing patterns (each repetition runs all six, time divided by 6).
 * Latency is wall-clock time of the forward pass including the read-back of the predictions,
 * on random inputs of full padded length (values do not change the work), on the backend in use.
 * Peak memory: the largest tf.memory().numBytes seen during one batch-32 forward pass (tf.profile)
 * minus the bytes live before it, i.e. activations and temporaries, not weights or inputs. Process
 * RSS is process-wide (the wasm heap only grows) and is reported as read after the measurement.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { cpus, loadavg } from 'node:os';
import { MODALITIES, SUBSET_NAMES, type Modality, type SubsetName } from '../data/modalities';
import { modelFlops } from '../models/flops';
import { acceleratedApply } from '../accelerator/model-forward';
import type { ModelInput, MsaModel } from '../models/model';
import type { Predictor } from '../train/predict';
import { imputerFlops } from '../imputers/flops';
import type { Imputer } from '../imputers/imputer';
import { imputerPredictor } from '../imputers/predictor';
import type { SubsetResult } from './evaluate-subsets';

/** The six missing patterns (student subsets). */
const PATTERNS = SUBSET_NAMES.filter((s) => s !== 'tav');

/** Latency of one configuration, per clip, in milliseconds. */
export interface LatencyStats {
  batchSize: number;
  /** Median time per clip over the repetitions. */
  medianMs: number;
  /** First and third quartile of the time per clip. */
  q1Ms: number;
  q3Ms: number;
  /** Interquartile range q3 - q1. */
  iqrMs: number;
  warmup: number;
  repeats: number;
}

/** PyTorch's inference latency per subset, or why it was not measured (what `measureTorchLatency` returns). */
export type TorchLatency =
  | {
      ok: true;
      /** e.g. 'PyTorch 1.13.0, 1 thread'. */
      label: string;
      torch: string;
      threads: number;
      /** Latency per clip by batch size, per model subset. */
      latency: Partial<Record<SubsetName, LatencyStats[]>>;
      /** Parameters at inference (projection head excluded), to check that the mirror matches. */
      parameters: Partial<Record<SubsetName, number>>;
    }
  | { ok: false; reason: string };

/** Options of `measureLatency`. */
export interface LatencyOptions {
  batchSize: number;
  /** Untimed runs first (kernel compilation, allocations). Default 3. */
  warmup?: number;
  /** Timed runs. Default 10. */
  repeats?: number;
  /** Forward passes one call of `run` makes (the time is divided by it). Default 1. */
  passesPerRun?: number;
}

/** Returns the q-quantile (0-1) of sorted values, interpolating linearly between neighbours (q 0.5: the median). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Resolves to the latency per clip of `run` (which must finish its work, e.g. read its result back,
 * and dispose what it makes): median and quartiles over `repeats` timed runs after `warmup`.
 */
export async function measureLatency(run: () => Promise<void>, o: LatencyOptions): Promise<LatencyStats> {
  const warmup = o.warmup ?? 3;
  const repeats = o.repeats ?? 10;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`Expected repeats to be an integer >= 1, but got ${repeats}`);
  for (let i = 0; i < warmup; i++) await run();
  const perClip: number[] = [];
  const clips = o.batchSize * (o.passesPerRun ?? 1);
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    perClip.push((performance.now() - t0) / clips);
  }
  perClip.sort((a, b) => a - b);
  const q1 = quantile(perClip, 0.25);
  const q3 = quantile(perClip, 0.75);
  return { batchSize: o.batchSize, medianMs: quantile(perClip, 0.5), q1Ms: q1, q3Ms: q3, iqrMs: q3 - q1, warmup, repeats };
}

/** Returns the peak bytes of tensors allocated during `run` above those live before it (tf.profile). */
async function peakInferenceBytes(run: () => Promise<void>): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await run();
  });
  return Math.max(0, info.peakBytes - before);
}

/** Returns a random clip batch [B, T_m, D_m] with every frame valid; the caller disposes it. */
function randomCostInput(dims: Record<Modality, number>, seqLens: Record<Modality, number>, batchSize: number, seed = 0): ModelInput {
  const inputs: Partial<Record<Modality, tf.Tensor3D>> = {};
  const masks: Partial<Record<Modality, tf.Tensor2D>> = {};
  MODALITIES.forEach((m, i) => {
    inputs[m] = tf.randomNormal([batchSize, seqLens[m], dims[m]], 0, 1, 'float32', seed * 3 + i) as tf.Tensor3D;
    masks[m] = tf.ones([batchSize, seqLens[m]]) as tf.Tensor2D;
  });
  return { inputs, masks };
}

/** The accuracy beside a cost row (P1, test): mean over the subsets the row answers. */
export interface CostAccuracy {
  MAE: number;
  Corr: number;
  Non0_acc_2: number;
  Mult_acc_7: number;
  /** Subsets averaged. */
  subsets: SubsetName[];
}

/** One row of the cost table. */
export interface CostRow {
  /** 'teacher', 'student ta', 'MM-CKD students (mean)', 'autoencoder + teacher', 'diffusion K=10 + teacher'. */
  name: string;
  group: 'teacher' | 'student' | 'students-mean' | 'imputer+teacher';
  /** Student subset, when the row is one student. */
  subset?: SubsetName;
  /** Diffusion sampling steps K, when the row is a diffusion imputer. */
  sampleSteps?: number;
  /** Parameters used at inference (projection head excluded; imputer + teacher: both). */
  parameters: number;
  /** Analytic FLOPs per clip (imputer rows: mean over the six missing patterns). */
  flops: number;
  /** FLOPs per missing pattern (imputer rows only). */
  flopsByPattern?: Partial<Record<SubsetName, number>>;
  /** Latency per clip by batch size (1 and 32). */
  latency: LatencyStats[];
  /** Peak activation bytes of one batch-32 forward pass (max over patterns for imputer rows). */
  peakBytes: number;
  /** Process RSS after the measurement, bytes. */
  rssBytes: number;
  accuracy?: CostAccuracy;
  /** The same model's latency in the PyTorch mirror, by batch size (teacher and student rows; see `withTorchLatency`). */
  referenceLatency?: LatencyStats[];
}

/** A cost table with what it was measured on. */
export interface CostReport {
  backend: string;
  rows: CostRow[];
  /** What the numbers count, in one paragraph (printed with the table). */
  counts: string;
  machine: { cpus: number; loadavg: number[]; node: string; tfjs: string };
  settings: { batchSizes: number[]; warmup: number; repeats: number };
  /** What the reference latency columns ran on ('PyTorch 1.13.0, 1 thread'), or why there are none. */
  reference?: { label: string } | { missing: string };
}

/** An imputer to cost: its label and, for diffusion, the K values to measure (default its config's). */
export interface CostImputer {
  imputer: Imputer;
  sampleSteps?: number[];
}

/** Options of `measureCost`. */
export interface CostOptions {
  /** The full-modality teacher (the imputers feed it). */
  teacher: MsaModel;
  /** MM-CKD students by subset. */
  students: Partial<Record<SubsetName, MsaModel>>;
  imputers: CostImputer[];
  /** Backend name printed with every timing. */
  backend: string;
  batchSizes?: number[];
  warmup?: number;
  repeats?: number;
  /** Progress lines. */
  log?(line: string): void;
}

/** Parameters a model uses at inference: everything but the training-only projection head. */
export function inferenceParameters(model: MsaModel): number {
  const c = model.parameterCounts();
  return c.total - c.projectionHead;
}

/** One line saying what the cost table counts (the module doc, condensed). */
const COST_COUNTS =
  'Per clip. Parameters and FLOPs count what runs at test time (projection head excluded; imputer + teacher = whole imputer + teacher, ' +
  'FLOPs of the modules a missing pattern runs, diffusion = K denoiser passes; 1 multiply-add = 2 FLOPs, elementwise ops ignored). ' +
  'Imputer rows average the six missing patterns. Latency: wall clock incl. read-back, random full-length inputs, median [IQR] over repetitions after warm-up. ' +
  'Peak memory: max tf.memory().numBytes during one batch-32 pass minus bytes live before (activations); RSS is process-wide.';

/** Returns a function that runs every predictor once on `x` and resolves when each one's predictions are read back. */
function runAll(predictors: Predictor[], x: ModelInput): () => Promise<void> {
  return async () => {
    for (const p of predictors) {
      const y = tf.tidy(() => p(x));
      try {
        await y.data();
      } finally {
        y.dispose();
      }
    }
  };
}

/**
 * Measures the cost table: teacher, each student, the students' mean, and each imputer + teacher
 * (per K for diffusion). Returns rows in that order.
 * @see notebooks/05-computational-cost.ipynb
 */
export async function measureCost(o: CostOptions): Promise<CostReport> {
  const dims = o.teacher.config.inputDims;
  const seqLens = o.teacher.config.seqLens;
  const rows: CostRow[] = [];
  const batchSizes = o.batchSizes ?? [1, 32];
  const inputs = new Map(batchSizes.map((B) => [B, randomCostInput(dims, seqLens, B)]));
  const big = Math.max(...batchSizes);
  const measure = async (predictors: Predictor[]) => {
    const latency: LatencyStats[] = [];
    for (const B of batchSizes) {
      latency.push(await measureLatency(runAll(predictors, inputs.get(B)!), { batchSize: B, warmup: o.warmup, repeats: o.repeats, passesPerRun: predictors.length }));
    }
    let peakBytes = 0;
    for (const p of predictors) peakBytes = Math.max(peakBytes, await peakInferenceBytes(runAll([p], inputs.get(big)!)));
    return { latency, peakBytes, rssBytes: process.memoryUsage().rss };
  };
  const modelRow = async (model: MsaModel, name: string, group: CostRow['group']): Promise<CostRow> => {
    o.log?.(`cost: ${name}`);
    const m = await measure([(x) => acceleratedApply(model, x, { training: false }).prediction]);
    return {
      name, group, subset: group === 'student' ? model.name : undefined,
      parameters: inferenceParameters(model), flops: modelFlops(model.config, { excludeTrainingHeads: true }).total, ...m,
    };
  };
  try {
    rows.push(await modelRow(o.teacher, 'teacher', 'teacher'));
    const students: CostRow[] = [];
    for (const s of PATTERNS) {
      const model = o.students[s];
      if (model) students.push(await modelRow(model, `student ${s}`, 'student'));
    }
    rows.push(...students);
    if (students.length > 0) rows.push(meanRow(students, 'MM-CKD students (mean)', 'students-mean'));
    const teacherParams = inferenceParameters(o.teacher);
    const teacherFlops = modelFlops(o.teacher.config, { excludeTrainingHeads: true }).total;
    for (const { imputer, sampleSteps } of o.imputers) {
      const ks = imputer.kind === 'diffusion' ? sampleSteps ?? [imputer.config.sampleSteps] : [undefined];
      for (const k of ks) {
        const name = imputer.kind === 'diffusion' ? `diffusion K=${k} + teacher` : 'autoencoder + teacher';
        o.log?.(`cost: ${name}`);
        const flopsByPattern = Object.fromEntries(
          PATTERNS.map((s) => [s, imputerFlops(imputer.config, s, { sampleSteps: k }).total + teacherFlops]),
        ) as Partial<Record<SubsetName, number>>;
        const m = await measure(PATTERNS.map((s) => imputerPredictor(imputer, o.teacher, s, { sampleSteps: k })));
        rows.push({
          name, group: 'imputer+teacher', sampleSteps: k,
          parameters: teacherParams + imputer.parameterCount(),
          flops: PATTERNS.reduce((sum, s) => sum + flopsByPattern[s]!, 0) / PATTERNS.length,
          flopsByPattern, ...m,
        });
      }
    }
  } finally {
    for (const x of inputs.values()) tf.dispose([...Object.values(x.inputs), ...Object.values(x.masks)] as tf.Tensor[]);
  }
  return {
    backend: o.backend, rows, counts: COST_COUNTS,
    machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version, tfjs: tf.version.tfjs },
    settings: { batchSizes, warmup: o.warmup ?? 3, repeats: o.repeats ?? 10 },
  };
}

/** Returns the mean latency per batch size of several models' latencies (median and quartiles averaged). */
function meanLatency(lists: LatencyStats[][]): LatencyStats[] {
  const mean = (f: (l: LatencyStats[]) => number) => lists.reduce((s, l) => s + f(l), 0) / lists.length;
  return lists[0].map((l, i) => {
    const q1 = mean((x) => x[i].q1Ms);
    const q3 = mean((x) => x[i].q3Ms);
    return { ...l, medianMs: mean((x) => x[i].medianMs), q1Ms: q1, q3Ms: q3, iqrMs: q3 - q1 };
  });
}

function meanRow(rows: CostRow[], name: string, group: CostRow['group']): CostRow {
  const mean = (f: (r: CostRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  return {
    name, group, parameters: mean((r) => r.parameters), flops: mean((r) => r.flops), latency: meanLatency(rows.map((r) => r.latency)),
    peakBytes: Math.max(...rows.map((r) => r.peakBytes)), rssBytes: Math.max(...rows.map((r) => r.rssBytes)),
  };
}

function accuracyOf(results: SubsetResult[], subsets: SubsetName[]): CostAccuracy | undefined {
  const picked = results.filter((r) => subsets.includes(r.subset));
  if (picked.length === 0) return undefined;
  const mean = (k: 'MAE' | 'Corr' | 'Non0_acc_2' | 'Mult_acc_7') => picked.reduce((s, r) => s + r.raw[k], 0) / picked.length;
  return { MAE: mean('MAE'), Corr: mean('Corr'), Non0_acc_2: mean('Non0_acc_2'), Mult_acc_7: mean('Mult_acc_7'), subsets: picked.map((r) => r.subset) };
}

/**
 * Returns the report with P1 accuracy beside each row: `students` (P1 of the MM-CKD run: teacher
 * and students), `imputers` (P1 of imputer + teacher, keyed by row name, e.g. 'autoencoder +
 * teacher'). Mean and imputer rows average the six missing patterns.
 */
export function withAccuracy(report: CostReport, students?: SubsetResult[], imputers: Record<string, SubsetResult[]> = {}): CostReport {
  const rows = report.rows.map((r) => {
    let accuracy: CostAccuracy | undefined;
    if (r.group === 'teacher' && students) accuracy = accuracyOf(students, ['tav']);
    else if (r.group === 'student' && students && r.subset) accuracy = accuracyOf(students, [r.subset]);
    else if (r.group === 'students-mean' && students) accuracy = accuracyOf(students, PATTERNS);
    else if (r.group === 'imputer+teacher' && imputers[r.name]) accuracy = accuracyOf(imputers[r.name], PATTERNS);
    return accuracy ? { ...r, accuracy } : r;
  });
  return { ...report, rows };
}

/**
 * Returns the report with PyTorch's latency beside the teacher, each student and the students'
 * mean (imputers have no PyTorch mirror), or with the reason it is missing.
 */
export function withTorchLatency(report: CostReport, torch: TorchLatency): CostReport {
  if (!torch.ok) return { ...report, reference: { missing: torch.reason } };
  // the model subset a row measures: the teacher's 'tav' or a student's; none for mean and imputer rows
  const subsetOf = (r: CostRow): SubsetName | undefined => (r.group === 'teacher' ? 'tav' : r.group === 'student' ? r.subset : undefined);
  const differ = report.rows.find((r) => {
    const s = subsetOf(r);
    return s !== undefined && torch.parameters[s] !== undefined && torch.parameters[s] !== r.parameters;
  });
  if (differ) {
    return { ...report, reference: { missing: `the PyTorch mirror of ${differ.name} has ${torch.parameters[subsetOf(differ)!]} parameters at inference, the kit's ${differ.parameters}: not the same architecture` } };
  }
  let rows = report.rows.map((r) => {
    const s = subsetOf(r);
    const latency = s ? torch.latency[s] : undefined;
    return latency ? { ...r, referenceLatency: latency } : r;
  });
  const students = rows.filter((r) => r.group === 'student' && r.referenceLatency);
  if (students.length > 0) {
    const mean = meanLatency(students.map((r) => r.referenceLatency!));
    rows = rows.map((r) => (r.group === 'students-mean' ? { ...r, referenceLatency: mean } : r));
  }
  return { ...report, rows, reference: { label: torch.label } };
}

/** MM-CKD students' mean vs one imputer + teacher row: how many times cheaper the students are. */
export interface CostRatio {
  imputer: string;
  /** Imputer + teacher FLOPs / student FLOPs. */
  flopsRatio: number;
  /** Imputer + teacher median latency / student median latency, per batch size. */
  latencyRatio: Record<number, number>;
  /** Mean P1 MAE over the six patterns, when known. */
  studentMae?: number;
  imputerMae?: number;
}

/** Returns, for every imputer row, its FLOPs and latency divided by the MM-CKD students' mean. */
export function costRatios(report: CostReport): CostRatio[] {
  const students = report.rows.find((r) => r.group === 'students-mean');
  if (!students) return [];
  return report.rows
    .filter((r) => r.group === 'imputer+teacher')
    .map((r) => ({
      imputer: r.name,
      flopsRatio: r.flops / students.flops,
      latencyRatio: Object.fromEntries(r.latency.map((l, i) => [l.batchSize, l.medianMs / students.latency[i].medianMs])),
      studentMae: students.accuracy?.MAE,
      imputerMae: r.accuracy?.MAE,
    }));
}

/** Returns the table as flat rows for `tableHtml` / `writeTable` (ms per clip, MFLOPs, KiB). */
export function costTableRows(report: CostReport): Record<string, unknown>[] {
  return report.rows.map((r) => {
    const out: Record<string, unknown> = { model: r.name, parameters: Math.round(r.parameters), MFLOPs: r.flops / 1e6 };
    const cell = (l: LatencyStats) => `${l.medianMs.toFixed(3)} [${l.q1Ms.toFixed(3)}, ${l.q3Ms.toFixed(3)}]`;
    for (const l of r.latency) out[`ms/clip b${l.batchSize} (${report.backend})`] = cell(l);
    if (report.reference && 'label' in report.reference) {
      for (const [i, l] of r.latency.entries()) {
        const ref = r.referenceLatency?.[i];
        out[`ms/clip b${l.batchSize} (${report.reference.label})`] = ref ? cell(ref) : '';
      }
    }
    out['peak KiB (b32)'] = Math.round(r.peakBytes / 1024);
    out['test MAE (P1)'] = r.accuracy ? r.accuracy.MAE : '';
    out['Acc-2 (P1)'] = r.accuracy ? r.accuracy.Non0_acc_2 : '';
    return out;
  });
}
