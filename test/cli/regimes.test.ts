import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '..', '..', 'bin', 'mmckd.cjs');
const mmckd = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, 'regimes', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

test('mmckd regimes --list prints the full map (11 regimes) and the quick one (6), with their specs and variants', () => {
  const full = mmckd(['--list']);
  assert.equal(full.status, 0, full.stderr);
  const lines = full.stdout.trim().split('\n');
  assert.equal(lines.length, 11);
  assert.match(lines[0], /^n150-noise0\s+size-noise\s+synthetic:mosi\?counts\.train=150\s+mmckd,b2,b3,b4$/);
  assert.match(full.stdout, /\nshared0\.8\s+sharing\s+synthetic:mosi\?sharedBeyondLabel=0\.8\s+mmckd,b2,b3,b4,b1,ae-teacher\n/);
  const quick = mmckd(['--quick', '--list']);
  assert.equal(quick.stdout.trim().split('\n').length, 6);
});

test('mmckd regimes refuses an unknown regime by name, and --summary of an empty folder writes a table of holes', () => {
  const bad = mmckd(['--only', 'n999-noise0', '--list']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Expected --only to name regimes among n150-noise0, .* but got 'n999-noise0'/);
  const out = join(mkdtempSync(join(tmpdir(), 'mmckd-regimes-cli-')), 'map');
  const r = mmckd(['--quick', '--summary', '--only', 'n64-noise0', '--no-figures', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /regimes: 1 regime\(s\), 0 cells evaluated, 8 missing, 0 failure\(s\)/);
  assert.match(r.stdout, /MM-CKD − B2 over 1 regime\(s\) and 3 cells .* No paired cells yet in 3 \(n64-noise0\)/);
  const csv = readFileSync(join(out, 'tables', 'regime-map.csv'), 'utf8');
  assert.equal(csv.trim().split('\n').length, 1 + 3 * 3);
  assert.match(csv, /no cells/);
  const record = JSON.parse(readFileSync(join(out, 'regime-map-summary.json'), 'utf8')) as { kind: string; summaryOnly: boolean; seeds: number[]; versions: { kit: string } };
  assert.deepEqual([record.kind, record.summaryOnly, record.seeds], ['mmckd-regime-map', true, [1, 2]]);
  assert.ok(record.versions.kit);
  assert.ok(!existsSync(join(out, 'regime-map.json')), "--summary leaves the training run's record alone");
  assert.ok(!existsSync(join(out, 'n64-noise0')), '--summary trains nothing');
});
