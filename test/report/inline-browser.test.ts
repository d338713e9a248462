import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { findChromium } from '../../lib/report/chromium';
import { CHROMIUM_ARGS } from '../../lib/report/export-figures';
import { figureHtml, resetPlotlyInline } from '../../lib/report/inline-html';
import { lineCurvesFigure } from '../../lib/report/line-figures';

const chromium = findChromium();

test(
  'figureHtml outputs draw in a page with RequireJS-style define (bundle in the first output only)',
  { skip: chromium ? false : 'no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`): inline drawing not tested', timeout: 120_000 },
  async () => {
    const caption = { title: 'curves', dataset: 'synthetic-mosi', seeds: [0], backend: 'cpu' };
    const spec = lineCurvesFigure({ id: 'c', caption, yTitle: 'validation MAE', series: [{ name: 'teacher', y: [1.2, 1, 0.9] }] });
    resetPlotlyInline();
    const first = figureHtml(spec);
    const second = figureHtml(spec);
    // a stand-in for Jupyter classic's RequireJS: an AMD define that records anonymous calls
    const amd =
      '<script>window.anonymousDefines = 0; window.define = function (a) { if (typeof a !== "string") window.anonymousDefines++; }; window.define.amd = {};</script>';
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(`<!doctype html><html><body>${amd}${first}${second}</body></html>`);
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll: (s: string) => { length: number } } }).document.querySelectorAll('.mmckd-figure .main-svg').length >= 4, undefined, { timeout: 30_000 });
      const state = await page.evaluate(() => {
        const g = globalThis as unknown as {
          Plotly?: { version: string };
          anonymousDefines: number;
          define: ((...args: unknown[]) => void) & { amd?: unknown };
          document: { querySelectorAll: (s: string) => { length: number }[] & { length: number } };
        };
        return {
          plotly: g.Plotly?.version,
          anonymousDefines: g.anonymousDefines,
          defineRestored: typeof g.define === 'function' && g.define.amd !== undefined,
          figures: g.document.querySelectorAll('.mmckd-figure').length,
          axisTitles: g.document.querySelectorAll('.mmckd-figure .g-ytitle').length,
        };
      });
      assert.match(state.plotly ?? '', /^\d+\.\d+\.\d+$/);
      assert.equal(state.anonymousDefines, 0, 'the bundle did not register with the AMD loader');
      assert.equal(state.defineRestored, true, 'define is restored after the bundle');
      assert.equal(state.figures, 2);
      assert.equal(state.axisTitles, 2);
    } finally {
      await browser.close();
      resetPlotlyInline();
    }
  },
);
