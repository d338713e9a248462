/**
 * JSON files of the kit (run records, histories, evaluations, caches' manifests): read with an
 * error naming the file, written atomically with NaN and infinities as null.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-file';

/** JSON.stringify replacer that writes NaN and infinities as null (JSON has no NaN). */
export const finiteOrNull = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

/** Reads `<dir>/<file>` as JSON, or returns undefined when it does not exist. Names the file on bad JSON. */
export function readJsonIfExists<T>(dir: string, file: string): T | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Writes `<dir>/<file>` as pretty JSON, atomically. NaN and infinities are written as null. */
export function writeJson(dir: string, file: string, value: unknown): void {
  writeFileAtomically(join(dir, file), JSON.stringify(value, finiteOrNull, 2) + '\n');
}
