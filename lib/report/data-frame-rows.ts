/**
 * A danfojs DataFrame as the kit's table rows, so `tableHtml` (and the CSV/Markdown writers) show
 * it like every other table: one row per index entry, the index in a first, unnamed column.
 * @see notebooks/01-data-prep.ipynb
 */
import type { TableRow } from './table-format';

/** The part of a danfojs DataFrame that `dataFrameRows` reads (danfojs itself is not imported). */
export interface DataFrameLike {
  columns: readonly string[];
  index: readonly (string | number)[];
  values: readonly (readonly unknown[])[] | readonly unknown[];
}

/** Returns one row per index entry of `frame`: '' holds the index, numbers rounded to `digits` decimals (default 3). */
export function dataFrameRows(frame: DataFrameLike, digits = 3): TableRow[] {
  const values = frame.values as readonly unknown[];
  return frame.index.map((name, r) => {
    const cells = values[r];
    if (!Array.isArray(cells)) throw new Error(`Expected row ${r} of the DataFrame's values to be an array, but got ${typeof cells}`);
    const row: TableRow = { '': name };
    frame.columns.forEach((c, k) => {
      const v = cells[k] as unknown;
      row[c] = typeof v === 'number' ? +v.toFixed(digits) : v;
    });
    return row;
  });
}
