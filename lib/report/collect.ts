/**
 * Figures and tables shown in notebooks, collected for static export. `showFigure` and
 * `showTable` return the HTML a notebook displays; when MMCKD_COLLECT_DIR is set (the
 * reproduction does this) they also write the figure spec or the table rows there as JSON, and
 * `npm run reproduce` turns them into PNG/SVG and CSV/Markdown files in figures/.
 * @see notebooks/00-quickstart.ipynb
 */
import { join } from 'node:path';
import type { FigureSpec } from './figure-spec';
import { figureHtml, type FigureHtmlOptions } from './inline-html';
import { tableHtml, type TableHtmlOptions, type TableRow } from './table-format';
import { writeFileAtomic } from './atomic-write';
import { finiteOrNull } from '../train/run-folder';

/** The environment variable naming the collection folder. */
export const COLLECT_ENV = 'MMCKD_COLLECT_DIR';

function collectDir(env: Record<string, string | undefined> = process.env): string | undefined {
  const d = env[COLLECT_ENV];
  return d && d.trim() !== '' ? d : undefined;
}

/** Returns the HTML of a figure for a notebook, and collects its spec when collecting. */
export function showFigure(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
  const dir = collectDir();
  if (dir) writeFileAtomic(join(dir, 'figures', `${spec.id}.json`), JSON.stringify(spec, finiteOrNull));
  return figureHtml(spec, options);
}

/** Returns the HTML of a table for a notebook, and collects its rows as `<name>` when collecting. */
export function showTable(name: string, rows: TableRow[], options: TableHtmlOptions = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Expected a file-name safe table name, but got ${JSON.stringify(name)}`);
  const dir = collectDir();
  if (dir) writeFileAtomic(join(dir, 'tables', `${name}.json`), JSON.stringify({ rows, columns: options.columns ?? null }, finiteOrNull));
  return tableHtml(rows, options);
}
