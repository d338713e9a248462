/**
 * The digest of a tiny MM-CKD run (synthetic:quick, quick preset, seed 1, 1 + 2 epochs): every
 * loss term, score, gradient norm and probe value of the history, a hash of each model's final
 * weights, and the test metrics under P1 and P3c. test/train/bitwise-run.test.ts compares it, to
 * the last bit, with the digest the synchronous loop gave (test/fixtures/tiny-run-digest.json).
 *
 * `npx tsx test/train/tiny-run-digest.ts --write` records (merges into) the fixture for the backends of
 * this machine; MMCKD_NATIVE=0 and MMCKD_WASM_KERNELS=0 select the other wasm kernel engines.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo, selectBackend, type BackendChoice } from '../../lib/backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { nativeKernelEngine } from '../../lib/accelerator/index';
import { evaluateProtocols } from '../../lib/eval/evaluate-protocols';
import { splitBatches } from '../../lib/train/batch-source';
import { disposeTrainedRun, runMethod } from '../../lib/experiments/run-method';
import { loadDataset } from '../../lib/data/load-dataset';
import { standardizeDataset } from '../../lib/data/standardize';
import { quickConfig } from './helpers';

/** What a tiny run produced, in a form JSON keeps exactly (float64 numbers, hex hashes). */
export interface TinyRunDigest {
  history: unknown[];
  weights: Record<string, string>;
  metrics: unknown;
}

/** Returns the backend variant's name: 'cpu', or 'wasm+<kernel engine>'. */
export function variantName(choice: BackendChoice): string {
  return choice === 'wasm' ? `wasm+${nativeKernelEngine() ?? 'stock'}` : choice;
}

/** Trains the tiny run on the active backend and returns its digest (the run folder is removed). */
export async function tinyRunDigest(): Promise<TinyRunDigest> {
  const data = standardizeDataset(loadDataset('synthetic:quick')).dataset; // quickDataset() would select the backend again
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-tiny-digest-'));
  const backend = backendInfo()!;
  const config = quickConfig({ method: 'mmckd', pretrainEpochs: 1, epochs: 2, seed: 1 });
  const run = await runMethod({ dataset: data, config, outDir: join(dir, 'run'), batches: splitBatches, backend });
  try {
    const weights: Record<string, string> = {};
    for (const s of SUBSET_NAMES) {
      const hash = createHash('sha256');
      for (const v of run.models[s]!.variables()) hash.update(Buffer.from((await v.data() as Float32Array).buffer));
      weights[s] = hash.digest('hex');
    }
    const history = run.history.map(({ seconds: _seconds, ...rest }) => rest);
    const evaluation = await evaluateProtocols(run.predictors, data.test, ['P1', 'P3c'], 0);
    return { history, weights, metrics: { p1: evaluation.p1!.map((r) => r.raw), p3c: evaluation.p3c!.results.map((r) => r.raw) } };
  } finally {
    disposeTrainedRun(run);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The backends the digest is recorded on. */
export const DIGEST_BACKENDS: readonly BackendChoice[] = ['cpu', 'wasm'];

if (require.main === module && process.argv.includes('--write')) {
  void (async () => {
    const file = join(__dirname, '..', 'fixtures', 'tiny-run-digest.json');
    const out: Record<string, TinyRunDigest> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    for (const b of DIGEST_BACKENDS) {
      const report = await selectBackend({ force: b });
      out[variantName(report.choice)] = await tinyRunDigest();
      process.stderr.write(`${variantName(report.choice)} recorded\n`);
    }
    writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  })();
}
