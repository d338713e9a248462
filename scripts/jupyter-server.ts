/**
 * A classic Jupyter Notebook server (Debian's python3-notebook) of its own, for checks that open
 * notebooks in a browser: it serves one folder, finds this clone's tslab kernel through a hidden
 * .jupyter/ in that folder (and keeps its signatures there too), and stops with the processes it
 * started. Used by test/notebooks/jupyter-browser.test.ts and scripts/check-jupyter-scroll.ts.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tslabKernelSpec } from './notebook-runner';

/** Returns a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Returns the ids of the processes below `pid` (from /proc; empty elsewhere). */
function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server by its pid (SIGTERM: it shuts its kernels down), then ends what is left of its processes by their ids. */
async function stopServer(server: ChildProcess): Promise<void> {
  const pid = server.pid!;
  const below = descendants(pid);
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const p of below) if (alive(p)) process.kill(p, 'SIGKILL');
}

/** A running notebook server. */
export interface NotebookServer {
  /** e.g. 'http://127.0.0.1:8899'. */
  base: string;
  /** The token to add to URLs ('' when the server asks for none). */
  token: string;
  /** The last few kilobytes of the server's log. */
  log(): string;
  /** Stops the server and every process it started. */
  stop(): Promise<void>;
}

/**
 * Returns the Jupyter environment of a server root: JUPYTER_PATH with this clone's tslab kernel
 * spec, data (signatures), config and runtime folders, all under `<root>/.jupyter` (hidden: not
 * served).
 */
export function jupyterEnv(root: string): Record<string, string> {
  const jupyter = join(root, '.jupyter');
  mkdirSync(join(jupyter, 'path', 'kernels', 'tslab'), { recursive: true });
  writeFileSync(join(jupyter, 'path', 'kernels', 'tslab', 'kernel.json'), JSON.stringify(tslabKernelSpec()));
  return {
    JUPYTER_PATH: join(jupyter, 'path'),
    JUPYTER_DATA_DIR: join(jupyter, 'data'),
    JUPYTER_CONFIG_DIR: join(jupyter, 'config'),
    JUPYTER_RUNTIME_DIR: join(jupyter, 'runtime'),
  };
}

/** Signs notebooks for the server of `root` (`jupyter trust`), so that it runs their chart scripts; throws on failure. */
export function trustNotebooks(python: string, root: string, files: string[]): void {
  const r = spawnSync(python, ['-c', 'from nbformat.sign import TrustNotebookApp; TrustNotebookApp.launch_instance()', ...files], {
    env: { ...process.env, ...jupyterEnv(root) },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`jupyter trust failed (exit ${r.status}): ${r.stderr}`);
}

/**
 * Starts `python -m notebook` serving `root` on `port` (default a free one) and resolves once it
 * answers; throws with its log when it does not start within 2 minutes (a loaded machine is slow).
 */
export async function startNotebookServer(python: string, root: string, o: { port?: number; token?: string } = {}): Promise<NotebookServer> {
  const port = o.port ?? (await freePort());
  const token = o.token ?? '';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = spawn(
    python,
    ['-m', 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, `--NotebookApp.token=${token}`, `--notebook-dir=${root}`, ...(isRoot ? ['--allow-root'] : [])],
    { cwd: root, env: { ...process.env, ...jupyterEnv(root) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-6000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i >= 600 || server.exitCode !== null) {
      await stopServer(server);
      throw new Error(`the Jupyter server did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, token, log: () => log, stop: () => stopServer(server) };
}
