/**
 * `npx tsx scripts/synthetic-ceilings.ts`: reference points for the synthetic default (test MAE):
 * a constant predictor, the generator's latent sentiment (the label-noise floor), and ridge
 * regressions on mean-pooled features per modality (what a linear model of pooled features gets).
 * Read beside the students' test MAE: a student near its ceiling has little left to learn from a teacher.
 */
import { generateSynthetic, syntheticConfig } from '../lib/data/synthetic';
import { standardizeDataset } from '../lib/data/standardize';
import { meanPool } from '../lib/data/probe';
const raw = generateSynthetic(syntheticConfig('mosi'));
const ds = standardizeDataset(raw).dataset;
const mae = (p: ArrayLike<number>, y: ArrayLike<number>) => { let s = 0; for (let i = 0; i < y.length; i++) s += Math.abs(p[i] - y[i]); return s / y.length; };
const yTr = ds.train.labels, yTe = ds.test.labels;
const median = [...yTr].sort((a, b) => a - b)[Math.floor(yTr.length / 2)];
console.log('constant (train median) test MAE', mae(new Float32Array(yTe.length).fill(median), yTe).toFixed(4));
const truth = raw.truth.test;
{
  // best affine map of the latent to the label, fitted on test itself (an optimistic floor)
  const z = truth.latent; let sz = 0, sy = 0, szz = 0, szy = 0; const n = z.length;
  for (let i = 0; i < n; i++) { sz += z[i]; sy += yTe[i]; szz += z[i] * z[i]; szy += z[i] * yTe[i]; }
  const b = (szy - sz * sy / n) / (szz - sz * sz / n), a = (sy - b * sz) / n;
  console.log('latent sentiment (oracle, affine) test MAE', mae(Array.from(z, (v) => a + b * v), yTe).toFixed(4));
}
function ridge(mods: ('text' | 'audio' | 'vision')[], lambda: number) {
  const feats = (split: typeof ds.train) => { const parts = mods.map((m) => ({ f: meanPool(split.features[m]), d: split.features[m].dim })); const n = split.labels.length; const D = parts.reduce((s, p) => s + p.d, 0); const X = new Float64Array(n * D); for (let i = 0; i < n; i++) { let o = 0; for (const p of parts) { for (let k = 0; k < p.d; k++) X[i * D + k + o] = p.f[i * p.d + k]; o += p.d; } } return { X, D, n }; };
  const tr = feats(ds.train), te = feats(ds.test); const D = tr.D;
  const A = new Float64Array((D + 1) * (D + 1)), bvec = new Float64Array(D + 1);
  for (let i = 0; i < tr.n; i++) { const row = [...tr.X.subarray(i * D, (i + 1) * D), 1]; for (let r = 0; r <= D; r++) { bvec[r] += row[r] * yTr[i]; for (let c = 0; c <= D; c++) A[r * (D + 1) + c] += row[r] * row[c]; } }
  for (let r = 0; r < D; r++) A[r * (D + 1) + r] += lambda;
  // solve by Gaussian elimination
  const N = D + 1; const M = A.slice(); const x = bvec.slice();
  for (let c = 0; c < N; c++) { let p = c; for (let r = c + 1; r < N; r++) if (Math.abs(M[r * N + c]) > Math.abs(M[p * N + c])) p = r; for (let k = 0; k < N; k++) [M[c * N + k], M[p * N + k]] = [M[p * N + k], M[c * N + k]]; [x[c], x[p]] = [x[p], x[c]]; for (let r = 0; r < N; r++) { if (r === c) continue; const f = M[r * N + c] / M[c * N + c]; for (let k = c; k < N; k++) M[r * N + k] -= f * M[c * N + k]; x[r] -= f * x[c]; } }
  const w = Array.from({ length: N }, (_, i) => x[i] / M[i * N + i]);
  const pred = Array.from({ length: te.n }, (_, i) => { let s = w[D]; for (let k = 0; k < D; k++) s += w[k] * te.X[i * D + k]; return s; });
  return mae(pred, yTe);
}
for (const [mods, lam] of [[['audio'], 100], [['vision'], 100], [['audio', 'vision'], 100], [['text'], 3000]] as const) console.log(`ridge on mean-pooled ${mods.join('+')} (lambda ${lam}) test MAE`, ridge([...mods], lam).toFixed(4));
