/**
 * The .csd reader's boundary around h5wasm. h5wasm's Node build reads the real file system
 * (emscripten's NODERAWFS, through Node's `fs`), so an HDF5 file can make it open other files:
 * external storage (a dataset whose bytes live in, say, /etc/passwd), external links and virtual
 * datasets. While a guarded call runs, `fs.openSync` opens only the one file being read; any
 * other open fails inside HDF5 and is reported by name. HDF5's diagnostic stack, which h5wasm
 * writes straight to file descriptor 2, is captured instead of printed.
 * Both patches are in place only during a synchronous call, never across an `await`.
 */
import { resolve } from 'node:path';

type FsModule = { openSync: (...args: unknown[]) => number; writeSync: (...args: unknown[]) => number };

/** A guard for one HDF5 file: runs synchronous h5wasm calls that may open only that file. */
export interface Hdf5Guard {
  /** Runs `read`; returns its result. `refused` afterwards lists the other files it tried to open. */
  run<T>(read: () => T): T;
  /** Files other than the guarded one that HDF5 tried to open, in order (cleared by `clearRefused`). */
  readonly refused: readonly string[];
  clearRefused(): void;
  /** Returns the innermost HDF5 diagnostic captured so far, as ' (HDF5: ...)', or ''. */
  diagnostics(): string;
}

/** Returns a guard that lets h5wasm open `path` alone. */
export function hdf5Guard(path: string): Hdf5Guard {
  const allowed = resolve(path);
  const fsModule = require('node:fs') as FsModule;
  const refused: string[] = [];
  let captured = '';
  return {
    refused,
    clearRefused: () => void refused.splice(0),
    diagnostics() {
      const frames = captured.split('\n').filter((l) => /^\s*#\d+:/.test(l));
      const last = frames[frames.length - 1];
      return last ? ` (HDF5: ${last.replace(/^.*\(\): /, '').trim()})` : '';
    },
    run<T>(read: () => T): T {
      const { openSync, writeSync } = fsModule;
      fsModule.openSync = (file: unknown, ...rest: unknown[]): number => {
        if (resolve(String(file)) !== allowed) {
          refused.push(String(file));
          throw Object.assign(new Error(`EACCES: the .csd reader opens no other file, open '${String(file)}'`), { code: 'EACCES' });
        }
        return openSync(file, ...rest);
      };
      fsModule.writeSync = (fd: unknown, buf: unknown, offset?: unknown, length?: unknown, ...rest: unknown[]): number => {
        if (fd !== 2) return writeSync(fd, buf, offset, length, ...rest);
        const bytes = typeof buf === 'string' ? Buffer.from(buf) : Buffer.from((buf as Uint8Array).buffer, (buf as Uint8Array).byteOffset + Number(offset ?? 0), Number(length ?? (buf as Uint8Array).byteLength - Number(offset ?? 0)));
        if (captured.length < 1 << 16) captured += bytes.toString('utf8');
        return bytes.length;
      };
      try {
        return read();
      } finally {
        fsModule.openSync = openSync;
        fsModule.writeSync = writeSync;
      }
    },
  };
}
