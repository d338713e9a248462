import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproduce } from '../../scripts/reproduce';
import { findChromium } from '../../lib/report/chromium';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(buf.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const EXPECTED_FIGURES = [
  'data-labels', 'data-mask-p2', 'teacher-pretraining-curves', 'b1-subsets', 'mmckd-stage2-curves', 'mmckd-vs-b2',
  'mmckd-projection-space', 'methods-p1-mae', 'methods-p2-mae', 'methods-p3-mae', 'ablations-vs-b2',
];

const chromium = findChromium();

test(`the quick reproduction writes every table as CSV and Markdown, and every figure as ${chromium ? 'PNG and SVG' : 'HTML (no Chromium found)'}`, { timeout: 900_000 }, async () => {
  // the executed notebooks' static chart images are not under test here (each kernel would start a browser)
  process.env.MMCKD_STATIC_FIGURES = '0';
  const outRoot = mkdtempSync(join(tmpdir(), 'mmckd-reproduce-'));
  const lines: string[] = [];
  const r = await reproduce({ quick: true, outRoot, log: (l) => lines.push(l) });
  assert.deepEqual(r.notebooks.map((n) => n.name.slice(10, 12)).slice(0, 4), ['01', '02', '03', '04']);
  const index = readFileSync(join(r.figuresDir, 'README.md'), 'utf8');
  if (chromium) {
    assert.equal(r.figureFormat, 'png+svg');
    assert.equal(r.skippedExport, undefined);
    for (const id of EXPECTED_FIGURES) {
      const png = readFileSync(join(r.figuresDir, `${id}.png`));
      const size = pngSize(png);
      assert.ok(size.width >= 900 && size.height >= 500, `${id}.png is ${size.width}x${size.height}`);
      assert.ok(png.length > 20_000, `${id}.png has ${png.length} bytes`);
      const svg = readFileSync(join(r.figuresDir, `${id}.svg`), 'utf8');
      assert.match(svg, /^<svg/);
      assert.ok(svg.length > 5_000, `${id}.svg has ${svg.length} characters`);
      assert.match(svg, /synthetic-quick/, `${id}.svg names its dataset in the caption`);
      assert.match(svg, /backend: (wasm|cpu|node|node-gpu)/, `${id}.svg names its backend`);
      assert.ok(index.includes(`(${id}.png)`), `README lists ${id}`);
    }
  } else {
    assert.equal(r.figureFormat, 'html');
    assert.ok(lines.some((l) => /^reproduce: no Chromium found, so \d+ figures were written as self-contained HTML; for PNG and SVG, install Chromium/.test(l)), 'one line says how to get PNG/SVG');
    for (const id of EXPECTED_FIGURES) {
      const html = readFileSync(join(r.figuresDir, `${id}.html`), 'utf8');
      assert.match(html, /^<!doctype html>/);
      assert.match(html, /plotly\.js v\d/, `${id}.html inlines plotly.js`);
      assert.match(html, /synthetic-quick/, `${id}.html names its dataset in the caption`);
      assert.ok(index.includes(`(${id}.html)`), `README lists ${id}`);
    }
  }
  const p1 = readFileSync(join(r.figuresDir, 'tables', 'p1-methods.csv'), 'utf8').trim().split('\n');
  assert.equal(p1.length, 1 + 5 * 7, 'header + 5 methods x 7 subsets');
  assert.match(p1[0], /^variant,subset,n,MAE,Corr,Non0_acc_2,Non0_F1_score,Mult_acc_7$/);
  const p3 = readFileSync(join(r.figuresDir, 'tables', 'p3-methods.md'), 'utf8').trim().split('\n');
  assert.equal(p3.length, 2 + 5 * 7, 'markdown header, rule, 5 methods x 7 rates');
  const comparison = readFileSync(join(r.figuresDir, 'tables', 'mmckd-vs-b2.csv'), 'utf8').trim().split('\n');
  assert.equal(comparison.length, 1 + 7);
  assert.ok(statSync(join(r.runsDir, 'grid-synthetic-quick-quick', 'mmckd-seed1', 'run.json')).isFile());
  assert.ok(lines.some((l) => /reproduce: \d+ figure files, \d+ table files/.test(l)));
});
