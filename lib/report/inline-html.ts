/**
 * Inline figures for Jupyter (tslab): HTML that shows a FigureSpec wherever the notebook is opened.
 *
 * One output holds three things, so that it never depends on what an earlier output or kernel
 * session did:
 * - a static picture: the figure as SVG in an <img> data URL (rendered by static-svg.ts when a
 *   browser is available), which Jupyter keeps in untrusted notebooks and which static viewers
 *   that run no scripts show; or, without one, a line saying why there is no picture;
 * - the figure's plotly JSON;
 * - a small loader script that, where scripts run, draws the interactive chart over the picture
 *   with plotly.js fetched from the kit's own files through the Jupyter server (`/files/...`,
 *   served when the server's root folder holds the kit), once per page.
 * The plotly.js bundle (about 5 MB) is inlined only on request (`inlineBundle: 'always'`, e.g. a
 * stand-alone HTML file), so executed notebooks stay small.
 * The notebook calls `tslab.display.html(ctx.figure(spec))` (see show-figure.ts); this module does not import tslab.
 * @see notebooks/00-quickstart.ipynb
 */
import { randomBytes } from 'node:crypto';
import { basename, relative, sep } from 'node:path';
import { KIT_ROOT } from '../paths';
import { FigureSpec, PlotlyLayout, PlotlyTrace } from './figure-spec';
import { DEFAULT_FIGURE_SIZE } from './layout';
import { plotlyBundlePath, plotlyBundleSource } from './plotly-bundle';
import type { StaticImage } from './static-svg';

/** Options of figureHtml. */
export interface FigureHtmlOptions {
  /**
   * Where the interactive chart gets plotly.js:
   * 'auto' (default): the page's `window.Plotly`, else the kit's bundle served by the Jupyter server;
   * 'always': the bundle inlined in this output (about 5 MB; for stand-alone HTML files);
   * 'never': only a page that already has `window.Plotly`.
   */
  inlineBundle?: 'auto' | 'always' | 'never';
  /** The static picture (from staticFigureSvg), or why there is none; omitted: no picture. */
  staticImage?: StaticImage;
  /** Height in pixels; default 500. The width follows the page, up to `maxWidth`. */
  height?: number;
  /** Maximum width in pixels; default 900. */
  maxWidth?: number;
  /** plotly.js config overrides (e.g. { displayModeBar: false }). */
  config?: Record<string, unknown>;
}

/** The MIME type front ends with a plotly renderer (jupyterlab-plotly, VS Code) display. */
export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';

let counter = 0;

/** Returns JSON safe to place inside a <script> element (no `</script>`, no U+2028/2029). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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

/** Where a Jupyter server may serve the kit's plotly.js bundle, as paths for `<base>files/<path>`. */
export interface ServedBundlePaths {
  /** The bundle relative to the notebook's folder (the kernel's working directory), '/'-separated. */
  fromNotebook: string;
  /** The bundle relative to a server rooted at the kit's folder, then at the folder above it. */
  fromRoot: string[];
}

/** Returns the served-bundle paths for a kernel working in `cwd` (default: this process's). */
export function servedBundlePaths(cwd: string = process.cwd()): ServedBundlePaths {
  const bundle = plotlyBundlePath();
  const posix = (p: string) => p.split(sep).join('/');
  const inKit = posix(relative(KIT_ROOT, bundle));
  return { fromNotebook: posix(relative(cwd, bundle)), fromRoot: [inKit, `${basename(KIT_ROOT)}/${inKit}`] };
}

/**
 * Browser code (ES5) that defines `mmckdLoadPlotly(paths)`: resolves to `window.Plotly`, loading
 * the bundle once per page from the first candidate URL the server answers. Candidates: the
 * notebook's folder as the page names it (classic: body[data-notebook-path]; JupyterLab and
 * Notebook 7: the URL's /tree/ or /notebooks/ path) joined with `paths.fromNotebook`, then
 * `paths.fromRoot`; each under the server's base URL (classic: body[data-base-url]; JupyterLab:
 * #jupyter-config-data). The bundle is evaluated with RequireJS's `define` hidden.
 */
const LOADER_SOURCE = `function mmckdLoadPlotly(paths) {
  if (window.Plotly && window.Plotly.newPlot) return Promise.resolve(window.Plotly);
  if (window.mmckdPlotly) return window.mmckdPlotly;
  var body = document.body || document.documentElement;
  var base = body.getAttribute('data-base-url');
  var config = document.getElementById('jupyter-config-data');
  if (!base && config) { try { base = JSON.parse(config.textContent).baseUrl; } catch (e) { base = null; } }
  base = base || '/';
  if (base.charAt(base.length - 1) !== '/') base += '/';
  var urls = [];
  function add(path) {
    var out = [], parts = path.split('/');
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === '..') { if (!out.length) return; out.pop(); }
      else if (parts[i] && parts[i] !== '.') out.push(encodeURIComponent(parts[i]));
    }
    var url = base + 'files/' + out.join('/');
    if (urls.indexOf(url) < 0) urls.push(url);
  }
  var pagePath = /\\/(?:tree|notebooks)\\/(.+\\.ipynb)$/.exec(decodeURIComponent(location.pathname));
  var notebooks = [body.getAttribute('data-notebook-path'), pagePath && pagePath[1]];
  for (var n = 0; n < notebooks.length; n++) if (notebooks[n]) add(notebooks[n].replace(/[^\\/]*$/, '') + paths.fromNotebook);
  for (var r = 0; r < paths.fromRoot.length; r++) add(paths.fromRoot[r]);
  var tried = [];
  function next(i) {
    if (i >= urls.length) return Promise.reject(new Error('plotly.js is not served here (tried ' + tried.join(', ') + ')'));
    return fetch(urls[i], { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.text();
    }).then(function (source) {
      window.PlotlyConfig = window.PlotlyConfig || { MathJaxConfig: 'local' };
      var savedDefine = window.define;
      window.define = undefined;
      try { (0, eval)(source + '\\n//# sourceURL=' + urls[i]); } finally { window.define = savedDefine; }
      if (!(window.Plotly && window.Plotly.newPlot)) throw new Error('no window.Plotly after loading');
      return window.Plotly;
    }).catch(function (err) { tried.push(urls[i] + ': ' + err.message); return next(i + 1); });
  }
  window.mmckdPlotly = next(0);
  return window.mmckdPlotly;
}`;

/**
 * Returns the HTML of one figure: a div (class `mmckd-figure`, a unique id) holding the static
 * picture or a line saying why there is none, then the script that draws the interactive chart
 * where scripts run (the bundle itself precedes it only with `inlineBundle: 'always'`).
 */
export function figureHtml(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
  const mode = options.inlineBundle ?? 'auto';
  const divId = `mmckd-${spec.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${++counter}-${randomBytes(4).toString('hex')}`;
  const height = options.height ?? DEFAULT_FIGURE_SIZE.height;
  const maxWidth = options.maxWidth ?? DEFAULT_FIGURE_SIZE.width;
  const layout: PlotlyLayout = { ...spec.layout, autosize: true, height };
  const config = { responsive: true, displaylogo: false, ...options.config };
  const title = spec.caption.title;
  const image = options.staticImage;
  const picture =
    image && 'svg' in image
      ? `<img class="mmckd-figure-static" alt="${escapeAttribute(title)}" width="${DEFAULT_FIGURE_SIZE.width}" height="${height}" ` +
        `style="max-width:100%;height:auto;" src="data:image/svg+xml;base64,${Buffer.from(image.svg, 'utf8').toString('base64')}">`
      : `<div class="mmckd-figure-note" style="font-size:12px;color:#666;">Figure "${escapeAttribute(title)}": no static image` +
        `${image ? ` (${escapeAttribute(image.reason)})` : ''}; the interactive chart appears where the notebook's scripts run ` +
        'and plotly.js loads (a trusted notebook in a Jupyter started in the kit\'s folder).</div>';
  const html =
    (mode === 'always' ? plotlyBundleScript() : '') +
    `<div id="${divId}" class="mmckd-figure" style="width:100%;max-width:${maxWidth}px;">${picture}</div>\n` +
    '<script type="text/javascript">\n' +
    '(function () {\n' +
    `  var id = ${scriptSafeJson(divId)};\n` +
    `  var mode = ${scriptSafeJson(mode)};\n` +
    `  var paths = ${scriptSafeJson(mode === 'auto' ? servedBundlePaths() : { fromNotebook: '', fromRoot: [] })};\n` +
    `  var fig = ${scriptSafeJson({ data: spec.data, layout, config })};\n` +
    `  ${LOADER_SOURCE.replace(/\n/g, '\n  ')}\n` +
    '  var box = document.getElementById(id);\n' +
    '  if (!box || box.getAttribute("data-drawn")) return;\n' +
    '  function say(text) {\n' +
    '    var note = box.querySelector(".mmckd-figure-note") || box.appendChild(document.createElement("div"));\n' +
    '    note.className = "mmckd-figure-note"; note.style.fontSize = "12px"; note.style.color = "#666";\n' +
    '    note.textContent = text;\n' +
    '  }\n' +
    '  function draw(Plotly) {\n' +
    '    var plot = document.createElement("div");\n' +
    `    plot.style.width = "100%"; plot.style.height = ${scriptSafeJson(`${height}px`)};\n` +
    '    box.insertBefore(plot, box.firstChild);\n' +
    '    return Plotly.newPlot(plot, fig.data, fig.layout, fig.config).then(function () {\n' +
    '      box.setAttribute("data-drawn", "1");\n' +
    '      var rest = box.querySelectorAll(".mmckd-figure-static, .mmckd-figure-note");\n' +
    '      for (var i = 0; i < rest.length; i++) rest[i].style.display = "none";\n' +
    '    });\n' +
    '  }\n' +
    '  var ready = mode === "never" && !(window.Plotly && window.Plotly.newPlot)\n' +
    '    ? Promise.reject(new Error("this page has no window.Plotly"))\n' +
    '    : mmckdLoadPlotly(paths);\n' +
    '  ready.then(draw).catch(function (err) {\n' +
    '    say((box.querySelector(".mmckd-figure-static") ? "Static image. " : "") + "Interactive chart unavailable: " + err.message + ".");\n' +
    '  });\n' +
    '})();\n' +
    '</script>\n';
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
