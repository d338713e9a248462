import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findReferenceTable,
  missingReferenceLine,
  referenceComparisonRows,
  referenceDisplayRows,
  type ReferenceTableJson,
} from '../../lib/report/reference-comparison';
import type { MeanStdRow } from '../../lib/report/mean-std';

const close = (a: unknown, b: number, what: string) => assert.ok(Math.abs(Number(a) - b) < 1e-12, `${what}: ${a} vs ${b}`);

const p1: MeanStdRow[] = [
  { variant: 'mmckd', subset: 'tav', n: 3, MAE_mean: 0.9, MAE_std: 0.02 },
  { variant: 'b2', subset: 'tav', n: 3, MAE_mean: 0.95, MAE_std: 0.03 },
  { variant: 'mmckd', subset: 'a', n: 3, MAE_mean: 1.1, MAE_std: 0.01 },
  { variant: 'b1', subset: 'a', n: 3, MAE_mean: 1.3, MAE_std: 0.05 },
];

const reference: ReferenceTableJson = {
  table: [
    { subset: 'tav', n: 3, MAE_mean: 0.85, MAE_std: 0.005 },
    { subset: 'a', n: 1, MAE_mean: 1.2, MAE_std: null },
    { subset: 'v', n: 3, MAE_mean: 1.0, MAE_std: 0.01 },
  ],
  result: { export: { dataset: 'synthetic-mosi' }, seeds: [1, 2, 3] },
};

test('referenceComparisonRows joins the reference and the grid by subset, with method minus reference', () => {
  const rows = referenceComparisonRows(p1, reference);
  assert.deepEqual(rows.map((r) => r.subset), ['tav', 'a'], 'subsets the grid lacks (v) are left out, reference order kept');
  const [tav, a] = rows;
  assert.equal(tav.reference_n, 3);
  close(tav.reference_MAE_mean, 0.85, 'reference mean');
  close(tav.reference_MAE_std, 0.005, 'reference std');
  assert.equal(tav.mmckd_n, 3);
  close(tav.mmckd_MAE_mean, 0.9, 'mmckd mean');
  close(tav.mmckd_MAE_std, 0.02, 'mmckd std');
  close(tav.mmckd_minus_reference, 0.05, 'mmckd - reference');
  close(tav.b2_minus_reference, 0.1, 'b2 - reference');
  assert.ok(Number.isNaN(a.reference_MAE_std), 'null std (one seed) reads as NaN');
  close(a.mmckd_minus_reference, -0.1, 'negative: the method beats the reference');
  assert.ok(Number.isNaN(a.b2_MAE_mean) && Number.isNaN(a.b2_minus_reference), 'a variant without the subset gets NaN');
});

test('referenceComparisonRows takes other variants and rejects a JSON without a table', () => {
  const [, a] = referenceComparisonRows(p1, reference, ['b1']);
  close(a.b1_minus_reference, 0.1, 'b1 - reference');
  assert.ok(!('mmckd_MAE_mean' in a));
  assert.throws(() => referenceComparisonRows(p1, {} as ReferenceTableJson), /Expected the reference JSON to have a 'table' array/);
});

test('referenceDisplayRows shows MAE as mean ± std (the mean alone where std is missing) and the differences as numbers', () => {
  const [tav, a] = referenceDisplayRows(referenceComparisonRows(p1, reference));
  assert.deepEqual(Object.keys(tav), ['subset', 'reference MAE', 'reference seeds', 'MM-CKD MAE', 'B2 MAE', 'grid seeds', 'MM-CKD - reference', 'B2 - reference']);
  assert.equal(tav['reference MAE'], '0.8500 ± 0.0050');
  assert.equal(tav['MM-CKD MAE'], '0.9000 ± 0.0200');
  assert.equal(tav['grid seeds'], 3);
  assert.equal(a['reference MAE'], '1.2000');
  close(a['MM-CKD - reference'], -0.1, 'difference');
});

test('findReferenceTable matches by the dataset a file records; missingReferenceLine says what was found and how to make one', () => {
  const figures = mkdtempSync(join(tmpdir(), 'mmckd-reference-'));
  mkdirSync(join(figures, 'tables'));
  writeFileSync(join(figures, 'tables', 'reference-p1.json'), JSON.stringify(reference));
  const other = { ...reference, result: { ...reference.result, export: { dataset: 'MOSI aligned/50' } } };
  writeFileSync(join(figures, 'tables', 'reference-p1-MOSI_aligned_50.json'), JSON.stringify(other));
  const mosi = findReferenceTable('MOSI aligned/50', figures);
  assert.equal(mosi.match?.json.result.export.dataset, 'MOSI aligned/50');
  assert.match(mosi.match!.file, /reference-p1-MOSI_aligned_50\.json$/);
  assert.equal(mosi.others.length, 1);
  const quick = findReferenceTable('synthetic-quick', figures);
  assert.equal(quick.match, undefined);
  assert.equal(quick.others.length, 1, 'reference-p1.json was found, made on another dataset');
  const line = missingReferenceLine('synthetic-quick', 'synthetic:quick', quick.others);
  assert.match(line, /^no reference learner table for synthetic-quick \(\S*reference-p1\.json was made on synthetic-mosi, a different dataset\): `npm run reference -- --dataset synthetic:quick` makes one$/);
  assert.equal(missingReferenceLine('synthetic-mosi', 'synthetic', []), 'no reference learner table for synthetic-mosi: `npm run reference` makes one');
});
