/** `mmckd metrics`: scores a predictions file against a truth file with MMSA's eight metrics. */
import { readFileSync, statSync } from 'node:fs';
import { parseDecimal, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import type { CliCommand } from '../command';
import { MSA_METRIC_KEYS, msaMetrics } from '../../lib';

/** Returns the numbers of a file: a JSON array, or one number per line (blank lines skipped); errors name the file and line or index. */
export function readNumbers(path: string): number[] {
  let text: string;
  try {
    // a FIFO would block and a device (/dev/zero) never end: only regular files are read
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as Error).message})`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of numbers`);
    return parsed.map((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        const got = typeof v === 'number' ? `${v} (a number past float64's range)` : JSON.stringify(v)?.slice(0, 40);
        throw new Error(`${path}: index ${i}: expected a finite number, but got ${got}`);
      }
      return v;
    });
  }
  const out: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '') return;
    const v = parseDecimal(s);
    if (!Number.isFinite(v)) throw new Error(`${path}: line ${i + 1}: expected a finite decimal number, but got '${s.slice(0, 40)}'`);
    out.push(v);
  });
  return out;
}

/** The options of `mmckd metrics`. */
const METRICS_OPTIONS: OptionTable = {
  pred: { value: 'FILE', help: 'predictions: a JSON array of numbers, or one number per line (required)' },
  truth: { value: 'FILE', help: 'labels, in the same format and order (required)' },
  'f1-order': { value: 'truth-first|pred-first', help: "pred-first reproduces MMSA before May 2021 (f1_score(preds, truth))", default: 'truth-first' },
  json: { help: 'print rounded and raw values as JSON' },
};

const USAGE = usageText('mmckd metrics --pred FILE --truth FILE [options]', METRICS_OPTIONS, [
  "Prints MMSA's eight keys (Has0_acc_2, Has0_F1_score, Non0_acc_2, Non0_F1_score, Mult_acc_5,",
  'Mult_acc_7, MAE, Corr), rounded to 4 decimals as MMSA does; --json prints rounded and raw values',
  '(undefined values such as Corr of constant predictions are null).',
].join('\n'));

export const command: CliCommand = {
  summary: "score predictions against truth with MMSA's MOSI/MOSEI metrics",
  usage: USAGE,
  async run(args) {
    try {
      const p = parseOptions(args, METRICS_OPTIONS);
      const predPath = stringOption(p, 'pred');
      const truthPath = stringOption(p, 'truth');
      if (!predPath || !truthPath) throw new Error('both --pred FILE and --truth FILE are required');
      const order = stringOption(p, 'f1-order', 'truth-first');
      if (order !== 'truth-first' && order !== 'pred-first') {
        throw new Error(`Expected --f1-order to be truth-first or pred-first, but got '${order}'`);
      }
      const pred = readNumbers(predPath);
      const truth = readNumbers(truthPath);
      if (pred.length !== truth.length) {
        throw new Error(`${predPath} has ${pred.length} values but ${truthPath} has ${truth.length}`);
      }
      const result = msaMetrics(pred, truth, { f1Order: order });
      if (p.options.json) {
        process.stdout.write(JSON.stringify({ ...result, f1Order: order }, null, 2) + '\n');
        return 0;
      }
      const lines = MSA_METRIC_KEYS.map((k) => `${k.padEnd(14)} ${Number.isNaN(result.rounded[k]) ? 'NaN' : result.rounded[k].toFixed(4)}`);
      lines.push(`(${result.counts.n} clips, ${result.counts.nonZero} with truth != 0)`);
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } catch (err) {
      process.stderr.write(`mmckd metrics: ${(err as Error).message}\n`);
      return 2;
    }
  },
};
