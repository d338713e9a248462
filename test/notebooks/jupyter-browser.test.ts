// Notebook 00 in a real Jupyter (the classic Notebook server, Debian's python3-notebook) opened in
// Chromium: Run All, save, reload with the kernel still running; the table and every chart must
// render (a plotly SVG in each chart's output) and no cell may show an error. Then the saved file
// is small, and an untrusted copy still shows every chart as its static picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../lib/report/chromium';
import { CHROMIUM_ARGS } from '../../lib/report/export-figures';
import { startNotebookServer } from '../../scripts/jupyter-server';
import { findJupyterPython, ROOT } from '../../scripts/notebook-runner';

const chromium = findChromium();
const python = findJupyterPython(['notebook']);
const skip = !chromium
  ? 'no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`): the notebooks are not tested in a browser'
  : !python
    ? 'no Python with the Jupyter Notebook server (`sudo apt-get install python3-notebook`): the notebooks are not tested in a browser'
    : false;

/** The notebook's state as the classic front end holds it (a string: the page has no tsx helpers). */
const PAGE_STATE = `(() => {
  const nb = window.Jupyter && window.Jupyter.notebook;
  if (!nb || !nb._fully_loaded) return null;
  const code = nb.get_cells().filter((c) => c.cell_type === 'code');
  const icon = document.querySelector('#kernel_indicator_icon');
  const figures = Array.from(document.querySelectorAll('.output_area .mmckd-figure'));
  return {
    trusted: nb.trusted,
    dirty: nb.dirty,
    kernelIdle: Boolean(nb.kernel && nb.kernel.is_connected() && icon && icon.classList.contains('kernel_idle_icon')),
    prompts: code.map((c) => c.input_prompt_number),
    tables: Array.from(document.querySelectorAll('.output_area table.mmckd-table')).map((t) => t.querySelectorAll('tr').length),
    figures: figures.length,
    charts: figures.filter((f) => f.querySelector('.main-svg')).length,
    visiblePictures: Array.from(document.querySelectorAll('.output_area img.mmckd-figure-static'))
      .filter((i) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 100).length,
    errors: document.querySelectorAll('.output_area .output_error, .output_area .output_stderr').length,
  };
})()`;

interface PageState {
  trusted: boolean;
  dirty: boolean;
  kernelIdle: boolean;
  prompts: (number | string | null)[];
  tables: number[];
  figures: number;
  charts: number;
  visiblePictures: number;
  errors: number;
}

test('notebook 00 in Jupyter Notebook and Chromium: Run All, save, reload; the table and every chart render, no cell errs', { skip, timeout: 170_000 }, async () => {
  const started = Date.now();
  const lap = (what: string) => `${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
  const laps: string[] = [];
  // a server root of its own, holding a copy of notebook 00 and the kit's dist/ and node_modules/
  const root = mkdtempSync(join(tmpdir(), 'mmckd-jupyter-'));
  mkdirSync(join(root, 'notebooks'));
  copyFileSync(join(ROOT, 'notebooks', '00-quickstart.ipynb'), join(root, 'notebooks', '00-quickstart.ipynb'));
  symlinkSync(join(ROOT, 'dist'), join(root, 'dist'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const token = 'mmckd-browser-test';
  const server = await startNotebookServer(python!, root, { token });
  const serverLog = server.log;
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const base = server.base;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const state = async () => (await page.evaluate(PAGE_STATE)) as PageState | null;
    const waitFor = async (what: string, ok: (s: PageState) => boolean, ms: number): Promise<PageState> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = await state();
        if (s && ok(s)) {
          laps.push(lap(what));
          return s;
        }
        assert.ok(Date.now() < deadline, `${lap(what)}: timed out; page state ${JSON.stringify(s)}\nserver log:\n${serverLog()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    await page.goto(`${base}/notebooks/notebooks/00-quickstart.ipynb?token=${token}`);
    await waitFor('the kernel', (s) => s.kernelIdle, 60_000);
    // Run All from the menu, as a user does
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    const ran = await waitFor('Run All', (s) => s.prompts.every((p) => typeof p === 'number') && s.kernelIdle && s.charts === s.figures && s.figures > 0, 120_000);
    assert.equal(ran.errors, 0, 'no cell has an error output');
    // save, then reload the page with the kernel still running
    await page.evaluate('Jupyter.notebook.save_checkpoint()');
    await waitFor('saving', (s) => !s.dirty, 20_000);
    const saved = join(root, 'notebooks', '00-quickstart.ipynb');
    const size = statSync(saved).size;
    assert.ok(size < 1_000_000, `the saved notebook is ${size} bytes`);
    await page.reload();
    const after = await waitFor('the reload', (s) => s.figures > 0 && s.charts === s.figures, 60_000);
    assert.equal(after.trusted, true, 'a notebook saved in this session is trusted');
    assert.deepEqual(after.tables, [8], 'the table: a header and seven rows');
    assert.equal(after.figures, 1, 'notebook 00 shows one chart');
    assert.equal(after.charts, after.figures, 'every chart is a plotly SVG after the reload');
    assert.equal(after.errors, 0, 'no cell has an error output');
    assert.deepEqual(after.prompts, ran.prompts);

    // an untrusted copy (changed, so its signature no longer matches): scripts do not run, the pictures show
    const copy = JSON.parse(readFileSync(saved, 'utf8')) as { metadata: Record<string, unknown> };
    copy.metadata.untrusted_copy = true;
    writeFileSync(join(root, 'notebooks', 'untrusted.ipynb'), JSON.stringify(copy));
    await page.goto(`${base}/notebooks/notebooks/untrusted.ipynb?token=${token}`);
    const untrusted = await waitFor('the untrusted copy', (s) => s.figures > 0 && s.visiblePictures === s.figures, 30_000);
    assert.equal(untrusted.trusted, false);
    assert.equal(untrusted.charts, 0, 'no script ran');
    assert.deepEqual(untrusted.tables, [8]);
    process.stderr.write(`jupyter-browser: ${laps.join(', ')}; saved notebook ${size} bytes\n`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
