/**
 * Reads a dataset file with errors a user can act on: a missing file, a folder or an unreadable
 * file is reported in one line naming the path, not as a raw ENOENT / EISDIR / EACCES.
 */
import { readFileSync, statSync } from 'node:fs';
import { DatasetFormatError } from './errors';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
};

/** Returns the reason a path cannot be read as a file, in a few words. */
function unreadableReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  return (code && REASONS[code]) ?? (err as Error).message;
}

/** Checks that `path` is a readable file; throws DatasetFormatError naming it otherwise. */
export function checkDatasetFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    throw new DatasetFormatError({ file: path }, `cannot read the dataset: ${unreadableReason(err)}`);
  }
  if (!isFile) throw new DatasetFormatError({ file: path }, 'cannot read the dataset: not a regular file');
}

/** Reads a whole dataset file; throws DatasetFormatError naming it when it cannot be read. */
export function readDatasetFile(path: string): Buffer {
  checkDatasetFile(path);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DatasetFormatError({ file: path }, `cannot read the dataset: ${unreadableReason(err)}`);
  }
}
