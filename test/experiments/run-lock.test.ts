import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { isRunLocked, lockRunFolder, LOCK_NAME, LOCK_OWNER_NAME, RunLockedError } from '../../lib/experiments/run-lock';

const DEAD_PID = 4194305; // above Linux's default pid range

test('a lock without an owner record, made by a process of this machine that died, is taken over at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-lock-'));
  // what a process killed between making the lock and writing its owner record leaves: the lock and its claim
  mkdirSync(join(dir, LOCK_NAME));
  writeFileSync(join(dir, `.${LOCK_OWNER_NAME}.tmp-${DEAD_PID}`), JSON.stringify({ pid: DEAD_PID, host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'mmckd grid --worker' }));
  assert.equal(isRunLocked(dir), false, 'the grid does not wait for it');
  const logs: string[] = [];
  const t0 = Date.now();
  const lock = await lockRunFolder(dir, { wait: true, log: (l) => logs.push(l), pollMs: 50 });
  assert.ok(Date.now() - t0 < 2000, 'taken over at once, not after the 120 s staleness');
  assert.ok(logs.some((l) => new RegExp(`taking over a lock without an owner record, made by process ${DEAD_PID}, which is no longer running`).test(l)), logs.join('\n'));
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_OWNER_NAME), 'utf8')).pid, process.pid);
  assert.deepEqual(readdirSync(dir).sort(), [LOCK_NAME, LOCK_OWNER_NAME], 'the claims are gone: ours became the owner record');
  await lock.release();
  assert.deepEqual(readdirSync(dir), []);
});

test('a lock without an owner record whose claim is a live process, or another machine\'s, is not taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-lock-'));
  mkdirSync(join(dir, LOCK_NAME));
  const claim = join(dir, `.${LOCK_OWNER_NAME}.tmp-${process.ppid}`);
  writeFileSync(claim, JSON.stringify({ pid: process.ppid, host: hostname(), started: '', command: 'live' }));
  await assert.rejects(lockRunFolder(dir), (err: unknown) => err instanceof RunLockedError && /locked by another process/.test((err as Error).message));
  assert.ok(existsSync(join(dir, LOCK_NAME)) && existsSync(claim));
  writeFileSync(claim, JSON.stringify({ pid: DEAD_PID, host: 'another-machine', started: '', command: 'remote' }));
  const other = join(dir, `.${LOCK_OWNER_NAME}.tmp-${DEAD_PID}`);
  writeFileSync(other, JSON.stringify({ pid: DEAD_PID, host: 'another-machine', started: '', command: 'remote' }));
  await assert.rejects(lockRunFolder(dir), RunLockedError);
  assert.ok(!existsSync(join(dir, `.${LOCK_OWNER_NAME}.tmp-${process.pid}`)), 'a refused attempt leaves no claim of its own');
});

test('loading the kit installs no signal handler, so SIGTERM ends long synchronous work at once; taking a lock does install them', async () => {
  const root = resolve(__dirname, '..', '..');
  const script = `require('tsx/cjs');
require('./lib/index.ts');
process.stdout.write('handlers ' + process.listenerCount('SIGTERM') + '\\n');
if (process.argv[1] === 'lock') {
  require('./lib/experiments/run-lock.ts').lockRunFolder(process.argv[2]).then(() => process.stdout.write('locked ' + process.listenerCount('SIGTERM') + '\\n'));
} else {
  process.stdout.write('busy\\n');
  const t0 = Date.now();
  while (Date.now() - t0 < 20000) {} // an evaluation's synchronous work
}`;
  const child = spawn(process.execPath, ['-e', script, 'busy'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((r) => child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), out.includes('busy') && r())));
  assert.match(out, /^handlers 0\n/);
  const t0 = Date.now();
  child.kill('SIGTERM');
  const signal = await new Promise((r) => child.on('exit', (_code, sig) => r(sig)));
  assert.equal(signal, 'SIGTERM');
  assert.ok(Date.now() - t0 < 3000, `ended in ${Date.now() - t0} ms`);
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-lock-'));
  const locked = spawnSync(process.execPath, ['-e', script, 'lock', dir], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.match(locked.stdout, /handlers 0\nlocked [1-9]/);
});
