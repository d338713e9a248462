/**
 * Figures and tables shown in notebooks, collected for static export. `showFigure` and
 * `showTable` return the HTML a notebook displays; when MMCKD_COLLECT_DIR is set (the
 * reproduction does this) they also write the figure spec or the table rows there as JSON, and
 * `npm run reproduce` turns them into PNG/SVG and CSV/Markdown files in figures/.
 * @see notebooks/00-quickstart.ipynb
 */
import { join } from 'node:path';
import type { FigureSpec } from './figure-spec';
import { captionTitle } from './layout';
import { figureHtml, type FigureHtmlOptions } from './inline-html';
import { tableHtml, type TableHtmlOptions, type TableRow } from './table-format';
import { writeFileAtomic } from './atomic-write';

/** The environment variable naming the collection folder. */
export const COLLECT_ENV = 'MMCKD_COLLECT_DIR';

function collectDir(env: Record<string, string | undefined> = process.env): string | undefined {
  const d = env[COLLECT_ENV];
  return d && d.trim() !== '' ? d : undefined;
}

const jsonSafe = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/**
 * Returns the spec with its caption drawn as the title and subtitle (dataset, seeds, backend),
 * for specs whose layout was built elsewhere (lib/data's figures) and carries no subtitle.
 */
export function withCaptionTitle(spec: FigureSpec): FigureSpec {
  const title = spec.layout.title as { subtitle?: unknown; font?: unknown } | string | undefined;
  if (title && typeof title === 'object' && title.subtitle) return spec;
  return {
    ...spec,
    layout: {
      ...spec.layout,
      title: captionTitle(spec.caption),
      margin: { ...(spec.layout.margin as Record<string, number> | undefined), t: Math.max(90, Number((spec.layout.margin as Record<string, number> | undefined)?.t ?? 0)) },
    },
  };
}

/** Returns the HTML of a figure for a notebook (caption drawn), and collects its spec when collecting. */
export function showFigure(input: FigureSpec, options: FigureHtmlOptions = {}): string {
  const spec = withCaptionTitle(input);
  const dir = collectDir();
  if (dir) writeFileAtomic(join(dir, 'figures', `${spec.id}.json`), JSON.stringify(spec, jsonSafe));
  return figureHtml(spec, options);
}

/** Returns the HTML of a table for a notebook, and collects its rows as `<name>` when collecting. */
export function showTable(name: string, rows: TableRow[], options: TableHtmlOptions = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Expected a file-name safe table name, but got ${JSON.stringify(name)}`);
  const dir = collectDir();
  if (dir) writeFileAtomic(join(dir, 'tables', `${name}.json`), JSON.stringify({ rows, columns: options.columns ?? null }, jsonSafe));
  return tableHtml(rows, options);
}
