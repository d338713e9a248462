/**
 * The rendered book (scripts/book/build-book.ts) built from a small set of notebooks and opened in
 * Chromium from file://.
 *
 * The set: notebook 00 executed here in the quick setting (a real kernel run, about 30 s: its
 * outputs hold text, an HTML table and a chart with its static picture, as every notebook's do)
 * and notebook 03 as written, not executed (its markdown holds the kit's math; executing it would
 * add minutes and no kind of output 00 lacks). The README and the documents it links to are
 * rendered as in every build. Together they cover every page kind in well under 3 minutes.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { findChromium } from '../../lib/report/chromium';
import { CHROMIUM_ARGS } from '../../lib/report/export-figures';
import { buildBook, type BookResult } from '../../scripts/book/build-book';
import { ROOT, runNotebooks } from '../../scripts/notebook-runner';

const chromium = findChromium();
const skipBrowser = chromium ? false : 'no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`): the book is built but not opened in a browser';
const SCREENSHOTS = join(ROOT, 'build', 'book-screenshots');

let built: Promise<BookResult> | undefined;

/** Builds the book once for all tests of this file, into a temporary folder. */
function book(): Promise<BookResult> {
  built ??= (async () => {
    const work = mkdtempSync(join(tmpdir(), 'mmckd-book-'));
    const executed = join(work, 'executed');
    await runNotebooks({ only: ['00'], quick: true, outDir: executed, verbose: false, env: { MMCKD_RUNS_DIR: join(work, 'runs') } });
    copyFileSync(join(ROOT, 'notebooks', '03-online-mmckd.ipynb'), join(executed, '03-online-mmckd.ipynb'));
    return buildBook({ from: executed, outDir: join(work, 'book'), log: () => {} });
  })();
  return built;
}

/** Returns the href and src attributes of `html` (relative ones resolved against `file`'s folder), skipping URLs with a scheme and fragments. */
function localTargets(html: string, file: string, attribute: 'href' | 'src'): string[] {
  return [...html.matchAll(new RegExp(`${attribute}="([^"]*)"`, 'g'))]
    .map((m) => m[1])
    .filter((u) => u !== '' && !u.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(u))
    .map((u) => resolve(dirname(file), decodeURI(u.replace(/[#?].*$/, ''))));
}

test('the book has a table of contents whose every link resolves, one page per notebook, the README, and its assets copied in', { timeout: 600_000 }, async () => {
  const result = await book();
  const files = result.pages.map((p) => p.file);
  assert.equal(files[0], 'index.html');
  assert.ok(files.includes('README.html'));
  assert.ok(files.includes('notebooks/00-quickstart.html'));
  assert.ok(files.includes('notebooks/03-online-mmckd.html'));
  for (const file of files) assert.ok(existsSync(join(result.outDir, file)), `${file} was written`);

  const index = readFileSync(join(result.outDir, 'index.html'), 'utf8');
  const targets = localTargets(index, join(result.outDir, 'index.html'), 'href');
  assert.ok(targets.length >= 4, `the table of contents links ${targets.length} files`);
  for (const t of targets) assert.ok(existsSync(t), `table of contents link to ${t} resolves`);
  for (const page of result.pages.filter((p) => p.kind !== 'document')) assert.ok(index.includes(`href="${encodeURI(page.file)}"`), `the contents list ${page.file}`);

  for (const asset of ['assets/katex/katex.min.css', 'assets/book.css']) assert.ok(existsSync(join(result.outDir, asset)), `${asset} copied`);
  const fonts = readFileSync(join(result.outDir, 'assets/katex/katex.min.css'), 'utf8').match(/url\(fonts\/[^)]+\)/g) ?? [];
  assert.ok(fonts.length > 0);
  for (const f of fonts) assert.ok(existsSync(join(result.outDir, 'assets/katex', f.slice(4, -1))), `${f} copied`);

  // every resource comes from the site itself, by a relative path
  for (const page of result.pages) {
    const file = join(result.outDir, page.file);
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /<(script|img|link)\b[^>]*\b(src|href)="(https?:)?\/\//i, `${page.file} loads nothing from the network`);
    for (const t of localTargets(html, file, 'src')) assert.ok(existsSync(t), `${page.file}: ${t} exists`);
  }
  const nb03 = result.pages.find((p) => p.file === 'notebooks/03-online-mmckd.html')!;
  assert.ok(nb03.mathCount >= 2, `notebook 03 renders ${nb03.mathCount} math expressions`);
  const nb00 = result.pages.find((p) => p.file === 'notebooks/00-quickstart.html')!;
  assert.equal(nb00.chartCount, 1, 'notebook 00 shows one chart');
  const html00 = readFileSync(join(result.outDir, nb00.file), 'utf8');
  // .test, not assert.match: a failure should not print the whole page
  assert.ok(/<script src="\.\.\/assets\/plotly(\.min)?\.js"><\/script>/.test(html00), 'a page with a chart loads the site\'s plotly.js');
  assert.ok(/<pre class="source"><code class="language-typescript">import \* as mmckd/.test(html00), 'code shown');
  assert.ok(/<pre class="output-stream stdout">softmax\(\[1, 2, 3\]\) = 0\.0900 0\.2447 0\.6652/.test(html00), 'text output shown');
  assert.ok(/<div class="output-html"><table/.test(html00), 'HTML output shown');
});

interface PageState {
  figures: number;
  drawn: number;
  katex: number;
  katexErrors: number;
  notes: string[];
  staticShown: number;
  staticLoaded: number;
}

const PAGE_STATE = `(() => {
  const all = (s) => Array.from(document.querySelectorAll(s));
  const shown = all('.mmckd-figure-static').filter((e) => e.offsetWidth > 0);
  return {
    figures: all('.mmckd-figure').length,
    drawn: all('.mmckd-figure[data-drawn]').filter((e) => e.querySelector('.main-svg')).length,
    katex: all('.katex').length,
    katexErrors: all('.katex-error').length,
    notes: all('.mmckd-figure-note').map((e) => e.textContent),
    staticShown: shown.length,
    staticLoaded: shown.filter((e) => e.complete && e.naturalWidth > 0).length,
  };
})()`;

test('every page opens from file:// without console errors or network requests; its charts draw and its math renders; without scripts the static pictures and the math stay', { skip: skipBrowser, timeout: 600_000 }, async () => {
  const result = await book();
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      problems.push(`network request: ${url}`);
      return route.abort();
    });
    for (const p of result.pages) {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${p.file}: console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${p.file}: page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`${p.file}: failed to load ${r.url()}`));
      await page.goto(pathToFileURL(join(result.outDir, p.file)).href);
      if (p.chartCount > 0) {
        await page
          .waitForFunction(`document.querySelectorAll('.mmckd-figure[data-drawn] .main-svg').length > 0 && document.querySelectorAll('.mmckd-figure[data-drawn]').length >= ${p.chartCount}`, undefined, { timeout: 60_000 })
          .catch(() => undefined);
      }
      const state = (await page.evaluate(PAGE_STATE)) as PageState;
      assert.equal(state.figures, p.chartCount, `${p.file}: chart outputs`);
      assert.equal(state.drawn, p.chartCount, `${p.file}: every chart drew with plotly (notes: ${state.notes.join(' | ')})`);
      assert.equal(state.katex, p.mathCount, `${p.file}: every math expression rendered by KaTeX`);
      assert.equal(state.katexErrors, 0, `${p.file}: no KaTeX error`);
      if (p.file === 'notebooks/00-quickstart.html' || p.file === 'notebooks/03-online-mmckd.html') {
        mkdirSync(SCREENSHOTS, { recursive: true });
        if (p.chartCount > 0) await page.locator('.mmckd-figure').first().scrollIntoViewIfNeeded();
        else await page.locator('.math-display').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOTS, p.file.replace(/^notebooks\//, '').replace(/\.html$/, '.png')) });
      }
      await page.close();
    }
    assert.deepEqual(problems, []);

    // where scripts do not run: the chart's static picture shows, math needs no script
    const noScripts = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScripts.newPage();
    await page.goto(pathToFileURL(join(result.outDir, 'notebooks/00-quickstart.html')).href);
    const state = (await page.evaluate(PAGE_STATE)) as PageState;
    assert.equal(state.drawn, 0, 'no chart drawn without scripts');
    assert.equal(state.staticShown, 1, 'the static picture shows without scripts');
    assert.equal(state.staticLoaded, 1, 'and its image loads');
    const math = await noScripts.newPage();
    await math.goto(pathToFileURL(join(result.outDir, 'notebooks/03-online-mmckd.html')).href);
    assert.equal(await math.locator('.katex').count(), result.pages.find((p) => p.file === 'notebooks/03-online-mmckd.html')!.mathCount, 'math renders without scripts');
  } finally {
    await browser.close();
  }
});
