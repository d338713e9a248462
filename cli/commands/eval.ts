/**
 * `mmckd eval --run DIR --protocol P1|P2|P3|P3c|all [--json]`: scores a
 * finished run under P1 (seven subsets), P2 (frame-level rates 0..1, with AUILC), P3 (IMDer's
 * per-batch modality-missing rates 0.1..0.7) and P3c (the per-clip variant) on its dataset's test
 * split; writes evaluation.json and CSV/Markdown tables to the run.
 */
import { join } from 'node:path';
import { integerOption, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import type { CliCommand } from '../command';
import {
  checkOutputFolder, disposeTrainedRun, evaluateProtocols, finiteOrNull, loadDataset, loadTrainedRun, MAX_SEED,
  MSA_METRIC_KEYS, parseProtocolName, PROTOCOL_NAMES, type ProtocolName, type RateCurve,
  readRunRecord, REPORTED_METRICS, type RunRecord, selectBackend, standardizeDataset, writeJson,
  writeTable,
} from '../../lib';

/** The options of `mmckd eval`. */
const EVAL_OPTIONS: OptionTable = {
  run: { value: 'DIR', help: 'a folder written by mmckd train (required)' },
  protocol: { value: 'P1|P2|P3|P3c|all', help: 'what to score', default: 'all' },
  'eval-seed': { value: 'N', help: 'seed of the missing-data masks; every method is scored on the same masks', default: '0' },
  json: { help: 'print the results as JSON' },
};

const USAGE = usageText('mmckd eval --run DIR [options]', EVAL_OPTIONS, `Protocols:
  P1   each of the seven modality subsets, answered by its own model
  P2   frame-level missing rate 0.0..1.0 (MMSA generate_m), per rate and AUILC
  P3   modality-missing rate 0.1..0.7 as IMDer applies it, per batch (a share of the
       batches keeps one modality, a share two, the rest all three); compare with IMDer
  P3c  modality-missing rate 0.1..0.7 per clip (each modality dropped with probability r,
       at least one kept): the kit's variant, easier at the same rate`);

/** Returns the protocols an --protocol value names; throws naming the accepted values. */
export function parseProtocol(value: string): ProtocolName[] {
  if (value === 'all') return [...PROTOCOL_NAMES];
  return [parseProtocolName(value, '--protocol (or all)')];
}

/** Returns the dataset spec a run was trained on (recorded, or inferred for older runs). */
export function datasetSpecOf(record: RunRecord): string {
  if (record.dataset.spec) return record.dataset.spec;
  if (record.dataset.source === 'synthetic') return record.dataset.name.replace(/^synthetic-/, 'synthetic:');
  if (record.dataset.path) return record.dataset.path;
  throw new Error(`run.json names no dataset spec or path (dataset ${record.dataset.name})`);
}

function curveRows(curve: RateCurve): Record<string, number>[] {
  return curve.results.map((r) => ({ rate: r.rate, ...r.metrics }));
}

export const command: CliCommand = {
  summary: 'evaluate a trained run under P1 (subsets), P2 (frame rates, AUILC), P3 (IMDer modality-missing rates, per batch) and P3c (per clip)',
  usage: USAGE,
  async run(args) {
    const p = parseOptions(args, EVAL_OPTIONS);
    const runDir = stringOption(p, 'run');
    if (!runDir) throw new Error('--run DIR is required (a folder written by mmckd train)');
    const protocols = parseProtocol(stringOption(p, 'protocol', 'all')!);
    const evalSeed = integerOption(p, 'eval-seed', 0, MAX_SEED, 0)!;
    const record = readRunRecord(runDir);
    checkOutputFolder(runDir, 'run folder'); // a read-only folder is refused before the evaluation's work, not after
    const backend = await selectBackend({ log: !p.options.json });
    const { dataset } = standardizeDataset(loadDataset(datasetSpecOf(record)));
    const run = await loadTrainedRun(runDir);
    try {
      const evaluation = await evaluateProtocols(run.predictors, dataset.test, protocols, evalSeed);
      const tables = join(runDir, 'tables');
      // The results are printed even when saving them fails; the failure is then the exit status.
      let saveError: unknown;
      try {
        writeJson(runDir, 'evaluation.json', { protocols, config: record.config, backend: backend.choice, evaluation });
        if (evaluation.p1) writeTable(evaluation.p1.map((r) => ({ subset: r.subset, ...r.metrics })), tables, 'p1-subsets');
        if (evaluation.p2) {
          writeTable(curveRows(evaluation.p2), tables, 'p2-frame-rates');
          writeTable([Object.fromEntries(Object.entries(evaluation.p2.auilc).map(([k, v]) => [`AUILC_${k}`, v!]))], tables, 'p2-auilc');
        }
        if (evaluation.p3) writeTable(curveRows(evaluation.p3), tables, 'p3-modality-rates-imder');
        if (evaluation.p3c) writeTable(curveRows(evaluation.p3c), tables, 'p3c-modality-rates-per-clip');
      } catch (err) {
        saveError = err;
      }
      if (p.options.json) {
        process.stdout.write(JSON.stringify({ run: runDir, method: record.config.method, seed: record.seed, backend: backend.choice, ...evaluation }, finiteOrNull, 2) + '\n');
        if (saveError) throw saveError;
        return 0;
      }
      const keys = REPORTED_METRICS;
      const head = (first: string) => `${first.padEnd(8)}${keys.map((k) => k.padStart(15)).join('')}`;
      const line = (first: string, m: Record<string, number>) => `${first.padEnd(8)}${keys.map((k) => (Number.isFinite(m[k]) ? m[k].toFixed(4) : 'undefined').padStart(15)).join('')}`;
      const out: string[] = [`Run ${runDir}: ${record.config.method}, seed ${record.seed}, trained on ${record.backend.choice}, evaluated on ${backend.choice}, mask seed ${evalSeed}`];
      if (evaluation.p1) out.push('', 'P1 modality subsets (test)', head('subset'), ...evaluation.p1.map((r) => line(r.subset, r.metrics)));
      const curves = [
        ['P2 frame-level missing rate (test)', evaluation.p2],
        [`P3 modality-missing rate, IMDer per batch (test, batches of ${evaluation.p3?.batchSize})`, evaluation.p3],
        ['P3c modality-missing rate, per clip (test)', evaluation.p3c],
      ] as const;
      for (const [name, curve] of curves) {
        if (!curve) continue;
        out.push('', name, head('rate'), ...curve.results.map((r) => line(r.rate.toFixed(1), r.metrics)));
        if (curve.protocol === 'P2') {
          out.push(`AUILC  ${MSA_METRIC_KEYS.map((k) => `${k} ${Number.isFinite(curve.auilc[k]!) ? curve.auilc[k]!.toFixed(4) : 'undefined'}`).join('  ')}`);
        }
      }
      out.push('', saveError ? 'Tables: not saved (below)' : `Tables: ${tables}`);
      process.stdout.write(out.join('\n') + '\n');
      if (saveError) throw saveError;
    } finally {
      disposeTrainedRun(run);
    }
    return 0;
  },
};
