/** A tiny typed argument parser for the CLI: `--key value`, `--flag`, positionals. */

/** Parsed arguments: flags and options by name, and positionals in order. */
export interface ParsedArgs {
  options: Record<string, string | true>;
  positionals: string[];
}

/**
 * Parses `args`; `flags` lists the options that take no value. Throws on an unknown option
 * when `known` is given.
 */
export function parseArgs(args: string[], flags: readonly string[] = [], known?: readonly string[]): ParsedArgs {
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (known && !known.includes(key) && !flags.includes(key)) {
        throw new Error(`unknown option '--${key}' (known: ${[...flags, ...known].map((k) => '--' + k).join(', ')})`);
      }
      if (eq > 0) options[key] = a.slice(eq + 1);
      else if (flags.includes(key)) options[key] = true;
      else {
        const value = args[i + 1];
        if (value === undefined || value.startsWith('--')) throw new Error(`option '--${key}' needs a value`);
        options[key] = value;
        i++;
      }
    } else positionals.push(a);
  }
  return { options, positionals };
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

/** Throws when a command that takes no positional arguments got one. */
export function noPositionals(p: ParsedArgs): void {
  if (p.positionals.length > 0) throw new Error(`unexpected argument '${p.positionals[0]}' (options start with --)`);
}
