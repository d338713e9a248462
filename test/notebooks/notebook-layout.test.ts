// How the notebooks read in Jupyter: every code line of the notebooks and their solutions fits
// the default cell width (about 100 characters show without a horizontal scroll; markdown wraps
// by itself and is free), and no chart is folded into a scroll box (scripts/check-jupyter-scroll.ts
// checks the executed notebooks in a real Jupyter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAX_CODE_LINE = 100;

/** Returns the .ipynb files of notebooks/ and notebooks/solutions/. */
function notebookFiles(): string[] {
  return ['notebooks', join('notebooks', 'solutions')].flatMap((dir) =>
    readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ipynb')).sort().map((f) => join(ROOT, dir, f)),
  );
}

interface Cell {
  cell_type: string;
  source: string[] | string;
  metadata?: { scrolled?: boolean | 'auto' };
}

function readCells(file: string): Cell[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { cells: Cell[] }).cells;
}

function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Returns one message per code line longer than `max`: notebook, cell (0-based, as in the file) and line (1-based). */
function longCodeLines(file: string, max = MAX_CODE_LINE): string[] {
  return readCells(file).flatMap((cell, c) => {
    if (cell.cell_type !== 'code') return [];
    const lines = sourceOf(cell).split('\n');
    return lines.flatMap((line, l) =>
      [...line].length > max ? [`${relative(ROOT, file)} cell ${c} line ${l + 1}: ${[...line].length} characters: ${line.slice(0, 60)}...`] : [],
    );
  });
}

test(`every code line of the notebooks and their solutions has at most ${MAX_CODE_LINE} characters`, () => {
  const files = notebookFiles();
  assert.ok(files.length >= 14, `${files.length} notebooks found`);
  const long = files.flatMap((f) => longCodeLines(f));
  assert.deepEqual(long, [], `code lines over ${MAX_CODE_LINE} characters:\n${long.join('\n')}`);
});

test('the line check names the notebook, cell and line over the limit', () => {
  const [first] = notebookFiles();
  const lines = longCodeLines(first, 10);
  assert.ok(lines.length > 0);
  assert.match(lines[0], /^notebooks\/\S+\.ipynb cell \d+ line \d+: \d+ characters: /);
});

test('every code cell that shows a chart says scrolled: false, so Jupyter never folds its output into a scroll box', () => {
  // Notebook 6 scrolls an output taller than about 100 lines (1800 px) unless the cell's metadata
  // says `scrolled: false`; a chart is 500 px, so two or three in one cell pass the limit.
  const charts = /ctx\.figure\(|mmckd\.showFigure\(/;
  const unset = notebookFiles().flatMap((file) =>
    readCells(file).flatMap((cell, c) =>
      cell.cell_type === 'code' && charts.test(sourceOf(cell)) && cell.metadata?.scrolled !== false ? [`${relative(ROOT, file)} cell ${c}`] : [],
    ),
  );
  assert.deepEqual(unset, [], `chart cells without metadata scrolled: false:\n${unset.join('\n')}`);
});
