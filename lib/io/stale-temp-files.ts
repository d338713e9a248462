/**
 * Temporary files and folders of processes that died mid-write. Every atomic writer of the kit
 * names its temporary with the writing process's pid (`file.<pid>.tmp`, `.file.tmp-<pid>`,
 * `.dir.old-<pid>`); a process killed between the write and the rename leaves it behind. At start,
 * the cache and run folders remove those whose process is gone (on this machine), never another
 * live process's.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The pid embedded in a kit temporary name, or undefined when the name is not one. */
export function tempOwnerPid(name: string): number | undefined {
  const m = /\.(\d+)\.tmp$/.exec(name) ?? /\.(\d+)\.[a-z0-9]+\.tmp$/.exec(name) ?? /^\..+\.(?:tmp|old)-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** True when a process with this pid runs on this machine (a process of another user counts). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the kit's temporary files and folders in `dir` (not below) whose process is no longer
 * running; returns the names removed. A missing folder removes nothing.
 */
export function removeStaleTempFiles(dir: string, alive: (pid: number) => boolean = processAlive): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempOwnerPid(name);
    if (pid === undefined || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Removes dead processes' temporary files and folders in `dir` and its sub-folders down to `depth`
 * levels (a run folder: checkpoints/<subset>/, stage1/current/, ...); returns the paths removed.
 */
export function removeStaleTempFilesBelow(dir: string, depth = 3, alive: (pid: number) => boolean = processAlive): string[] {
  const removed = removeStaleTempFiles(dir, alive).map((n) => join(dir, n));
  if (depth <= 0) return removed;
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return removed;
  }
  for (const n of names) removed.push(...removeStaleTempFilesBelow(join(dir, n), depth - 1, alive));
  return removed;
}
