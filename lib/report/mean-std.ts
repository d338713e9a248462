/**
 * Aggregates seed-level results into mean and standard deviation per group, with arquero
 * (loaded through importEsm because arquero 8 is ESM-only).
 * @see notebooks/03-online-mmckd.ipynb
 */
import { loadArquero } from '../io/esm';
import { TableRow } from './table-format';

/** One aggregated row: the group keys, `n`, and `<metric>_mean`, `<metric>_std` per metric. */
export type MeanStdRow = Record<string, string | number>;

/**
 * Returns one row per group (groups in first-appearance order) with `n` = number of records
 * and, per metric, `<metric>_mean` and `<metric>_std`, the sample standard deviation (divisor
 * n-1; NaN when n = 1). Every metric value must be a finite number: a missing or NaN value throws
 * (naming the record and metric) rather than being skipped silently.
 */
export async function meanStdTable(records: TableRow[], groupBy: readonly string[], metrics: readonly string[]): Promise<MeanStdRow[]> {
  if (records.length === 0) return [];
  records.forEach((r, i) => {
    for (const g of groupBy) {
      if (!(g in r)) throw new Error(`Expected record ${i} to have group key '${g}', but its keys are ${Object.keys(r).join(', ')}`);
    }
    for (const m of metrics) {
      const v = r[m];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`Expected record ${i} metric '${m}' to be a finite number, but got ${JSON.stringify(v) ?? String(v)}`);
      }
    }
  });
  const aq = await loadArquero();
  const ops: Record<string, unknown> = { n: aq.op.count() };
  for (const m of metrics) {
    ops[`${m}_mean`] = aq.op.mean(m);
    ops[`${m}_std`] = aq.op.stdev(m);
  }
  const columns = [...new Set([...groupBy, ...metrics])];
  const table = aq.from(records.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))));
  const grouped = groupBy.length > 0 ? table.groupby([...groupBy]) : table;
  const out = grouped.rollup(ops as Parameters<typeof table.rollup>[0]).objects() as TableRow[];
  return out.map((row) => {
    const clean: MeanStdRow = {};
    for (const [k, v] of Object.entries(row)) clean[k] = v === undefined || v === null ? Number.NaN : (v as string | number);
    return clean;
  });
}
