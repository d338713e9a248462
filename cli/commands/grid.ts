/**
 * `mmckd grid`: trains and evaluates methods and ablations over seeds (resumable: finished
 * cells are reused), then writes mean ± std tables (CSV, Markdown) and figures (PNG, SVG when
 * Chromium is installed) to the grid folder.
 */
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { integerOption, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import { presetOption, presetOptionSpec } from '../preset-option';
import type { CliCommand } from '../command';
import {
  ABLATION_VARIANTS, DEFAULT_GRID_SEEDS, defaultGridWorkers, exportFigures, findChromium,
  GRID_VARIANTS, gridCells, gridFigures, gridFolderName, gridTables, isRunLocked,
  kitPaths, loadDataset, METHOD_VARIANTS, pairedDifferenceLine, parseProtocolName, parseSeedList,
  PROTOCOL_NAMES, readLockOwner, runGrid, selectBackend, standardizeDataset, terminalProgress,
  type TrainConfig, writeGridTables, writeJson,
} from '../../lib';

/** Reads --overrides-json: a JSON object of config fields (validated with every cell's config); throws naming the option. */
function overridesOption(text: string | undefined): Partial<TrainConfig> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`Expected --overrides-json to be JSON, but got '${text}' (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`Expected --overrides-json to be a JSON object of config fields, but got '${text}'`);
  return value as Partial<TrainConfig>;
}

/** The options of `mmckd grid`. */
const GRID_OPTIONS: OptionTable = {
  dataset: { value: 'SPEC', help: 'synthetic | synthetic:quick | synthetic:mosi?counts.train=300&addedLabelNoise=0.5 (docs/synthetic-data.md) | path/to/aligned_50.pkl', default: 'synthetic' },
  preset: presetOptionSpec(),
  variants: { value: 'LIST', help: `comma-separated, or 'methods' (${METHOD_VARIANTS.join(',')}),\n'ablations' (${ABLATION_VARIANTS.join(',')}), or 'all'`, default: 'methods' },
  seeds: { value: 'LIST', help: 'comma-separated seeds', default: DEFAULT_GRID_SEEDS.join(',') },
  protocols: { value: 'LIST', help: `comma-separated among ${PROTOCOL_NAMES.join(',')}: P1 subsets, P2 frame rates,\nP3 IMDer's per-batch modality-missing rate, P3c the per-clip variant`, default: 'all four' },
  out: { value: 'DIR', help: 'grid folder', default: 'runs/grid-<data>-<preset>' },
  epochs: { value: 'N', help: 'override the preset for every cell' },
  'pretrain-epochs': { value: 'N', help: 'override the preset for every cell' },
  'no-figures': { help: 'skip PNG/SVG export' },
  workers: { value: 'N', help: `train N cells at once, in N processes (1 trains in this process alone)`, default: `the number of cores, ${cpus().length} here` },
  list: { help: "print the grid's cells (K, variant, seed, folder, state) and exit" },
  cell: { value: 'K', help: 'train and evaluate cell K alone (one task of a job array), no tables' },
  worker: { help: 'run as one of the worker processes --workers starts (internal)' },
  'overrides-json': { value: 'JSON', help: "config overrides for every cell, as JSON, e.g. '{\"lambda\":0.5}' (what --workers\npasses to its workers; --epochs and --pretrain-epochs win over it)" },
};

const USAGE = usageText('mmckd grid [options]', GRID_OPTIONS, `Each cell is trained under its folder's lock (.lock, .lock-owner.json), so workers, job-array tasks
and a second 'mmckd grid' on the same folder share the work and no cell trains twice; a lock left
by a process that died is taken over (at once on this machine, after 2 minutes from another).
A cluster job array: run 'mmckd grid --cell $SLURM_ARRAY_TASK_ID ...' per task on a shared
folder, then one 'mmckd grid ...' (same options) writes the tables (README, "Beyond one machine").

Variants: ${Object.keys(GRID_VARIANTS).join(', ')}.`);

/** The --list output: one line per cell with its state. */
function formatCellList(plan: ReturnType<typeof gridCells>): string {
  const lines = plan.map((c) => {
    let state = existsSync(join(c.runDir, 'run.json')) ? 'started' : 'to train';
    if (existsSync(join(c.runDir, 'evaluation.json'))) state = 'finished';
    else if (isRunLocked(c.runDir)) {
      const owner = readLockOwner(c.runDir);
      state = owner ? `locked by ${owner.pid}@${owner.host}` : 'locked';
    }
    return `${String(c.index).padStart(3)}  ${c.variant.padEnd(20)} seed ${String(c.seed).padEnd(4)} ${state.padEnd(24)} ${c.runDir}`;
  });
  return `${lines.join('\n')}\n${plan.length} cells\n`;
}

/** Expands the --variants option; throws naming an unknown variant. */
export function parseVariants(value: string): string[] {
  if (value === 'methods') return [...METHOD_VARIANTS];
  if (value === 'ablations') return [...ABLATION_VARIANTS];
  if (value === 'all') return [...new Set([...METHOD_VARIANTS, ...ABLATION_VARIANTS])];
  const list = value.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of list) if (!GRID_VARIANTS[v]) throw new Error(`Expected --variants among ${Object.keys(GRID_VARIANTS).join(', ')}, but got '${v}'`);
  return list;
}

export const command: CliCommand = {
  summary: 'train and evaluate methods/ablations x seeds (resumable) and write mean ± std tables and figures',
  usage: USAGE,
  async run(args) {
    const p = parseOptions(args, GRID_OPTIONS);
    const spec = stringOption(p, 'dataset', 'synthetic')!;
    const preset = presetOption(p);
    const variants = parseVariants(stringOption(p, 'variants', 'methods')!);
    const seeds = parseSeedList(stringOption(p, 'seeds', DEFAULT_GRID_SEEDS.join(','))!, '--seeds');
    const protocols = stringOption(p, 'protocols', PROTOCOL_NAMES.join(','))!.split(',').map((pr) => parseProtocolName(pr, '--protocols'));
    const overrides: Partial<TrainConfig> = overridesOption(stringOption(p, 'overrides-json'));
    const epochs = integerOption(p, 'epochs', 0);
    if (epochs !== undefined) overrides.epochs = epochs;
    const pre = integerOption(p, 'pretrain-epochs', 0);
    if (pre !== undefined) overrides.pretrainEpochs = pre;
    const workers = integerOption(p, 'workers', 1, 64) ?? defaultGridWorkers();
    const cell = integerOption(p, 'cell', 1);
    const outDir = stringOption(p, 'out') ?? join(kitPaths().runs, gridFolderName(spec, preset));
    const plan = gridCells({ variants, seeds, preset, overrides, outDir }); // validates every cell's config
    if (cell !== undefined && cell > plan.length) throw new Error(`Expected --cell between 1 and ${plan.length} (mmckd grid --list prints them), but got ${cell}`);
    if (p.options.list) {
      process.stdout.write(formatCellList(plan));
      return 0;
    }
    const log = (line: string) => process.stderr.write(line + '\n');
    const worker = Boolean(p.options.worker);
    const alone = cell !== undefined || worker || workers <= 1;
    // Several processes on one machine: one BLAS thread each, so they do not fight over the cores.
    if (!alone || worker) process.env.OPENBLAS_NUM_THREADS = '1';
    const backend = await selectBackend({ log: !worker });
    const t0 = Date.now();
    const { dataset } = standardizeDataset(loadDataset(spec));
    const cells = await runGrid({
      dataset, datasetSpec: spec, preset, variants, seeds, outDir, protocols, backend, overrides,
      only: cell !== undefined ? [cell] : undefined,
      workers: alone ? 1 : workers,
      worker,
      callbacks: { ...(worker ? {} : terminalProgress()), log: worker ? (line) => log(`worker ${process.pid}: ${line}`) : log },
    });
    if (worker || cell !== undefined) {
      log(`grid: ${cells.filter((c) => c.computed).length} cell(s) computed by this ${worker ? 'worker' : 'task'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      return 0;
    }
    const tables = await gridTables(cells);
    const files = writeGridTables(tables, join(outDir, 'tables'));
    writeJson(outDir, 'grid.json', { dataset: dataset.meta.name, spec, preset, variants, seeds, protocols, backend: backend.choice, cells: cells.map((c) => ({ variant: c.variant, seed: c.seed, runDir: c.runDir })) });
    for (const r of tables.mmckdVsB2) log(`grid: test MAE, ${pairedDifferenceLine(r)}`);
    log(`grid: ${cells.length} cells (${cells.filter((c) => c.computed).length} computed now) in ${((Date.now() - t0) / 1000).toFixed(0)} s; tables: ${files.filter((f) => f.endsWith('.md')).join(', ')}`);
    if (!p.options['no-figures']) {
      const figs = gridFigures(tables, METHOD_VARIANTS, ABLATION_VARIANTS, { dataset: dataset.meta.name, seeds, backend: backend.choice });
      if (!findChromium()) log('grid: no Chromium found, figures not exported (sudo apt-get install chromium, or set MMCKD_CHROMIUM)');
      else {
        const res = await exportFigures(figs, join(outDir, 'figures'));
        log(`grid: ${res.files.length} figure files in ${join(outDir, 'figures')}`);
      }
    }
    process.stdout.write(tables.students.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return 0;
  },
};
