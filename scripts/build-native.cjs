#!/usr/bin/env node
// Builds the optional OpenBLAS kernel pack (native/) after `npm ci`; never fails the install.
// Needs a C compiler, Node's headers and libopenblas-dev (Debian/Ubuntu: apt-get install libopenblas-dev;
// macOS: Apple's Accelerate, unverified). MMCKD_NATIVE=0 skips it. Without it the kit runs the same
// kernels as WebAssembly (native/wasm/mmckd_kernels.wasm, committed: Node alone suffices).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
if (process.env.MMCKD_NATIVE === '0') process.exit(0);
const npm = process.env.npm_execpath;
const r = npm
  ? spawnSync(process.execPath, [npm, 'run', '--silent', 'build:native'], { cwd: join(__dirname, '..'), encoding: 'utf8' })
  : { status: 1, stderr: 'not run through npm' };
if (r.status === 0) console.error('mmckd: native OpenBLAS kernels built (native/build/Release/mmckd_blas.node)');
else console.error('mmckd: native OpenBLAS kernels not built (optional; needs libopenblas-dev and a C compiler; the kit uses its WebAssembly kernels instead): ' + String(r.stderr || r.stdout || '').trim().split('\n').slice(-1)[0]);
