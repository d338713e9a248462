/**
 * `npx tsx scripts/mvsc-diagnosis.ts [--seeds 1,2,3,4,5] [--methods mmckd,b2] [--jobs K/N] NAME...`:
 * trains each named candidate (an override of the recipe the diagnosis started from, below) with
 * MM-CKD and with B2 on the synthetic default, and appends one JSON line per (candidate, method, seed) to
 * build/mvsc-diagnosis/results.jsonl: test MAE per subset, each model's kept epoch, the test
 * projection space of every student beside the teacher it trained with (class separation, spread,
 * same-clip alignment), and the stage-2 probe of every epoch. `--jobs K/N` runs every N-th job
 * from the K-th (one process per core). `--summary` prints the diagnosis table from the results:
 * per candidate, the students' mean MAE of MM-CKD minus B2 paired by seed with a 95% t-interval,
 * and the t, a, v students' class separation. The candidates and what they gave are in
 * docs/mvsc-diagnosis.md.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../lib/backend';
import { generateSynthetic, syntheticConfig } from '../lib/data/synthetic';
import { standardizeDataset } from '../lib/data/standardize';
import type { SubsetName } from '../lib/data/modalities';
import { evaluateSubsets } from '../lib/eval/evaluate-subsets';
import { studentProjectionRecords } from '../lib/eval/projections';
import { validateTrainConfig, type TrainConfig } from '../lib/train/config';
import { splitBatches } from '../lib/train/batch-source';
import { disposeTrainedRun, runMethod } from '../lib/experiments/run-method';
import { loadStudentTeachers } from '../lib/train/student-teachers';
import type { ModelConfig } from '../lib/models/config';
import type { MethodName } from '../lib/vocabulary';
import { pairedDifference } from '../lib/report/paired-difference';

type Candidate = Partial<Omit<TrainConfig, 'model'>> & { model?: Partial<ModelConfig> };

/**
 * The recipe the diagnosis started from: the kit's default before the diagnosis made tau 0.5 the
 * default. Every candidate overrides it, so each name keeps meaning what it measured.
 */
const START: Candidate = { tau: 0.07 };

/** The candidates, by name: each an override of {@link START}, applied to MM-CKD and to B2 alike. */
const CANDIDATES: Record<string, Candidate> = {
  start: {},
  'lambda1': { lambda: 1 },
  'tau0.2': { tau: 0.2 },
  'tau0.5': { tau: 0.5 },
  'tau0.2-lambda1': { tau: 0.2, lambda: 1 },
  'tau0.5-lambda1': { tau: 0.5, lambda: 1 },
  'lr3e-4': { lr: 3e-4 },
  'lr3e-4-lambda1': { lr: 3e-4, lambda: 1 },
  'lr3e-4-lambda1-tau0.2': { lr: 3e-4, lambda: 1, tau: 0.2 },
  'wd0.1': { weightDecay: 0.1 },
  'batch128': { batchSize: 128 },
  'lambda1-batch128': { lambda: 1, batchSize: 128 },
  'lr3e-4-lambda1-batch128': { lr: 3e-4, lambda: 1, batchSize: 128 },
};

/** Fields that B2 ignores: a candidate changing only these is paired with the start's B2 runs. */
const CONTRAST_ONLY = new Set(['lambda', 'tau', 'classScheme', 'detachTeacherViews']);
const b2Source = (name: string) => (Object.keys(CANDIDATES[name]).every((k) => CONTRAST_ONLY.has(k)) ? 'start' : name);

const STUDENTS: SubsetName[] = ['ta', 'tv', 'av', 't', 'a', 'v'];
const OUT = join('build', 'mvsc-diagnosis');

function opt(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

interface ResultLine {
  name: string;
  method: MethodName;
  seed: number;
  testMae: Record<string, number>;
  bestEpoch: Record<string, number>;
  epochs: number;
  projection: Record<string, { separation: number; spread: number; alignment: number; teacherEpoch: number; teacherSeparation: number }>;
  probe: unknown[];
  seconds: number;
  backend: string;
}

async function train(name: string, method: MethodName, seed: number): Promise<void> {
  const backend = await selectBackend({ log: false });
  const { dataset } = standardizeDataset(generateSynthetic(syntheticConfig('mosi')));
  const cand = CANDIDATES[name];
  const config = validateTrainConfig({ ...START, ...cand, model: { ...(START.model ?? {}), ...(cand.model ?? {}) }, method, seed }, 'mosi');
  const outDir = join(OUT, 'runs', `${name}-${method}-seed${seed}`);
  const t0 = Date.now();
  const run = await runMethod({ dataset, config, outDir, batches: splitBatches, backend, stage1CacheDir: join(OUT, '_stage1'), lock: 'wait' });
  const seconds = (Date.now() - t0) / 1000;
  const testMae = Object.fromEntries((await evaluateSubsets(run.predictors, dataset.test)).map((r) => [r.subset, r.raw.MAE]));
  const stage2 = run.history.filter((h) => h.stage === 'stage2');
  const bestEpoch: Record<string, number> = {};
  for (const h of stage2) for (const s of h.improved) bestEpoch[s] = h.epoch;
  // Each student beside the teacher as it was at the student's kept epoch.
  const teachers = await loadStudentTeachers(outDir, STUDENTS);
  const projection: ResultLine['projection'] = {};
  for (const r of await studentProjectionRecords(run.models, teachers, dataset.test, config.classScheme, STUDENTS)) {
    projection[r.student] = { separation: r.classSeparation, spread: r.spread, alignment: r.agreementWithTeacher, teacherEpoch: r.epoch, teacherSeparation: r.teacherClassSeparation };
  }
  for (const t of Object.values(teachers)) t!.model.dispose();
  disposeTrainedRun(run);
  const line: ResultLine = { name, method, seed, testMae, bestEpoch, epochs: stage2.length, projection, probe: stage2.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, validMae: h.validMae, probe: h.probe })), seconds, backend: backend.choice };
  mkdirSync(OUT, { recursive: true });
  appendFileSync(join(OUT, 'results.jsonl'), JSON.stringify(line) + '\n');
  console.log(`${name} ${method} seed ${seed}: ${seconds.toFixed(0)} s, ${stage2.length} epochs; students' MAE ${STUDENTS.map((s) => `${s} ${testMae[s].toFixed(3)}`).join(' ')}; separation ${['t', 'a', 'v'].map((s) => `${s} ${projection[s]?.separation.toFixed(3)}`).join(' ')}`);
}

function summary(): void {
  const lines = readFileSync(join(OUT, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultLine);
  const latest = new Map<string, ResultLine>();
  for (const l of lines) latest.set(`${l.name}|${l.method}|${l.seed}`, l);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
  console.log('| candidate | seeds | students mean MAE, MM-CKD − B2 [95% CI] | t, a, v separation MM-CKD | t, a, v separation B2 | t, a, v spread MM-CKD | kept epochs t, a, v (MM-CKD) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const name of Object.keys(CANDIDATES)) {
    const seeds = [...new Set(lines.filter((l) => l.name === name).map((l) => l.seed))].sort((a, b) => a - b)
      .filter((s) => latest.has(`${name}|mmckd|${s}`) && latest.has(`${b2Source(name)}|b2|${s}`));
    if (seeds.length === 0) continue;
    const m = seeds.map((s) => latest.get(`${name}|mmckd|${s}`)!);
    const b = seeds.map((s) => latest.get(`${b2Source(name)}|b2|${s}`)!);
    const studentsMean = (l: ResultLine) => mean(STUDENTS.map((s) => l.testMae[s]));
    const d = pairedDifference(m.map(studentsMean), b.map(studentsMean));
    const sep = (ls: ResultLine[], key: 'separation' | 'spread') => ['t', 'a', 'v'].map((s) => fmt(mean(ls.map((l) => l.projection[s]?.[key] ?? NaN)))).join(', ');
    const epochs = ['t', 'a', 'v'].map((s) => fmt(mean(m.map((l) => l.bestEpoch[s] ?? NaN)))).join(', ');
    const diff = `${d.meanDiff >= 0 ? '+' : ''}${d.meanDiff.toFixed(4)}`;
    const interval = seeds.length > 1 ? `${diff} (${d.verdict}) [${d.ciLow.toFixed(4)}, ${d.ciHigh.toFixed(4)}]` : `${diff} (one seed, no interval)`;
    console.log(`| ${name} | ${seeds.join(',')} | ${interval} | ${sep(m, 'separation')} | ${sep(b, 'separation')} | ${sep(m, 'spread')} | ${epochs} |`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--summary')) return summary();
  const seeds = opt(args, 'seeds', '1').split(',').map(Number);
  const methods = opt(args, 'methods', 'mmckd,b2').split(',') as MethodName[];
  const [k, n] = opt(args, 'jobs', '1/1').split('/').map(Number);
  const names = args;
  for (const name of names) if (!CANDIDATES[name]) throw new Error(`Expected a candidate among ${Object.keys(CANDIDATES).join(', ')}, but got '${name}'`);
  // B2 is trained once for candidates that change only what B2 ignores (it pairs with the start's).
  const jobs = names.flatMap((name) => seeds.flatMap((seed) => methods.filter((m) => m !== 'b2' || b2Source(name) === name).map((method) => ({ name, method, seed }))));
  const resultsFile = join(OUT, 'results.jsonl');
  const done = new Set(existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const r = JSON.parse(l) as ResultLine;
    return `${r.name}|${r.method}|${r.seed}`;
  }) : []);
  for (const [i, job] of jobs.entries()) {
    if (i % n !== k - 1 || done.has(`${job.name}|${job.method}|${job.seed}`)) continue; // measured already
    await train(job.name, job.method, job.seed);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
