/**
 * Table text: rows from plain objects or an arquero table, cell formatting (numbers to 4
 * decimals), mean ± std, CSV (RFC 4180), GitHub Markdown pipe tables and HTML tables.
 * @see notebooks/03-online-mmckd.ipynb
 */

/** A table row: column name -> cell value. */
export type TableRow = Record<string, unknown>;

/** What the table functions accept besides row arrays: anything with arquero's `objects()` and `columnNames()`. */
export interface TableLike {
  objects(): object[];
  columnNames(): string[];
}

/** Formatting options shared by the table writers. */
export interface TableFormatOptions {
  /** Decimals for non-integer numbers; default 4. */
  digits?: number;
  /** Column order; default the table's columns (first-seen order over all rows). */
  columns?: string[];
}

/** Returns rows and column names from a row array or an arquero table. */
function tableRows(input: TableRow[] | TableLike, columns?: string[]): { rows: TableRow[]; columns: string[] } {
  if (Array.isArray(input)) {
    const seen: string[] = [];
    const set = new Set<string>();
    for (const r of input) for (const k of Object.keys(r)) if (!set.has(k)) { set.add(k); seen.push(k); }
    return { rows: input, columns: columns ?? seen };
  }
  if (input && typeof input.objects === 'function' && typeof input.columnNames === 'function') {
    return { rows: input.objects() as TableRow[], columns: columns ?? input.columnNames() };
  }
  throw new Error('Expected an array of row objects or an arquero table, but got ' + typeof input);
}

/**
 * Returns rows with columns renamed by `labels` (field name -> label; others kept, order kept),
 * for display: e.g. `relabelColumns(rows, { ci_low: '95% CI low' })`.
 */
export function relabelColumns<V>(rows: Record<string, V>[], labels: Readonly<Record<string, string>>): Record<string, V>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [labels[k] ?? k, v])));
}

/** Returns a cell as text: integers as is, other numbers to `digits` decimals, null/undefined/NaN as ''. */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Returns "mean ± std" with `digits` decimals (e.g. "0.7812 ± 0.0123"); just the mean when std is missing. */
export function formatMeanStd(mean: number, std?: number, digits = 4): string {
  const m = mean.toFixed(digits);
  return std === undefined || Number.isNaN(std) ? m : `${m} ± ${std.toFixed(digits)}`;
}

/**
 * Returns a formatter for one column: when any of its numbers is not an integer, all its numbers
 * get `digits` decimals (so 1 prints as 1.0000 next to 0.8123); integer columns (n, seed) stay integers.
 */
function columnFormatter(rows: TableRow[], column: string, digits = 4): (value: unknown) => string {
  const fractional = rows.some((r) => {
    const v = r[column];
    return typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v);
  });
  return (value) => (fractional && typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : formatCell(value, digits));
}

function formatters(rows: TableRow[], columns: string[], digits?: number): ((value: unknown) => string)[] {
  return columns.map((c) => columnFormatter(rows, c, digits));
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Returns CSV text (numbers per columnFormatter; header row, comma separated, quoted where needed, '\n' line ends, trailing newline). */
export function toCsv(input: TableRow[] | TableLike, options: TableFormatOptions = {}): string {
  const { rows, columns } = tableRows(input, options.columns);
  const fmt = formatters(rows, columns, options.digits);
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c, i) => csvField(fmt[i](r[c]))).join(','));
  return lines.join('\n') + '\n';
}

function isNumericColumn(rows: TableRow[], column: string): boolean {
  let any = false;
  for (const r of rows) {
    const v = r[column];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return false;
    any = true;
  }
  return any;
}

/** Returns a GitHub Markdown pipe table (numeric columns right-aligned, '|' escaped), trailing newline. */
export function toMarkdown(input: TableRow[] | TableLike, options: TableFormatOptions = {}): string {
  const { rows, columns } = tableRows(input, options.columns);
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const header = `| ${columns.map(esc).join(' | ')} |`;
  const rule = `| ${columns.map((c) => (isNumericColumn(rows, c) ? '---:' : '---')).join(' | ')} |`;
  const fmt = formatters(rows, columns, options.digits);
  const body = rows.map((r) => `| ${columns.map((c, i) => esc(fmt[i](r[c]))).join(' | ')} |`);
  return [header, rule, ...body].join('\n') + '\n';
}

/** Returns text with &, < and > and " escaped for HTML text and attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Options of tableHtml. */
export interface TableHtmlOptions extends TableFormatOptions {
  /** Caption shown above the table. */
  caption?: string;
  /** Show at most this many rows, then a "… N more rows" line; default 200. */
  maxRows?: number;
}

/** Returns a self-contained, readable HTML table (numbers right-aligned to 4 decimals, escaped text). */
export function tableHtml(input: TableRow[] | TableLike, options: TableHtmlOptions = {}): string {
  const { rows, columns } = tableRows(input, options.columns);
  const maxRows = options.maxRows ?? 200;
  const numeric = new Set(columns.filter((c) => isNumericColumn(rows, c)));
  const cell = (tag: 'td' | 'th', c: string, text: string) =>
    `<${tag} style="padding:3px 10px;border-bottom:1px solid #ddd;text-align:${numeric.has(c) ? 'right' : 'left'};${numeric.has(c) ? 'font-variant-numeric:tabular-nums;' : ''}">${escapeHtml(text)}</${tag}>`;
  const parts = ['<table class="mmckd-table" style="border-collapse:collapse;font-size:13px;font-family:sans-serif;">'];
  if (options.caption) parts.push(`<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0;">${escapeHtml(options.caption)}</caption>`);
  parts.push(`<thead><tr>${columns.map((c) => cell('th', c, c)).join('')}</tr></thead>`, '<tbody>');
  const fmt = formatters(rows, columns, options.digits);
  for (const r of rows.slice(0, maxRows)) parts.push(`<tr>${columns.map((c, i) => cell('td', c, fmt[i](r[c]))).join('')}</tr>`);
  parts.push('</tbody></table>');
  if (rows.length > maxRows) parts.push(`<div style="font-size:12px;color:#666;">… ${rows.length - maxRows} more rows</div>`);
  return parts.join('\n');
}
