/**
 * Writes a folder atomically, for every layer that persists one (checkpoints, run state, dataset
 * exports): `fill(tmp)` writes into a fresh temporary sibling, which then replaces `dir`. A failure
 * in `fill` or in the swap removes the temporary folder and leaves the previous `dir` intact.
 * (No npm package renames folders atomically; write-file-atomic and friends handle single files.)
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { namedWriteError } from './atomic-file';

/** Replaces `dir` by what `fill` writes into a temporary sibling folder; returns nothing. */
export function writeFolderAtomically(dir: string, fill: (tmp: string) => void): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}`);
  const old = join(parent, `.${basename(dir)}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    fill(tmp);
    const hadOld = existsSync(dir);
    if (hadOld) renameSync(dir, old);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (hadOld) renameSync(old, dir); // put the previous folder back
      throw err;
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw namedWriteError(err, dir);
  }
  rmSync(old, { recursive: true, force: true });
}
