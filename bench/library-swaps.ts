/**
 * `npx tsx bench/library-swaps.ts`: compares two of the kit's own small pieces with the npm
 * packages that could replace them, on the same inputs: the projection plots' PCA (lib/report/pca.ts)
 * against ml-pca, and the atomic file writer (lib/io/atomic-file.ts) against write-file-atomic. It
 * prints agreement and time per call. The packages are not dependencies of the kit; install them
 * for the comparison with `npm install --no-save ml-pca write-file-atomic`. docs/dependencies.md
 * records the result and the decision.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from '../lib/io/atomic-file';
import { pca2d } from '../lib/report/pca';

/** A small deterministic generator (LCG), so every run compares the same data. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Rows with two dominant directions plus noise, shaped like the projection spaces the notebooks plot. */
function projectionLikeRows(n: number, dim: number): Float64Array {
  const r = uniform(n * 131 + dim);
  const rows = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = r() * 4 - 2;
    const b = r() * 2 - 1;
    for (let j = 0; j < dim; j++) rows[i * dim + j] = a * Math.sin(j) + b * Math.cos(3 * j) + 0.3 * (r() - 0.5);
  }
  return rows;
}

/** Milliseconds per call of `f`, over `n` calls. */
function msPerCall(n: number, f: () => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t) / n;
}

async function load(name: string): Promise<unknown | undefined> {
  try {
    return await import(name);
  } catch {
    console.log(`${name} is not installed: npm install --no-save ml-pca write-file-atomic`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const mlPca = (await load('ml-pca')) as { PCA: new (data: number[][], o: { method: string }) => { getEigenvalues(): number[]; getEigenvectors(): { getColumn(c: number): number[] } } } | undefined;
  if (mlPca) {
    console.log('| rows x dim | kit pca2d ms | ml-pca ms | eigenvalues (kit) | eigenvalues (ml-pca) | max component difference |');
    console.log('|---|---|---|---|---|---|');
    for (const [n, dim] of [[1400, 32], [1400, 64], [4000, 64]]) {
      const rows = projectionLikeRows(n, dim);
      const matrix = Array.from({ length: n }, (_, i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)));
      let ours = pca2d(rows, n, dim);
      let theirs = new mlPca.PCA(matrix, { method: 'covarianceMatrix' });
      const tOurs = msPerCall(10, () => (ours = pca2d(rows, n, dim)));
      const tTheirs = msPerCall(10, () => (theirs = new mlPca.PCA(matrix, { method: 'covarianceMatrix' })));
      let diff = 0;
      for (let c = 0; c < 2; c++) {
        const v = theirs.getEigenvectors().getColumn(c);
        const sign = Math.sign(v.reduce((a, x) => (Math.abs(x) > Math.abs(a) ? x : a), 0)); // the kit's sign convention
        for (let j = 0; j < dim; j++) diff = Math.max(diff, Math.abs(sign * v[j] - ours.components[c][j]));
      }
      const ev = theirs.getEigenvalues();
      console.log(`| ${n} x ${dim} | ${tOurs.toFixed(2)} | ${tTheirs.toFixed(2)} | ${ours.explainedVariance.map((x) => x.toFixed(6)).join(', ')} | ${ev.slice(0, 2).map((x) => x.toFixed(6)).join(', ')} | ${diff.toExponential(1)} |`);
    }
  }
  const wfa = (await load('write-file-atomic')) as { default: { sync(path: string, data: Buffer, o?: { fsync?: boolean }): void } } | undefined;
  if (wfa) {
    const dir = mkdtempSync(join(tmpdir(), 'mmckd-swap-'));
    try {
      console.log('\n| bytes | kit writeFileAtomically ms | write-file-atomic ms (fsync) | write-file-atomic ms (fsync: false) | same bytes |');
      console.log('|---|---|---|---|---|');
      for (const size of [2_000, 1_000_000]) {
        const buf = Buffer.alloc(size, 7);
        const n = size > 100_000 ? 50 : 500;
        const a = msPerCall(n, () => writeFileAtomically(join(dir, 'kit.bin'), buf));
        const b = msPerCall(n, () => wfa.default.sync(join(dir, 'package.bin'), buf));
        const c = msPerCall(n, () => wfa.default.sync(join(dir, 'package-nofsync.bin'), buf, { fsync: false }));
        const same = readFileSync(join(dir, 'kit.bin')).equals(readFileSync(join(dir, 'package.bin')));
        console.log(`| ${size} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${c.toFixed(3)} | ${same} |`);
      }
      console.log(`files left: ${readdirSync(dir).join(', ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

void main();
