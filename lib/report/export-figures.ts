/**
 * Static figure export: renders FigureSpecs to PNG and SVG with plotly.js in headless Chromium
 * (playwright-core driving the system browser; a local page loads the bundle from disk, nothing
 * is fetched from the network).
 * One browser per call: startup costs seconds, each image a fraction of one.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomically } from '../io/atomic-file';
import { requireChromium } from './chromium';
import { FigureSpec } from './figure-spec';
import { DEFAULT_FIGURE_SIZE } from './layout';
import { plotlyBundlePath } from './plotly-bundle';
import { WrittenFile } from './write-table';

/** Image formats exportFigures writes. */
export type ImageFormat = 'png' | 'svg';

/** Options of exportFigures. */
export interface ExportOptions {
  /** Default ['png', 'svg']. */
  formats?: ImageFormat[];
  /** CSS pixels; default 900 x 500. */
  width?: number;
  height?: number;
  /** PNG pixel ratio; default 2 (1800 x 1000 pixels for the default size). */
  scale?: number;
  /** Browser binary; default from findChromium (MMCKD_CHROMIUM, /usr/bin/chromium, ...). */
  executablePath?: string;
  /** Called after each file is written (progress in notebooks). */
  onFile?: (file: ExportedFile) => void;
}

/** A written image with its figure id, format and render time. */
export interface ExportedFile extends WrittenFile {
  id: string;
  format: ImageFormat;
  /** Milliseconds spent in Plotly.toImage for this file. */
  renderMs: number;
}

/** Result of exportFigures: the files and the browser start-up time. */
export interface ExportResult {
  files: ExportedFile[];
  /** Milliseconds from launch until plotly.js was ready in the page. */
  startupMs: number;
}

/** Chromium flags for a quiet, offline, sandbox-less headless run (containers, CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/**
 * Renders every spec to `<outDir>/<id>.<format>` (each written to a temporary name, then renamed)
 * and returns the written files with their sizes plus the start-up time. Throws
 * ChromiumNotFoundError when no browser is found, before rendering anything.
 */
export async function exportFigures(specs: FigureSpec[], outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const formats = options.formats ?? ['png', 'svg'];
  const width = options.width ?? DEFAULT_FIGURE_SIZE.width;
  const height = options.height ?? DEFAULT_FIGURE_SIZE.height;
  const scale = options.scale ?? 2;
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.id)) throw new Error(`Expected figure ids to be unique, but '${s.id}' appears twice`);
    ids.add(s.id);
  }
  for (const f of formats) if (f !== 'png' && f !== 'svg') throw new Error(`Expected formats to be 'png' or 'svg', but got '${f}'`);
  const executablePath = options.executablePath ?? requireChromium();

  const t0 = performance.now();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  const files: ExportedFile[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: width + 40, height: height + 40 } });
    await page.route(/^(?!file:)/, (route) => route.abort()); // nothing leaves the machine
    await openPlotlyPage(page);
    const startupMs = performance.now() - t0;

    for (const spec of specs) {
      for (const format of formats) {
        const t = performance.now();
        const url = await page.evaluate(
          ({ data, layout, format, width, height, scale }) => {
            // runs in the page: toImage draws into its own hidden div and removes it
            const P = (globalThis as unknown as { Plotly: { toImage: (fig: unknown, opts: unknown) => Promise<string> } }).Plotly;
            return P.toImage({ data, layout: { ...layout, width, height }, config: { staticPlot: true } }, { format, width, height, scale });
          },
          { data: spec.data, layout: spec.layout, format, width, height, scale },
        );
        const renderMs = performance.now() - t;
        const bytes = decodeDataUrl(url, format);
        const path = join(outDir, `${spec.id}.${format}`);
        const file: ExportedFile = { id: spec.id, format, path, bytes: writeFileAtomically(path, bytes), renderMs };
        files.push(file);
        options.onFile?.(file);
      }
    }
    return { files, startupMs };
  } finally {
    await browser.close();
  }
}

/**
 * Opens a local page that loads the plotly.js bundle from disk and waits for `window.Plotly`
 * (sending the 5 MB bundle through the DevTools pipe instead, with addScriptTag, costs seconds more).
 */
async function openPlotlyPage(page: { goto: (url: string) => Promise<unknown>; waitForFunction: (f: () => boolean) => Promise<unknown> }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-export-'));
  try {
    const html = join(dir, 'page.html');
    writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><script src="${pathToFileURL(plotlyBundlePath()).href}"></script></head><body style="margin:0"></body></html>`);
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => typeof (globalThis as { Plotly?: unknown }).Plotly === 'object');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns the bytes of a data URL from Plotly.toImage (base64 PNG, URL-encoded SVG). */
export function decodeDataUrl(url: string, format: ImageFormat): Uint8Array {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error(`Expected a data: URL from Plotly.toImage (${format}), but got '${url.slice(0, 40)}'`);
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (head.endsWith(';base64')) return Buffer.from(body, 'base64');
  return Buffer.from(decodeURIComponent(body), 'utf8');
}
