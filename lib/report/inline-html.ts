/**
 * Inline figures for Jupyter (tslab): self-contained HTML that draws a FigureSpec with plotly.js.
 * The plotly.js bundle is inlined once per kernel session (module state: the first figureHtml
 * call includes it, later calls reuse `window.Plotly`); a kernel restart starts over.
 * The notebook calls `tslab.display.html(figureHtml(spec))`; this module does not import tslab.
 * Scripts in HTML outputs run only in trusted notebooks (`jupyter trust` after headless runs).
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import { randomBytes } from 'node:crypto';
import { FigureSpec, PlotlyLayout, PlotlyTrace } from './figure-spec';
import { DEFAULT_FIGURE_SIZE } from './layout';
import { plotlyBundleSource } from './plotly-bundle';

/** Options of figureHtml. */
export interface FigureHtmlOptions {
  /**
   * 'auto' (default): inline the bundle on the first call of this kernel session only;
   * 'always': inline it in this output (e.g. a notebook whose earlier outputs may be cleared);
   * 'never': rely on a page that already has `window.Plotly`.
   */
  inlineBundle?: 'auto' | 'always' | 'never';
  /** Height in pixels; default 500. The width follows the page, up to `maxWidth`. */
  height?: number;
  /** Maximum width in pixels; default 900. */
  maxWidth?: number;
  /** plotly.js config overrides (e.g. { displayModeBar: false }). */
  config?: Record<string, unknown>;
}

/** The MIME type front ends with a plotly renderer (jupyterlab-plotly, VS Code) display. */
export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';

let bundleInlined = false;
let counter = 0;

/** Returns whether this kernel session has already inlined the plotly.js bundle. */
export function plotlyBundleInlined(): boolean {
  return bundleInlined;
}

/** Forgets that the bundle was inlined, so the next figureHtml call inlines it again; returns nothing. */
export function resetPlotlyInline(): void {
  bundleInlined = false;
}

/** Returns JSON safe to place inside a <script> element (no `</script>`, no U+2028/2029). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Returns a <script> element that evaluates the plotly.js bundle with RequireJS's `define`
 * hidden (Jupyter classic loads RequireJS; a bundle that sees `define` registers an anonymous AMD
 * module instead of setting `window.Plotly`, and RequireJS then reports a mismatched anonymous
 * define). plotly.js 3.x sets `window.Plotly` itself; hiding `define` keeps 2.x bundles working too.
 */
export function plotlyBundleScript(): string {
  const source = plotlyBundleSource().replace(/<\/script/gi, '<\\/script');
  return (
    '<script type="text/javascript">\n' +
    "window.PlotlyConfig = window.PlotlyConfig || {MathJaxConfig: 'local'};\n" +
    '(function () {\n' +
    '  if (window.Plotly && window.Plotly.newPlot) return;\n' +
    '  var savedDefine = window.define;\n' +
    '  window.define = undefined;\n' +
    '  try {\n' +
    source +
    '\n  } finally {\n    window.define = savedDefine;\n  }\n' +
    '})();\n' +
    '</script>\n'
  );
}

/**
 * Returns self-contained HTML for one figure: a div with a unique id and a script that draws the
 * spec with `window.Plotly` (waiting up to 10 s for it, then writing a visible message), preceded
 * by the plotly.js bundle on the session's first call or when `inlineBundle` is 'always'.
 */
export function figureHtml(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
  const mode = options.inlineBundle ?? 'auto';
  const withBundle = mode === 'always' || (mode === 'auto' && !bundleInlined);
  const divId = `mmckd-${spec.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${++counter}-${randomBytes(4).toString('hex')}`;
  const height = options.height ?? DEFAULT_FIGURE_SIZE.height;
  const maxWidth = options.maxWidth ?? DEFAULT_FIGURE_SIZE.width;
  const layout: PlotlyLayout = { ...spec.layout, autosize: true, height };
  const config = { responsive: true, displaylogo: false, ...options.config };
  const html =
    (withBundle ? plotlyBundleScript() : '') +
    `<div id="${divId}" class="mmckd-figure" style="width:100%;max-width:${maxWidth}px;height:${height}px;"></div>\n` +
    '<script type="text/javascript">\n' +
    '(function () {\n' +
    `  var id = ${scriptSafeJson(divId)};\n` +
    `  var fig = ${scriptSafeJson({ data: spec.data, layout, config })};\n` +
    '  function draw(tries) {\n' +
    '    var el = document.getElementById(id);\n' +
    '    if (!el) return;\n' +
    '    if (window.Plotly && window.Plotly.newPlot) { window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); return; }\n' +
    "    if (tries >= 100) { el.style.height = 'auto'; el.textContent = 'plotly.js is not loaded on this page: re-run the cell with figureHtml(spec, { inlineBundle: \"always\" }), or trust the notebook.'; return; }\n" +
    '    setTimeout(function () { draw(tries + 1); }, 100);\n' +
    '  }\n' +
    '  draw(0);\n' +
    '})();\n' +
    '</script>\n';
  if (withBundle) bundleInlined = true;
  return html;
}

/** The payload for the `application/vnd.plotly.v1+json` MIME type. */
export interface PlotlyMimePayload {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: Record<string, unknown>;
}

/**
 * Returns the `application/vnd.plotly.v1+json` payload ({ data, layout, config }) for front ends
 * with a plotly renderer. tslab's `display.raw` takes a string, so pass `JSON.stringify(payload)`.
 */
export function figureMimeBundle(spec: FigureSpec, config: Record<string, unknown> = {}): PlotlyMimePayload {
  return {
    data: spec.data,
    layout: { ...spec.layout, width: DEFAULT_FIGURE_SIZE.width, height: DEFAULT_FIGURE_SIZE.height },
    config: { displaylogo: false, ...config },
  };
}
