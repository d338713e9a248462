/**
 * The teacher the students learn from. In stage 2 the teacher changes every step, and each
 * student keeps the checkpoint of its own best validation epoch; the teacher it was pulled toward
 * is the teacher at that epoch. This module keeps, during stage 2, a copy of the teacher at each
 * student's best epoch so far (and at the teacher's own best stage-2 epoch: the online teacher),
 * and saves them with the run as `checkpoints/teacher-at/<student>/` (and `.../tav/`), so the
 * projection figure and its table compare each student with the teacher it trained with.
 * @see notebooks/03-online-mmckd.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SubsetName } from '../data/modalities';
import { buildModel, type MsaModel } from '../models/model';
import { readJsonIfExists, writeJson } from '../io/json-file';
import { loadModel, loadTensors, saveModel, saveTensors } from './checkpoint';
import type { EpochRecord } from './resumable-stage';

/** Where a teacher copy came from: the stage-2 epoch (and, for the online teacher, its validation MAE). */
export interface TeacherCopy {
  epoch: number;
  validMae?: number;
}

const SNAPSHOTS = 'teacher-at';
const INDEX = 'teacher-at.json';

/**
 * Returns an epoch-end callback for stage 2 that copies the teacher's weights (as they are at the
 * epoch's end) to `<stageDir>/teacher-at/<name>` for every student that improved this epoch, and
 * for 'tav' when the teacher's validation MAE is its best within stage 2 (carried-in stage-1
 * scores do not count). The index `<stageDir>/teacher-at.json` records each copy's epoch.
 */
export function teacherSnapshotCallback(teacher: MsaModel, stageDir: string): (record: EpochRecord) => Promise<void> {
  return async (record) => {
    const index = readJsonIfExists<Partial<Record<SubsetName, TeacherCopy>>>(stageDir, INDEX) ?? {};
    const due = record.improved.filter((s) => s !== 'tav');
    const teacherMae = record.validMae.tav;
    if (teacherMae !== undefined && !(index.tav && index.tav.validMae! <= teacherMae)) due.push('tav');
    if (due.length === 0) return;
    const weights = teacher.getWeights();
    try {
      for (const s of due) {
        await saveTensors(weights, join(stageDir, SNAPSHOTS), s);
        index[s] = s === 'tav' ? { epoch: record.epoch, validMae: teacherMae } : { epoch: record.epoch };
      }
    } finally {
      tf.dispose(Object.values(weights));
    }
    writeJson(stageDir, INDEX, index);
  };
}

/**
 * Saves the stage's teacher copies as models under `<outDir>/checkpoints/teacher-at/<name>/`, for
 * each student whose kept checkpoint is from the copy's epoch (`best`: each model's best epoch),
 * and the online teacher. Returns what was saved; a student whose copy is missing or from another
 * epoch (a run resumed across that epoch by an older kit) is left out and named in `skipped`.
 */
export async function saveStudentTeachers(
  stageDir: string,
  outDir: string,
  teacher: MsaModel,
  seed: number,
  best: Partial<Record<SubsetName, { epoch: number }>>,
): Promise<{ saved: Partial<Record<SubsetName, TeacherCopy>>; skipped: SubsetName[] }> {
  const index = readJsonIfExists<Partial<Record<SubsetName, TeacherCopy>>>(stageDir, INDEX) ?? {};
  const saved: Partial<Record<SubsetName, TeacherCopy>> = {};
  const skipped: SubsetName[] = [];
  for (const s of Object.keys(best) as SubsetName[]) {
    const copy = index[s];
    const matches = copy && (s === 'tav' || copy.epoch === best[s]!.epoch) && existsSync(join(stageDir, SNAPSHOTS, `${s}.json`));
    if (!matches) {
      skipped.push(s);
      continue;
    }
    const clone = loadModelLike(teacher, seed, join(stageDir, SNAPSHOTS), s);
    try {
      await saveModel(clone, join(outDir, 'checkpoints', SNAPSHOTS, s), seed, { teacherAt: s, ...copy });
    } finally {
      clone.dispose();
    }
    saved[s] = copy;
  }
  writeJson(join(outDir, 'checkpoints'), INDEX, saved);
  return { saved, skipped };
}

/** Returns a new model with `teacher`'s config and the weights saved under `<dir>/<name>`. */
function loadModelLike(teacher: MsaModel, seed: number, dir: string, name: string): MsaModel {
  const model = buildModel(teacher.config, seed);
  const entries = loadTensors(dir, name);
  try {
    model.setWeights(Object.fromEntries(entries.map((t) => [t.name, t.tensor])));
  } finally {
    tf.dispose(entries.map((t) => t.tensor));
  }
  return model;
}

/** The teacher a student trained with: the copy's epoch and the model (the caller disposes it). */
export interface StudentTeacher {
  epoch: number;
  model: MsaModel;
}

/**
 * Loads the teacher copies of a finished run for `subsets` (students, or 'tav' for the online
 * teacher); a subset without a copy is absent from the result (runs trained before the kit kept them).
 * @see notebooks/03-online-mmckd.ipynb
 */
export async function loadStudentTeachers(outDir: string, subsets: readonly SubsetName[]): Promise<Partial<Record<SubsetName, StudentTeacher>>> {
  const index = readJsonIfExists<Partial<Record<SubsetName, TeacherCopy>>>(join(outDir, 'checkpoints'), INDEX) ?? {};
  const out: Partial<Record<SubsetName, StudentTeacher>> = {};
  for (const s of subsets) {
    const copy = index[s];
    if (copy) out[s] = { epoch: copy.epoch, model: await loadModel(join(outDir, 'checkpoints', SNAPSHOTS, s)) };
  }
  return out;
}
