/**
 * `tsx scripts/check-jupyter-scroll.ts FOLDER [--screenshots DIR] [--port N]`: opens every
 * executed notebook of FOLDER (e.g. build/notebooks/ after `npm run notebooks`) in the classic
 * Jupyter Notebook and headless Chromium, without running it, and counts the code cells whose
 * output the front end folds into a scroll box (class `output_scroll`: Notebook 6 does so when an
 * output grows past about 100 lines, unless the cell's metadata says `scrolled: false`). With
 * --screenshots, saves a picture of each notebook's tallest output cell there. Prints one line per
 * notebook and exits 1 when any output is scrolled.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { findChromium } from '../lib/report/chromium';
import { CHROMIUM_ARGS } from '../lib/report/export-figures';
import { startNotebookServer, trustNotebooks } from './jupyter-server';
import { findJupyterPython, ROOT } from './notebook-runner';

/** What the page shows of one notebook's code cells (a string: evaluated in the page). */
const OUTPUTS = `(() => {
  const nb = window.Jupyter && window.Jupyter.notebook;
  if (!nb || !nb._fully_loaded) return null;
  return nb.get_cells().map((c, index) => ({ index, type: c.cell_type, el: c.element[0] }))
    .filter((c) => c.type === 'code')
    .map((c) => {
      const output = c.el.querySelector('.output');
      return {
        index: c.index,
        areas: c.el.querySelectorAll('.output_area').length,
        scrolled: Boolean(output && output.classList.contains('output_scroll')),
        height: output ? Math.round(output.scrollHeight) : 0,
      };
    });
})()`;

/**
 * Links this clone's node_modules/ into `root` wherever the notebooks' charts look for plotly.js
 * from the server's root (the `fromRoot` paths their loader carries: they name the folders of the
 * kit that executed them), so that the charts draw as they do for a user.
 */
function serveBundle(root: string, notebooks: string[]): void {
  const paths = new Set<string>();
  for (const file of notebooks) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\\"fromRoot\\":(\[[^\]]*\])/g)) {
      for (const p of JSON.parse(m[1].replace(/\\"/g, '"')) as string[]) paths.add(posix.normalize(p));
    }
  }
  for (const p of paths) {
    const at = p.indexOf('node_modules/');
    if (p.startsWith('..') || at < 0) continue; // outside the served folder
    const link = join(root, p.slice(0, at), 'node_modules');
    if (existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), link);
  }
}

/** One code cell as the page shows it. */
interface CellOutput {
  /** The cell's index in the notebook (markdown cells counted). */
  index: number;
  /** Output areas (one per output) of the cell. */
  areas: number;
  /** True when the front end folded the output into a scroll box. */
  scrolled: boolean;
  /** The output's full height in CSS pixels. */
  height: number;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const shots = option('--screenshots');
  const port = option('--port');
  const [folder] = args;
  if (!folder) throw new Error('Expected a folder of executed notebooks: tsx scripts/check-jupyter-scroll.ts FOLDER [--screenshots DIR] [--port N]');
  const chromium = findChromium();
  const python = findJupyterPython(['notebook']);
  if (!chromium) throw new Error('no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`)');
  if (!python) throw new Error('no Python with the Jupyter Notebook server (`sudo apt-get install python3-notebook`)');

  // a copy: the server may write checkpoints and signatures, the folder stays as it is
  const root = mkdtempSync(join(tmpdir(), 'mmckd-scroll-'));
  const names = readdirSync(resolve(folder)).filter((f) => f.endsWith('.ipynb')).sort();
  for (const n of names) copyFileSync(join(resolve(folder), n), join(root, n));
  trustNotebooks(python, root, names.map((n) => join(root, n)));
  serveBundle(root, names.map((n) => join(root, n)));
  if (shots) mkdirSync(resolve(shots), { recursive: true });

  const server = await startNotebookServer(python, root, { port: port ? Number(port) : undefined });
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_ARGS] });
  let scrolledTotal = 0;
  try {
    for (const name of names) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const url = `${server.base}/notebooks/${encodeURIComponent(name)}?token=${server.token}`;
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
      let cells: CellOutput[] | null = null;
      for (let i = 0; i < 720 && !cells; i++) {
        cells = (await page.evaluate(OUTPUTS)) as CellOutput[] | null;
        if (!cells) await page.waitForTimeout(250);
      }
      if (!cells) throw new Error(`${name}: the notebook did not load in 3 minutes\n${server.log()}`);
      await page.waitForTimeout(3000); // charts draw after the load; a taller output may scroll then
      cells = (await page.evaluate(OUTPUTS)) as CellOutput[];
      const withOutput = cells.filter((c) => c.areas > 0);
      const scrolled = withOutput.filter((c) => c.scrolled);
      scrolledTotal += scrolled.length;
      const tallest = [...withOutput].sort((a, b) => b.height - a.height)[0];
      let shot = '';
      if (shots && tallest) {
        shot = join(resolve(shots), `${basename(name, '.ipynb')}-cell${tallest.index}.png`);
        // the page scrolls inside #site: make the window as tall as the cell, then picture it
        const element = (await page.$$('.cell'))[tallest.index];
        const box = await element.boundingBox();
        await page.setViewportSize({ width: 1280, height: Math.min(16_000, Math.ceil((box?.height ?? 800) + 200)) });
        await element.scrollIntoViewIfNeeded();
        await page.waitForTimeout(500);
        await element.screenshot({ path: shot });
      }
      const areas = withOutput.reduce((s, c) => s + c.areas, 0);
      process.stdout.write(
        `${name}: ${scrolled.length} of ${withOutput.length} code cells with output scrolled`
          + ` (${areas} output areas)${scrolled.length ? `: cells ${scrolled.map((c) => `${c.index} (${c.height} px)`).join(', ')}` : ''};`
          + ` tallest output ${tallest ? `${tallest.height} px in cell ${tallest.index}` : 'none'}${shot ? `, picture ${shot}` : ''}\n`,
      );
      // shut the kernel the page started
      const sessions = (await fetch(`${server.base}/api/sessions?token=${server.token}`).then((r) => r.json())) as { id: string; path: string }[];
      for (const s of sessions.filter((x) => x.path === name)) await fetch(`${server.base}/api/sessions/${s.id}?token=${server.token}`, { method: 'DELETE' });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(scrolledTotal === 0 ? 'no output is folded into a scroll box\n' : `${scrolledTotal} output(s) folded into a scroll box\n`);
  return scrolledTotal === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`check-jupyter-scroll: ${err.message}\n`);
    process.exit(2);
  },
);
