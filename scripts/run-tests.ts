/**
 * Runs the test suite with node's test runner (through tsx): every test/**\/*.test.ts, or the
 * files and folders named on the command line. MMCKD_TEST_CONCURRENCY sets how many files run at
 * once (default 2, the machine's cores).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

function findTests(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const full = join(path, entry);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const root = resolve(__dirname, '..');
const targets = process.argv.slice(2);
const files = (targets.length > 0 ? targets : [join(root, 'test')]).flatMap((t) => findTests(resolve(t)));
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found\n');
  process.exit(1);
}
const concurrency = process.env.MMCKD_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
