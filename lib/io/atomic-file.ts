/**
 * Writes a file atomically, for every layer that persists one (run records, checkpoints' saved
 * tensors, figures, tables, notebooks): the bytes go to a temporary sibling named with this
 * process's pid (`.name.tmp-<pid>`, which lib/io/stale-temp-files.ts recognises), then a rename
 * replaces the file, so a reader never sees half a file; a failed write removes its temporary.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `content` to `path` through a temporary file and a rename; returns the byte count. */
export function writeFileAtomically(path: string, content: string | Uint8Array): number {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
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
