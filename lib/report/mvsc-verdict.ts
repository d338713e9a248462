/**
 * What MVSC did, over seeds: for the runs of two methods trained with the same seeds (MM-CKD and
 * B2, say), the paired differences of the students' test MAE and of the t, a, v students' class
 * separation and agreement with the teacher they trained with, each with its 95% t-interval and a
 * verdict, and the sentences that say it.
 * @see notebooks/03-online-mmckd.ipynb
 */
import type { SubsetName } from '../data/modalities';
import type { StudentProjectionRecord } from '../eval/projections';
import { pairedDifference, type PairedVerdict } from './paired-difference';

/** One method's run at one seed: the students' test MAE and their projection records. */
export interface MvscSeedRecord {
  seed: number;
  /** Test MAE of each student (P1). */
  studentMae: Partial<Record<SubsetName, number>>;
  projections: readonly StudentProjectionRecord[];
}

/** One row of the verdict: a measure, method a minus method b over n seeds, its interval and verdict. */
export type MvscVerdictRow = {
  measure: string;
  n: number;
  a_mean: number;
  b_mean: number;
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  /** For a: 'better' (lower MAE; more separation or agreement), 'worse', or 'within noise'. */
  verdict: PairedVerdict;
};

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Returns the verdict rows of method `a` against method `b`, paired by seed (seeds present in
 * both): the six students' mean test MAE, then each student's class separation and agreement with
 * its teacher. Throws naming a seed whose records lack a student.
 * @see notebooks/03-online-mmckd.ipynb
 */
export function mvscVerdictRows(a: readonly MvscSeedRecord[], b: readonly MvscSeedRecord[], students: readonly SubsetName[] = ['t', 'a', 'v']): MvscVerdictRow[] {
  const seeds = a.map((r) => r.seed).filter((s) => b.some((r) => r.seed === s)).sort((x, y) => x - y);
  const pick = (rs: readonly MvscSeedRecord[]) => seeds.map((s) => rs.find((r) => r.seed === s)!);
  const [ra, rb] = [pick(a), pick(b)];
  const studentMean = (r: MvscSeedRecord) => {
    const values = Object.values(r.studentMae) as number[];
    if (values.length === 0) throw new Error(`Expected students' test MAE at seed ${r.seed}, but got none`);
    return mean(values);
  };
  const measure = (r: MvscSeedRecord, s: SubsetName, key: 'classSeparation' | 'agreementWithTeacher') => {
    const p = r.projections.find((x) => x.student === s);
    if (!p) throw new Error(`Expected a projection record of student '${s}' at seed ${r.seed}, but found none`);
    return p[key];
  };
  const row = (name: string, xa: number[], xb: number[], lowerIsBetter: boolean): MvscVerdictRow => {
    const d = pairedDifference(xa, xb, { lowerIsBetter });
    return { measure: name, n: d.n, a_mean: mean(xa), b_mean: mean(xb), mean_diff: d.meanDiff, ci_low: d.ciLow, ci_high: d.ciHigh, verdict: d.verdict };
  };
  return [
    row("students' mean test MAE", ra.map(studentMean), rb.map(studentMean), true),
    ...students.map((s) => row(`${s}: class separation`, ra.map((r) => measure(r, s, 'classSeparation')), rb.map((r) => measure(r, s, 'classSeparation')), false)),
    ...students.map((s) => row(`${s}: agreement with its teacher`, ra.map((r) => measure(r, s, 'agreementWithTeacher')), rb.map((r) => measure(r, s, 'agreementWithTeacher')), false)),
  ];
}

/** Returns one sentence per verdict row, e.g. "t: class separation: MM-CKD 0.031 vs B2 0.125, difference -0.094, 95% CI [...] over 5 seeds: worse". */
export function mvscVerdictLines(rows: readonly MvscVerdictRow[], names: readonly [string, string] = ['MM-CKD', 'B2']): string[] {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  return rows.map((r) => `${r.measure}: ${names[0]} ${f(r.a_mean)} vs ${names[1]} ${f(r.b_mean)}, difference ${f(r.mean_diff)}, 95% CI [${f(r.ci_low)}, ${f(r.ci_high)}] over ${r.n} seed${r.n === 1 ? '' : 's'}: ${r.n < 2 ? 'one seed, no interval' : r.verdict}`);
}
