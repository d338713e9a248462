/**
 * The projection space that MVSC shapes: each model's unit-norm projections z of a split, how
 * well a student's z agrees with the teacher's for the same clip, and how well classes separate.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { SubsetName } from '../data/modalities';
import type { MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import type { MsaModel } from '../models/model';
import { labelClasses, type ClassScheme } from '../losses/label-classes';
import { splitBatches } from '../train/batch-source';

/** Projections of a split: row-major [n, dim]. */
export interface Projections {
  data: Float32Array;
  n: number;
  dim: number;
}

/** Returns the model's projections z (inference mode) of every clip of `split`, in split order. */
function projectSplit(model: MsaModel, split: MultimodalSplit, batchSize = 64): Projections {
  const n = split.ids.length;
  let dim = 0;
  let data = new Float32Array(0);
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    const z = tf.tidy(() => model.apply(batch, { training: false }).projection);
    if (dim === 0) {
      dim = z.shape[1];
      data = new Float32Array(n * dim);
    }
    const values = z.dataSync();
    z.dispose();
    batch.indices.forEach((row, i) => data.set(values.subarray(i * dim, (i + 1) * dim), row * dim));
    disposeBatch(batch);
  }
  return { data, n, dim };
}

/** Returns the mean cosine similarity of two models' projections of the same clips. */
export function crossModelAgreement(a: Projections, b: Projections): number {
  if (a.n !== b.n || a.dim !== b.dim) throw new Error(`Expected projections of the same shape, but got [${a.n}, ${a.dim}] and [${b.n}, ${b.dim}]`);
  let sum = 0;
  for (let i = 0; i < a.n; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < a.dim; k++) {
      const x = a.data[i * a.dim + k];
      const y = b.data[i * b.dim + k];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    sum += dot / Math.sqrt(Math.max(1e-24, na * nb));
  }
  return sum / Math.max(1, a.n);
}

/**
 * Returns how well classes separate in a projection space: mean cosine similarity to clips of
 * the same class minus mean cosine similarity to clips of other classes (higher is better;
 * 0 when classes mix completely). Pairs of a clip with itself are excluded.
 */
export function classSeparation(p: Projections, classes: ArrayLike<number>): number {
  // Class centroids of unit vectors make this O(n * dim): sum over pairs = |sum of vectors|^2.
  const sums = new Map<number, Float64Array>();
  const counts = new Map<number, number>();
  const total = new Float64Array(p.dim);
  for (let i = 0; i < p.n; i++) {
    const c = classes[i];
    if (!sums.has(c)) sums.set(c, new Float64Array(p.dim));
    const s = sums.get(c)!;
    for (let k = 0; k < p.dim; k++) {
      s[k] += p.data[i * p.dim + k];
      total[k] += p.data[i * p.dim + k];
    }
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const sq = (v: Float64Array) => v.reduce((a, x) => a + x * x, 0);
  let within = 0;
  let withinPairs = 0;
  for (const [c, s] of sums) {
    const n = counts.get(c)!;
    within += sq(s) - n; // pairs i != j in the class (|z_i| = 1)
    withinPairs += n * (n - 1);
  }
  const all = sq(total) - p.n;
  const allPairs = p.n * (p.n - 1);
  const between = all - within;
  const betweenPairs = allPairs - withinPairs;
  if (withinPairs === 0 || betweenPairs === 0) return NaN;
  return within / withinPairs - between / betweenPairs;
}

/** One model's numbers in the projection space. */
export type ProjectionSummary = {
  model: string;
  /** The model's modality subset ('tav' for the teacher). */
  subset: SubsetName;
  /** Mean cosine between this model's z and the teacher's z of the same clip (1 for the teacher). */
  agreementWithTeacher: number;
  /** Within-class minus between-class mean cosine (see `classSeparation`). */
  classSeparation: number;
};

/** Returns the projections of `split` by each model, in the models' order. */
export function projectModels(models: Partial<Record<SubsetName, MsaModel>>, split: MultimodalSplit): Map<SubsetName, Projections> {
  return new Map((Object.keys(models) as SubsetName[]).map((n) => [n, projectSplit(models[n]!, split)]));
}

/**
 * Returns each model's agreement with the teacher ('tav'; NaN without it) and its class separation
 * under `scheme` classes of `labels` (MVSC's supervision); model names get `suffix`.
 */
export function summarizeProjections(projections: ReadonlyMap<SubsetName, Projections>, labels: Float32Array, scheme: ClassScheme = 7, suffix = ''): ProjectionSummary[] {
  const classes = labelClasses(labels, scheme);
  const teacher = projections.get('tav');
  return [...projections].map(([n, p]) => ({
    model: `${n}${suffix}`,
    subset: n,
    agreementWithTeacher: teacher ? crossModelAgreement(p, teacher) : Number.NaN,
    classSeparation: classSeparation(p, classes),
  }));
}

/** The models the projection-space figure draws: the teacher and the three single-modality students. */
const PROJECTION_SUBSETS: readonly SubsetName[] = ['tav', 't', 'a', 'v'];

/** Returns the models of `subsets` (default PROJECTION_SUBSETS) that `models` holds, in that order. */
export function projectionModels(models: Partial<Record<SubsetName, MsaModel>>, subsets: readonly SubsetName[] = PROJECTION_SUBSETS): Partial<Record<SubsetName, MsaModel>> {
  return Object.fromEntries(subsets.filter((s) => models[s] !== undefined).map((s) => [s, models[s]]));
}

/** Returns the mean agreement with the teacher over the students' summaries (the teacher's own row left out; NaN without students). */
export function meanStudentAgreement(summaries: readonly ProjectionSummary[]): number {
  const students = summaries.filter((s) => s.subset !== 'tav');
  return students.length === 0 ? Number.NaN : students.reduce((sum, s) => sum + s.agreementWithTeacher, 0) / students.length;
}
