// Every code line of the notebooks and their solutions fits Jupyter's default cell width (about
// 100 characters show without a horizontal scroll); markdown wraps by itself and is free.
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

/** Returns one message per code line longer than `max`: notebook, cell (0-based, as in the file) and line (1-based). */
function longCodeLines(file: string, max = MAX_CODE_LINE): string[] {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: { cell_type: string; source: string[] | string }[] };
  return nb.cells.flatMap((cell, c) => {
    if (cell.cell_type !== 'code') return [];
    const lines = (Array.isArray(cell.source) ? cell.source.join('') : cell.source).split('\n');
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
