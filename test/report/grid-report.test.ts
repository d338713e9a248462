import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import type { MsaMetricValues } from '../../lib/eval/metrics';
import { MSA_METRIC_KEYS } from '../../lib/vocabulary';
import type { RateCurve } from '../../lib/eval/evaluate-protocols';
import type { GridCell } from '../../lib/eval/grid-cell';
import { validateTrainConfig } from '../../lib/train/config';
import { GRID_COLUMN_LABELS, gridFigures, gridTables, meanStdDisplayRows, pairedSubsetTable, teacherTable, writeGridTables } from '../../lib/report/grid-report';
import { relabelColumns } from '../../lib/report/table-format';
import { rateCurveFigure } from '../../lib/report/line-figures';

function metrics(mae: number): MsaMetricValues {
  return Object.fromEntries(MSA_METRIC_KEYS.map((k) => [k, k === 'MAE' ? mae : 0.7])) as MsaMetricValues;
}

function curve(protocol: 'P3' | 'P3c', base: number): RateCurve {
  return { protocol, auilc: {}, results: [0.1, 0.7].map((rate) => ({ rate, metrics: metrics(base + rate), raw: metrics(base + rate), routed: {} })) };
}

/** A fake evaluated cell: test MAE per subset from `mae`, valid MAE of the teacher. */
function cell(variant: string, seed: number, mae: (s: SubsetName) => number, validTav: number): GridCell {
  return {
    variant, seed, runDir: `/nowhere/${variant}-seed${seed}`, config: validateTrainConfig({ seed }, 'quick'), computed: false,
    evaluation: { evalSeed: 0, p1: SUBSET_NAMES.map((subset) => ({ subset, metrics: metrics(mae(subset)), raw: metrics(mae(subset)), n: 10 })), p3: curve('P3', 1), p3c: curve('P3c', 0.9) },
    // the MM-CKD teacher of seed 2 is a stage-2 checkpoint; every other teacher kept stage 1's
    kept: { tav: variant === 'mmckd' && seed === 2 ? { stage: 'stage2', epoch: 0, validMae: validTav } : { stage: 'stage1', epoch: 20 + seed, validMae: validTav } },
  };
}

// Per seed s: B2's MAE is 1.0 + 0.01 s on every subset. MM-CKD is lower by 0.05 ± 0.01 on tav
// (better), higher by 0.05 ± 0.01 on 'a' (worse), and alternates ±0.05 on 't' (within noise).
const jitter = [0, 0.01, -0.01, 0.005, -0.005];
const SEEDS = [1, 2, 3, 4, 5];
function mmckdMae(s: number, subset: SubsetName): number {
  const b2 = 1 + 0.01 * s;
  if (subset === 'tav') return b2 - 0.05 + jitter[s - 1];
  if (subset === 'a') return b2 + 0.05 + jitter[s - 1];
  if (subset === 't') return b2 + (s % 2 ? 0.05 : -0.05);
  return b2;
}
const cells: GridCell[] = [
  ...SEEDS.map((s) => cell('b1', s, () => 1.1 + 0.01 * s, 0.9 + 0.01 * s)),
  ...SEEDS.map((s) => cell('mmckd', s, (sub) => mmckdMae(s, sub), 0.85 + 0.01 * s)),
  ...SEEDS.slice(0, 4).map((s) => cell('b2', s, () => 1 + 0.01 * s, 0.88 + 0.01 * s)), // B2 lacks seed 5
];

test('pairedSubsetTable pairs MM-CKD and B2 by seed per subset, with the t-interval and verdict', () => {
  const rows = pairedSubsetTable(cells);
  assert.deepEqual(rows.map((r) => r.subset), [...SUBSET_NAMES, 'students']);
  assert.deepEqual(Object.keys(rows[0]), ['subset', 'n', 'mean_diff', 'sd', 'ci_low', 'ci_high', 'verdict']);
  const of = (s: string) => rows.find((r) => r.subset === s)!;
  for (const r of rows) assert.equal(r.n, 4, 'seeds 1-4: the seeds both variants have');
  // tav: differences -0.05 + jitter[0..3] = -0.05, -0.04, -0.06, -0.045
  const d = [-0.05, -0.04, -0.06, -0.045];
  const mean = d.reduce((a, b) => a + b) / 4;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(Number(of('tav').mean_diff) - mean) < 1e-12);
  assert.ok(Math.abs(Number(of('tav').sd) - sd) < 1e-12);
  const half = (3.182446305283708 * sd) / 2; // t_{0.975,3} sd / sqrt(4)
  assert.ok(Math.abs(Number(of('tav').ci_high) - (mean + half)) < 1e-9);
  assert.equal(of('tav').verdict, 'better');
  assert.equal(of('a').verdict, 'worse');
  assert.equal(of('t').verdict, 'within noise');
  assert.equal(Number(of('v').mean_diff), 0);
  // students: the mean over six students; of them only 'a' (mean +0.05125) and 't' (mean 0) differ
  assert.ok(Math.abs(Number(of('students').mean_diff) - 0.05125 / 6) < 1e-12);
  assert.deepEqual(pairedSubsetTable(cells.filter((c) => c.variant !== 'b2')), []);
});

test('teacherTable lists the teacher per seed after stage 1, MM-CKD and lambda-0 stage 2, then mean and std', () => {
  const rows = teacherTable(cells);
  assert.deepEqual(rows.map((r) => r.seed), [1, 2, 3, 4, 5, 'mean', 'std']);
  assert.deepEqual(Object.keys(rows[0]), ['seed', 'stage1_checkpoint', 'stage1_test_MAE', 'stage1_valid_MAE', 'mmckd_checkpoint', 'mmckd_test_MAE', 'mmckd_valid_MAE', 'b2_checkpoint', 'b2_test_MAE', 'b2_valid_MAE']);
  assert.equal(rows[0].stage1_checkpoint, 'stage-1 epoch 21', 'each seed names the checkpoint it kept');
  assert.equal(rows[1].mmckd_checkpoint, 'stage-2 epoch 0');
  assert.equal(rows[4].b2_checkpoint, '', 'B2 has no seed 5');
  assert.equal(rows[5].mmckd_checkpoint, 'stage 2 in 1 of 5', 'the mean row counts the seeds that kept a stage-2 teacher');
  assert.equal(rows[5].b2_checkpoint, 'stage 2 in 0 of 4');
  assert.ok(Math.abs(Number(rows[0].stage1_test_MAE) - 1.11) < 1e-12);
  assert.ok(Math.abs(Number(rows[1].mmckd_test_MAE) - (1.02 - 0.05 + 0.01)) < 1e-12);
  assert.ok(Math.abs(Number(rows[2].b2_valid_MAE) - 0.91) < 1e-12);
  assert.ok(Number.isNaN(Number(rows[4].b2_test_MAE)), 'B2 has no seed 5');
  assert.ok(Math.abs(Number(rows[5].stage1_test_MAE) - 1.13) < 1e-12, 'mean over 5 seeds');
  assert.ok(Math.abs(Number(rows[5].b2_test_MAE) - 1.025) < 1e-12, 'mean over the 4 seeds B2 has');
  assert.ok(Math.abs(Number(rows[6].stage1_valid_MAE) - Math.sqrt(2.5e-4)) < 1e-12, 'sample std of 0.91..0.95');
  assert.deepEqual(teacherTable(cells.filter((c) => c.variant === 'b1')).map((r) => Object.keys(r).length), [4, 4, 4, 4, 4, 4, 4]);
  assert.deepEqual(teacherTable([]), []);
});

test('gridTables and writeGridTables add P3c, the paired table and the teacher table; figures name P3 and P3c apart', async () => {
  const tables = await gridTables(cells);
  assert.equal(tables.mmckdVsB2.length, 8);
  assert.equal(tables.teacher.length, 7);
  assert.deepEqual([...new Set(tables.p3c.map((r) => r.rate))], [0.1, 0.7]);
  assert.ok(Math.abs(Number(tables.p3.find((r) => r.variant === 'b1' && r.rate === 0.7)!.MAE_mean) - 1.7) < 1e-12);
  assert.ok(Math.abs(Number(tables.p3c.find((r) => r.variant === 'b1' && r.rate === 0.7)!.MAE_mean) - 1.6) < 1e-12);
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-grid-report-'));
  const files = writeGridTables(tables, dir).map((f) => f.slice(dir.length + 1));
  for (const name of ['grid-p3.csv', 'grid-p3c.csv', 'grid-mmckdVsB2.csv', 'grid-teacher.md']) assert.ok(files.includes(name), name);
  const csv = readFileSync(join(dir, 'grid-mmckdVsB2.csv'), 'utf8').split('\n');
  assert.equal(csv[0], 'subset,n,mean_diff,sd,ci_low,ci_high,verdict');
  assert.match(csv[1], /^tav,4,-0\.0488,0\.0085,-0\.\d{4},-0\.\d{4},better$/);
  const figs = gridFigures(tables, ['mmckd', 'b1', 'b2'], [], { dataset: 'fake', seeds: SEEDS, backend: 'cpu' }, 'methods');
  const ids = figs.map((f) => f.id);
  for (const id of ['methods-p3-mae', 'methods-p3c-mae', 'methods-p3c-non0_acc_2']) assert.ok(ids.includes(id), id);
  assert.match(figs.find((f) => f.id === 'methods-p3-mae')!.caption.title, /^P3 \(IMDer, per batch\)/);
  assert.match(figs.find((f) => f.id === 'methods-p3c-mae')!.caption.title, /^P3c \(per clip\)/);
  const legend = (id: string) => figs.find((f) => f.id === id)!.data.map((t) => (t as { name?: string }).name).filter((n) => n && !/±|std/.test(n));
  assert.deepEqual([...new Set(legend('methods-p1-mae'))], ['MM-CKD', 'B1 zero-filled teacher', 'B2 independent students'], 'legends name the methods, not the variant ids');
});

test('the constant predictor is a dashed line on every MAE figure of the grid (P1, P2, P3, P3c), on no Acc-2 one', async () => {
  const withP2 = cells.map((c) => ({ ...c, evaluation: { ...c.evaluation, p2: { ...curve('P3', 0.8), protocol: 'P2' as const, auilc: { MAE: 1, Non0_acc_2: 0.6, Non0_F1_score: 0.6, Mult_acc_7: 0.2 } } } }));
  const tables = await gridTables(withP2);
  const caption = { dataset: 'fake', seeds: SEEDS, backend: 'cpu' };
  const figs = gridFigures(tables, ['mmckd', 'b1', 'b2'], [], caption, 'methods', { constantMae: 1.234 });
  const lines = (id: string) => {
    const fig = figs.find((f) => f.id === id);
    assert.ok(fig, id);
    return { shapes: (fig.layout.shapes ?? []) as { type: string; yref: string; y0: number; y1: number; line: { dash: string } }[], notes: (fig.layout.annotations ?? []) as { text: string; y: number }[] };
  };
  for (const id of ['methods-p1-mae', 'methods-p2-mae', 'methods-p3-mae', 'methods-p3c-mae']) {
    const { shapes, notes } = lines(id);
    assert.equal(shapes.length, 1, `${id}: one reference line`);
    assert.deepEqual([shapes[0].type, shapes[0].yref, shapes[0].y0, shapes[0].y1, shapes[0].line.dash], ['line', 'y', 1.234, 1.234, 'dash'], id);
    assert.equal(notes.length, 1, `${id}: one label`);
    assert.equal(notes[0].text, 'constant predictor (median train label): 1.234', id);
    assert.equal(notes[0].y, 1.234, id);
  }
  for (const id of ['methods-p2-non0_acc_2', 'methods-p3-non0_acc_2', 'methods-p3c-non0_acc_2']) {
    assert.deepEqual(lines(id), { shapes: [], notes: [] }, `${id}: an accuracy figure has no MAE line`);
  }
  const p2 = figs.find((f) => f.id === 'methods-p2-mae')!;
  assert.equal(p2.data.filter((t) => (t as { mode?: string }).mode === 'lines+markers').length, 3, 'the line is a shape, not a trace: one mean trace per method');
  const without = gridFigures(tables, ['mmckd', 'b1', 'b2'], [], caption, 'methods');
  for (const f of without) assert.equal(f.layout.shapes, undefined, `${f.id}: no line without constantMae`);
});

test('rateCurveFigure draws a labelled reference line at its value; an explicit reference wins over constantMae', () => {
  const base = { id: 'p2', caption: { title: 't', dataset: 'd', seeds: [1], backend: 'cpu' }, series: [{ name: 'MM-CKD', rates: [0, 1], mean: [0.8, 1.2] }], yTitle: 'MAE' };
  const fig = rateCurveFigure({ ...base, constantMae: 1.25 });
  assert.deepEqual((fig.layout.shapes as { y0: number }[]).map((s) => s.y0), [1.25]);
  assert.equal((fig.layout.annotations as { text: string }[])[0].text, 'constant predictor (median train label): 1.250');
  const other = rateCurveFigure({ ...base, constantMae: 1.25, reference: { value: 0.9, label: 'reference learner' } });
  assert.deepEqual((other.layout.annotations as { text: string }[]).map((a) => a.text), ['reference learner: 0.900']);
  assert.equal(fig.data.length, 1, 'no trace added');
});

test('display rows label the derived columns; the tables and their CSV keep the field names', async () => {
  const tables = await gridTables(cells);
  const ablation = meanStdDisplayRows(tables.students, ['variant'], ['student_MAE', 'no_text_MAE', 'teacher_MAE', 'student_Non0_acc_2']);
  assert.deepEqual(Object.keys(ablation[0]), ['variant', 'n', 'students MAE (mean of six)', 'no-text students MAE (a, v, av)', 'teacher MAE', 'students Non0_acc_2 (mean of six)']);
  assert.deepEqual(Object.keys(meanStdDisplayRows(tables.p1, ['variant', 'subset'], ['MAE', 'Non0_acc_2'])[0]), ['variant', 'subset', 'n', 'MAE', 'Non0_acc_2'], 'MMSA keys stay');
  assert.deepEqual(Object.keys(meanStdDisplayRows(tables.students, ['variant'], ['student_MAE'], 4, {})[0]), ['variant', 'n', 'student_MAE']);
  assert.deepEqual(Object.keys(relabelColumns(tables.mmckdVsB2, GRID_COLUMN_LABELS)[0]), ['subset', 'n', 'mean MAE difference', 'sd of differences', '95% CI low', '95% CI high', 'verdict']);
  assert.deepEqual(Object.keys(relabelColumns(tables.teacher, GRID_COLUMN_LABELS)[0]), [
    'seed', 'stage 1: kept checkpoint', 'stage 1: test MAE', 'stage 1: valid MAE', 'after MM-CKD: kept checkpoint', 'after MM-CKD: test MAE', 'after MM-CKD: valid MAE', 'after B2: kept checkpoint', 'after B2: test MAE', 'after B2: valid MAE',
  ]);
  assert.equal(relabelColumns(tables.teacher, GRID_COLUMN_LABELS)[0]['stage 1: test MAE'], tables.teacher[0].stage1_test_MAE);
  assert.ok('mean_diff' in tables.mmckdVsB2[0], 'the table itself is unchanged');
  const rates = meanStdDisplayRows(tables.p3, ['variant', 'rate'], ['MAE']).map((r) => r.rate);
  assert.ok(rates.length > 0 && rates.every((r) => typeof r === 'string' && !/0{3}$/.test(r as string)), `rates read as labels (0.1, not 0.1000): ${rates.join(', ')}`);
});
