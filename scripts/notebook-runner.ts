/**
 * Executes the kit's notebooks headless with this clone's tslab kernel.
 *
 * - Executor 'node' (default): the kit's own Jupyter client (scripts/jupyter/) starts the tslab
 *   kernel and speaks the Jupyter messaging protocol to it over ZeroMQ, with the zeromq package
 *   tslab already loads, so Node alone runs the notebooks. This route was chosen over running
 *   tslab's converter and executor inside this process because the kernel then is the very
 *   process Jupyter starts (same outputs, same display machinery, one process per notebook with
 *   its own environment), and a crash or a hung cell cannot take the runner down.
 * - Executor 'nbclient' (MMCKD_NOTEBOOK_EXECUTOR=nbclient): Jupyter's nbclient in Python, with a
 *   kernel spec of this clone written under build/jupyter (JUPYTER_PATH points there).
 * - Executed copies go to build/notebooks/; notebooks/ stays output-free and diff-friendly.
 * - The first failing cell stops the run with the notebook, the cell and its error text.
 * - When a Python with nbformat is found, executed copies are signed (trusted) for this user, so
 *   Jupyter runs their chart scripts without asking; unsigned, the charts show their static images.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { executeNotebook } from './jupyter/execute-notebook';
import { tslabBin } from './jupyter/kernel';
import { readNotebook, writeNotebook } from './jupyter/notebook-file';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');

/** How notebooks are executed: the kit's own Node client, or Jupyter's nbclient in Python. */
export type NotebookExecutor = 'node' | 'nbclient';

/** Options of `runNotebooks`. */
export interface RunNotebooksOptions {
  /** Notebook name prefixes or file names to run (e.g. ['00', '03']); all when empty. */
  only?: string[];
  /** Set MMCKD_QUICK=1 for the kernels (small data, few epochs). */
  quick?: boolean;
  /** Folder for the executed copies (default build/notebooks). */
  outDir?: string;
  /** Seconds a cell may stay silent before it is stopped (the Node executor; nbclient counts the whole cell); default 1800. */
  cellTimeout?: number;
  /** Extra environment for the kernels. */
  env?: Record<string, string>;
  /** Print progress lines to stderr (default true). */
  verbose?: boolean;
  /** Default: MMCKD_NOTEBOOK_EXECUTOR, else 'node'. */
  executor?: NotebookExecutor;
}

/** What one executed notebook produced. */
export interface NotebookRun {
  notebook: string;
  output: string;
  seconds: number;
  /** Bytes of the executed copy. */
  bytes: number;
  /** Whether the executed copy was signed (trusted) for this user. */
  signed: boolean;
}

/** Thrown when a notebook cell fails; names the notebook, the cell and where the partial copy is. */
export class NotebookRunError extends Error {
  constructor(
    message: string,
    readonly notebook: string,
    readonly partialCopy: string,
  ) {
    super(message);
    this.name = 'NotebookRunError';
  }
}

/**
 * Returns a Python that can import `modules`, or undefined: MMCKD_JUPYTER_PYTHON when set ('none'
 * means no Python at all), else MMCKD_PYTHON, /usr/bin/python3, python3.
 */
export function findJupyterPython(modules: string[] = ['nbformat'], env: Record<string, string | undefined> = process.env): string | undefined {
  const chosen = env.MMCKD_JUPYTER_PYTHON;
  if (chosen === 'none') return undefined;
  const candidates = chosen ? [chosen] : [env.MMCKD_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Returns the executor named by `MMCKD_NOTEBOOK_EXECUTOR` (default 'node'); throws for other names. */
export function notebookExecutor(env: Record<string, string | undefined> = process.env): NotebookExecutor {
  const v = env.MMCKD_NOTEBOOK_EXECUTOR ?? 'node';
  if (v === '' || v === 'node') return 'node';
  if (v === 'nbclient') return 'nbclient';
  throw new Error(`Expected MMCKD_NOTEBOOK_EXECUTOR to be 'node' or 'nbclient', but got '${v}'`);
}

/** Returns the kernel spec (kernel.json) that starts this clone's tslab with this Node. */
export function tslabKernelSpec(): { argv: string[]; display_name: string; language: string } {
  return { argv: [process.execPath, tslabBin(), 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
}

/** Writes the tslab kernel spec of this clone under build/jupyter; returns the JUPYTER_PATH entry. */
export function ensureKernelSpec(): string {
  const prefix = join(ROOT, 'build', 'jupyter', 'share', 'jupyter');
  const dir = join(prefix, 'kernels', 'tslab');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(tslabKernelSpec(), null, 1) + '\n');
  return prefix;
}

/**
 * Returns the notebooks of notebooks/ in order, filtered by name prefixes; a prefix that starts
 * with 'solutions/' picks from notebooks/solutions/ (the exercises' solutions, run by the tests).
 */
export function listNotebooks(only: string[] = []): string[] {
  const dir = join(ROOT, 'notebooks');
  const inFolder = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.ipynb')).sort() : []);
  const all = inFolder(dir);
  if (only.length === 0) return all.map((f) => join(dir, f));
  const solutions = inFolder(join(dir, 'solutions')).map((f) => `solutions/${f}`);
  const candidates = [...all, ...solutions];
  const matches = (f: string, o: string) => f === o || f.startsWith(o);
  const picked = candidates.filter((f) => only.some((o) => matches(f, o) && (o.startsWith('solutions/') || !f.startsWith('solutions/'))));
  const unmatched = only.filter((o) => !candidates.some((f) => matches(f, o)));
  if (unmatched.length > 0) throw new Error(`No notebook in notebooks/ matches: ${unmatched.join(', ')}`);
  return picked.map((f) => join(dir, f));
}

async function runWithNode(nb: string, output: string, failedCopy: string, env: NodeJS.ProcessEnv, cellTimeout: number): Promise<void> {
  const notebook = readNotebook(nb);
  const { failure } = await executeNotebook(notebook, { cwd: dirname(nb), env, cellTimeout }).catch((err: Error) => {
    writeNotebook(failedCopy, notebook);
    throw new NotebookRunError(`notebook ${basename(nb)}: ${err.message} (partial copy ${failedCopy})`, nb, failedCopy);
  });
  if (failure) {
    writeNotebook(failedCopy, notebook);
    throw new NotebookRunError(
      `notebook ${basename(nb)}: cell ${failure.index} failed (partial copy ${failedCopy}):\n${failure.source}\n--- error ---\n${failure.error.trim()}`,
      nb,
      failedCopy,
    );
  }
  writeNotebook(output, notebook);
}

function runWithNbclient(nb: string, output: string, failedCopy: string, env: NodeJS.ProcessEnv, cellTimeout: number): void {
  const python = findJupyterPython(['nbclient', 'nbformat', 'jupyter_client'], env);
  if (!python) {
    throw new Error(
      'MMCKD_NOTEBOOK_EXECUTOR=nbclient needs a Python with nbclient (tried ' +
        (env.MMCKD_JUPYTER_PYTHON ? `MMCKD_JUPYTER_PYTHON=${env.MMCKD_JUPYTER_PYTHON}` : 'MMCKD_PYTHON, /usr/bin/python3, python3') +
        '): `sudo apt-get install python3-nbclient python3-ipykernel` on Debian/Ubuntu, or `pip install nbclient`; ' +
        'or unset MMCKD_NOTEBOOK_EXECUTOR to run the notebooks with Node alone.',
    );
  }
  const partial = `${output}.partial`;
  const jupyterPath = ensureKernelSpec();
  const r = spawnSync(python, [join(ROOT, 'scripts', 'execute_notebook.py'), nb, partial, 'tslab', String(cellTimeout)], {
    cwd: dirname(nb),
    env: { ...env, JUPYTER_PATH: [jupyterPath, env.JUPYTER_PATH].filter(Boolean).join(':') },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    if (existsSync(`${partial}.failed.ipynb`)) writeFileSync(failedCopy, readFileSync(`${partial}.failed.ipynb`));
    rmSync(`${partial}.failed.ipynb`, { force: true });
    const tail = (r.stderr || '').split('\n').slice(-60).join('\n');
    throw new NotebookRunError(`notebook ${basename(nb)} failed under nbclient (exit ${r.status}; partial copy ${failedCopy}):\n${tail}`, nb, failedCopy);
  }
  renameSync(partial, output);
}

/** Signs `file` for this user with nbformat when a Python has it; returns whether it did. */
export function signNotebook(file: string, env: Record<string, string | undefined> = process.env): boolean {
  const python = findJupyterPython(['nbformat'], env);
  if (!python) return false;
  return spawnSync(python, ['-m', 'nbformat.sign', file], { stdio: 'ignore', env: env as NodeJS.ProcessEnv }).status === 0;
}

/** Executes notebooks in order and returns where the executed copies are; throws NotebookRunError on the first failing cell. */
export async function runNotebooks(options: RunNotebooksOptions = {}): Promise<NotebookRun[]> {
  const outDir = options.outDir ?? join(ROOT, 'build', 'notebooks');
  mkdirSync(outDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.quick) env.MMCKD_QUICK = '1';
  const executor = options.executor ?? notebookExecutor(env);
  const cellTimeout = options.cellTimeout ?? 1800;
  const verbose = options.verbose !== false;
  const log = (line: string) => {
    if (verbose) process.stderr.write(line + '\n');
  };
  const runs: NotebookRun[] = [];
  for (const nb of listNotebooks(options.only)) {
    const name = basename(nb);
    const started = Date.now();
    log(`notebooks: running ${name}${options.quick ? ' (quick)' : ''} with the ${executor === 'node' ? 'Node' : 'nbclient'} executor ...`);
    const output = join(outDir, name);
    const failedCopy = join(outDir, name.replace(/\.ipynb$/, '.failed.ipynb'));
    rmSync(failedCopy, { force: true });
    if (executor === 'node') await runWithNode(nb, output, failedCopy, env, cellTimeout);
    else runWithNbclient(nb, output, failedCopy, env, cellTimeout);
    const signed = signNotebook(output, env);
    const seconds = (Date.now() - started) / 1000;
    const bytes = readFileSync(output).length;
    log(`notebooks: ${name} done in ${seconds.toFixed(1)} s -> ${output} (${(bytes / 1024).toFixed(0)} KB${signed ? ', signed' : ', not signed: no Python with nbformat'})`);
    runs.push({ notebook: nb, output, seconds, bytes, signed });
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
