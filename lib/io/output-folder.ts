/**
 * Checks a folder the kit is about to write into (`--out`, a grid, a cache) before anything is
 * made: it must not lie on a pseudo file system (/proc, /sys, cgroup, ...: Node's recursive mkdir
 * can loop there forever), and its nearest existing ancestor must be a writable folder.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** statfs magic numbers of Linux pseudo file systems that hold no user files. */
const PSEUDO_FILE_SYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstorefs',
  0x42494e4d: 'binfmt_misc',
  0xde5e81e4: 'efivarfs',
  0x19800202: 'mqueue',
};

/** Throws an error naming `dir` when the kit cannot or must not create and write it. */
export function checkOutputFolder(dir: string, what = 'output folder'): void {
  const abs = resolve(dir);
  let probe = abs;
  for (let i = 0; i < 4096; i++) {
    try {
      statSync(probe);
      break;
    } catch {
      const up = dirname(probe);
      if (up === probe) break;
      probe = up;
    }
  }
  let isDir = false;
  try {
    isDir = statSync(probe).isDirectory();
  } catch {
    // nothing of the path exists (a missing root): mkdir will say why
  }
  if (!isDir) throw new Error(`${dir}: cannot make the ${what}: ${probe} is not a folder`);
  try {
    const fsType = PSEUDO_FILE_SYSTEMS[Number(statfsSync(probe).type)];
    if (fsType) throw new Error(`${dir}: cannot make the ${what} on the ${fsType} pseudo file system; choose a folder on a disk`);
  } catch (err) {
    if ((err as Error).message.includes('pseudo file system')) throw err;
    // statfs not available on this platform: the check below still applies
  }
  try {
    accessSync(probe, constants.W_OK);
  } catch {
    throw new Error(`${dir}: cannot make the ${what}: ${probe} is not writable`);
  }
}
