import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { findChromium } from '../../lib/report/chromium';
import { CHROMIUM_ARGS } from '../../lib/report/export-figures';
import { figureHtml, servedBundlePaths } from '../../lib/report/inline-html';
import { lineCurvesFigure } from '../../lib/report/line-figures';
import { plotlyBundlePath } from '../../lib/report/plotly-bundle';
import { KIT_ROOT } from '../../lib/paths';
import { join } from 'node:path';

const chromium = findChromium();
const skip = chromium ? false : 'no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`): inline drawing not tested';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="500"><rect width="900" height="500" fill="#eee"/></svg>';
const caption = { title: 'curves', dataset: 'synthetic-mosi', seeds: [0], backend: 'cpu' };
const spec = lineCurvesFigure({ id: 'c', caption, yTitle: 'validation MAE', series: [{ name: 'teacher', y: [1.2, 1, 0.9] }] });

interface PageState {
  plotly?: string;
  anonymousDefines: number;
  defineRestored: boolean;
  figures: number;
  drawn: number;
  visibleStatic: number;
  notes: string[];
}

/**
 * Opens two figure outputs in a page shaped like Jupyter classic (RequireJS-style define,
 * body data attributes) at /notebooks/notebooks/x.ipynb; `serve` says whether the server answers
 * /files/<bundle> (relative to a server rooted at the kit). Returns the page's state and the
 * URLs it requested.
 */
async function openOutputs(serve: boolean): Promise<{ state: PageState; requests: string[] }> {
  // a kernel runs in the notebook's folder, and the served paths are relative to it
  const cwd = process.cwd();
  process.chdir(join(KIT_ROOT, 'notebooks'));
  const html = [figureHtml(spec, { staticImage: { svg: SVG } }), figureHtml(spec, { staticImage: { svg: SVG } })].join('');
  process.chdir(cwd);
  const amd =
    '<script>window.anonymousDefines = 0; window.define = function (a) { if (typeof a !== "string") window.anonymousDefines++; }; window.define.amd = {};</script>';
  const bundleUrl = `http://jupyter.invalid/files/${servedBundlePaths('/kit/notebooks').fromRoot[0]}`;
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_ARGS] });
  const requests: string[] = [];
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      if (url === 'http://jupyter.invalid/notebooks/notebooks/x.ipynb') {
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><html><body data-base-url="/" data-notebook-path="notebooks/x.ipynb">${amd}${html}</body></html>`,
        });
      }
      if (serve && url === bundleUrl) return route.fulfill({ contentType: 'application/javascript', path: plotlyBundlePath() });
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto('http://jupyter.invalid/notebooks/notebooks/x.ipynb');
    await page.waitForFunction(
      () => {
        const d = (globalThis as unknown as { document: { querySelectorAll: (s: string) => { length: number } } }).document;
        return d.querySelectorAll('.mmckd-figure[data-drawn]').length + d.querySelectorAll('.mmckd-figure .mmckd-figure-note').length >= 2;
      },
      undefined,
      { timeout: 60_000 },
    );
    // a string, not a function: tsx would wrap named inner functions in a helper the page lacks
    const state = (await page.evaluate(`(() => {
      const all = (s) => Array.from(document.querySelectorAll(s));
      return {
        plotly: window.Plotly ? window.Plotly.version : undefined,
        anonymousDefines: window.anonymousDefines,
        defineRestored: typeof window.define === 'function' && window.define.amd !== undefined,
        figures: all('.mmckd-figure').length,
        drawn: all('.mmckd-figure[data-drawn] .main-svg').length,
        visibleStatic: all('.mmckd-figure-static').filter((e) => e.style.display !== 'none').length,
        notes: all('.mmckd-figure-note').map((e) => e.textContent),
      };
    })()`)) as PageState;
    return { state, requests };
  } finally {
    await browser.close();
  }
}

test('figure outputs draw with the bundle the server serves, fetched once per page, in a page with RequireJS-style define', { skip, timeout: 120_000 }, async () => {
  const { state, requests } = await openOutputs(true);
  assert.match(state.plotly ?? '', /^\d+\.\d+\.\d+$/);
  assert.equal(state.anonymousDefines, 0, 'the bundle did not register with the AMD loader');
  assert.equal(state.defineRestored, true, 'define is restored after the bundle');
  assert.equal(state.figures, 2);
  assert.ok(state.drawn >= 2, `${state.drawn} plotly SVG layers in drawn figures`);
  assert.equal(state.visibleStatic, 0, 'the static pictures give way to the charts');
  assert.equal(requests.filter((u) => u.endsWith('.js')).length, 1, `bundle requests: ${requests.join(', ')}`);
  assert.ok(requests.includes(`http://jupyter.invalid/files/${servedBundlePaths('/kit/notebooks').fromRoot[0]}`), 'the notebook folder\'s ../node_modules, under the server root');
});

test('without a served bundle the static pictures stay, with a line saying why the chart is not interactive', { skip, timeout: 120_000 }, async () => {
  const { state, requests } = await openOutputs(false);
  assert.equal(state.plotly, undefined);
  assert.equal(state.visibleStatic, 2);
  assert.equal(state.notes.length, 2);
  for (const note of state.notes) assert.match(note, /^Static image\. Interactive chart unavailable: plotly\.js is not served here \(tried \/files\/node_modules\/\S+: HTTP 404, \/files\/[^/]+\/node_modules\/\S+: HTTP 404\)\.$/);
  // candidates: the notebook's folder's ../node_modules (= the kit root's), then one level up
  assert.equal(requests.filter((u) => u.includes('/files/')).length, 2);
});
