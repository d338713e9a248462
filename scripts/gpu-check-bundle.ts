/**
 * Builds build/gpu-check/ (git-ignored): everything bench/gpu-check.sh needs on a machine that has
 * a GPU but neither Node, node_modules nor a network, in one folder to carry:
 *   gpu-check.cjs                 bench/gpu-check/main.ts and the kit, bundled by esbuild (one file)
 *   tfjs-backend-wasm*.wasm       the wasm backend's binaries, found next to the bundle
 *   webgpu/                       Dawn for Node: index.js, package.json, dawn.node.xz (the check unpacks
 *                                 it outside the carried folder and points NODE_PATH there)
 *   node.xz                       this machine's Node binary, xz -9 (reused while Node is unchanged)
 *   gl/*.deb, gl/lib/             the Vulkan loader and GL dispatch libraries (Debian packages, by apt-get download)
 * and checks that the folder and the working tree together stay under the 64 MiB a device run carries.
 *
 * Usage: npx tsx scripts/gpu-check-bundle.ts [--no-gl] [--no-node]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'build', 'gpu-check');
const LIMIT_MIB = 64;
/** The Vulkan loader and the GL dispatch libraries the NVIDIA Vulkan driver loads with it. */
const GL_PACKAGES = ['libvulkan1', 'libglvnd0', 'libegl1', 'libopengl0', 'libgl1', 'libglx0', 'libgles2'];

const say = (line: string) => process.stdout.write(line + '\n');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function run(cmd: string, args: string[], cwd = ROOT): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

/** xz -9 `from` into `to` (single-threaded output is deterministic); throws naming the file. */
function xz(from: string, to: string): void {
  const r = spawnSync('sh', ['-c', 'xz -9 -T1 -c "$1" > "$2"', 'xz', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xz of ${from} failed: ${r.stderr || r.error}`);
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    n += entry.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

async function bundle(): Promise<void> {
  const result = await build({
    entryPoints: [join(ROOT, 'bench', 'gpu-check', 'main.ts')],
    outfile: join(OUT, 'gpu-check.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['webgpu'], // a native addon: carried beside the bundle
    legalComments: 'none',
    logLevel: 'error',
  });
  for (const w of result.warnings) say(`esbuild: ${w.text}`);
  const wasmDir = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(wasmDir, f), join(OUT, f));
}

function copyDawn(): void {
  const src = join(ROOT, 'node_modules', 'webgpu');
  const dst = join(OUT, 'webgpu');
  const addon = join(src, 'dist', 'linux-x64', 'dawn.node');
  if (!existsSync(addon)) throw new Error(`${relative(ROOT, addon)} is missing: npm install (webgpu is an optional dependency)`);
  rmSync(join(OUT, 'node_modules'), { recursive: true, force: true }); // an older layout
  mkdirSync(dst, { recursive: true });
  for (const f of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(src, f), join(dst, f));
  const packed = join(dst, 'dawn.node.xz');
  const stamp = `${statSync(addon).size} ${statSync(addon).mtimeMs}`;
  if (!existsSync(packed) || readStamp(packed) !== stamp) {
    say('compressing dawn.node (xz -9, about 20 s)');
    xz(addon, packed);
    writeFileSync(`${packed}.source`, stamp);
  }
}

function readStamp(file: string): string {
  return existsSync(`${file}.source`) ? readFileSync(`${file}.source`, 'utf8') : '';
}

function packNode(): void {
  const packed = join(OUT, 'node.xz');
  const stamp = `${process.execPath} ${process.version} ${statSync(process.execPath).size}`;
  if (existsSync(packed) && readStamp(packed) === stamp) return;
  say(`compressing ${process.execPath} (Node ${process.version}, xz -9, about 2 minutes)`);
  xz(process.execPath, packed);
  writeFileSync(`${packed}.source`, stamp);
}

function fetchGl(): void {
  const dir = join(OUT, 'gl');
  if (existsSync(join(dir, 'lib', 'libvulkan.so.1'))) return;
  const tmp = mkdtempSync(join(tmpdir(), 'mmckd-gl-'));
  const got = run('apt-get', ['download', ...GL_PACKAGES], tmp);
  if (!got.ok) {
    say(`warning: apt-get download ${GL_PACKAGES.join(' ')} failed (${got.out.split('\n').pop()}); the bundle carries no Vulkan loader`);
    return;
  }
  mkdirSync(join(dir, 'lib'), { recursive: true });
  for (const deb of readdirSync(tmp).filter((f) => f.endsWith('.deb'))) {
    copyFileSync(join(tmp, deb), join(dir, deb));
    const x = run('dpkg-deb', ['-x', join(tmp, deb), join(tmp, 'root')]);
    if (!x.ok) throw new Error(`dpkg-deb -x ${deb} failed: ${x.out}`);
  }
  const libDir = join(tmp, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  // The names the dynamic linker asks for (libvulkan.so.1, ...): links, followed by the copy.
  for (const f of readdirSync(libDir).filter((name) => /\.so\.\d+$/.test(name))) copyFileSync(join(libDir, f), join(dir, 'lib', f));
  rmSync(tmp, { recursive: true, force: true });
}

function trackedTreeBytes(): number {
  const list = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (!list.ok) throw new Error(`git ls-files failed: ${list.out}`);
  let n = 0;
  for (const f of list.out.split('\0').filter(Boolean)) {
    const p = join(ROOT, f);
    if (existsSync(p) && statSync(p).isFile()) n += statSync(p).size;
  }
  return n;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  mkdirSync(OUT, { recursive: true });
  await bundle();
  copyDawn();
  if (!argv.includes('--no-node')) packNode();
  if (!argv.includes('--no-gl')) fetchGl();
  const carried = folderBytes(OUT);
  const tree = trackedTreeBytes();
  const rows = readdirSync(OUT, { withFileTypes: true }).map((e) => {
    const p = join(OUT, e.name);
    return `  ${e.name.padEnd(34)} ${mib(e.isDirectory() ? folderBytes(p) : statSync(p).size).padStart(6)} MiB`;
  });
  say(`build/gpu-check (carry it):\n${rows.join('\n')}`);
  say(`carried ${mib(carried)} MiB + working tree ${mib(tree)} MiB = ${mib(carried + tree)} MiB of the ${LIMIT_MIB} MiB a device run takes`);
  if (carried + tree > LIMIT_MIB * 2 ** 20) {
    say(`error: over ${LIMIT_MIB} MiB: build with --no-gl, or remove untracked files from the working tree`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`gpu-check-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
