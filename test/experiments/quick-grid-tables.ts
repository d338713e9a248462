/**
 * The quick grid's tables, computed the same way before and after a change that should not alter
 * them (issue 26 moved the grid into lib/experiments): synthetic:quick, preset quick, MM-CKD and
 * B2, seed 1, P1 only, on the pure-JS cpu backend (deterministic, present on every machine).
 * Run this file to write the fixture: `npx tsx test/experiments/quick-grid-tables.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectBackend } from '../../lib/backend';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import { runGrid } from '../../lib/experiments/experiment-grid';
import { gridTables } from '../../lib/report/grid-report';

/** Where the fixture lives. */
export const QUICK_GRID_FIXTURE = resolve(__dirname, '..', 'fixtures', 'quick-grid-tables.json');

/**
 * Returns the quick grid's tables, and each cell's unrounded P1 evaluation (the tables round to 4
 * digits), as plain JSON: non-finite numbers spelled as strings, so NaN survives.
 */
export async function quickGridTables(): Promise<unknown> {
  const backend = await selectBackend({ force: 'cpu' });
  const dataset = standardizeDataset(loadDataset('synthetic:quick')).dataset;
  const outDir = mkdtempSync(join(tmpdir(), 'mmckd-quick-grid-'));
  try {
    const cells = await runGrid({ dataset, datasetSpec: 'synthetic:quick', preset: 'quick', variants: ['mmckd', 'b2'], seeds: [1], protocols: ['P1'], backend, outDir });
    const tables = await gridTables(cells);
    const evaluations = cells.map((c) => ({ variant: c.variant, seed: c.seed, p1: c.evaluation.p1 }));
    return JSON.parse(JSON.stringify({ tables, evaluations }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void quickGridTables().then((tables) => {
    writeFileSync(QUICK_GRID_FIXTURE, `${JSON.stringify(tables, null, 2)}\n`);
    process.stdout.write(`wrote ${QUICK_GRID_FIXTURE}\n`);
  });
}
