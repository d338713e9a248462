/**
 * Figures as stand-alone HTML files: one page per figure with the plotly.js bundle inlined (about
 * 5 MB each), which any browser opens offline. This is the reproduction's figure format when no
 * Chromium is found for PNG/SVG export: it needs Node alone to write.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { join } from 'node:path';
import { writeFileAtomically } from '../io/atomic-file';
import { FigureSpec } from './figure-spec';
import { plotlyBundleScript, scriptSafeJson } from './inline-html';
import { DEFAULT_FIGURE_SIZE } from './layout';
import { WrittenFile } from './write-table';
import { escapeHtml } from './table-format';

/** Returns a complete HTML document that draws `spec` at the default size, with plotly.js inlined. */
export function figureDocument(spec: FigureSpec): string {
  const { width, height } = DEFAULT_FIGURE_SIZE;
  const fig = { data: spec.data, layout: { ...spec.layout, width, height }, config: { displaylogo: false } };
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(spec.caption.title)}</title>`,
    '</head>',
    '<body style="margin:0;font-family:sans-serif;">',
    `<noscript>This figure ("${escapeHtml(spec.caption.title)}") is drawn by plotly.js: allow JavaScript to see it.</noscript>`,
    `<div id="figure" style="width:${width}px;height:${height}px;"></div>`,
    plotlyBundleScript(),
    '<script type="text/javascript">',
    `var fig = ${scriptSafeJson(fig)};`,
    "window.Plotly.newPlot(document.getElementById('figure'), fig.data, fig.layout, fig.config);",
    '</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes each spec to `<outDir>/<id>.html` (atomically) and returns the written files; throws on duplicate ids. */
export function writeFigureHtmlFiles(specs: FigureSpec[], outDir: string): WrittenFile[] {
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.id)) throw new Error(`Expected figure ids to be unique, but '${s.id}' appears twice`);
    ids.add(s.id);
  }
  return specs.map((spec) => {
    const path = join(outDir, `${spec.id}.html`);
    return { path, bytes: writeFileAtomically(path, figureDocument(spec)) };
  });
}
