/**
 * Grid workers: extra processes that train the cells of the same grid beside the calling one.
 * Each worker is `mmckd grid ... --worker` on the same folder; the run locks (lib/train/run-lock.ts)
 * hand each cell to one process, so the tables are those of one process. On a 2-core machine two
 * processes train two cells at once (each process runs one thread: wasm and OpenBLAS).
 */
import { spawn } from 'node:child_process';
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

/** Returns the `mmckd grid` arguments of a worker; throws when an override has no option. */
function gridWorkerArgs(spec: GridWorkerSpec): string[] {
  const args = ['grid', '--dataset', spec.datasetSpec, '--preset', spec.preset, '--variants', spec.variants.join(','), '--seeds', spec.seeds.join(','),
    '--protocols', spec.protocols.join(','), '--out', resolve(spec.outDir), '--no-figures', '--worker', '--workers', '1'];
  for (const [key, value] of Object.entries(spec.overrides ?? {})) {
    if (key === 'epochs') args.push('--epochs', String(value));
    else if (key === 'pretrainEpochs') args.push('--pretrain-epochs', String(value));
    else throw new Error(`grid workers: the override '${key}' has no mmckd grid option; train this grid with workers: 1`);
  }
  return args;
}

/**
 * Starts `count` worker processes; resolves each one's exit code when it ends. Their lines go to
 * this process's stderr, prefixed by the CLI with the worker's pid.
 */
export function startGridWorkers(spec: GridWorkerSpec, count: number, log?: (line: string) => void): Promise<number>[] {
  const bin = resolve(KIT_ROOT, 'bin', 'mmckd.cjs');
  const args = gridWorkerArgs(spec);
  return Array.from({ length: Math.max(0, count) }, () => new Promise<number>((done) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    log?.(`grid: worker ${child.pid} started`);
    child.on('error', (err) => {
      log?.(`grid: a worker could not start: ${err.message}`);
      done(1);
    });
    child.on('exit', (code) => done(code ?? 1));
  }));
}
