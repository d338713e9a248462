/**
 * The addon asks OpenBLAS for one set of kernels on every Linux x64 CPU with AVX2 and FMA, so runs
 * give the same bits across machines; a user's OPENBLAS_CORETYPE wins. Each case loads the addon in
 * a child process, since OpenBLAS reads the variable once, when it loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadNativeAddon, pinnedOpenBlasKernels } from '../../lib/accelerator/addon';

const ADDON_MODULE = resolve(__dirname, '..', '..', 'lib', 'accelerator', 'addon.ts');

/** The OpenBLAS build line the addon reports in a child started with `env`, and OPENBLAS_CORETYPE after the load. */
function blasLineIn(env: Record<string, string | undefined>): string {
  const script = `const { loadNativeAddon } = require(${JSON.stringify(ADDON_MODULE)});
const load = loadNativeAddon();
process.stdout.write((load.ok ? load.addon.info().blas : 'not loaded: ' + load.reason) + ' | env after load: ' + (process.env.OPENBLAS_CORETYPE ?? 'unset'));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const addon = loadNativeAddon();
const skip = !addon.ok ? `the OpenBLAS addon is not available (${addon.reason})`
  : !pinnedOpenBlasKernels() ? 'the kernels are pinned only on Linux x64 with AVX2 and FMA' : false;

test('the addon loads OpenBLAS with its Haswell kernels on an AVX2 CPU, and a user-set OPENBLAS_CORETYPE wins', { skip }, () => {
  const pinned = blasLineIn({ OPENBLAS_CORETYPE: undefined });
  assert.match(pinned, /\bHaswell\b/);
  assert.match(pinned, /env after load: unset$/, 'the pin is not left in the environment of the processes the kit starts');
  assert.match(blasLineIn({ OPENBLAS_CORETYPE: 'Sandybridge' }), /\bSandybridge\b.*env after load: Sandybridge$/);
});
