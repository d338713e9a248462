/**
 * The rendered book: executed notebooks and the README as a static site (build/book/ by default)
 * that opens from the file system and from any static host. Every link is relative and nothing is
 * fetched from the network: KaTeX's CSS and fonts and the kit's plotly.js bundle are copied into
 * assets/, math is rendered to HTML at build time, and a chart output draws with the site's
 * plotly.js where scripts run and shows its static SVG picture where they do not.
 *
 * Pages mirror the repository: README.md -> README.html, notebooks/NN-x.ipynb ->
 * notebooks/NN-x.html, and a Markdown file a page links to (docs/method.md) becomes a page too;
 * other files a page links to (figures/*.png, tables as CSV) are copied to the same path.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { plotlyBundlePath } from '../../lib/report/plotly-bundle';
import { readNotebook } from '../jupyter/notebook-file';
import { ROOT, runNotebooks } from '../notebook-runner';
import { createMarkdownRenderer, type LinkRewriter, type MarkdownRenderer } from './markdown';
import { escapeHtml } from '../../lib/report/table-format';
import { notebookBody } from './notebook-page';

/** Options of `buildBook`. */
export interface BookOptions {
  /** The site's folder (default build/book). */
  outDir?: string;
  /** A folder of executed notebooks to render; when absent the notebooks are executed first. */
  from?: string;
  /** Execute the notebooks in the quick setting (MMCKD_QUICK=1). */
  quick?: boolean;
  /** Notebook name prefixes to include (e.g. ['00', '06']); all when empty. */
  only?: string[];
  /** Where executed copies go when the book executes them (default build/book-notebooks). */
  notebooksDir?: string;
  /** The runs folder the executed notebooks train in (default build/book-runs, build/book-runs-quick when quick); never runs/. */
  runsDir?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** One page of the book. */
export interface BookPage {
  /** The page's file, relative to the site's folder ('/'-separated). */
  file: string;
  title: string;
  /** What it was made from, relative to the repository ('/'-separated). */
  source: string;
  kind: 'contents' | 'readme' | 'notebook' | 'document';
  /** Math expressions rendered on the page. */
  mathCount: number;
  /** Chart outputs on the page. */
  chartCount: number;
}

/** What `buildBook` wrote. */
export interface BookResult {
  outDir: string;
  /** The table of contents first, then the README, the notebooks and the linked documents. */
  pages: BookPage[];
  /** Links that point at nothing the book could carry (missing files, folders, paths outside the repository). */
  unresolvedLinks: string[];
}

/** The folder the site's CSS, fonts and scripts go to, relative to the site. */
const ASSETS = 'assets';

/** Returns the executed notebooks to render: those in `from`, or those `runNotebooks` just wrote. */
async function executedNotebooks(o: BookOptions, log: (line: string) => void): Promise<string[]> {
  const matches = (file: string) => !o.only?.length || o.only.some((p) => basename(file).startsWith(p));
  if (o.from) {
    const dir = resolve(o.from);
    if (!existsSync(dir)) throw new Error(`book: --from ${dir} does not exist`);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb') && !f.endsWith('.failed.ipynb'))
      .sort()
      .map((f) => join(dir, f))
      .filter(matches);
    if (files.length === 0) throw new Error(`book: no executed notebook (.ipynb) in ${dir}${o.only?.length ? ` matching ${o.only.join(', ')}` : ''}`);
    return files;
  }
  const outDir = o.notebooksDir ?? join(ROOT, 'build', 'book-notebooks');
  const runsDir = o.runsDir ?? join(ROOT, 'build', o.quick ? 'book-runs-quick' : 'book-runs');
  log(`book: executing the notebooks${o.quick ? ' (quick)' : ''} into ${relative(ROOT, outDir) || outDir}, training in ${relative(ROOT, runsDir) || runsDir}`);
  const runs = await runNotebooks({ only: o.only, quick: o.quick, outDir, env: { MMCKD_RUNS_DIR: runsDir } });
  return runs.map((r) => r.output);
}

/** Removes a previous book at `dir`; refuses a folder that holds something else. */
function clearSite(dir: string): void {
  if (!existsSync(dir)) return;
  const isBook = existsSync(join(dir, 'index.html')) && existsSync(join(dir, ASSETS, 'book.css'));
  if (!isBook && readdirSync(dir).length > 0) throw new Error(`book: ${dir} is not empty and holds no earlier book; choose another --out`);
  rmSync(dir, { recursive: true, force: true });
}

/** Copies KaTeX's CSS and fonts, the plotly.js bundle and the book's CSS into the site; returns the bundle's path in the site. */
function copyAssets(outDir: string): string {
  const katexDist = join(dirname(require.resolve('katex/package.json')), 'dist');
  mkdirSync(join(outDir, ASSETS, 'katex'), { recursive: true });
  cpSync(join(katexDist, 'katex.min.css'), join(outDir, ASSETS, 'katex', 'katex.min.css'));
  cpSync(join(katexDist, 'fonts'), join(outDir, ASSETS, 'katex', 'fonts'), { recursive: true });
  const bundle = plotlyBundlePath();
  const plotly = posix.join(ASSETS, basename(bundle));
  cpSync(bundle, join(outDir, plotly));
  cpSync(join(__dirname, 'book.css'), join(outDir, ASSETS, 'book.css'));
  return plotly;
}

/** Returns a complete HTML page; `file` is the page's path in the site (for relative links). */
function pageHtml(file: string, title: string, body: string, nav: { prev?: BookPage; next?: BookPage }, plotly: string | undefined): string {
  const up = (target: string) => posix.relative(posix.dirname(file), target) || '.';
  const link = (p: BookPage | undefined, label: string) => (p ? `<a href="${up(p.file)}">${label}: ${escapeHtml(p.title)}</a>` : '');
  const navHtml =
    `<nav class="book-nav"><a href="${up('index.html')}">Contents</a><span class="spacer"></span>` +
    `${link(nav.prev, 'Previous')}${link(nav.next, 'Next')}</nav>`;
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)} · MM-CKD notebook kit</title>\n` +
    '<link rel="icon" href="data:,">\n' +
    `<link rel="stylesheet" href="${up(`${ASSETS}/katex/katex.min.css`)}">\n` +
    `<link rel="stylesheet" href="${up(`${ASSETS}/book.css`)}">\n` +
    (plotly ? `<script src="${up(plotly)}"></script>\n` : '') +
    `</head>\n<body>\n${navHtml}\n<main>\n${body}\n</main>\n${navHtml}\n</body>\n</html>\n`
  );
}

/** Builds the book; returns its pages. Executes the notebooks first unless `from` names executed copies. */
export async function buildBook(o: BookOptions = {}): Promise<BookResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const outDir = resolve(o.outDir ?? join(ROOT, 'build', 'book'));
  const notebookFiles = await executedNotebooks(o, log);
  const markdown: MarkdownRenderer = await createMarkdownRenderer();
  clearSite(outDir);
  mkdirSync(outDir, { recursive: true });
  const plotly = copyAssets(outDir);

  // repository path -> site path of everything the book carries
  const sitePath = new Map<string, string>();
  for (const nb of notebookFiles) sitePath.set(`notebooks/${basename(nb)}`, `notebooks/${basename(nb).replace(/\.ipynb$/, '.html')}`);
  sitePath.set('README.md', 'README.html');
  const documents: string[] = [];
  const unresolved: string[] = [];

  /** Points the links of the page made from `source` at the book's pages and copied files. */
  const rewriterFor =
    (source: string): LinkRewriter =>
    (href) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('/') || href === '') return href;
      const [, path, rest] = /^([^#?]*)(.*)$/.exec(href) ?? [href, href, ''];
      const target = posix.normalize(posix.join(posix.dirname(source), decodeURI(path)));
      const absolute = join(ROOT, target);
      let site = sitePath.get(target);
      if (!site && !target.startsWith('..') && existsSync(absolute) && statSync(absolute).isFile()) {
        site = target.endsWith('.md') ? target.replace(/\.md$/, '.html') : target;
        sitePath.set(target, site);
        if (target.endsWith('.md')) documents.push(target);
        else {
          mkdirSync(dirname(join(outDir, site)), { recursive: true });
          cpSync(absolute, join(outDir, site));
        }
      }
      if (!site) {
        unresolved.push(`${source}: ${href}`);
        return href;
      }
      const from = sitePath.get(source) ?? source;
      return encodeURI(posix.relative(posix.dirname(from), site)) + rest;
    };

  const pages: BookPage[] = [];
  const bodies = new Map<BookPage, string>();
  const readme = markdown.render(readFileSync(join(ROOT, 'README.md'), 'utf8'), rewriterFor('README.md'));
  const readmePage: BookPage = { file: 'README.html', title: 'Results (the README)', source: 'README.md', kind: 'readme', mathCount: readme.mathCount, chartCount: 0 };
  pages.push(readmePage);
  bodies.set(readmePage, readme.html);
  for (const nb of notebookFiles) {
    const source = `notebooks/${basename(nb)}`;
    const body = notebookBody(readNotebook(nb), basename(nb, '.ipynb'), markdown, rewriterFor(source));
    const page: BookPage = { file: sitePath.get(source)!, title: body.title, source, kind: 'notebook', mathCount: body.mathCount, chartCount: body.chartCount };
    pages.push(page);
    bodies.set(page, body.html);
  }
  // documents the pages link to (and those they link to in turn)
  for (let i = 0; i < documents.length; i++) {
    const source = documents[i];
    const text = readFileSync(join(ROOT, source), 'utf8');
    const rendered = markdown.render(text, rewriterFor(source));
    const title = /^#\s+(.+)$/m.exec(text)?.[1].trim() ?? source;
    const page: BookPage = { file: sitePath.get(source)!, title, source, kind: 'document', mathCount: rendered.mathCount, chartCount: 0 };
    pages.push(page);
    bodies.set(page, rendered.html);
  }

  // pages in reading order: README, then the notebooks (previous / next links), then documents
  const reading = pages.filter((p) => p.kind !== 'document');
  for (const page of pages) {
    const at = reading.indexOf(page);
    const nav = at < 0 ? {} : { prev: reading[at - 1], next: reading[at + 1] };
    const file = join(outDir, page.file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, pageHtml(page.file, page.title, bodies.get(page)!, nav, page.chartCount > 0 ? plotly : undefined));
  }

  const contents: BookPage = { file: 'index.html', title: 'Contents', source: '', kind: 'contents', mathCount: 0, chartCount: 0 };
  const item = (p: BookPage) => `<li><a href="${encodeURI(p.file)}">${escapeHtml(p.title)}</a> <span class="file">${escapeHtml(p.source)}</span></li>`;
  const setting = o.from
    ? `rendered from the executed notebooks in <code>${escapeHtml(relative(ROOT, resolve(o.from)) || o.from)}</code>`
    : `rendered from notebooks executed ${o.quick ? 'in the <strong>quick setting</strong> (small data, few epochs: the numbers show the machinery, not the results)' : 'in the full setting'}`;
  const index =
    '<h1>MM-CKD notebook kit</h1>\n' +
    '<p>Contrastive knowledge distillation for multimodal sentiment analysis with missing modalities, in TypeScript. ' +
    'The README\'s results, then the notebooks in order, each with its outputs.</p>\n' +
    `<p class="book-note">Built ${new Date().toISOString().slice(0, 10)}, ${setting}. Charts are interactive where scripts run and show their static pictures where they do not.</p>\n` +
    `<h2>Results</h2>\n<ul class="contents">${item(readmePage)}</ul>\n` +
    `<h2>Notebooks</h2>\n<ul class="contents">${pages.filter((p) => p.kind === 'notebook').map(item).join('\n')}</ul>\n` +
    (documents.length > 0 ? `<h2>Documents the pages link to</h2>\n<ul class="contents">${pages.filter((p) => p.kind === 'document').map(item).join('\n')}</ul>\n` : '');
  writeFileSync(join(outDir, 'index.html'), pageHtml('index.html', 'Contents', index, { next: readmePage }, undefined));
  log(`book: ${pages.length + 1} pages in ${relative(ROOT, outDir) || outDir} (open index.html)${unresolved.length ? `; ${unresolved.length} link(s) left as written: ${unresolved.join('; ')}` : ''}`);
  return { outDir, pages: [contents, ...pages], unresolvedLinks: unresolved };
}
