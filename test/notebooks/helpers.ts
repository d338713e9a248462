/** Runs one notebook headless in the quick setting with its own runs folder; returns its cell outputs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellOutputs, runNotebooks } from '../../scripts/notebook-runner';

/**
 * Cell outputs (text, HTML) of a quick headless run of notebook `prefix`, scripts stripped.
 * Static chart images are off unless `env` turns them on: these tests check what the notebooks
 * compute, and each kernel would otherwise start a browser (00-quickstart.test.ts checks images).
 */
export async function runQuickNotebook(prefix: string, env: Record<string, string> = {}): Promise<{ outputs: string[]; raw: string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), `mmckd-nb${prefix.replace(/\//g, '-')}-`));
  const runs = env.MMCKD_RUNS_DIR ?? join(outDir, 'runs');
  const [run] = await runNotebooks({
    only: [prefix],
    quick: true,
    outDir,
    verbose: false,
    env: { MMCKD_RUNS_DIR: runs, MMCKD_STATIC_FIGURES: '0', ...env },
  });
  const raw = cellOutputs(run.output);
  return { raw, outputs: raw.map((o) => o.replace(/<script[\s\S]*?<\/script>/g, '<script/>')) };
}

/**
 * Returns a fresh runs folder for one notebook test file: its notebook runs there, and the
 * notebook's solutions then read what it trained (MMCKD_RUNS_DIR).
 */
export function sharedRunsDir(prefix: string): string {
  return join(mkdtempSync(join(tmpdir(), `mmckd-nb${prefix}-runs-`)), 'runs');
}
