/**
 * The CLI's options: each command declares a table (name, value placeholder, help, default), which
 * gives both the parser (Node's built-in `util.parseArgs`, strict) and the generated help text, and
 * typed accessors that parse numbers strictly and name the option at fault.
 */
import { parseArgs as parseNodeArgs } from 'node:util';

/** One option of a command: a flag when `value` is absent, else an option taking a value. */
export interface OptionSpec {
  /** Placeholder of the value in the help ('N', 'SPEC', 'DIR'); absent for a flag. */
  value?: string;
  /** What the option does; '\n' starts an indented continuation line. */
  help: string;
  /** The default, as the help shows it. */
  default?: string;
}

/** A command's options by name (without the leading --), in the order the help lists them. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Parsed arguments: flags and options by name, and positionals in order. */
export interface ParsedArgs {
  options: Record<string, string | true>;
  positionals: string[];
}

/** A negative number given as an option's value (`--tau -1`), which util.parseArgs would take for an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Parses `args` against `table` (unknown options, a missing value or a value given to a flag are
 * errors naming the option); at most `maxPositionals` positionals (default none).
 */
export function parseOptions(args: readonly string[], table: OptionTable, maxPositionals = 0): ParsedArgs {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : '';
    if (name && table[name]?.value && i + 1 < args.length && NEGATIVE_NUMBER.test(args[i + 1])) joined.push(`${a}=${args[++i]}`);
    else joined.push(a);
  }
  const options = Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, { type: spec.value ? ('string' as const) : ('boolean' as const) }]));
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: joined, options, strict: true, allowPositionals: true });
  } catch (err) {
    const e = err as { code?: string; message: string };
    const unknown = /Unknown option '(-+[^']*)'/.exec(e.message);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      throw new Error(`unknown option '${unknown[1]}' (known: ${Object.keys(table).map((k) => '--' + k).join(', ')})`);
    }
    const missing = /Option '--([^ ']+)[^']*' argument (missing|is ambiguous)/.exec(e.message);
    if (missing) throw new Error(`option '--${missing[1]}' needs a value`);
    throw new Error(e.message.split('\n')[0]);
  }
  const out: Record<string, string | true> = {};
  for (const [name, v] of Object.entries(parsed.values)) if (typeof v === 'string') out[name] = v;
  else if (v === true) out[name] = true;
  const positionals = parsed.positionals;
  if (positionals.length > maxPositionals) throw new Error(`unexpected argument '${positionals[maxPositionals]}' (options start with --)`);
  return { options: out, positionals };
}

/** The option lines of a command's help, generated from its table and aligned. */
export function optionsHelp(table: OptionTable): string {
  const heads = Object.entries(table).map(([name, s]) => `--${name}${s.value ? ' ' + s.value : ''}`);
  const width = Math.min(24, Math.max(...heads.map((h) => h.length))) + 2;
  return Object.values(table)
    .map((s, i) => {
      const lines = (s.default !== undefined ? `${s.help} (default ${s.default})` : s.help).split('\n');
      const lead = heads[i].length >= width ? `  ${heads[i]}\n  ${''.padEnd(width)}` : `  ${heads[i].padEnd(width)}`;
      return [lead + lines[0], ...lines.slice(1).map((m) => `  ${''.padEnd(width)}${m}`)].join('\n');
    })
    .join('\n');
}

/** A command's whole help: the synopsis, optional intro, the generated options and the notes. */
export function usageText(synopsis: string, table: OptionTable, notes = '', intro = ''): string {
  const parts = [`Usage: ${synopsis}`];
  if (intro) parts.push(intro);
  if (Object.keys(table).length > 0) parts.push(`Options:\n${optionsHelp(table)}`);
  if (notes) parts.push(notes);
  return parts.join('\n\n');
}

/** Returns a string option or the default; throws when the option was given as a bare flag. */
export function stringOption(p: ParsedArgs, key: string, fallback?: string): string | undefined {
  const v = p.options[key];
  if (v === undefined) return fallback;
  if (v === true) throw new Error(`option '--${key}' needs a value`);
  return v;
}

/** A decimal number as people write it: no hex, no empty string, no Infinity. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number strictly; NaN for anything else ('0x10', '', '1e400' overflowing). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) return NaN;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

/** Returns a numeric option or the default; throws naming the option when it is not a number. */
export function numberOption(p: ParsedArgs, key: string, fallback?: number): number | undefined {
  const v = stringOption(p, key);
  if (v === undefined) return fallback;
  const n = parseDecimal(v);
  if (!Number.isFinite(n)) throw new Error(`Expected --${key} to be a finite decimal number, but got '${v}'`);
  return n;
}

/** Returns an integer option in [min, max] or the default; throws naming the option otherwise. */
export function integerOption(p: ParsedArgs, key: string, min: number, max = Number.MAX_SAFE_INTEGER, fallback?: number): number | undefined {
  const v = stringOption(p, key);
  if (v === undefined) return fallback;
  const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`Expected --${key} to be an integer from ${min} to ${max}, but got '${v}'`);
  return n;
}
