/**
 * One executed notebook as the body of a book page: markdown cells rendered (math by KaTeX),
 * code cells as their escaped source followed by their outputs (text as <pre>, HTML as it is,
 * images as <img>). A chart output is HTML holding its static picture and a script that draws the
 * interactive chart with the page's `window.Plotly` (lib/report/inline-html.ts), so it works
 * unchanged once the page loads the site's copy of plotly.js.
 */
import type { CellOutput, MimeBundle, Notebook } from '../jupyter/notebook-file';
import type { LinkRewriter, MarkdownRenderer } from './markdown';
import { renderMath } from './markdown';
import { escapeHtml } from '../../lib/report/table-format';

/** What a notebook page holds. */
export interface NotebookBody {
  /** The title: the first markdown heading, else `fallback`. */
  title: string;
  html: string;
  /** Math expressions rendered from the markdown cells. */
  mathCount: number;
  /** Chart outputs (class `mmckd-figure`): the page must load plotly.js. */
  chartCount: number;
}

/** Returns `text` without ANSI colour codes (tracebacks carry them). */
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

const asText = (v: unknown): string => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v));

/** Returns the HTML of one MIME bundle: the richest type a static page can show. */
function bundleHtml(data: MimeBundle, markdown: MarkdownRenderer, rewrite: LinkRewriter): string {
  if ('text/html' in data) return `<div class="output-html">${asText(data['text/html'])}</div>`;
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (mime in data) return `<img class="output-image" alt="" src="data:${mime};base64,${asText(data[mime]).replace(/\s/g, '')}">`;
  }
  if ('image/svg+xml' in data) {
    return `<img class="output-image" alt="" src="data:image/svg+xml;base64,${Buffer.from(asText(data['image/svg+xml']), 'utf8').toString('base64')}">`;
  }
  if ('text/markdown' in data) return `<div class="output-markdown">${markdown.render(asText(data['text/markdown']), rewrite).html}</div>`;
  if ('text/latex' in data) return renderMath({ tex: asText(data['text/latex']).replace(/^\$+|\$+$/g, ''), display: true });
  if ('text/plain' in data) return `<pre class="output-text">${escapeHtml(asText(data['text/plain']))}</pre>`;
  return `<pre class="output-text">(output of type ${escapeHtml(Object.keys(data).join(', '))})</pre>`;
}

/** Returns the HTML of one cell output. */
function outputHtml(output: CellOutput, markdown: MarkdownRenderer, rewrite: LinkRewriter): string {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="output-stream ${output.name === 'stderr' ? 'stderr' : 'stdout'}">${escapeHtml(stripAnsi(asText(output.text)))}</pre>`;
    case 'error':
      return `<pre class="output-error">${escapeHtml(stripAnsi([`${output.ename}: ${output.evalue}`, ...(output.traceback ?? [])].join('\n')))}</pre>`;
    default:
      return bundleHtml(output.data, markdown, rewrite);
  }
}

/** Returns the body of a notebook page; `rewrite` points the markdown's links at the book's pages and files. */
export function notebookBody(notebook: Notebook, fallbackTitle: string, markdown: MarkdownRenderer, rewrite: LinkRewriter): NotebookBody {
  let title: string | undefined;
  let mathCount = 0;
  const parts: string[] = [];
  for (const cell of notebook.cells) {
    const source = asText(cell.source);
    if (cell.cell_type === 'markdown') {
      title ??= /^#\s+(.+)$/m.exec(source)?.[1].trim();
      const rendered = markdown.render(source, rewrite);
      mathCount += rendered.mathCount;
      parts.push(`<section class="cell markdown">${rendered.html}</section>`);
    } else if (cell.cell_type === 'code') {
      const count = cell.execution_count ?? ' ';
      const outputs = (cell.outputs ?? []).map((o) => outputHtml(o, markdown, rewrite)).join('\n');
      parts.push(
        `<section class="cell code"><div class="prompt">[${count}]</div>` +
          `<pre class="source"><code class="language-typescript">${escapeHtml(source)}</code></pre>` +
          (outputs ? `<div class="outputs">${outputs}</div>` : '') +
          '</section>',
      );
    } else {
      parts.push(`<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`);
    }
  }
  const html = parts.join('\n');
  return { title: title ?? fallbackTitle, html, mathCount, chartCount: (html.match(/class="mmckd-figure"/g) ?? []).length };
}
