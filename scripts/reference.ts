/**
 * `npm run reference -- [options]`: trains the PyTorch reference learner (bench/reference_learner.py)
 * on exactly the data the kit trains on and writes its P1 table, the bar the kit's own models
 * must clear.
 *
 * 1. Loads the dataset as `mmckd train` does: `standardizeDataset(loadDataset(spec)).dataset`.
 * 2. Exports it to build/reference/<dataset-name>/ (exportDatasetArrays; an export of the same
 *    arrays is reused).
 * 3. Runs bench/reference_learner.py with MMCKD_PYTHON, else /usr/bin/python3 (Debian's
 *    python3-torch), one model per modality subset and seed.
 * 4. Writes figures/tables/reference-p1.csv and .json (reference-p1-<dataset>.* for another
 *    dataset; build/reference/tables/ with --quick) and prints the table as Markdown.
 *
 * Exit status: 0 done, 1 some runs failed (they are in the table), 2 bad option or export,
 * 3 torch or numpy missing.
 */
import { basename, dirname, join } from 'node:path';
import { integerOption, parseOptions as parseCommandLine, stringOption, usageText, type OptionTable } from '../cli/args';
import { parseSeedList } from '../lib/train/config';
import { exportDatasetArrays } from '../lib/data/export-arrays';
import { loadDataset } from '../lib/data/load-dataset';
import { SUBSET_NAMES, isSubsetName } from '../lib/data/modalities';
import { standardizeDataset } from '../lib/data/standardize';
import { kitPaths } from '../lib/paths';
import { referencePython, torchAvailability } from '../lib/experiments/pytorch-reference';
import { ReferenceLearnerError, referenceMarkdown, runReferenceLearner, writeReferenceTables } from './reference-learner';

/** The options of `npm run reference`. */
const REFERENCE_OPTIONS: OptionTable = {
  dataset: { value: 'SPEC', help: 'synthetic | synthetic:quick | path/to/aligned_50.pkl', default: 'synthetic' },
  seeds: { value: 'LIST', help: 'comma-separated seeds', default: '1,2,3' },
  subsets: { value: 'LIST', help: 'modality subsets, e.g. tav,t,a', default: 'all 7' },
  epochs: { value: 'N', help: 'training epochs per model', default: '40; 5 with --quick' },
  threads: { value: 'N', help: 'torch threads', default: '1' },
  quick: { help: 'the small synthetic:quick set, 5 epochs, tables under build/reference/tables' },
  fresh: { help: 'rewrite the export even when an identical one exists' },
  'export-dir': { value: 'DIR', help: 'where the export goes', default: 'build/reference/<dataset-name>' },
  out: { value: 'DIR', help: 'where the tables go', default: 'figures/tables' },
  help: { help: 'print this help' },
};

const USAGE = usageText('npm run reference -- [options]', REFERENCE_OPTIONS, `MMCKD_PYTHON selects the Python (default /usr/bin/python3; it needs torch and numpy:
sudo apt-get install python3-torch python3-numpy).`);

/** What the command line asks for, with defaults filled in. */
interface ReferenceOptions {
  dataset: string;
  seeds: number[];
  subsets: string[];
  epochs: number;
  threads: number;
  quick: boolean;
  fresh: boolean;
  exportDir?: string;
  outDir?: string;
}

/** Returns the options of the command line; throws naming the option at fault. */
function parseOptions(argv: string[]): ReferenceOptions {
  const p = parseCommandLine(argv, REFERENCE_OPTIONS);
  const quick = Boolean(p.options.quick);
  const seeds = parseSeedList(stringOption(p, 'seeds', '1,2,3')!, '--seeds');
  const subsets = stringOption(p, 'subsets', SUBSET_NAMES.join(','))!.split(',').map((s) => s.trim());
  for (const s of subsets) if (!isSubsetName(s)) throw new Error(`Expected --subsets among ${SUBSET_NAMES.join(',')}, but got '${s}'`);
  const epochs = integerOption(p, 'epochs', 1, Number.MAX_SAFE_INTEGER, quick ? 5 : 40)!;
  const threads = integerOption(p, 'threads', 1, 1024, 1)!;
  return {
    dataset: stringOption(p, 'dataset', quick ? 'synthetic:quick' : 'synthetic')!,
    seeds, subsets, epochs, threads, quick,
    fresh: Boolean(p.options.fresh),
    exportDir: stringOption(p, 'export-dir'),
    outDir: stringOption(p, 'out'),
  };
}

/** Runs the command; returns the exit status (see the module doc). */
export function main(argv: string[]): number {
  if (argv.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let o: ReferenceOptions;
  try {
    o = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`reference: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(line + '\n');
  const python = referencePython();
  const torch = torchAvailability(python);
  if (!torch.ok) {
    log(`reference: ${torch.missing}`);
    return 3;
  }

  const { dataset } = standardizeDataset(loadDataset(o.dataset));
  const name = dataset.meta.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const build = join(kitPaths().root, 'build', 'reference');
  const exported = exportDatasetArrays(dataset, o.exportDir ?? join(build, name), { reuse: !o.fresh });
  log(`reference: ${o.dataset} (${name}) -> ${exported.dir} (${exported.reused ? 'reused' : 'written'}, ${(exported.bytes / 2 ** 20).toFixed(0)} MiB, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  log(`reference: ${python}, torch ${torch.torch}, numpy ${torch.numpy}`);

  let result;
  try {
    result = runReferenceLearner({
      exportDir: exported.dir,
      outJson: join(dirname(exported.dir), `${basename(exported.dir)}-result.json`),
      seeds: o.seeds,
      subsets: o.subsets,
      epochs: o.epochs,
      threads: o.threads,
      python,
    });
  } catch (err) {
    if (err instanceof ReferenceLearnerError) {
      log(`reference: ${err.message}`);
      return err.exitCode === 3 ? 3 : 2;
    }
    throw err;
  }

  const tableName = o.dataset === 'synthetic' ? 'reference-p1' : `reference-p1-${name}`;
  const outDir = o.outDir ?? (o.quick ? join(build, 'tables') : join(kitPaths().figures, 'tables'));
  const written = writeReferenceTables(result, outDir, tableName);
  const cfg = result.config;
  process.stdout.write(
    `\nReference learner, P1 test metrics on ${result.export.dataset} (mean ± std over seeds ${result.seeds.join(',')}; ` +
      `${cfg.epochs} epochs, h ${cfg.hidden}, AdamW lr ${cfg.lr} wd ${cfg.weight_decay}, torch ${result.versions.torch}):\n\n`,
  );
  process.stdout.write(referenceMarkdown(result));
  process.stdout.write(`\nWrote ${written.join(', ')}. Training took ${result.wall_seconds.toFixed(0)} s; total ${((Date.now() - t0) / 1000).toFixed(0)} s.\n`);
  if (result.failed.length > 0) {
    log(`reference: ${result.failed.length} run(s) failed: ${result.failed.map((f) => `${f.subset} seed ${f.seed} (${f.error})`).join('; ')}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
