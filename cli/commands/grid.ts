/**
 * `mmckd grid`: trains and evaluates methods and ablations over seeds (resumable: finished
 * cells are reused), then writes mean ± std tables (CSV, Markdown) and figures (PNG, SVG when
 * Chromium is installed) to the grid folder.
 */
import { join } from 'node:path';
import { parseArgs, stringOption } from '../args';
import type { CliCommand } from '../command';
import { selectBackend } from '../../lib/backend';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import { ABLATION_VARIANTS, DEFAULT_GRID_SEEDS, GRID_VARIANTS, METHOD_VARIANTS, gridFolderName, runGrid } from '../../lib/eval/experiment-grid';
import { isProtocolName, PROTOCOL_NAMES } from '../../lib/eval/evaluate-protocols';
import { findChromium } from '../../lib/report/chromium';
import { exportFigures } from '../../lib/report/export-figures';
import { gridFigures, gridTables, writeGridTables } from '../../lib/report/grid-report';
import { kitPaths } from '../../lib/paths';
import { isTrainPreset, type TrainConfig } from '../../lib/train/config';
import { terminalProgress } from '../../lib/train/progress';
import { writeJson } from '../../lib/train/run-folder';

const USAGE = `Usage: mmckd grid [options]

  --dataset SPEC      synthetic | synthetic:quick | path/to/aligned_50.pkl   (default synthetic)
  --preset NAME       quick | mosi | mosei                                   (default mosi)
  --variants LIST     comma-separated, or 'methods' (${METHOD_VARIANTS.join(',')}),
                      'ablations' (${ABLATION_VARIANTS.join(',')}), or 'all'   (default methods)
  --seeds LIST        comma-separated seeds                                  (default ${DEFAULT_GRID_SEEDS.join(',')})
  --protocols LIST    ${PROTOCOL_NAMES.join(',').padEnd(55)}(default all four)
                      P1 subsets, P2 frame rates, P3 IMDer's per-batch modality-missing
                      rate (mr-imder), P3c the per-clip variant (mr-clip)
  --out DIR           grid folder (default runs/grid-<data>-<preset>)
  --epochs N --pretrain-epochs N   override the preset for every cell
  --no-figures        skip PNG/SVG export

Variants: ${Object.keys(GRID_VARIANTS).join(', ')}.`;

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
    const p = parseArgs(args, ['no-figures'], ['dataset', 'preset', 'variants', 'seeds', 'protocols', 'out', 'epochs', 'pretrain-epochs']);
    const spec = stringOption(p, 'dataset', 'synthetic')!;
    const preset = stringOption(p, 'preset', 'mosi')!;
    if (!isTrainPreset(preset)) throw new Error(`Expected --preset to be quick, mosi or mosei, but got '${preset}'`);
    const variants = parseVariants(stringOption(p, 'variants', 'methods')!);
    const seeds = stringOption(p, 'seeds', DEFAULT_GRID_SEEDS.join(','))!.split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`Expected --seeds to be integers >= 0, but got '${s}'`);
      return n;
    });
    const protocols = stringOption(p, 'protocols', PROTOCOL_NAMES.join(','))!.split(',').map((pr) => {
      if (!isProtocolName(pr)) throw new Error(`Expected --protocols among ${PROTOCOL_NAMES.join(', ')}, but got '${pr}'${pr === 'mr' ? " ('mr' is now mr-imder or mr-clip)" : ''}`);
      return pr;
    });
    const overrides: Partial<TrainConfig> = {};
    const epochs = stringOption(p, 'epochs');
    if (epochs !== undefined) overrides.epochs = Number(epochs);
    const pre = stringOption(p, 'pretrain-epochs');
    if (pre !== undefined) overrides.pretrainEpochs = Number(pre);
    const outDir = stringOption(p, 'out') ?? join(kitPaths().runs, gridFolderName(spec, preset));
    const backend = await selectBackend({ log: true });
    const log = (line: string) => process.stderr.write(line + '\n');
    const t0 = Date.now();
    const { dataset } = standardizeDataset(loadDataset(spec));
    const cells = await runGrid({
      dataset, datasetSpec: spec, preset, variants, seeds, outDir, protocols, backend, overrides,
      callbacks: { ...terminalProgress(), log },
    });
    const tables = await gridTables(cells);
    const files = writeGridTables(tables, join(outDir, 'tables'));
    writeJson(outDir, 'grid.json', { dataset: dataset.meta.name, spec, preset, variants, seeds, protocols, backend: backend.choice, cells: cells.map((c) => ({ variant: c.variant, seed: c.seed, runDir: c.runDir })) });
    for (const r of tables.mmckdVsB2) {
      const f = (v: string | number) => Number(v).toFixed(4);
      log(`grid: MM-CKD - B2 test MAE, ${r.subset}: ${f(r.mean_diff)}, 95% CI [${f(r.ci_low)}, ${f(r.ci_high)}] over ${r.n} seeds: ${r.verdict}`);
    }
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
