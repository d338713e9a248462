/**
 * Figures and tables shown in notebooks, collected for static export. `showFigure` and
 * `showTable` return the HTML a notebook displays (a figure with its static SVG picture when a
 * browser is available, see static-svg.ts); when MMCKD_COLLECT_DIR is set (the reproduction does
 * this) they also write the figure spec or the table rows there as JSON, and `npm run reproduce`
 * turns them into PNG/SVG (or, without a browser, HTML) and CSV/Markdown files in figures/.
 * @see notebooks/00-quickstart.ipynb
 */
import { join } from 'node:path';
import type { FigureSpec } from './figure-spec';
import { figureHtml, type FigureHtmlOptions } from './inline-html';
import { inTslabKernel, staticFigureSvg, warmStaticRenderer } from './static-svg';
import { tableHtml, type TableHtmlOptions, type TableRow } from './table-format';
import { finiteOrNull, writeFileAtomically } from '../atomic-file';

// In a notebook kernel, start the static-image browser now, while the first cells compute.
if (inTslabKernel()) warmStaticRenderer();

/** The environment variable naming the collection folder. */
export const COLLECT_ENV = 'MMCKD_COLLECT_DIR';

function collectDir(env: Record<string, string | undefined> = process.env): string | undefined {
  const d = env[COLLECT_ENV];
  return d && d.trim() !== '' ? d : undefined;
}

/**
 * Returns the HTML of a figure for a notebook (with its static picture, rendered here unless
 * `options.staticImage` is given), and collects its spec when collecting.
 */
export function showFigure(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
  const dir = collectDir();
  if (dir) writeFileAtomically(join(dir, 'figures', `${spec.id}.json`), JSON.stringify(spec, finiteOrNull));
  const staticImage = options.staticImage ?? staticFigureSvg(spec, { height: options.height });
  return figureHtml(spec, { ...options, staticImage });
}

/** Returns the HTML of a table for a notebook, and collects its rows as `<name>` when collecting. */
export function showTable(name: string, rows: TableRow[], options: TableHtmlOptions = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Expected a file-name safe table name, but got ${JSON.stringify(name)}`);
  const dir = collectDir();
  if (dir) writeFileAtomically(join(dir, 'tables', `${name}.json`), JSON.stringify({ rows, columns: options.columns ?? null }, finiteOrNull));
  return tableHtml(rows, options);
}
