/**
 * `mmckd regimes`: trains the regime map (when does a teacher help, and when does imputation
 * pay?): for each regime of the synthetic generator, one grid of MM-CKD, B2, B3 and B4 (and B1
 * with the autoencoder imputer at the two ends of the sharing axis) over the seeds, P1 only;
 * then the map's table (regime-map.csv, .md), one heatmap per contrast and the findings.
 * Resumable: finished cells are read back; `--summary` trains nothing.
 */
import { join } from 'node:path';
import { integerOption, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import type { CliCommand } from '../command';
import {
  defaultGridWorkers, exportFigures, findChromium, kitPaths, kitVersions, parseSeedList, readRegimeMap, regimeHeatmaps,
  regimeMap, regimeMapFindings, regimeMapRows, regimeSpec, runRegimeMap, selectBackend, writeJson, writeTable, type RegimeResult,
} from '../../lib';

/** The options of `mmckd regimes`. */
const REGIMES_OPTIONS: OptionTable = {
  quick: { help: 'the quick map: small regimes of the quick dataset, quick training (for a first look and for tests)' },
  seeds: { value: 'LIST', help: 'comma-separated seeds', default: '1,2,3,4,5 (quick: 1,2)' },
  workers: { value: 'N', help: 'grid processes per regime', default: 'one per core' },
  only: { value: 'NAMES', help: 'comma-separated regime names (mmckd regimes --list prints them)' },
  out: { value: 'DIR', help: 'the map folder', default: 'runs/regime-map (quick: runs/regime-map-quick)' },
  list: { help: 'print the regimes (name, axis, dataset spec, variants) and exit' },
  summary: { help: 'train nothing: write the table, figures and findings of the cells already there\n(recorded in regime-map-summary.json; regime-map.json stays the training run\'s)' },
  'no-figures': { help: 'skip the PNG/SVG heatmaps' },
};

const USAGE = usageText('mmckd regimes [options]', REGIMES_OPTIONS, `Each regime is one 'mmckd grid' folder under the map folder (workers and locks as there), so two
'mmckd regimes' on one folder share the work. What theory predicts and what the map gave:
docs/regime-map.md; notebook 06 draws it.`);

export const command: CliCommand = {
  summary: 'the regime map: MM-CKD, B3, B4 vs B2 and imputation vs zero-filling over data regimes (resumable)',
  usage: USAGE,
  async run(args) {
    const p = parseOptions(args, REGIMES_OPTIONS);
    const quick = Boolean(p.options.quick);
    const size = quick ? 'quick' : 'full';
    const seeds = parseSeedList(stringOption(p, 'seeds', quick ? '1,2' : '1,2,3,4,5')!, '--seeds');
    const workers = integerOption(p, 'workers', 1, 64) ?? (quick ? 1 : defaultGridWorkers());
    const outDir = stringOption(p, 'out') ?? join(kitPaths().runs, quick ? 'regime-map-quick' : 'regime-map');
    const all = regimeMap(size);
    const only = stringOption(p, 'only')?.split(',').map((x) => x.trim()).filter(Boolean);
    for (const name of only ?? []) if (!all.some((r) => r.name === name)) throw new Error(`Expected --only to name regimes among ${all.map((r) => r.name).join(', ')}, but got '${name}'`);
    const regimes = all.filter((r) => !only || only.includes(r.name));
    const log = (line: string) => process.stderr.write(line + '\n');
    if (p.options.list) {
      for (const r of regimes) process.stdout.write(`${r.name.padEnd(16)} ${r.axis.padEnd(11)} ${regimeSpec(r).padEnd(64)} mmckd,b2,b3,b4${r.imputation ? ',b1,ae-teacher' : ''}\n`);
      return 0;
    }
    const backend = await selectBackend({ log: true });
    const t0 = Date.now();
    let results: RegimeResult[];
    if (p.options.summary) results = readRegimeMap(regimes, seeds, outDir);
    else {
      if (workers > 1) process.env.OPENBLAS_NUM_THREADS = '1'; // one BLAS thread per grid process
      results = await runRegimeMap({ regimes, seeds, outDir, trainPreset: quick ? 'quick' : 'mosi', imputerPreset: quick ? 'quick' : 'default', backend, workers, callbacks: { log } });
    }
    const seconds = (Date.now() - t0) / 1000;
    const rows = regimeMapRows(results);
    const tables = join(outDir, 'tables');
    writeTable(rows, tables, 'regime-map');
    const failures = results.flatMap((r) => r.failures);
    // --summary keeps the record of the run that trained the cells (its seconds) and writes its own beside it
    writeJson(outDir, p.options.summary ? 'regime-map-summary.json' : 'regime-map.json', {
      kind: 'mmckd-regime-map', size, seeds, regimes: regimes.map((r) => r.name), workers, backend: backend.choice, versions: kitVersions(),
      seconds, summaryOnly: Boolean(p.options.summary), failures, finished: new Date().toISOString(),
    });
    for (const f of regimeMapFindings(rows)) process.stdout.write(`${f.text}\n\n`);
    const missing = results.reduce((s, r) => s + r.planned - r.cells.length, 0);
    log(`regimes: ${results.length} regime(s), ${results.reduce((s, r) => s + r.cells.length, 0)} cells evaluated, ${missing} missing, ${failures.length} failure(s) in ${seconds.toFixed(0)} s; table: ${join(tables, 'regime-map.csv')}`);
    if (!p.options['no-figures']) {
      if (!findChromium()) log('regimes: no Chromium found, heatmaps not exported (sudo apt-get install chromium, or set MMCKD_CHROMIUM)');
      else {
        const figs = regimeHeatmaps(rows, { dataset: `synthetic-${quick ? 'quick' : 'mosi'} regimes`, seeds, backend: backend.choice });
        const res = await exportFigures(figs, join(outDir, 'figures'));
        log(`regimes: ${res.files.length} figure files in ${join(outDir, 'figures')}`);
      }
    }
    return failures.length ? 1 : 0;
  },
};
