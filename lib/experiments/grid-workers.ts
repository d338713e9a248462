/**
 * Grid workers: extra processes that train the cells of the same grid beside the calling one.
 * Each worker is `mmckd grid ... --worker` on the same folder; the run locks (lib/experiments/run-lock.ts)
 * hand each cell to one process, so the tables are those of one process. On a 2-core machine two
 * processes train two cells at once (each process runs one thread: wasm and OpenBLAS).
 *
 * Stopping: the starting process forwards SIGINT and SIGTERM to its workers and waits for them
 * before it ends (`forwardStopSignals`); a worker ends when the process that started it is gone
 * (its parent pid changes, or its stdout pipe breaks: EPIPE) instead of training on alone
 * (`stopWhenParentGone`). Either way the process ends through the signal, so the locks' exit
 * handlers release what it held and an interrupted cell resumes from its last committed epoch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { KIT_ROOT } from '../paths';
import type { TrainConfig } from '../train/config';

/** The default number of grid processes: one per core. */
export function defaultGridWorkers(): number {
  return Math.max(1, cpus().length);
}

/** What a worker needs to rebuild the grid: everything `mmckd grid` takes as options. */
export interface GridWorkerSpec {
  datasetSpec: string;
  preset: string;
  variants: readonly string[];
  seeds: readonly number[];
  protocols: readonly string[];
  outDir: string;
  overrides?: Partial<TrainConfig>;
}

/** Returns the `mmckd grid` arguments of a worker: the grid's options, and the config overrides whole, as JSON. */
export function gridWorkerArgs(spec: GridWorkerSpec): string[] {
  const args = ['grid', '--dataset', spec.datasetSpec, '--preset', spec.preset, '--variants', spec.variants.join(','), '--seeds', spec.seeds.join(','),
    '--protocols', spec.protocols.join(','), '--out', resolve(spec.outDir), '--no-figures', '--worker', '--workers', '1'];
  if (spec.overrides && Object.keys(spec.overrides).length > 0) args.push('--overrides-json', JSON.stringify(spec.overrides));
  return args;
}

/** The line a worker writes on its stdout when it has loaded its data and is about to claim cells. */
export const GRID_WORKER_READY = 'mmckd-grid-worker-ready';

/** How long the starting process waits for its workers to be ready before it trains without them. */
const READY_TIMEOUT_MS = 60_000;

/** Started workers: each one's exit code, and when all of them are ready (or ended, or the wait timed out). */
export interface GridWorkers {
  exits: Promise<number>[];
  ready: Promise<void>;
  /** Sends `signal` to every worker still running; returns how many were signalled. */
  signal(signal: NodeJS.Signals): number;
}

/**
 * Starts `count` worker processes. Their lines go to this process's stderr, prefixed by the CLI
 * with the worker's pid; `ready` resolves once each has loaded its data (it prints
 * GRID_WORKER_READY), so that the cells are shared from the first one on instead of this process
 * training the quick ones while the workers start.
 */
export function startGridWorkers(spec: GridWorkerSpec, count: number, log?: (line: string) => void): GridWorkers {
  const bin = resolve(KIT_ROOT, 'bin', 'mmckd.cjs');
  const args = gridWorkerArgs(spec);
  const readiness: Promise<void>[] = [];
  const running = new Set<ChildProcess>();
  const exits = Array.from({ length: Math.max(0, count) }, () => new Promise<number>((done) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    running.add(child);
    child.on('exit', () => running.delete(child));
    log?.(`grid: worker ${child.pid} started`);
    readiness.push(new Promise<void>((ready) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes(GRID_WORKER_READY)) ready();
      });
      child.on('exit', () => ready());
      child.on('error', () => ready());
    }));
    child.on('error', (err) => {
      log?.(`grid: a worker could not start: ${err.message}`);
      done(1);
    });
    child.on('exit', (code) => done(code ?? 1));
  }));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolveTimeout) => {
    timer = setTimeout(() => {
      log?.(`grid: workers not ready after ${READY_TIMEOUT_MS / 1000} s; training without waiting for them`);
      resolveTimeout();
    }, READY_TIMEOUT_MS);
  });
  const ready = Promise.race([Promise.all(readiness).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  const signal = (sig: NodeJS.Signals): number => {
    let n = 0;
    for (const child of running) if (child.exitCode === null && child.kill(sig)) n++;
    return n;
  };
  return { exits, ready, signal };
}

/** How long the starting process waits for signalled workers before it kills them (SIGKILL). */
const WORKER_STOP_GRACE_MS = 20_000;

/** The signals a user stops a grid with. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * While the returned function is not called, SIGINT and SIGTERM to this process are forwarded to
 * `workers`; once they have ended (SIGKILL after a grace period) this process ends by the same
 * signal. Returns the function that removes the handlers.
 */
export function forwardStopSignals(workers: GridWorkers, log?: (line: string) => void): () => void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const n = workers.signal(sig);
    log?.(`grid: ${sig}: stopping ${n} worker(s), then this process`);
    const grace = setTimeout(() => workers.signal('SIGKILL'), WORKER_STOP_GRACE_MS);
    void Promise.all(workers.exits).then(() => {
      clearTimeout(grace);
      remove();
      process.kill(process.pid, sig); // now ends by the signal's own handling (the locks' exit handlers included)
    });
  };
  const handlers = STOP_SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  const remove = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
  return remove;
}

/** How often a worker checks that the process that started it still runs. */
const PARENT_POLL_MS = 1000;

/**
 * Makes this worker end (by SIGTERM to itself, so its locks are released) when the process that
 * started it is gone: its parent pid changes, or a write to its stdout or stderr fails with EPIPE.
 * Returns the function that stops watching.
 */
export function stopWhenParentGone(log?: (line: string) => void): () => void {
  const parent = process.ppid;
  let stopped = false;
  const stop = (why: string): void => {
    if (stopped) return;
    stopped = true;
    try {
      log?.(`the grid process that started this worker is gone (${why}); stopping`);
    } catch {
      // stderr may be the broken pipe
    }
    process.kill(process.pid, 'SIGTERM');
  };
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop(`parent ${parent} ended`);
  }, PARENT_POLL_MS);
  timer.unref();
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') stop('EPIPE on its output');
    else throw err;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
  return () => {
    clearInterval(timer);
    process.stdout.off('error', onError);
    process.stderr.off('error', onError);
  };
}
