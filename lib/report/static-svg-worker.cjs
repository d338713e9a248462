// Plain CommonJS on purpose: this file runs as a worker thread (lib/report/static-svg.ts starts it
// by its path under the kit root, from lib/ under tsx and from dist/lib/ alike, as esm.ts does
// with esm-import.cjs). It owns one headless Chromium page with plotly.js loaded and answers one
// render request at a time: { id, data, layout, width, height } -> { id, url } (an SVG data URL
// from Plotly.toImage) or { id, error }; { warm: true } starts the browser without answering. After each reply it sets the shared flag and wakes the
// main thread, which waits on it with Atomics.wait (figure HTML is built synchronously).
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { workerData } = require('node:worker_threads');

const { port, flag, executablePath, bundlePath, args } = workerData;
const signal = new Int32Array(flag);
let pagePromise;

function plotlyPage() {
  if (!pagePromise) {
    pagePromise = (async () => {
      const { chromium } = require('playwright-core');
      const browser = await chromium.launch({ executablePath, headless: true, args });
      const page = await browser.newPage();
      // a local page that loads the bundle from disk: sending 5 MB of script through the
      // DevTools pipe instead (addScriptTag) costs seconds more
      const dir = mkdtempSync(join(tmpdir(), 'mmckd-static-'));
      try {
        const html = join(dir, 'page.html');
        writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><script src="${pathToFileURL(bundlePath).href}"></script></head><body></body></html>`);
        await page.route(/^(?!file:)/, (route) => route.abort()); // nothing leaves the machine
        await page.goto(pathToFileURL(html).href);
        await page.waitForFunction(() => typeof globalThis.Plotly === 'object');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return page;
    })();
  }
  return pagePromise;
}

port.on('message', async (request) => {
  if (request.warm) {
    plotlyPage().catch(() => undefined); // a failure shows on the first real request
    return;
  }
  let reply;
  try {
    const page = await plotlyPage();
    const url = await page.evaluate(
      ({ data, layout, width, height }) =>
        globalThis.Plotly.toImage(
          { data, layout: { ...layout, width, height }, config: { staticPlot: true } },
          { format: 'svg', width, height },
        ),
      request,
    );
    reply = { id: request.id, url };
  } catch (err) {
    reply = { id: request.id, error: String((err && err.message) || err).split('\n')[0] };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
