/**
 * What `--fresh` may delete: only folders the kit recognises as its own, holding only what the
 * kit writes. A run folder (run.json of kind 'mmckd-run'), an imputer folder (imputer-run.json), a
 * grid folder (grid.json, or cells and a shared `_stage1`) and a stage-1 folder are recognised;
 * anything else (a user's notes, a sub-folder the kit did not write) makes the removal refuse,
 * naming the first unknown entry, before anything is deleted.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempOwnerPid } from '../io/stale-temp-files';
import { LOCK_NAME, LOCK_OWNER_NAME } from './run-lock';

/** What a folder is, as far as the kit can tell. */
export type KitFolderKind = 'run' | 'imputer' | 'grid' | 'stage1' | 'empty' | 'missing' | 'unknown';

/** The entries the kit writes in a run folder. */
const RUN_ENTRIES = new Set(['run.json', 'history.json', 'metrics.json', 'evaluation.json', 'checkpoints', 'stage1', 'stage2', LOCK_NAME, LOCK_OWNER_NAME]);
/** In an imputer folder. */
const IMPUTER_ENTRIES = new Set(['imputer-run.json', 'imputer', LOCK_NAME, LOCK_OWNER_NAME]);
/** In a stage-1 folder (shared teacher or a run's own). */
const STAGE_ENTRIES = new Set(['done.json', 'state.json', 'dataset.json', 'best', 'current', 'best-weights', 'optimizer.json', 'optimizer.bin', 'teacher-at', 'teacher-at.json', LOCK_NAME, LOCK_OWNER_NAME]);
/** Files and folders of a grid besides its cells. */
const GRID_FILES = new Set(['grid.json', 'tables', 'figures', '_stage1', LOCK_NAME, LOCK_OWNER_NAME]);

function readKind(path: string): unknown {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { kind?: unknown }).kind;
  } catch {
    return undefined;
  }
}

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** Returns what the kit recognises `dir` as (without looking below its entries' records). */
function kitFolderKind(dir: string): KitFolderKind {
  if (!existsSync(dir)) return 'missing';
  if (!isDir(dir)) return 'unknown';
  const entries = readdirSync(dir).filter((e) => e !== LOCK_NAME && e !== LOCK_OWNER_NAME && tempOwnerPid(e) === undefined);
  if (entries.length === 0) return 'empty';
  if (readKind(join(dir, 'run.json')) === 'mmckd-run') return 'run';
  if (readKind(join(dir, 'imputer-run.json')) === 'mmckd-imputer-run') return 'imputer';
  if (existsSync(join(dir, 'grid.json'))) return 'grid';
  if (entries.includes('done.json') || entries.includes('state.json')) return 'stage1';
  // a grid whose first cells are still training has no grid.json yet: cells and a shared stage 1
  if (entries.includes('_stage1') && entries.every((e) => GRID_FILES.has(e) || kitFolderKind(join(dir, e)) !== 'unknown')) return 'grid';
  return 'unknown';
}

/** Returns the first entry of `dir` the kit did not write (relative path), or undefined. */
function unknownEntry(dir: string, kind = kitFolderKind(dir)): string | undefined {
  if (kind === 'missing' || kind === 'empty') return undefined;
  if (kind === 'unknown') return '.';
  const allowed = kind === 'run' ? RUN_ENTRIES : kind === 'imputer' ? IMPUTER_ENTRIES : kind === 'stage1' ? STAGE_ENTRIES : GRID_FILES;
  for (const e of readdirSync(dir).sort()) {
    if (allowed.has(e) || tempOwnerPid(e) !== undefined) continue;
    if (kind === 'grid') {
      const sub = join(dir, e);
      const subKind = kitFolderKind(sub);
      if (subKind === 'run' || subKind === 'imputer' || subKind === 'empty') {
        const inner = unknownEntry(sub, subKind);
        if (inner) return join(e, inner);
        continue;
      }
    }
    return e;
  }
  if (kind === 'grid' && isDir(join(dir, '_stage1'))) {
    for (const s of readdirSync(join(dir, '_stage1'))) {
      const sub = join(dir, '_stage1', s);
      const subKind = kitFolderKind(sub);
      if (subKind !== 'stage1' && subKind !== 'empty') return join('_stage1', s);
    }
  }
  return undefined;
}

/**
 * Removes a folder the kit recognises (run, imputer, grid, stage 1) with everything in it, or
 * throws naming the entry that is not the kit's; a missing folder is fine. `keepLock` keeps the
 * lock of the calling process (the folder itself stays, emptied).
 */
export function removeKitFolder(dir: string, options: { keepLock?: boolean; what?: string } = {}): void {
  const kind = kitFolderKind(dir);
  if (kind === 'missing') return;
  const stray = unknownEntry(dir, kind);
  if (stray !== undefined) {
    const what = options.what ?? '--fresh';
    throw new Error(
      stray === '.'
        ? `${dir}: ${what} removes only folders the kit made (a run, an imputer or a grid folder), and this is none of them; remove it yourself or choose another folder`
        : `${dir}: ${what} removes only what the kit wrote, and '${stray}' is not the kit's; move it away or choose another folder`,
    );
  }
  if (!options.keepLock) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (const e of readdirSync(dir)) {
    if (e === LOCK_NAME || e === LOCK_OWNER_NAME) continue;
    rmSync(join(dir, e), { recursive: true, force: true });
  }
}

/**
 * `--fresh` over a folder of runs (the kit's `runs/`): removes every entry the kit recognises (run,
 * imputer, grid and stage-1 folders, and the shared `_stage1/` of them) and keeps anything else,
 * saying so. Returns the names removed and kept.
 */
export function removeKitRuns(runsDir: string, log?: (line: string) => void): { removed: string[]; kept: string[] } {
  const removed: string[] = [];
  const kept: string[] = [];
  if (!existsSync(runsDir)) return { removed, kept };
  for (const e of readdirSync(runsDir).sort()) {
    const path = join(runsDir, e);
    if (e === '_stage1' && isDir(path)) {
      const inner = readdirSync(path).filter((s) => ['stage1', 'empty'].includes(kitFolderKind(join(path, s))));
      for (const s of inner) rmSync(join(path, s), { recursive: true, force: true });
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true, force: true });
      else kept.push(e);
      removed.push(...inner.map((s) => join(e, s)));
      continue;
    }
    const kind = kitFolderKind(path);
    if (kind !== 'unknown' && unknownEntry(path, kind) === undefined) {
      rmSync(path, { recursive: true, force: true });
      removed.push(e);
    } else {
      kept.push(e);
      log?.(`--fresh: kept ${path}: not a folder the kit made, or it holds files the kit did not write`);
    }
  }
  return { removed, kept };
}
