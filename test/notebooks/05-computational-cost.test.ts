import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuickNotebook, sharedRunsDir } from './helpers';

const RUNS = sharedRunsDir('05'); // the solutions reuse the runs and imputers notebook 05 trained

test('notebook 05-computational-cost trains both imputers (quick), scores them under P1 and measures cost with the backend printed', async () => {
  const { outputs } = await runQuickNotebook('05', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  for (const kind of ['autoencoder', 'diffusion']) {
    const m = all.match(new RegExp(`${kind} imputer: (\\d+) parameters, (\\d+) epochs, valid loss (\\d+\\.\\d+) -> best (\\d+\\.\\d+)`));
    assert.ok(m, `${kind} imputer trained`);
    assert.ok(Number(m[4]) <= Number(m[3]), `${kind}: the best validation loss is not above the first`);
  }
  for (const s of ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']) {
    assert.match(all, new RegExp(`\\n${s}: MM-CKD \\d\\.\\d{4}, teacher zero-fill \\(B1\\) \\d\\.\\d{4}, autoencoder \\+ teacher \\d\\.\\d{4}, diffusion K=10 \\+ teacher \\d\\.\\d{4}, diffusion K=50 \\+ teacher \\d\\.\\d{4}`));
  }
  assert.match(all, /arquero's join equals the kit's cost table: true \(11 rows, 35 long records\)/, 'the cost table wrangled by hand');
  const rows = [...all.matchAll(/\n([^:\n]+): (\d+) params, (\d+\.\d+) MFLOPs, b1 (\d+\.\d+) ms\/clip \[IQR \d+\.\d+\], b32 (\d+\.\d+) ms\/clip \[IQR \d+\.\d+\] \(backend (\w+(?:-\w+)?)\)/g)];
  assert.deepEqual(rows.map((r) => r[1]), [
    'teacher', 'student ta', 'student tv', 'student av', 'student t', 'student a', 'student v',
    'MM-CKD students (mean)', 'autoencoder + teacher', 'diffusion K=10 + teacher', 'diffusion K=50 + teacher',
  ]);
  const flops = Object.fromEntries(rows.map((r) => [r[1], Number(r[3])]));
  assert.ok(flops['diffusion K=50 + teacher'] > flops['diffusion K=10 + teacher'] && flops['diffusion K=10 + teacher'] > flops['teacher']);
  assert.ok(flops['autoencoder + teacher'] > flops['MM-CKD students (mean)']);
  const ratios = [...all.matchAll(/(autoencoder|diffusion K=\d+) \+ teacher: (\d+\.\d)x the FLOPs of an MM-CKD student, (\d+\.\d)x at batch 1, (\d+\.\d)x at batch 32 its latency \(backend \w+\); mean MAE (\d\.\d{4}) vs MM-CKD (\d\.\d{4})/g)];
  assert.equal(ratios.length, 3);
  for (const r of ratios) assert.ok(Number(r[2]) > 1, `${r[1]}: imputation costs more FLOPs than a student`);
  assert.match(all, /machine: \d+ cores, load average/);
  // the same teacher and students in PyTorch, or why not
  const torch = /reference columns: PyTorch [\d.]+, 1 thread/.test(all);
  assert.ok(torch || /no PyTorch columns: /.test(all), 'the PyTorch reference line');
  if (torch) assert.equal((all.match(/\(backend \w+(?:-\w+)?\); PyTorch b1 \d+\.\d+, b32 \d+\.\d+ ms\/clip/g) ?? []).length, 8, 'teacher, six students and their mean have PyTorch latency');
  assert.ok((all.match(/class="mmckd-figure"/g) ?? []).length >= 2, 'two scatter figures');
  // what we found: each imputer against the zero-filled teacher, computed
  for (const name of ['autoencoder', 'diffusion K=10', 'diffusion K=50']) {
    assert.match(all, new RegExp(`${name} \\+ teacher: mean test MAE over the six missing patterns \\d\\.\\d{4} vs the zero-filled teacher \\d\\.\\d{4} \\([+−]\\d\\.\\d{4}\\), lower in [0-6] of 6 patterns`));
  }
  assert.match(all, /MM-CKD students over the same patterns: \d\.\d{4} \(seed 1, one run each: no interval\)/);
});

test("notebook 05's solutions: diffusion's FLOPs linear in K, batching, what a pipeline deploys", async () => {
  const { outputs } = await runQuickNotebook('solutions/05', { MMCKD_RUNS_DIR: RUNS });
  const all = outputs.join('\n');
  assert.match(all, /cost measured: \d+ rows, diffusion at K = 10, 50, 100/);
  const m = all.match(/K=100: predicted (\d+\.\d{4}), measured (\d+\.\d{4}) MFLOPs/);
  assert.ok(m && Math.abs(Number(m[1]) / Number(m[2]) - 1) < 1e-6, 'the linear model predicts the third K');
  assert.equal([...all.matchAll(/x cheaper per clip batched \(backend \w+\)/g)].length, 3);
  assert.match(all, /autoencoder \+ teacher: \d+ parameters, of which the imputer \d+/);
  assert.match(all, /all six MM-CKD students together: \d+ parameters/);
});
