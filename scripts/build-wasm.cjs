#!/usr/bin/env node
// Builds native/wasm/mmckd_kernels.wasm, the fused kernels as WebAssembly (lib/accelerator/wasm-module.ts),
// from the addon's own C sources (native/src/mmckd_encoder.c, mmckd_heads.c) plus the SIMD128 sgemm
// and the entry points of native/wasm/. The module is committed, so a user needs Node alone;
// `node scripts/build-wasm.cjs --check` (run by .ci/run) rebuilds it with the pinned toolchain and
// fails unless the bytes are identical to the committed file: the binary is provably the source.
//
// Toolchain, pinned: Debian 12's clang-19 and lld-19 (1:19.1.7-3~deb12u1: apt-get install clang-19
// lld-19). MMCKD_CLANG / MMCKD_WASM_LD name others (a different version builds a working module,
// but not the same bytes, and --check says so).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'native', 'wasm', 'mmckd_kernels.wasm');
const PINNED = '19.1.7';
const SOURCES = ['native/src/mmckd_encoder.c', 'native/src/mmckd_heads.c', 'native/src/mmckd_products.c', 'native/wasm/mmckd_sgemm.c', 'native/wasm/mmckd_wasm.c'];
const CFLAGS = [
  '--target=wasm32', '-O3', '-std=c11', '-msimd128', '-mbulk-memory', '-mnontrapping-fptoint', '-fPIC', '-fvisibility=hidden',
  '-ffreestanding', '-nostdlib', '-ffp-contract=off', '-fno-trapping-math', '-fno-math-errno', '-Wall', '-Wextra', '-Wno-unused-parameter',
  '-Inative/wasm/include', // cblas.h, math.h, string.h, stdlib.h of the freestanding build come before anything else
];
const LDFLAGS = ['--experimental-pic', '-shared', '--no-entry', '-O2', '--strip-debug'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.code === 'ENOENT' ? 'not found' : r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${(r.stderr || r.stdout).trim()}`);
  if (r.stderr.trim()) process.stderr.write(r.stderr); // warnings
  return r.stdout + r.stderr;
}

function firstWorking(names) {
  for (const name of names) {
    const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return { name, version: r.stdout };
  }
  return undefined;
}

function toolchain() {
  const clang = firstWorking(process.env.MMCKD_CLANG ? [process.env.MMCKD_CLANG] : ['clang-19', 'clang']);
  const ld = firstWorking(process.env.MMCKD_WASM_LD ? [process.env.MMCKD_WASM_LD] : ['wasm-ld-19', 'wasm-ld']);
  if (!clang || !ld) throw new Error(`needs clang and wasm-ld with the wasm32 target (Debian: apt-get install clang-19 lld-19); found clang: ${clang ? clang.name : 'no'}, wasm-ld: ${ld ? ld.name : 'no'}`);
  const version = (/clang version (\S+)/.exec(clang.version) || [])[1] || 'unknown';
  return { clang: clang.name, ld: ld.name, version };
}

/** Builds the module into `out`; returns the toolchain used. */
function build(out) {
  const tools = toolchain();
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-wasm-'));
  try {
    const objects = SOURCES.map((src, i) => {
      const obj = join(dir, `${i}.o`);
      run(tools.clang, [...CFLAGS, '-c', src, '-o', obj]);
      return obj;
    });
    const tmp = join(dir, 'mmckd_kernels.wasm');
    run(tools.ld, [...LDFLAGS, '-o', tmp, ...objects]);
    writeFileSync(out + '.tmp', readFileSync(tmp));
    renameSync(out + '.tmp', out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tools;
}

function main() {
  const check = process.argv.includes('--check');
  if (check) {
    const dir = mkdtempSync(join(tmpdir(), 'mmckd-wasm-check-'));
    const rebuilt = join(dir, 'mmckd_kernels.wasm');
    try {
      const tools = build(rebuilt);
      const same = readFileSync(rebuilt).equals(readFileSync(OUT));
      const line = `${relative(ROOT, OUT)} rebuilt with ${tools.clang} ${tools.version} and ${tools.ld}`;
      if (!same) {
        console.error(`build-wasm: ${line}: the bytes DIFFER from the committed file` +
          (tools.version === PINNED ? ' (commit the rebuilt module: npm run build:wasm)' : ` (the pinned toolchain is clang ${PINNED}, Debian's clang-19 lld-19)`));
        process.exit(1);
      }
      console.error(`build-wasm: ${line}: identical to the committed file (${readFileSync(OUT).length} bytes)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const tools = build(OUT);
  console.error(`build-wasm: wrote ${relative(ROOT, OUT)} (${readFileSync(OUT).length} bytes) with ${tools.clang} ${tools.version}` +
    (tools.version === PINNED ? '' : ` (not the pinned ${PINNED}: the bytes will differ from a pinned build)`));
}

try {
  main();
} catch (err) {
  console.error(`build-wasm: ${err.message}`);
  process.exit(2);
}
