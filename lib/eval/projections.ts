/**
 * The projection space that MVSC shapes: each model's unit-norm projections z of a split, how
 * well a student's z agrees with the teacher's for the same clip, and how well classes separate.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { SubsetName } from '../data/modalities';
import type { MultimodalSplit } from '../data/types';
import { disposeBatch } from '../data/types';
import { acceleratedApply } from '../accelerator/model-forward';
import type { MsaModel } from '../models/model';
import { labelClasses, type ClassScheme } from '../losses/label-classes';
import { splitBatches } from '../train/batch-source';
import { readBatchResult } from '../train/predict';
import { classSeparation, crossModelAgreement, projectionSpread, type Projections } from '../losses/projection-geometry';

// The geometry's measures live beside the losses that shape it (the training probe reads them too).
export { classSeparation, crossModelAgreement, projectionSpread, type Projections };

/** Resolves to the model's projections z (inference mode) of every clip of `split`, in split order (one read per batch). */
async function projectSplit(model: MsaModel, split: MultimodalSplit, batchSize = 64): Promise<Projections> {
  const n = split.ids.length;
  let dim = 0;
  let data = new Float32Array(0);
  for (const batch of splitBatches(split, { batchSize, shuffle: false, seed: 0 })) {
    try {
      const z = tf.tidy(() => acceleratedApply(model, batch, { training: false }).projection);
      if (dim === 0) {
        dim = z.shape[1];
        data = new Float32Array(n * dim);
      }
      const values = await readBatchResult(z);
      batch.indices.forEach((row, i) => data.set(values.subarray(i * dim, (i + 1) * dim), row * dim));
    } finally {
      disposeBatch(batch);
    }
  }
  return { data, n, dim };
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
  /** 1 minus the mean cosine over pairs of clips (see `projectionSpread`): how spread the cloud is. */
  spread: number;
  /** Which teacher the agreement is measured against, e.g. 'teacher at stage-2 epoch 3'. */
  teacher: string;
};

/** Resolves to the projections of `split` by each model, in the models' order. */
export async function projectModels(models: Partial<Record<SubsetName, MsaModel>>, split: MultimodalSplit): Promise<Map<SubsetName, Projections>> {
  const out = new Map<SubsetName, Projections>();
  for (const n of Object.keys(models) as SubsetName[]) out.set(n, await projectSplit(models[n]!, split));
  return out;
}

/**
 * Returns each model's agreement with the teacher ('tav'; NaN without it) and its class separation
 * under `scheme` classes of `labels` (MVSC's supervision); model names get `suffix`.
 */
export function summarizeProjections(projections: ReadonlyMap<SubsetName, Projections>, labels: Float32Array, scheme: ClassScheme = 7, suffix = '', teacherName = 'the run\'s teacher'): ProjectionSummary[] {
  const classes = labelClasses(labels, scheme);
  const teacher = projections.get('tav');
  return [...projections].map(([n, p]) => ({
    model: `${n}${suffix}`,
    subset: n,
    agreementWithTeacher: teacher ? crossModelAgreement(p, teacher) : Number.NaN,
    classSeparation: classSeparation(p, classes),
    spread: projectionSpread(p),
    teacher: teacherName,
  }));
}

/** A student beside the teacher it trained with: the teacher as it was at the student's kept epoch. */
export interface StudentWithTeacher {
  student: SubsetName;
  model: MsaModel;
  /** The teacher copy (lib/train/student-teachers.ts) and its stage-2 epoch (0-based). */
  teacher: MsaModel;
  teacherEpoch: number;
}

/** Projections of a student and of the teacher it trained with, and their summaries (the teacher's row first). */
export interface StudentTeacherProjections {
  student: SubsetName;
  teacherEpoch: number;
  projections: { teacher: Projections; student: Projections };
  summaries: [ProjectionSummary, ProjectionSummary];
}

/**
 * Resolves, for each student, to the projections of `split` by the student and by the teacher it
 * trained with, and their summaries: the student's agreement is measured against that teacher,
 * and both rows name it ('teacher at stage-2 epoch e', epochs counted from 1).
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function projectStudentsWithTeachers(pairs: readonly StudentWithTeacher[], split: MultimodalSplit, scheme: ClassScheme = 7, suffix = ''): Promise<StudentTeacherProjections[]> {
  const out: StudentTeacherProjections[] = [];
  for (const p of pairs) {
    const teacher = await projectSplit(p.teacher, split);
    const student = await projectSplit(p.model, split);
    const name = `teacher at stage-2 epoch ${p.teacherEpoch + 1}`;
    const [t, s] = summarizeProjections(new Map([['tav', teacher], [p.student, student]]), split.labels, scheme, suffix, name);
    out.push({ student: p.student, teacherEpoch: p.teacherEpoch, projections: { teacher, student }, summaries: [{ ...t, model: `${name} (with ${p.student})${suffix}` }, s] });
  }
  return out;
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

/** Returns each of `students` that has a model and a teacher copy, paired with that copy (`loadStudentTeachers`). */
export function studentTeacherPairs(
  models: Partial<Record<SubsetName, MsaModel>>,
  teachers: Partial<Record<SubsetName, { epoch: number; model: MsaModel }>>,
  students: readonly SubsetName[] = ['t', 'a', 'v'],
): StudentWithTeacher[] {
  return students.filter((s) => models[s] && teachers[s]).map((s) => ({ student: s, model: models[s]!, teacher: teachers[s]!.model, teacherEpoch: teachers[s]!.epoch }));
}

/** A student's numbers in the projection space beside the teacher it trained with (`projectStudentsWithTeachers`). */
export interface StudentProjectionRecord {
  student: SubsetName;
  /** The student's kept stage-2 epoch (0-based), which is also its teacher copy's. */
  epoch: number;
  classSeparation: number;
  spread: number;
  /** Mean cosine with the teacher at the same epoch, same clips. */
  agreementWithTeacher: number;
  /** The teacher copy's own class separation. */
  teacherClassSeparation: number;
}

/**
 * Resolves to the projection records of `students` of a trained run on `split`, each against the
 * teacher it trained with (`teachers`: the run's teacher copies, `loadStudentTeachers`); a student
 * without a teacher copy is left out.
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function studentProjectionRecords(
  models: Partial<Record<SubsetName, MsaModel>>,
  teachers: Partial<Record<SubsetName, { epoch: number; model: MsaModel }>>,
  split: MultimodalSplit,
  scheme: ClassScheme = 7,
  students: readonly SubsetName[] = ['t', 'a', 'v'],
): Promise<StudentProjectionRecord[]> {
  return (await projectStudentsWithTeachers(studentTeacherPairs(models, teachers, students), split, scheme)).map((p) => ({
    student: p.student,
    epoch: p.teacherEpoch,
    classSeparation: p.summaries[1].classSeparation,
    spread: p.summaries[1].spread,
    agreementWithTeacher: p.summaries[1].agreementWithTeacher,
    teacherClassSeparation: p.summaries[0].classSeparation,
  }));
}
