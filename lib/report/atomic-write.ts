/**
 * Atomic file writes: write to a temporary name in the same folder, then rename, so a reader
 * never sees a half-written figure or table.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `content` to `path` through a temporary file and a rename; returns the byte count. */
export function writeFileAtomic(path: string, content: string | Uint8Array): number {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return bytes.length;
}
