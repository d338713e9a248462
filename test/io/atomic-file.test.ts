import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from '../../lib/io/atomic-file';
import { writeFolderAtomically } from '../../lib/io/atomic-folder';

/** Node's own ENOSPC error of a write: its message names no file. */
const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });

test('a write that fails with ENOSPC names the file (and keeps the code), and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-atomic-'));
  const m = mock.method(fs, 'writeFileSync', () => {
    throw enospc();
  });
  try {
    assert.throws(() => writeFileAtomically(join(dir, 'state.json'), '{"a":1}'), (err: unknown) =>
      (err as Error).message === `cannot write ${join(dir, 'state.json')} (7 bytes): ENOSPC: no space left on device, write` && (err as { code?: string }).code === 'ENOSPC');
  } finally {
    m.mock.restore();
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('a folder write that fails names the folder, and the previous folder stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-atomic-'));
  const target = join(dir, 'ckpt');
  writeFolderAtomically(target, (tmp) => writeFileSync(join(tmp, 'weights.bin'), 'old'));
  assert.throws(() => writeFolderAtomically(target, () => {
    throw enospc();
  }), (err: unknown) => (err as Error).message === `cannot write ${target}: ENOSPC: no space left on device, write` && (err as { code?: string }).code === 'ENOSPC');
  assert.ok(existsSync(join(target, 'weights.bin')));
  assert.deepEqual(readdirSync(dir), ['ckpt']);
});
