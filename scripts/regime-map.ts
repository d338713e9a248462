/**
 * `npx tsx scripts/regime-map.ts [--seeds 1,2,3,4,5] [--workers 2] [--only NAME,...] [--list]`:
 * trains the regime map (lib/report/regime-map.ts): for each regime, one `mmckd grid` over
 * MM-CKD, B2, B3 and B4 (and B1 on the sharing axis) under P1, in `runs/regime-map/<regime>/`.
 * Grids are resumable and locked per cell, so the script can be stopped and started again, or
 * run in two shells at once. `--summary` prints every contrast of every regime that has cells,
 * paired by seed with a 95% t-interval, and writes it to runs/regime-map/contrasts.csv.
 * What theory predicts and what the runs gave: docs/regime-map.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SUBSET_NAMES } from '../lib/data/modalities';
import type { SubsetResult } from '../lib/eval/evaluate-subsets';
import { regimeContrasts, regimeMap, regimeSpec, type Regime, type RegimeCell } from '../lib/report/regime-map';

const ROOT = resolve(__dirname, '..');
const OUT = resolve(process.env.MMCKD_RUNS_DIR ?? join(ROOT, 'runs'), 'regime-map');
const METHODS = ['mmckd', 'b2', 'b3', 'b4'];

function opt(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
}

/** The variants a regime trains: B1 too on the sharing axis, where imputation is compared with it. */
function variantsOf(r: Regime): string[] {
  return r.axis === 'sharing' || r.name === 'n1284-noise0' ? [...METHODS, 'b1'] : METHODS;
}

function gridArgs(r: Regime, seeds: string, workers: string, extra: string[] = []): string[] {
  return ['bin/mmckd.cjs', 'grid', '--dataset', regimeSpec(r), '--variants', variantsOf(r).join(','), '--seeds', seeds, '--protocols', 'P1', '--out', join(OUT, r.name), '--workers', workers, '--no-figures', ...extra];
}

/** Reads a regime's evaluated cells (P1 test MAE per model) from its grid folder. */
function readCells(r: Regime, seeds: number[]): RegimeCell[] {
  const cells: RegimeCell[] = [];
  for (const variant of variantsOf(r)) {
    for (const seed of seeds) {
      const file = join(OUT, r.name, `${variant}-seed${seed}`, 'evaluation.json');
      if (!existsSync(file)) continue;
      const p1 = (JSON.parse(readFileSync(file, 'utf8')) as { evaluation: { p1?: SubsetResult[] } }).evaluation.p1 ?? [];
      cells.push({ variant, seed, testMae: Object.fromEntries(p1.map((x) => [x.subset, x.raw.MAE])) });
    }
  }
  return cells;
}

function summary(seeds: number[]): void {
  const fmt = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  const lines = ['regime,spec,contrast,group,n,seeds,mean_diff,ci_low,ci_high,verdict'];
  console.log('| regime | contrast | no-text students (a, v, av) | text students (ta, tv, t) | teacher (tav) |');
  console.log('|---|---|---|---|---|');
  for (const r of regimeMap()) {
    const rows = regimeContrasts(r.name, readCells(r, seeds));
    for (const contrast of [...new Set(rows.map((x) => x.contrast))]) {
      const cell = (group: string) => {
        const x = rows.find((y) => y.contrast === contrast && y.group === group)!;
        return x.n > 1 ? `${fmt(x.meanDiff)} [${fmt(x.ciLow)}, ${fmt(x.ciHigh)}] ${x.verdict}, n=${x.n}` : `${fmt(x.meanDiff)} (n=1)`;
      };
      console.log(`| ${r.name} | ${contrast} | ${cell('noText')} | ${cell('text')} | ${cell('teacher')} |`);
    }
    for (const x of rows) lines.push([r.name, JSON.stringify(regimeSpec(r)), x.contrast, x.group, x.n, x.seeds.join(' '), x.meanDiff, x.ciLow, x.ciHigh, x.verdict].join(','));
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'contrasts.csv'), lines.join('\n') + '\n');
  console.log(`\n(${SUBSET_NAMES.length} models per cell; negative is better; written to ${join(OUT, 'contrasts.csv')})`);
}

function main(): void {
  const args = process.argv.slice(2);
  const seeds = opt(args, 'seeds', '1,2,3,4,5');
  const workers = opt(args, 'workers', '2');
  const only = args.includes('--only') ? opt(args, 'only', '').split(',') : undefined;
  const regimes = regimeMap().filter((r) => !only || only.includes(r.name));
  if (only) for (const name of only) if (!regimes.some((r) => r.name === name)) throw new Error(`Expected a regime among ${regimeMap().map((r) => r.name).join(', ')}, but got '${name}'`);
  if (args.includes('--summary')) return summary(seeds.split(',').map(Number));
  for (const r of regimes) {
    console.log(`\n== regime ${r.name} (${r.axis}): ${regimeSpec(r)}`);
    const res = spawnSync(process.execPath, gridArgs(r, seeds, workers, args.includes('--list') ? ['--list'] : []), { cwd: ROOT, stdio: 'inherit' });
    if (res.signal) process.kill(process.pid, res.signal);
    if (res.status !== 0) throw new Error(`mmckd grid for regime ${r.name} failed with exit status ${res.status}`);
  }
}

main();
