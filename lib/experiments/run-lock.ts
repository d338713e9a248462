/**
 * One process per run folder: a run (or a grid cell, or a shared stage-1 teacher) is trained by the
 * process that holds its lock. The lock is proper-lockfile's: a `.lock` folder inside the run
 * folder, made with an atomic mkdir (which also holds on network file systems) and refreshed while
 * the process lives. Beside it, `.lock-owner.json` says who holds it (pid, host, start, command).
 *
 * A lock left by a process that died is taken over, and the kit says so: at once when the owner ran
 * on this machine and its pid is gone; after `staleMs` without a refresh otherwise (another
 * machine). A second process either refuses by name (`mmckd train`) or waits (grid workers,
 * shared stage-1 teachers).
 *
 * The owner record is written after the lock is made, so a process that dies in between leaves a
 * lock without one. To know who made it anyway, each process writes its record first as a claim,
 * `.lock-owner.json.tmp-<pid>`, which the final record's atomic write then renames into place: a
 * lock without an owner record whose claims all belong to dead processes of this machine is taken
 * over at once too (and the claims are swept like any dead writer's temporary file).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type * as ProperLockfile from 'proper-lockfile';
import { processAlive, removeStaleTempFilesBelow, tempOwnerPid } from '../io/stale-temp-files';
import { writeFileAtomically } from '../io/atomic-file';

/**
 * proper-lockfile, loaded on first use: at load it registers signal-exit's SIGINT/SIGTERM handlers
 * (to remove its locks on exit), after which a signal waits for the event loop, so a command that
 * never locks (eval, data inspect, metrics) would ignore Ctrl-C through its long synchronous work.
 */
let lockfileModule: typeof ProperLockfile | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lockfile = (): typeof ProperLockfile => (lockfileModule ??= require('proper-lockfile') as typeof ProperLockfile);

/** The lock folder inside a run folder. */
export const LOCK_NAME = '.lock';
/** The owner record beside it. */
export const LOCK_OWNER_NAME = '.lock-owner.json';

/** A lock not refreshed for this long is stale (its owner died on another machine). */
const DEFAULT_STALE_MS = 120_000;

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** A held lock. */
export interface RunLock {
  dir: string;
  /** Throws when the lock was lost (not refreshed in time and taken by another process). */
  assertHeld(): void;
  /** Releases the lock and removes the owner record. */
  release(): Promise<void>;
}

/** Raised when another live process holds the lock; names the folder and the owner. */
export class RunLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`${dir}: ${describeOwner(owner)}; wait for it to finish, or use another folder`);
    this.name = 'RunLockedError';
  }
}

/** Options of `lockRunFolder`. */
export interface LockOptions {
  /** true: wait until the lock is free; false (default): throw RunLockedError at once. */
  wait?: boolean;
  /** Where to say that a stale lock was taken over, or that the process waits. */
  log?(line: string): void;
  /** Poll interval while waiting (default 2 s). */
  pollMs?: number;
  /** Staleness of a lock whose owner is on another machine (default DEFAULT_STALE_MS). */
  staleMs?: number;
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'locked by another process';
  return `in use by process ${owner.pid} on ${owner.host} since ${owner.started} (${owner.command})`;
}

/** Reads the owner record of a run folder's lock, when there is one. */
export function readLockOwner(dir: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_OWNER_NAME), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** True when a live process (or an unknown one whose lock is fresh) holds the folder's lock. */
export function isRunLocked(dir: string, staleMs = DEFAULT_STALE_MS): boolean {
  if (!existsSync(join(dir, LOCK_NAME))) return false;
  const owner = readLockOwner(dir);
  if (owner && owner.host === hostname() && !processAlive(owner.pid)) return false;
  if (!owner && madeByDeadProcess(dir)) return false;
  return lockfile().checkSync(dir, { realpath: false, lockfilePath: join(dir, LOCK_NAME), stale: staleMs });
}

/** Removes a lock whose owner is dead (this machine) or silent past `staleMs`; says so. */
function takeOverDeadLock(dir: string, staleMs: number, log?: (line: string) => void): void {
  const lockPath = join(dir, LOCK_NAME);
  let mtime: number;
  try {
    mtime = statSync(lockPath).mtimeMs;
  } catch {
    return;
  }
  const owner = readLockOwner(dir);
  if (owner && owner.host === hostname() && owner.pid !== process.pid && !processAlive(owner.pid)) {
    rmSync(lockPath, { recursive: true, force: true });
    log?.(`${dir}: taking over the lock of process ${owner.pid} (started ${owner.started}), which is no longer running`);
    return;
  }
  if (!owner && madeByDeadProcess(dir)) {
    const claims = lockClaims(dir);
    rmSync(lockPath, { recursive: true, force: true });
    for (const c of claims) rmSync(c.path, { force: true });
    log?.(`${dir}: taking over a lock without an owner record, made by process ${claims.map((c) => c.pid).join(', ')}, which is no longer running`);
    return;
  }
  const silentMs = Date.now() - mtime;
  if (silentMs > staleMs) {
    rmSync(lockPath, { recursive: true, force: true });
    log?.(`${dir}: taking over a stale lock (${describeOwner(owner)}; not refreshed for ${Math.round(silentMs / 1000)} s)`);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The claim a process writes before it makes the lock: its owner record under the name the atomic write renames from. */
const claimPath = (dir: string, pid = process.pid): string => join(dir, `.${LOCK_OWNER_NAME}.tmp-${pid}`);

/** True when the claims beside a lock without an owner record all belong to dead processes of this machine. */
function madeByDeadProcess(dir: string): boolean {
  const claims = lockClaims(dir);
  return claims.length > 0 && claims.every((c) => c.host === hostname() && c.pid !== process.pid && !processAlive(c.pid));
}

/** Returns the claims (owner records not yet renamed into place) in `dir` with their pid and host. */
function lockClaims(dir: string): { path: string; pid: number; host: string }[] {
  const prefix = `.${LOCK_OWNER_NAME}.tmp-`;
  return readdirSync(dir).filter((n) => n.startsWith(prefix) && tempOwnerPid(n) !== undefined).map((n) => {
    const path = join(dir, n);
    let host = '';
    try {
      host = (JSON.parse(readFileSync(path, 'utf8')) as LockOwner).host ?? '';
    } catch {
      // a claim cut short by its writer's death: its host is unknown, so it is never taken as dead
    }
    return { path, pid: tempOwnerPid(n)!, host };
  });
}

/**
 * Locks a run folder (created when missing) for this process. Throws RunLockedError when another
 * live process holds it and `wait` is false; with `wait`, polls until it is free.
 */
export async function lockRunFolder(dir: string, options: LockOptions = {}): Promise<RunLock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const pollMs = options.pollMs ?? 2000;
  mkdirSync(dir, { recursive: true });
  let said = false;
  for (;;) {
    takeOverDeadLock(dir, staleMs, options.log);
    let lost: Error | undefined;
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 300) };
    writeFileSync(claimPath(dir), JSON.stringify(owner) + '\n'); // the claim: says who made the lock until the record is in place
    try {
      const release = await lockfile().lock(dir, {
        realpath: false,
        lockfilePath: join(dir, LOCK_NAME),
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        onCompromised(err) {
          lost = err;
          options.log?.(`${dir}: the lock was lost (${err.message}); this process stops at its next checkpoint`);
        },
      });
      writeFileAtomically(join(dir, LOCK_OWNER_NAME), JSON.stringify(owner) + '\n'); // renames the claim into place
      // Temporary files of writers that died mid-write (this folder is ours now)
      const swept = removeStaleTempFilesBelow(dir);
      if (swept.length > 0) options.log?.(`${dir}: removed ${swept.length} temporary file(s) left by processes that died mid-write`);
      return {
        dir,
        assertHeld() {
          if (lost) throw new Error(`${dir}: the lock was lost (${lost.message}); another process may train this folder now`);
        },
        async release() {
          if (!lost) rmSync(join(dir, LOCK_OWNER_NAME), { force: true });
          try {
            await release();
          } catch {
            // already released or compromised: nothing of ours left to remove
          }
        },
      };
    } catch (err) {
      rmSync(claimPath(dir), { force: true });
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
      const holder = readLockOwner(dir);
      if (!options.wait) throw new RunLockedError(dir, holder);
      if (!said) options.log?.(`${dir}: waiting, ${describeOwner(holder)}`);
      said = true;
      await sleep(pollMs);
    }
  }
}

/** Locks `dir` without waiting; returns undefined when another live process holds it. */
export async function tryLockRunFolder(dir: string, options: Omit<LockOptions, 'wait'> = {}): Promise<RunLock | undefined> {
  try {
    return await lockRunFolder(dir, { ...options, wait: false });
  } catch (err) {
    if (err instanceof RunLockedError) return undefined;
    throw err;
  }
}

