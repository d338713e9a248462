/**
 * MVSC at work: after each epoch of stage 2, measures on fixed train and valid clips what the
 * distillation does to each model, so history.json shows it epoch by epoch:
 *
 * - `<split>.l1` each model's L1 and `<split>.mvsc` the MVSC term of all models' views (at the
 *   training batch size, so it reads like the training term), apart;
 * - `<split>.separation` each model's class separation in its projection space (within- minus
 *   between-class cosine under MVSC's classes), `<split>.spread` how spread its cloud is, and
 *   `<split>.alignment` the mean cosine between its z and the teacher's z of the same clip, the
 *   teacher as it is at that epoch (the one the students are being pulled toward);
 * - `<split>.gradL1` and `<split>.gradContrast`: the norm of the gradient that each term of the
 *   objective (L1, and lambda times the contrastive term) sends into each model's weights.
 *
 * Everything runs in inference mode (no dropout) on the first clips of each split in split order,
 * and draws no random numbers: a run trains to the same weights with and without the probe.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { SubsetName } from '../data/modalities';
import type { Batch, MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { batches } from '../data/batches';
import { acceleratedApplyModels } from '../accelerator/model-forward';
import type { ModelOutput, MsaModel } from '../models/model';
import { labelClasses, type ClassScheme } from '../losses/label-classes';
import { l1Loss } from '../losses/regression-losses';
import { mvscLoss } from '../losses/mvsc-loss';
import { multiViewContrastiveLoss } from '../losses/multi-view-contrastive-loss';
import { classSeparation, crossModelAgreement, projectionSpread, type Projections } from '../losses/projection-geometry';
import type { ProbeRecord } from './trainer';
import { readBatchResult } from './predict';

/** The contrastive term of the objective being probed: which loss, and its weight lambda (0: none). */
export interface ProbedContrast {
  kind: 'mvsc' | 'mvc';
  weight: number;
}

/** Options of `distillationProbe`. */
export interface DistillationProbeOptions {
  /** The models, the teacher ('tav') among them for the alignment. */
  models: Partial<Record<SubsetName, MsaModel>>;
  splits: { train: MultimodalSplit; valid: MultimodalSplit };
  /** The training batch size: the MVSC term and the gradients are measured on batches of it. */
  batchSize: number;
  tau: number;
  classScheme: ClassScheme;
  /** The objective's contrastive term (absent or weight 0: the objective is L1 alone, as for B2). */
  contrast?: ProbedContrast;
  /** Clips measured per split (default 256; fewer when the split is smaller). */
  clips?: number;
  /** Batches of those clips whose gradients are measured (default 2). */
  gradientBatches?: number;
}

/** Returns the probe's batches of a split: its first `clips` clips, in split order, at `batchSize`. */
function probeBatches(split: MultimodalSplit, clips: number, batchSize: number): Batch[] {
  const indices = Int32Array.from({ length: Math.min(clips, split.ids.length) }, (_, i) => i);
  return [...batches(split, { batchSize, indices })];
}

/**
 * Returns a probe for `trainModels`: a function that measures the models as described above and
 * resolves to the groups of numbers to record (one read per batch and term). Never leaks tensors.
 * @see notebooks/03-online-mmckd.ipynb
 */
export function distillationProbe(o: DistillationProbeOptions): () => Promise<ProbeRecord> {
  const names = Object.keys(o.models) as SubsetName[];
  const list = names.map((n) => o.models[n]!);
  const seeds = names.map(() => 0); // inference mode: no dropout, the seeds are unused
  const clips = o.clips ?? 256;
  const gradientBatches = o.gradientBatches ?? 2;
  const owner = new Map<string, SubsetName>();
  const contrastTerm = (views: tf.Tensor2D[], classes: Int32Array): tf.Scalar =>
    o.contrast!.kind === 'mvsc' ? mvscLoss(views, classes, o.tau) : multiViewContrastiveLoss(views, o.tau);

  const measureSplit = async (prefix: string, split: MultimodalSplit, record: ProbeRecord): Promise<void> => {
    const probe = probeBatches(split, clips, o.batchSize);
    try {
      const n = probe.reduce((s, b) => s + b.indices.length, 0);
      const l1Sum: Record<string, number> = {};
      let mvscSum = 0;
      let dim = 0;
      const z = new Map<SubsetName, Float32Array>();
      const labels = new Float32Array(n);
      let row = 0;
      for (const batch of probe) {
        const b = batch.indices.length;
        const classes = labelClasses(Array.from(batch.indices, (i) => split.labels[i]), o.classScheme);
        batch.indices.forEach((i, k) => (labels[row + k] = split.labels[i]));
        // one read per batch: [models + 1] scalars (each L1, then MVSC), then each model's [b, p] unit projections
        const packed = tf.tidy(() => {
          const outs = acceleratedApplyModels(list, batch, { training: false, seeds });
          const l1 = outs.map((out) => l1Loss(out.prediction, batch.labels));
          const mvsc = list.length > 1 ? mvscLoss(outs.map((out) => out.projection), classes, o.tau) : tf.scalar(NaN);
          const zs = outs.map((out) => tf.reshape(tf.div(out.projection, tf.norm(out.projection, 'euclidean', 1, true).add(1e-12)), [-1]));
          return tf.concat([tf.stack([...l1, mvsc]), ...zs]); // [models + 1 + models * b * p]
        });
        const values = await readBatchResult(packed);
        const scalars = values.subarray(0, names.length + 1);
        if (dim === 0) dim = (values.length - scalars.length) / (names.length * b);
        names.forEach((name, m) => {
          l1Sum[name] = (l1Sum[name] ?? 0) + scalars[m] * b;
          if (!z.has(name)) z.set(name, new Float32Array(n * dim));
          const start = scalars.length + m * b * dim;
          z.get(name)!.set(values.subarray(start, start + b * dim), row * dim);
        });
        mvscSum += scalars[names.length] * b;
        row += b;
      }
      record[`${prefix}.l1`] = Object.fromEntries(names.map((name) => [name, l1Sum[name] / n]));
      record[`${prefix}.mvsc`] = { all: mvscSum / n };
      const classes = labelClasses(labels, o.classScheme);
      const projections = new Map<SubsetName, Projections>(names.map((name) => [name, { data: z.get(name)!, n, dim }]));
      const teacher = projections.get('tav');
      record[`${prefix}.separation`] = Object.fromEntries(names.map((name) => [name, classSeparation(projections.get(name)!, classes)]));
      record[`${prefix}.spread`] = Object.fromEntries(names.map((name) => [name, projectionSpread(projections.get(name)!)]));
      if (teacher) {
        record[`${prefix}.alignment`] = Object.fromEntries(names.filter((name) => name !== 'tav').map((name) => [name, crossModelAgreement(projections.get(name)!, teacher)]));
      }
      await measureGradients(prefix, split, probe.slice(0, gradientBatches), record);
    } finally {
      for (const b of probe) disposeBatch(b);
    }
  };

  // The norm of the gradient of each term with respect to each model's own weights, averaged over the batches.
  const measureGradients = async (prefix: string, split: MultimodalSplit, gradientBatches: Batch[], record: ProbeRecord): Promise<void> => {
    const varList = list.flatMap((m) => m.variables());
    if (owner.size === 0) list.forEach((m, i) => m.variables().forEach((v) => owner.set(v.name, names[i])));
    const terms: Record<string, (outs: ModelOutput[], batch: Batch, classes: Int32Array) => tf.Scalar> = {
      gradL1: (outs, batch) => tf.addN(outs.map((out) => l1Loss(out.prediction, batch.labels))) as tf.Scalar,
    };
    if (o.contrast && o.contrast.weight > 0 && list.length > 1) {
      terms.gradContrast = (outs, _batch, classes) => tf.mul(contrastTerm(outs.map((out) => out.projection), classes), o.contrast!.weight) as tf.Scalar;
    }
    for (const [term, loss] of Object.entries(terms)) {
      const sq: Record<string, number> = {};
      for (const batch of gradientBatches) {
        const classes = labelClasses(Array.from(batch.indices, (i) => split.labels[i]), o.classScheme);
        const { value, grads } = tf.variableGrads(() => loss(acceleratedApplyModels(list, batch, { training: false, seeds }), batch, classes), varList);
        // each model's squared gradient norm, summed in one tensor per model, read once for all models
        const squares = tf.tidy(() => tf.stack(names.map((m) => {
          const own = Object.entries(grads).filter(([v]) => owner.get(v) === m).map(([, g]) => tf.sum(tf.square(g)));
          return own.length > 0 ? tf.addN(own) : tf.scalar(0);
        })));
        tf.dispose([value, ...Object.values(grads)]);
        const perModel = await readBatchResult(squares);
        names.forEach((name, i) => (sq[name] = (sq[name] ?? 0) + Math.sqrt(perModel[i]) / gradientBatches.length));
      }
      record[`${prefix}.${term}`] = sq;
    }
  };

  return async () => {
    const record: ProbeRecord = {};
    await measureSplit('train', o.splits.train, record);
    await measureSplit('valid', o.splits.valid, record);
    return record;
  };
}
