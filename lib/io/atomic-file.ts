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
    throw namedWriteError(err, path, bytes.length);
  }
  return bytes.length;
}

/**
 * Returns `err` with the file it was writing named in its message when Node left it out
 * ("ENOSPC: no space left on device, write" names no file); its `code` is kept.
 */
export function namedWriteError(err: unknown, path: string, bytes?: number): unknown {
  // only the system's own errors (ENOSPC, EROFS, EACCES ...): a typed error of the caller passes unchanged
  if (!(err instanceof Error) || typeof (err as NodeJS.ErrnoException).code !== 'string' || err.message.includes(path)) return err;
  const named = new Error(`cannot write ${path}${bytes === undefined ? '' : ` (${bytes} bytes)`}: ${err.message}`);
  Object.assign(named, { code: (err as NodeJS.ErrnoException).code, cause: err });
  return named;
}
