/**
 * The projection space of several models in one picture: their test projections z share one PCA
 * (fitted on all of them together; `projectionScatterFigure` draws the panels on shared axes),
 * coloured by sentiment sign, with each model's agreement with the teacher and its class separation.
 * @see notebooks/03-online-mmckd.ipynb
 */
import type { SubsetName } from '../data/modalities';
import type { MultimodalSplit } from '../data/types';
import type { MsaModel } from '../models/model';
import { labelClasses, type ClassScheme } from '../losses/label-classes';
import { classSeparation, crossModelAgreement, projectSplit, type Projections } from '../eval/projections';
import { pca2d } from './pca';
import type { ProjectionPoint } from './scatter-figures';

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

/** Column labels of `projectionSummaryRows`, by ProjectionSummary field. */
export const PROJECTION_SUMMARY_LABELS = {
  model: 'model',
  agreementWithTeacher: 'agreement with teacher (mean cosine)',
  classSeparation: 'class separation (within − between cosine)',
} as const satisfies Record<Exclude<keyof ProjectionSummary, 'subset'>, string>;

/** Returns summaries as table rows with readable column labels (the fields keep their names). */
export function projectionSummaryRows(summaries: ProjectionSummary[]): Record<string, string | number>[] {
  return summaries.map((s) => ({
    [PROJECTION_SUMMARY_LABELS.model]: s.model,
    [PROJECTION_SUMMARY_LABELS.agreementWithTeacher]: s.agreementWithTeacher,
    [PROJECTION_SUMMARY_LABELS.classSeparation]: s.classSeparation,
  }));
}

/** The models the projection-space figure draws: the teacher and the three single-modality students. */
export const PROJECTION_SUBSETS: readonly SubsetName[] = ['tav', 't', 'a', 'v'];

/** Returns the models of `subsets` (default PROJECTION_SUBSETS) that `models` holds, in that order. */
export function projectionModels(models: Partial<Record<SubsetName, MsaModel>>, subsets: readonly SubsetName[] = PROJECTION_SUBSETS): Partial<Record<SubsetName, MsaModel>> {
  return Object.fromEntries(subsets.filter((s) => models[s] !== undefined).map((s) => [s, models[s]]));
}

/** Returns the mean agreement with the teacher over the students' summaries (the teacher's own row left out; NaN without students). */
export function meanStudentAgreement(summaries: readonly ProjectionSummary[]): number {
  const students = summaries.filter((s) => s.subset !== 'tav');
  return students.length === 0 ? Number.NaN : students.reduce((sum, s) => sum + s.agreementWithTeacher, 0) / students.length;
}

/** Points for `projectionScatterFigure`, per-model summaries and the PCA's explained variance. */
export interface ProjectionSpace {
  points: ProjectionPoint[];
  summaries: ProjectionSummary[];
  explainedVarianceRatio: [number, number];
}

const SIGN_NAMES = ['negative', 'neutral', 'positive'];

/**
 * Returns the shared 2-D PCA view of `models`' projections of `split` (teacher 'tav' required
 * for agreement), points labelled by `label` (plus `suffix`) and coloured by 3-class sentiment
 * sign; summaries use `scheme` classes (MVSC's supervision).
 */
export function projectionSpace(
  models: Partial<Record<SubsetName, MsaModel>>,
  split: MultimodalSplit,
  scheme: ClassScheme = 7,
  suffix = '',
): ProjectionSpace {
  const names = Object.keys(models) as SubsetName[];
  const proj = new Map<SubsetName, Projections>(names.map((n) => [n, projectSplit(models[n]!, split)]));
  const first = proj.get(names[0])!;
  const stacked = new Float32Array(names.length * first.n * first.dim);
  names.forEach((n, k) => stacked.set(proj.get(n)!.data, k * first.n * first.dim));
  const pca = pca2d(stacked, names.length * first.n, first.dim);
  const sign = labelClasses(split.labels, 3);
  const points: ProjectionPoint[] = [];
  names.forEach((n, k) => {
    for (let i = 0; i < first.n; i++) {
      const r = k * first.n + i;
      points.push({ x: pca.pc1[r], y: pca.pc2[r], model: `${n}${suffix}`, cls: SIGN_NAMES[sign[i]] });
    }
  });
  const classes = labelClasses(split.labels, scheme);
  const teacher = proj.get('tav');
  const summaries = names.map((n) => ({
    model: `${n}${suffix}`,
    subset: n,
    agreementWithTeacher: teacher ? crossModelAgreement(proj.get(n)!, teacher) : NaN,
    classSeparation: classSeparation(proj.get(n)!, classes),
  }));
  return { points, summaries, explainedVarianceRatio: pca.explainedVarianceRatio };
}
