/**
 * Runs the real bench/reference_learner.py (PyTorch) on the quick synthetic set: 2 epochs, seed 1,
 * subsets tav and a. Skipped, with the reason, only when the Python cannot import torch and numpy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportDatasetArrays } from '../../lib/data/export-arrays';
import { standardizeDataset } from '../../lib/data/standardize';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import {
  REFERENCE_LEARNER_SCRIPT,
  REFERENCE_METRICS,
  ReferenceLearnerError,
  referenceMarkdown,
  referenceTableRows,
  runReferenceLearner,
  writeReferenceTables,
} from '../../scripts/reference-learner';
import { referencePython, torchAvailability } from '../../lib/experiments/pytorch-reference';
import { main as referenceMain } from '../../scripts/reference';

const python = referencePython();
const torch = torchAvailability(python);
const skip = torch.ok ? false : `no PyTorch: ${torch.missing}`;
let root = '';
let exportDir = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'mmckd-reference-'));
  exportDir = join(root, 'synthetic-quick');
  if (torch.ok) exportDatasetArrays(standardizeDataset(generateSynthetic(syntheticConfig('quick'))).dataset, exportDir);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('trains tav and a on the quick export: finite metrics, n, versions, and the P1 table', { skip }, () => {
  const result = runReferenceLearner({ exportDir, outJson: join(root, 'result.json'), seeds: [1], subsets: ['tav', 'a'], epochs: 2, showProgress: false });
  assert.equal(result.export.dataset, 'synthetic-quick');
  assert.deepEqual(result.export.counts, { train: 192, valid: 64, test: 96 });
  assert.deepEqual(result.seeds, [1]);
  assert.deepEqual(result.subsets, ['tav', 'a']);
  assert.equal(result.config.epochs, 2);
  assert.equal(result.config.threads, 1);
  assert.equal(result.versions.torch, torch.ok ? torch.torch : '');
  assert.match(result.versions.python, /^3\.\d+/);
  assert.deepEqual(result.failed, []);
  assert.equal(result.runs.length, 2);
  for (const run of result.runs) {
    assert.equal(run.status, 'ok', run.error);
    assert.ok(run.best_epoch! >= 1 && run.best_epoch! <= 2);
    for (const k of REFERENCE_METRICS) assert.ok(Number.isFinite(run.test![k]), `${run.subset} ${k} = ${run.test![k]}`);
    assert.ok(run.test!.MAE! > 0.3 && run.test!.MAE! < 3, `MAE ${run.test!.MAE}`);
    assert.equal(run.test!.MAE, Math.round(run.test_raw!.MAE! * 1e4) / 1e4);
  }
  assert.equal(result.summary.tav.n, 1);
  assert.equal(result.summary.tav.mean.MAE, result.runs[0].test_raw!.MAE);
  assert.equal(result.summary.tav.std.MAE, null, 'one seed: no std');
  assert.ok(result.wall_seconds > 0);

  const rows = referenceTableRows(result);
  assert.deepEqual(rows.map((r) => [r.subset, r.n, r.failed]), [['tav', 1, ''], ['a', 1, '']]);
  assert.ok(Number.isFinite(rows[0].MAE_mean as number) && Number.isNaN(rows[0].MAE_std as number));
  const [csv, json] = writeReferenceTables(result, join(root, 'tables'));
  const header = readFileSync(csv, 'utf8').split('\n')[0];
  assert.match(header, /^subset,n,failed,MAE_mean,MAE_std,Corr_mean,Corr_std,Has0_acc_2_mean,Has0_acc_2_std,Non0_acc_2_mean/);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).table[0].MAE_std, null);
  assert.match(referenceMarkdown(result), /\| tav \| 1 \| \d\.\d{4} \|/);
});

test('a failing run is listed as failed and left out of n, not dropped silently', { skip }, () => {
  const result = runReferenceLearner({
    exportDir, outJson: join(root, 'failed.json'), seeds: [1, 2], subsets: ['a'], epochs: 1, showProgress: false, extraArgs: ['--inject-failure', 'a:2'],
  });
  assert.deepEqual(result.runs.map((r) => r.status), ['ok', 'failed']);
  assert.equal(result.summary.a.n, 1);
  assert.deepEqual(result.summary.a.failed, [{ seed: 2, error: 'RuntimeError: injected failure (--inject-failure)' }]);
  assert.deepEqual(result.failed, [{ subset: 'a', seed: 2, error: 'RuntimeError: injected failure (--inject-failure)' }]);
  assert.equal(result.summary.a.mean.MAE, result.runs[0].test_raw!.MAE);
  assert.match(referenceMarkdown(result), /\| a \| 1 \| .* \| seed 2: RuntimeError: injected failure/);
});

test('a corrupted, truncated or incomplete export is refused, naming the file', { skip }, () => {
  const corrupt = join(root, 'corrupt');
  exportDatasetArrays(standardizeDataset(generateSynthetic(syntheticConfig('quick'))).dataset, corrupt);
  const run = () => {
    try {
      runReferenceLearner({ exportDir: corrupt, outJson: join(root, 'never.json'), seeds: [1], subsets: ['a'], epochs: 1, showProgress: false });
    } catch (err) {
      assert.ok(err instanceof ReferenceLearnerError);
      assert.equal(err.exitCode, 2);
      return err.stderr;
    }
    assert.fail('the script accepted a bad export');
  };
  const file = join(corrupt, 'valid', 'audio.f32.bin');
  const good = readFileSync(file);
  const edited = Buffer.from(good);
  edited[100] ^= 0x40;
  writeFileSync(file, edited);
  assert.match(run(), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 [0-9a-f]{64} does not match manifest\\.json`));
  writeFileSync(file, good.subarray(0, 40));
  assert.match(run(), /valid\/audio\.f32\.bin: expected 25600 bytes \(manifest\.json\), but the file has 40/);
  writeFileSync(file, good);

  const manifestPath = join(corrupt, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.splits.test.modalities.text.features.shape = [96, 20, 63];
  writeFileSync(manifestPath, JSON.stringify(manifest));
  assert.match(run(), /test\/text\.f32\.bin: expected shape \[96, 20, 64\] \(test text: count, seqLens, dims\), but the manifest says \[96, 20, 63\]/);
  manifest.splits.test.modalities.text.features.shape = [96, 20, 64];
  manifest.splits.test.modalities.text.features.bytes = 96 * 20 * 64 * 4 + 4;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  assert.match(run(), /test\/text\.f32\.bin: manifest says shape \[96, 20, 64\] of <f4 \(491520 bytes\) but 491524 bytes/);
  manifest.splits.test.modalities.text.features.bytes = 96 * 20 * 64 * 4;
  delete manifest.splits.test.modalities.vision;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  assert.match(run(), /manifest\.json: modality 'vision' of split 'test' missing from manifest\.json/);
  delete manifest.splits.valid;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  assert.match(run(), /manifest\.json: split 'valid' missing from manifest\.json/);
  rmSync(manifestPath);
  assert.match(run(), /manifest\.json: missing: not a dataset export folder/);
});

test("the Python metrics equal MMSA's on the golden cases (test/eval/metrics-golden.json)", { skip }, () => {
  const golden = resolve(__dirname, '..', 'eval', 'metrics-golden.json');
  const code = [
    'import json, math, sys',
    `sys.path.insert(0, ${JSON.stringify(resolve(REFERENCE_LEARNER_SCRIPT, '..'))})`,
    'from reference_learner import msa_metrics',
    `cases = json.load(open(${JSON.stringify(golden)}))['cases']`,
    'bad = []',
    'for c in cases:',
    '    rounded, raw = msa_metrics(c["pred"], c["truth"])',
    '    want = c["truth-first"]',
    '    for k, v in rounded.items():',
    '        w = want["rounded"][k]',
    '        if not ((w is None and math.isnan(v)) or (w is not None and v == w)): bad.append((c["name"], k, v, w))',
    '        r, wr = raw[k], want["raw"][k]',
    '        if not ((wr is None and math.isnan(r)) or (wr is not None and abs(r - wr) < 1e-12)): bad.append((c["name"], k, r, wr))',
    'print(json.dumps({"cases": len(cases), "bad": bad}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cases: number; bad: unknown[] };
  assert.ok(out.cases >= 10);
  assert.deepEqual(out.bad, []);
});

test('npm run reference end to end: --quick export, two subsets, tables written, exit 0; a reused export the second time', { skip }, () => {
  const args = ['--quick', '--seeds', '1', '--subsets', 'tv,v', '--epochs', '1', '--export-dir', join(root, 'cli-export'), '--out', join(root, 'cli-tables')];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  let text = '';
  process.stdout.write = ((chunk: string) => ((text += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((text += chunk), true)) as typeof process.stderr.write;
  let codes: number[];
  try {
    codes = [referenceMain(args), referenceMain(args), referenceMain(['--subsets', 'xyz'])];
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  assert.deepEqual(codes, [0, 0, 2], text);
  assert.match(text, /cli-export \(written,/);
  assert.match(text, /cli-export \(reused,/);
  assert.match(text, /\| subset \| n \| test MAE \| Corr \| Has0_acc_2 \| Non0_acc_2 \| Non0_F1_score \| Mult_acc_7 \| failed \|/);
  const csv = readFileSync(join(root, 'cli-tables', 'reference-p1-synthetic-quick.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['tv,1,', 'v,1,']);
  assert.match(text, /Expected --subsets among tav,ta,tv,av,t,a,v, but got 'xyz'/);
});
