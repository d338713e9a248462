import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArquero } from '../../lib/io/esm';
import { meanStdTable } from '../../lib/report/mean-std';
import { formatCell, formatMeanStd, relabelColumns, tableHtml, toCsv, toMarkdown } from '../../lib/report/table-format';
import { projectionSummaryRows } from '../../lib/report/projection-space';
import { writeTable } from '../../lib/report/write-table';

const tiny = [
  { method: 'MM-CKD', subset: 'ta', n: 3, MAE: 0.81234567, note: 'a|b' },
  { method: 'B2, independent', subset: 't', n: 3, MAE: 1, note: 'say "hi"' },
];

test('toCsv writes an exact RFC 4180 table; fractional columns get 4 decimals throughout', () => {
  assert.equal(
    toCsv(tiny),
    'method,subset,n,MAE,note\n' + 'MM-CKD,ta,3,0.8123,a|b\n' + '"B2, independent",t,3,1.0000,"say ""hi"""\n',
  );
});

test('toMarkdown writes an exact GitHub pipe table', () => {
  assert.equal(
    toMarkdown(tiny),
    '| method | subset | n | MAE | note |\n' +
      '| --- | --- | ---: | ---: | --- |\n' +
      '| MM-CKD | ta | 3 | 0.8123 | a\\|b |\n' +
      '| B2, independent | t | 3 | 1.0000 | say "hi" |\n',
  );
});

test('formatCell and formatMeanStd round to 4 decimals', () => {
  assert.equal(formatCell(0.123456), '0.1235');
  assert.equal(formatCell(2), '2');
  assert.equal(formatCell(Number.NaN), '');
  assert.equal(formatCell(null), '');
  assert.equal(formatMeanStd(0.78125, 0.0123456), '0.7813 ± 0.0123');
  assert.equal(formatMeanStd(1, Number.NaN), '1.0000');
  assert.equal(formatMeanStd(0.5, 0.25, 2), '0.50 ± 0.25');
});

test('writeTable writes CSV and Markdown atomically (no temp files left)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-table-'));
  try {
    const files = writeTable(tiny, join(dir, 'tables'), 'p1');
    assert.deepEqual(files.map((f) => f.path), [join(dir, 'tables', 'p1.csv'), join(dir, 'tables', 'p1.md')]);
    assert.equal(readFileSync(files[0].path, 'utf8'), toCsv(tiny));
    assert.equal(readFileSync(files[1].path, 'utf8'), toMarkdown(tiny));
    assert.equal(files[0].bytes, Buffer.byteLength(toCsv(tiny)));
    assert.deepEqual(readdirSync(join(dir, 'tables')).sort(), ['p1.csv', 'p1.md']);
    assert.throws(() => writeTable(tiny, dir, '../escape'), /file-name safe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tables accept an arquero table (ESM-only arquero loaded from CommonJS)', async () => {
  const aq = await loadArquero();
  const t = aq.table({ subset: ['tav', 'a'], MAE: [0.7, 1.23456] });
  assert.equal(toCsv(t), 'subset,MAE\ntav,0.7000\na,1.2346\n');
  const html = tableHtml(t, { caption: 'P1 <test>' });
  assert.match(html, /<caption[^>]*>P1 &lt;test&gt;<\/caption>/);
  assert.match(html, /text-align:right;[^>]*>1\.2346<\/td>/);
  assert.match(html, />tav<\/td>/);
});

test('meanStdTable aggregates seeds: mean, sample std (n-1) and n, in first-appearance order', async () => {
  const records = [
    { method: 'mmckd', subset: 'ta', seed: 0, MAE: 0.8, Corr: 0.7 },
    { method: 'mmckd', subset: 'ta', seed: 1, MAE: 0.9, Corr: 0.6 },
    { method: 'mmckd', subset: 'ta', seed: 2, MAE: 1.0, Corr: 0.8 },
    { method: 'b2', subset: 'ta', seed: 0, MAE: 1.2, Corr: 0.5 },
    { method: 'b2', subset: 'ta', seed: 1, MAE: 1.0, Corr: 0.5 },
    { method: 'b1', subset: 'ta', seed: 0, MAE: 2, Corr: 0.1 },
  ];
  const rows = await meanStdTable(records, ['method', 'subset'], ['MAE', 'Corr']);
  assert.deepEqual(rows.map((r) => r.method), ['mmckd', 'b2', 'b1']);
  // hand computation: mmckd MAE mean 0.9, deviations -0.1, 0, 0.1 -> var 0.02/2 = 0.01 -> std 0.1
  const close = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} vs ${b}`);
  assert.equal(rows[0].n, 3);
  close(rows[0].MAE_mean, 0.9);
  close(rows[0].MAE_std, 0.1);
  close(rows[0].Corr_mean, 0.7);
  close(rows[0].Corr_std, 0.1);
  // b2: MAE 1.2, 1.0 -> mean 1.1, var (0.01+0.01)/1 = 0.02 -> std sqrt(0.02)
  assert.equal(rows[1].n, 2);
  close(rows[1].MAE_mean, 1.1);
  close(rows[1].MAE_std, Math.sqrt(0.02));
  close(rows[1].Corr_std, 0);
  // b1: one seed -> std NaN (shown as an empty cell)
  assert.equal(rows[2].n, 1);
  assert.ok(Number.isNaN(rows[2].MAE_std));
  assert.deepEqual(Object.keys(rows[0]), ['method', 'subset', 'n', 'MAE_mean', 'MAE_std', 'Corr_mean', 'Corr_std']);
  assert.match(toMarkdown(rows), /\| b1 \| ta \| 1 \| 2\.0000 \|  \| 0\.1000 \|  \|/);
});

test('meanStdTable refuses missing or NaN metric values', async () => {
  await assert.rejects(meanStdTable([{ g: 'a', MAE: Number.NaN }], ['g'], ['MAE']), /record 0 metric 'MAE' to be a finite number/);
  await assert.rejects(meanStdTable([{ g: 'a', mae: 1 }], ['g'], ['MAE']), /record 0 metric 'MAE'/);
  assert.deepEqual(await meanStdTable([], ['g'], ['MAE']), []);
});

test('relabelColumns renames the named columns only, in place of the old ones; projection summaries read as words', () => {
  assert.deepEqual(relabelColumns([{ a: 1, b_c: 2, d: 3 }], { b_c: 'b and c' }), [{ a: 1, 'b and c': 2, d: 3 }]);
  assert.deepEqual(Object.keys(relabelColumns([{ a: 1, b_c: 2, d: 3 }], { b_c: 'b and c' })[0]), ['a', 'b and c', 'd']);
  const rows = projectionSummaryRows([{ model: 't (MM-CKD)', subset: 't', agreementWithTeacher: 0.42, classSeparation: 0.02, spread: 0.5, teacher: 'the run\'s teacher' }]);
  assert.deepEqual(rows, [{ model: 't (MM-CKD)', 'teacher compared with': 'the run\'s teacher', 'agreement with teacher (mean cosine)': 0.42, 'class separation (within − between cosine)': 0.02, 'spread (1 − mean cosine)': 0.5 }]);
  assert.match(tableHtml(rows), /<th[^>]*>agreement with teacher \(mean cosine\)<\/th>/);
});
