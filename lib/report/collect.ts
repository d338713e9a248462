/**
 * The collection that `npm run reproduce` turns into files: a folder holding the spec of every
 * figure and the rows of every table the notebooks hand to it, as JSON (`figures/<id>.json`,
 * `tables/<name>.json`). Notebooks add to it through their context (`ctx.figure`, `ctx.table`,
 * which call `collectFigure` and `collectTable` when the reproduction names a folder); the
 * reproduction reads it back with `readCollection` and writes PNG/SVG (or HTML) and CSV/Markdown.
 * @see notebooks/00-quickstart.ipynb
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFigureId, type FigureSpec } from './figure-spec';
import type { TableRow } from './table-format';
import { writeFileAtomically } from '../io/atomic-file';
import { checkTableName } from './write-table';
import { finiteOrNull } from '../io/json-file';

/** The environment variable by which `npm run reproduce` names the collection folder to the notebooks. */
export const COLLECT_ENV = 'MMCKD_COLLECT_DIR';

/** A collected table: its rows and, when the notebook chose them, its columns in order. */
export interface CollectedTable {
  name: string;
  rows: TableRow[];
  columns: string[] | null;
}

/** What a collection folder holds, each kind sorted by name. */
export interface Collection {
  figures: FigureSpec[];
  tables: CollectedTable[];
}

/** Writes the spec of a figure into the collection folder `dir`; returns the file written. */
export function collectFigure(dir: string, spec: FigureSpec): string {
  const file = join(dir, 'figures', `${checkFigureId(spec.id)}.json`);
  writeFileAtomically(file, JSON.stringify(spec, finiteOrNull));
  return file;
}

/** Writes the rows (and the column order, when given) of table `name` into the collection folder `dir`; returns the file written. */
export function collectTable(dir: string, name: string, rows: TableRow[], columns?: string[]): string {
  const file = join(dir, 'tables', `${checkTableName(name)}.json`);
  writeFileAtomically(file, JSON.stringify({ rows, columns: columns ?? null }, finiteOrNull));
  return file;
}

function readJsonFiles<T>(dir: string): { name: string; value: T }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), value: JSON.parse(readFileSync(join(dir, f), 'utf8')) as T }));
}

/** Returns the figures and tables collected in `dir` (empty lists for a folder that does not exist). */
export function readCollection(dir: string): Collection {
  return {
    figures: readJsonFiles<FigureSpec>(join(dir, 'figures')).map((f) => f.value),
    tables: readJsonFiles<{ rows: TableRow[]; columns: string[] | null }>(join(dir, 'tables')).map((t) => ({ name: t.name, rows: t.value.rows, columns: t.value.columns })),
  };
}
