/** Runs one notebook headless in the quick setting with its own runs folder; returns its cell outputs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellOutputs, runNotebooks } from '../../scripts/notebook-runner';

/** Cell outputs (text, HTML) of a quick headless run of notebook `prefix`, scripts stripped. */
export function runQuickNotebook(prefix: string, env: Record<string, string> = {}): { outputs: string[]; raw: string[] } {
  const outDir = mkdtempSync(join(tmpdir(), `mmckd-nb${prefix}-`));
  const runs = env.MMCKD_RUNS_DIR ?? join(outDir, 'runs');
  const [run] = runNotebooks({ only: [prefix], quick: true, outDir, verbose: false, env: { MMCKD_RUNS_DIR: runs, ...env } });
  const raw = cellOutputs(run.output);
  return { raw, outputs: raw.map((o) => o.replace(/<script[\s\S]*?<\/script>/g, '<script/>')) };
}
