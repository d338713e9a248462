/**
 * `npm run kernel:install`: registers this clone's tslab as the Jupyter kernel "TypeScript" for
 * the current user (kernel.json under the user's Jupyter data folder, written directly, so no
 * Python is needed), then prints the command that opens the notebooks. Jupyter must be started
 * in the kit's folder so its server can serve the kit's plotly.js to the notebooks' charts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT, tslabKernelSpec } from './notebook-runner';

/** Returns the user's Jupyter data folder as jupyter_core computes it (JUPYTER_DATA_DIR first). */
export function jupyterDataDir(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

/** Returns which Jupyter front-end command is on PATH: 'notebook', 'lab', or undefined. */
export function jupyterFrontEnd(): 'notebook' | 'lab' | undefined {
  for (const app of ['notebook', 'lab'] as const) {
    if (spawnSync(`jupyter-${app}`, ['--version'], { stdio: 'ignore' }).status === 0) return app;
  }
  return undefined;
}

/** Returns the shell command that opens notebook 00 with the server rooted at the kit's folder. */
export function openCommand(app: 'notebook' | 'lab', isRoot: boolean): string {
  return `cd ${JSON.stringify(ROOT)} && jupyter ${app} --notebook-dir=.${isRoot ? ' --allow-root' : ''} notebooks/00-quickstart.ipynb`;
}

if (require.main === module) {
  const dir = join(jupyterDataDir(), 'kernels', 'tslab');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(tslabKernelSpec(), null, 1) + '\n');
  process.stdout.write(`kernel: this clone's tslab is registered as "TypeScript" (kernel name tslab) in ${dir}\n`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const app = jupyterFrontEnd();
  if (app) {
    process.stdout.write(`open the notebooks with:\n  ${openCommand(app, isRoot)}\n`);
  } else {
    process.stdout.write(
      'no Jupyter found to open the notebooks (they also run headless: npm run notebooks). Install one:\n' +
        '  Debian/Ubuntu: sudo apt-get install python3-notebook\n' +
        '  JupyterLab:    python3 -m venv ~/.venvs/jupyter && ~/.venvs/jupyter/bin/pip install jupyterlab (Debian: python3-venv)\n' +
        '                 (then put ~/.venvs/jupyter/bin on PATH)\n' +
        `then open them with:\n  ${openCommand('notebook', isRoot)}\n`,
    );
  }
}
