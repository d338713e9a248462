/**
 * The projection space of several models in one picture: their test projections z share one PCA
 * (fitted on all of them together; `projectionScatterFigure` draws the panels on shared axes),
 * coloured by sentiment sign, with each model's agreement with the teacher and its class separation
 * (computed in lib/eval/projections.ts; this module draws and labels them).
 * @see notebooks/03-online-mmckd.ipynb
 */
import type { SubsetName } from '../data/modalities';
import type { MultimodalSplit } from '../data/types';
import type { MsaModel } from '../models/model';
import { labelClasses, type ClassScheme } from '../losses/label-classes';
import { projectModels, projectStudentsWithTeachers, studentTeacherPairs, summarizeProjections, type ProjectionSummary } from '../eval/projections';
import { pca2d } from './pca';
import type { ProjectionPoint } from './scatter-figures';

/** Column labels of `projectionSummaryRows`, by ProjectionSummary field. */
const PROJECTION_SUMMARY_LABELS = {
  model: 'model',
  teacher: 'teacher compared with',
  agreementWithTeacher: 'agreement with teacher (mean cosine)',
  classSeparation: 'class separation (within − between cosine)',
  spread: 'spread (1 − mean cosine)',
} as const satisfies Record<Exclude<keyof ProjectionSummary, 'subset'>, string>;

/** Returns summaries as table rows with readable column labels (the fields keep their names). */
export function projectionSummaryRows(summaries: ProjectionSummary[]): Record<string, string | number>[] {
  return summaries.map((s) => ({
    [PROJECTION_SUMMARY_LABELS.model]: s.model,
    [PROJECTION_SUMMARY_LABELS.teacher]: s.teacher,
    [PROJECTION_SUMMARY_LABELS.agreementWithTeacher]: s.agreementWithTeacher,
    [PROJECTION_SUMMARY_LABELS.classSeparation]: s.classSeparation,
    [PROJECTION_SUMMARY_LABELS.spread]: s.spread,
  }));
}

/** Points for `projectionScatterFigure`, per-model summaries and the PCA's explained variance. */
export interface ProjectionSpace {
  points: ProjectionPoint[];
  summaries: ProjectionSummary[];
  explainedVarianceRatio: [number, number];
}

const SIGN_NAMES = ['negative', 'neutral', 'positive'];

/**
 * Resolves to the shared 2-D PCA view of `models`' projections of `split` (teacher 'tav' required
 * for agreement), points labelled by `label` (plus `suffix`) and coloured by 3-class sentiment
 * sign; summaries use `scheme` classes (MVSC's supervision).
 */
export async function projectionSpace(
  models: Partial<Record<SubsetName, MsaModel>>,
  split: MultimodalSplit,
  scheme: ClassScheme = 7,
  suffix = '',
): Promise<ProjectionSpace> {
  const proj = await projectModels(models, split);
  const names = [...proj.keys()];
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
  return { points, summaries: summarizeProjections(proj, split.labels, scheme, suffix), explainedVarianceRatio: pca.explainedVarianceRatio };
}

/**
 * Resolves to the shared 2-D PCA view of each student's projections of `split` beside those of the
 * teacher it trained with (`teachers`: the run's copies from `loadStudentTeachers`): facets in pairs,
 * 'teacher at epoch e (with t)' then 't', coloured by 3-class sentiment sign; summaries (both rows
 * of each pair, the student's agreement measured against its own teacher) use `scheme` classes.
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function studentTeacherSpace(
  models: Partial<Record<SubsetName, MsaModel>>,
  teachers: Partial<Record<SubsetName, { epoch: number; model: MsaModel }>>,
  split: MultimodalSplit,
  scheme: ClassScheme = 7,
  suffix = '',
  students: readonly SubsetName[] = ['t', 'a', 'v'],
): Promise<ProjectionSpace> {
  const projected = await projectStudentsWithTeachers(studentTeacherPairs(models, teachers, students), split, scheme, suffix);
  const clouds = projected.flatMap((p) => [
    { name: p.summaries[0].model, data: p.projections.teacher },
    { name: p.summaries[1].model, data: p.projections.student },
  ]);
  if (clouds.length === 0) throw new Error('Expected at least one student with its teacher, but got none');
  const { n, dim } = clouds[0].data;
  const stacked = new Float32Array(clouds.length * n * dim);
  clouds.forEach((c, k) => stacked.set(c.data.data, k * n * dim));
  const pca = pca2d(stacked, clouds.length * n, dim);
  const sign = labelClasses(split.labels, 3);
  const points: ProjectionPoint[] = [];
  clouds.forEach((c, k) => {
    for (let i = 0; i < n; i++) points.push({ x: pca.pc1[k * n + i], y: pca.pc2[k * n + i], model: c.name, cls: SIGN_NAMES[sign[i]] });
  });
  return { points, summaries: projected.flatMap((p) => p.summaries), explainedVarianceRatio: pca.explainedVarianceRatio };
}
