/**
 * The kit's P1 results beside the PyTorch reference learner's (`npm run reference`, which writes
 * figures/tables/reference-p1.json): test MAE per modality subset, mean and std over seeds, and
 * each method's mean minus the reference's mean. The reference is the bar the kit's own models
 * must clear on the same data.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { kitPaths } from '../paths';
import type { MeanStdRow } from './mean-std';
import { formatMeanStd } from './table-format';

/** One row of the reference table: a subset, its successful seeds, test MAE mean and std (null where NaN). */
export interface ReferenceTableRow {
  subset: string;
  n: number;
  MAE_mean: number | null;
  MAE_std: number | null;
}

/** The part of reference-p1.json (written by scripts/reference-learner.ts) that the comparison reads. */
export interface ReferenceTableJson {
  table: ReferenceTableRow[];
  result: { export: { dataset: string; contentHash?: string; kit?: { version: string; commit?: string } }; seeds: number[] };
}

/** Returns NaN for null or a missing value (the reference JSON writes NaN as null). */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * Returns one row per subset of the reference table that the grid also has: subset,
 * reference_n, reference_MAE_mean, reference_MAE_std, then for each variant `<v>_n`,
 * `<v>_MAE_mean`, `<v>_MAE_std` (from `p1Rows`, gridTables' p1) and `<v>_minus_reference`
 * (its mean MAE minus the reference's: negative means the variant beats the reference).
 * A variant without that subset gets NaN. Throws when `reference` has no table rows.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function referenceComparisonRows(p1Rows: readonly MeanStdRow[], reference: ReferenceTableJson, variants: readonly string[] = ['mmckd', 'b2']): MeanStdRow[] {
  if (!Array.isArray(reference?.table)) throw new Error(`Expected the reference JSON to have a 'table' array, but got ${typeof reference?.table}`);
  return reference.table
    .filter((ref) => p1Rows.some((r) => r.subset === ref.subset))
    .map((ref) => {
      const row: MeanStdRow = { subset: ref.subset, reference_n: ref.n, reference_MAE_mean: num(ref.MAE_mean), reference_MAE_std: num(ref.MAE_std) };
      for (const v of variants) {
        const r = p1Rows.find((x) => x.variant === v && x.subset === ref.subset);
        row[`${v}_n`] = r ? num(r.n) : Number.NaN;
        row[`${v}_MAE_mean`] = r ? num(r.MAE_mean) : Number.NaN;
        row[`${v}_MAE_std`] = r ? num(r.MAE_std) : Number.NaN;
        row[`${v}_minus_reference`] = num(row[`${v}_MAE_mean`]) - num(row.reference_MAE_mean);
      }
      return row;
    });
}

/** A reference table file: its path (relative to the kit's root) and its contents. */
export interface ReferenceTableFile {
  file: string;
  json: ReferenceTableJson;
}

/** The reference table made on a dataset, if one is found, and the other reference tables found. */
export interface ReferenceTableSearch {
  match?: ReferenceTableFile;
  others: ReferenceTableFile[];
}

/**
 * Returns the reference table made on the dataset named `datasetName`, looking in
 * `<figuresDir>/tables` (default the kit's figures/) at reference-p1.json and
 * reference-p1-<dataset>.json, the names `npm run reference` writes; the match is by the dataset
 * name the file records.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
export function findReferenceTable(datasetName: string, figuresDir = kitPaths().figures): ReferenceTableSearch {
  const names = ['reference-p1.json', `reference-p1-${datasetName.replace(/[^A-Za-z0-9._-]/g, '_')}.json`];
  const found = names
    .map((f) => join(figuresDir, 'tables', f))
    .filter((f) => existsSync(f))
    .map((f) => ({ file: relative(kitPaths().root, f), json: JSON.parse(readFileSync(f, 'utf8')) as ReferenceTableJson }));
  const match = found.find((r) => r.json.result?.export?.dataset === datasetName);
  return { match, others: found.filter((r) => r !== match) };
}

/** Returns `referenceComparisonRows`' rows for display: MAE as 'mean ± std', seeds, and method minus reference. */
export function referenceDisplayRows(rows: readonly MeanStdRow[]): Record<string, string | number>[] {
  const meanStd = (r: MeanStdRow, prefix: string) => formatMeanStd(Number(r[`${prefix}_MAE_mean`]), Number(r[`${prefix}_MAE_std`]));
  return rows.map((r) => ({
    subset: r.subset,
    'reference MAE': meanStd(r, 'reference'),
    'reference seeds': r.reference_n,
    'MM-CKD MAE': meanStd(r, 'mmckd'),
    'B2 MAE': meanStd(r, 'b2'),
    'grid seeds': r.mmckd_n,
    'MM-CKD - reference': r.mmckd_minus_reference,
    'B2 - reference': r.b2_minus_reference,
  }));
}

/** Returns the line saying that no reference table was made on `datasetName`, which files were found instead, and the command that makes one. */
export function missingReferenceLine(datasetName: string, datasetSpec: string, others: readonly ReferenceTableFile[]): string {
  const found = others.map((r) => `${r.file} was made on ${r.json.result?.export?.dataset ?? 'an unrecorded dataset'}`).join('; ');
  const command = datasetSpec === 'synthetic' ? 'npm run reference' : `npm run reference -- --dataset ${datasetSpec}`;
  return `no reference learner table for ${datasetName}${found ? ` (${found}, a different dataset)` : ''}: \`${command}\` makes one`;
}
