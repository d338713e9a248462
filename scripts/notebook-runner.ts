/**
 * Executes the kit's notebooks headless: Jupyter's nbclient with the tslab kernel of this clone.
 *
 * - The kernel spec is written under build/jupyter (JUPYTER_PATH points there), so the notebooks
 *   always run with this checkout's tslab, whatever the user registered globally.
 * - Executed copies go to build/notebooks/; notebooks/ stays output-free and diff-friendly.
 * - The first failing cell stops the run with the notebook and nbconvert's traceback.
 * - Executed copies are signed (`nbformat.sign`) so their plotly HTML renders when opened.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');

/** Options of `runNotebooks`. */
export interface RunNotebooksOptions {
  /** Notebook name prefixes or file names to run (e.g. ['00', '03']); all when empty. */
  only?: string[];
  /** Set MMCKD_QUICK=1 for the kernels (small data, few epochs). */
  quick?: boolean;
  /** Folder for the executed copies (default build/notebooks). */
  outDir?: string;
  /** Per-cell timeout in seconds (default 1800). */
  cellTimeout?: number;
  /** Extra environment for the kernels. */
  env?: Record<string, string>;
  /** Print progress lines to stderr (default true). */
  verbose?: boolean;
}

/** What one executed notebook produced. */
export interface NotebookRun {
  notebook: string;
  output: string;
  seconds: number;
}

/** A Jupyter with nbconvert: which Python runs it. */
export function findJupyterPython(): string {
  const candidates = [process.env.MMCKD_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter(
    (c): c is string => Boolean(c),
  );
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import nbconvert, nbclient, jupyter_client'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  throw new Error(
    'No Python with Jupyter found (tried ' + candidates.join(', ') + '). Install it: on Debian/Ubuntu ' +
      '`sudo apt-get install python3-nbconvert python3-ipykernel jupyter-client`; elsewhere ' +
      '`pip install nbconvert jupyter_client`. Or set MMCKD_PYTHON to a Python that has nbconvert.',
  );
}

/** Writes the tslab kernel spec of this clone under build/jupyter; returns the JUPYTER_PATH entry. */
export function ensureKernelSpec(python: string): string {
  const prefix = join(ROOT, 'build', 'jupyter');
  const tslab = join(ROOT, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) throw new Error(`tslab is not installed (${tslab} is missing): run npm ci first`);
  const spec = join(prefix, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
  if (!existsSync(spec) || !readFileSync(spec, 'utf8').includes(tslab)) {
    const r = spawnSync(tslab, ['install', '--python', python, '--prefix', prefix, '--binary', tslab], {
      encoding: 'utf8',
    });
    if (r.status !== 0 || !existsSync(spec)) {
      throw new Error(`tslab install failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    }
  }
  return join(prefix, 'share', 'jupyter');
}

/** Returns the notebooks of notebooks/ in order, filtered by name prefixes. */
export function listNotebooks(only: string[] = []): string[] {
  const dir = join(ROOT, 'notebooks');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  if (only.length === 0) return all.map((f) => join(dir, f));
  const picked = all.filter((f) => only.some((o) => f === o || f.startsWith(o)));
  const unmatched = only.filter((o) => !all.some((f) => f === o || f.startsWith(o)));
  if (unmatched.length > 0) throw new Error(`No notebook in notebooks/ matches: ${unmatched.join(', ')}`);
  return picked.map((f) => join(dir, f));
}

/** Executes notebooks in order and returns where the executed copies are; throws on the first error. */
export function runNotebooks(options: RunNotebooksOptions = {}): NotebookRun[] {
  const python = findJupyterPython();
  const jupyterPath = ensureKernelSpec(python);
  const outDir = options.outDir ?? join(ROOT, 'build', 'notebooks');
  mkdirSync(outDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(':'),
  };
  if (options.quick) env.MMCKD_QUICK = '1';
  const runs: NotebookRun[] = [];
  for (const nb of listNotebooks(options.only)) {
    const name = basename(nb);
    const started = Date.now();
    if (options.verbose !== false) process.stderr.write(`notebooks: running ${name}${options.quick ? ' (quick)' : ''} ...\n`);
    const output = join(outDir, name);
    const partial = join(outDir, `.${name}.partial`);
    const r = spawnSync(
      python,
      [join(ROOT, 'scripts', 'execute_notebook.py'), nb, partial, 'tslab', String(options.cellTimeout ?? 1800)],
      { cwd: join(ROOT, 'notebooks'), env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0) {
      const tail = (r.stderr || '').split('\n').slice(-60).join('\n');
      throw new Error(`notebook ${name} failed (exit ${r.status}; partial copy ${partial}.failed.ipynb):\n${tail}`);
    }
    renameSync(partial, output);
    spawnSync(python, ['-m', 'nbformat.sign', output], { stdio: 'ignore', env });
    const seconds = (Date.now() - started) / 1000;
    if (options.verbose !== false) process.stderr.write(`notebooks: ${name} done in ${seconds.toFixed(1)} s -> ${output}\n`);
    runs.push({ notebook: nb, output, seconds });
  }
  return runs;
}

/** Returns all text outputs of an executed notebook, one string per code cell. */
export function cellOutputs(executed: string): string[] {
  const nb = JSON.parse(readFileSync(executed, 'utf8')) as {
    cells: { cell_type: string; outputs?: { text?: string[] | string; data?: Record<string, string[] | string> }[] }[];
  };
  const join1 = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) =>
      (c.outputs ?? [])
        .map((o) => join1(o.text) + Object.values(o.data ?? {}).map((d) => (typeof d === 'string' ? d : join1(d))).join('\n'))
        .join('\n'),
    );
}
