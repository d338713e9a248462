/**
 * JSON files of the kit (run records, histories, evaluations, caches' manifests): read with an
 * error naming the file, written atomically with NaN and infinities as null.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-file';

/** JSON.stringify replacer that writes NaN and infinities as null (JSON has no NaN). */
export const finiteOrNull = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

/**
 * Nesting the kit's own JSON files never approach; deeper input is refused when read, since
 * JSON.parse accepts any depth but JSON.stringify (and every recursive walk) then overflows the
 * stack with a message that names nothing.
 */
export const MAX_JSON_DEPTH = 100;

/** Returns the nesting depth of a parsed JSON value (0 for a scalar), without recursion. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, depth + 1);
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Reads `<dir>/<file>` as JSON, or returns undefined when it does not exist. Names the file on bad or too deeply nested JSON. */
export function readJsonIfExists<T>(dir: string, file: string): T | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw new Error(`${path}: nested deeper than ${MAX_JSON_DEPTH} levels, which no file of the kit is`);
  return value as T;
}

/** Writes `<dir>/<file>` as pretty JSON, atomically. NaN and infinities are written as null. */
export function writeJson(dir: string, file: string, value: unknown): void {
  writeFileAtomically(join(dir, file), JSON.stringify(value, finiteOrNull, 2) + '\n');
}
