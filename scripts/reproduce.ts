/**
 * `npm run reproduce [-- --quick] [-- --fresh] [-- --regimes]`: the kit's main job. Runs notebooks 01-05
 * headless on the embedded synthetic dataset (full settings, or the quick ones) with a collection
 * folder named to them (MMCKD_COLLECT_DIR): each figure and table a notebook shows with
 * `ctx.figure` or `ctx.table` is added to it (lib/report/collect.ts). Then it writes them to
 * figures/: tables as CSV + Markdown, figures as PNG + SVG when Chromium is found, else as
 * self-contained HTML files (with one line saying how to get PNG/SVG), and figures/README.md
 * listing what made them. Node alone is enough: the notebooks run on the kit's own Jupyter client
 * (scripts/notebook-runner.ts). Finished training runs are reused (the notebooks train grid cells
 * under runs/); --fresh starts the runs over (it removes only the run, grid and imputer folders
 * the kit made there, and keeps anything else).
 *
 * `--regimes` adds notebook 06, the regime map (its full setting trains about 230 cells: hours
 * on a laptop; finished cells are reused). Quick mode writes to build/reproduce-quick/ (runs and
 * figures) and leaves figures/ alone.
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { removeKitRuns } from '../lib/experiments/kit-folders';
import { join, relative } from 'node:path';
import { ROOT, runNotebooks } from './notebook-runner';
import { COLLECT_ENV, readCollection } from '../lib/report/collect';
import { exportFigures } from '../lib/report/export-figures';
import { findChromium } from '../lib/report/chromium';
import { writeFigureHtmlFiles } from '../lib/report/figure-html-file';
import { writeTable } from '../lib/report/write-table';
import { kitVersions } from '../lib/versions';

/** Options of `reproduce`. */
export interface ReproduceOptions {
  quick?: boolean;
  fresh?: boolean;
  /** Output root (default: figures/ and runs/ for full, build/reproduce-quick/ for quick). */
  outRoot?: string;
  /** Notebooks to run (default 01..05). */
  notebooks?: string[];
  log?: (line: string) => void;
}

/** What a reproduction wrote. */
export interface ReproduceResult {
  figuresDir: string;
  runsDir: string;
  figures: string[];
  tables: string[];
  notebooks: { name: string; seconds: number }[];
  /** 'png+svg' with Chromium, 'html' without. */
  figureFormat: 'png+svg' | 'html';
  /** Why PNG/SVG were not written, when they were not. */
  skippedExport?: string;
}

/** Seconds as '41 s' or '12.5 min'. */
function minutes(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** Runs the reproduction; returns the files it wrote. */
export async function reproduce(o: ReproduceOptions = {}): Promise<ReproduceResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const outRoot = o.outRoot ?? (o.quick ? join(ROOT, 'build', 'reproduce-quick') : ROOT);
  const figuresDir = join(outRoot, 'figures');
  const runsDir = join(outRoot, 'runs');
  const collectDir = join(outRoot, 'build', 'collect');
  if (o.fresh) removeKitRuns(runsDir, log); // only the kit's own run, grid and imputer folders
  rmSync(collectDir, { recursive: true, force: true });
  mkdirSync(figuresDir, { recursive: true });
  const started = Date.now();
  const v = kitVersions(); // the code that runs: read before the notebooks, not after
  const loadAtStart = loadavg()[0];
  log(`reproduce: ${o.quick ? 'quick' : 'full'} settings; runs in ${runsDir}; figures in ${figuresDir}`);

  const runs = await runNotebooks({
    only: o.notebooks ?? ['01', '02', '03', '04', '05'],
    quick: o.quick,
    outDir: join(outRoot, 'build', 'notebooks'),
    env: { MMCKD_RUNS_DIR: runsDir, [COLLECT_ENV]: collectDir, MMCKD_FIGURES_DIR: figuresDir },
  });

  // what the notebooks handed over with ctx.figure and ctx.table
  const { figures: specs, tables } = readCollection(collectDir);
  const tableFiles: string[] = [];
  for (const t of tables) {
    tableFiles.push(...writeTable(t.rows, join(figuresDir, 'tables'), t.name, t.columns ? { columns: t.columns } : {}).map((f) => f.path));
  }
  let figureFiles: string[];
  let skippedExport: string | undefined;
  const figureFormat = findChromium() ? 'png+svg' : 'html';
  if (figureFormat === 'html') {
    skippedExport = 'no Chromium found';
    figureFiles = writeFigureHtmlFiles(specs, figuresDir).map((f) => f.path);
    log(
      `reproduce: no Chromium found, so ${specs.length} figures were written as self-contained HTML; for PNG and SVG, ` +
        'install Chromium (sudo apt-get install chromium) or set MMCKD_CHROMIUM to a Chrome/Chromium binary, and run this again',
    );
  } else {
    log(`reproduce: exporting ${specs.length} figures as PNG and SVG ...`);
    const res = await exportFigures(specs, figuresDir, { formats: ['png', 'svg'] });
    figureFiles = res.files.map((f) => f.path);
  }
  const index = [
    '# Reproduced figures and tables',
    '',
    `Made by \`npm run reproduce${o.quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: kit ${v.kit}` +
      `${v.commit ? ` (commit ${v.commit})` : ''}, TensorFlow.js ${v.tfjs}, Node ${v.node}, ${v.platform}. Every figure's caption names its dataset, seeds and backend.`,
    '',
    '## Figures',
    '',
    ...specs.map((s) =>
      figureFormat === 'html'
        ? `- \`${s.id}\`: ${s.caption.title} — [HTML](${s.id}.html)`
        : `- \`${s.id}\`: ${s.caption.title} — [PNG](${s.id}.png), [SVG](${s.id}.svg)`,
    ),
    '',
    '## Tables',
    '',
    ...tables.map((t) => `- \`${t.name}\`: [CSV](tables/${t.name}.csv), [Markdown](tables/${t.name}.md)`),
    '',
    '## Time',
    '',
    `${o.fresh ? 'From scratch (`--fresh`: every run, grid cell and imputer trained again)' : 'Reusing the finished runs found under runs/'}, on ${cpus().length} cores ` +
      `(load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end): ${minutes((Date.now() - started) / 1000)} in total, ` +
      `of which the notebooks ${minutes(runs.reduce((sum, r) => sum + r.seconds, 0))} and the figure export the rest.`,
    '',
    ...runs.map((r) => `- ${relative(ROOT, r.notebook)}: ${minutes(r.seconds)}`),
    '',
  ].join('\n');
  writeFileSync(join(figuresDir, 'README.md'), index);
  rmSync(collectDir, { recursive: true, force: true });
  log(`reproduce: ${figureFiles.length} figure files, ${tableFiles.length} table files in ${((Date.now() - started) / 1000).toFixed(0)} s; see ${join(figuresDir, 'README.md')}`);
  return {
    figuresDir,
    runsDir,
    figures: figureFiles,
    tables: tableFiles,
    notebooks: runs.map((r) => ({ name: relative(ROOT, r.notebook), seconds: r.seconds })),
    figureFormat,
    skippedExport,
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  process.on('SIGINT', () => process.exit(130)); // exit handlers end the notebook kernels
  const notebooks = ['01', '02', '03', '04', '05', ...(args.includes('--regimes') ? ['06'] : [])];
  reproduce({ quick: args.includes('--quick'), fresh: args.includes('--fresh'), notebooks }).catch((err) => {
    process.stderr.write(`reproduce: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
