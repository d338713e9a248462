/**
 * Writes a table as CSV and GitHub Markdown side by side, atomically.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { join } from 'node:path';
import { writeFileAtomically } from '../io/atomic-file';
import { TableFormatOptions, TableLike, TableRow, toCsv, toMarkdown } from './table-format';

/** A file the report layer wrote. */
export interface WrittenFile {
  path: string;
  bytes: number;
}

/** Returns `name` when it is a file-name safe table name ([A-Za-z0-9._-], starting with a letter or digit); throws otherwise. */
export function checkTableName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Expected a file-name safe table name, but got ${JSON.stringify(name)}`);
  return name;
}

/**
 * Writes `<dir>/<name>.csv` and `<dir>/<name>.md` (numbers to 4 decimals by default), each
 * through a temporary file and a rename; returns the two files with their sizes.
 */
export function writeTable(input: TableRow[] | TableLike, dir: string, name: string, options: TableFormatOptions = {}): WrittenFile[] {
  checkTableName(name);
  const out: WrittenFile[] = [];
  for (const [ext, text] of [['csv', toCsv(input, options)], ['md', toMarkdown(input, options)]] as const) {
    const path = join(dir, `${name}.${ext}`);
    out.push({ path, bytes: writeFileAtomically(path, text) });
  }
  return out;
}
