/** Text output of the GPU check: aligned tables and numbers, printed as they come. */

/** Returns the rows as an aligned text table under its header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Formats a relative error or a small number in scientific notation ('-' for undefined). */
export function sci(x: number | undefined): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? '0' : x.toExponential(1);
}

/** Formats a number with `digits` decimals ('-' for undefined or NaN). */
export function fixed(x: number | undefined, digits = 1): string {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits);
}

/** Prints a section header with the seconds since the check started. */
export function section(title: string, startedMs: number): void {
  process.stdout.write(`\n== ${title} (t=${((performance.now() - startedMs) / 1000).toFixed(0)} s)\n`);
}

/** Returns the first line of an error's message. */
export function errorLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}
