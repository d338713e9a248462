import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../lib/backend';
import { imputationCellDir, readRegimeMap, runRegimeMap, type ImputationCellRecord } from '../../lib/experiments/regime-map-runs';
import { regimeMapRows, type Regime } from '../../lib/report/regime-map';

test('runRegimeMap refuses a regime the generator cannot make, naming it and the field, before anything is written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'mmckd-regimes-'));
  try {
    const backend = await selectBackend();
    const regimes: Regime[] = [
      { name: 'fine', axis: 'size-noise', preset: 'quick', overrides: {}, imputation: false },
      { name: 'bad', axis: 'size-noise', preset: 'quick', overrides: { addedLabelNoise: -1 }, imputation: false },
      { name: 'none', axis: 'size-noise', preset: 'quick', overrides: { counts: { train: 0 } }, imputation: false },
      { name: 'over', axis: 'sharing', preset: 'quick', overrides: { sharedBeyondLabel: 1.5 }, imputation: true },
    ];
    const options = { seeds: [1], outDir: out, trainPreset: 'quick' as const, imputerPreset: 'quick' as const, backend, workers: 1 };
    await assert.rejects(runRegimeMap({ ...options, regimes: regimes.slice(0, 2) }), /regime bad: .*addedLabelNoise/);
    await assert.rejects(runRegimeMap({ ...options, regimes: [regimes[2]] }), /regime none: .*counts\.train/);
    await assert.rejects(runRegimeMap({ ...options, regimes: [regimes[3]] }), /regime over: .*sharedBeyondLabel/);
    assert.deepEqual(readdirSync(out), [], 'nothing written');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('runRegimeMap trains a regime as a P1 grid plus its imputation cells, counts a cell that fails, and reuses what finished', { timeout: 600_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'mmckd-regimes-'));
  try {
    const backend = await selectBackend();
    const regime: Regime = { name: 'tiny', axis: 'sharing', preset: 'quick', overrides: { counts: { train: 48 }, sharedBeyondLabel: 0.5 }, imputation: true };
    mkdirSync(join(out, 'tiny'), { recursive: true });
    writeFileSync(imputationCellDir(join(out, 'tiny'), 1), 'a file where the seed-1 imputation cell would go'); // that cell cannot be made
    const lines: string[] = [];
    const options = { regimes: [regime], seeds: [1, 2], outDir: out, trainPreset: 'quick' as const, imputerPreset: 'quick' as const, backend, workers: 1, callbacks: { log: (l: string) => lines.push(l) } };
    const [tiny] = await runRegimeMap(options);
    assert.equal(tiny.planned, (5 + 1) * 2);
    assert.equal(tiny.cells.length, 11, 'mmckd, b2, b3, b4 and b1 for seeds 1 and 2, ae-teacher for seed 2');
    assert.equal(tiny.failures.length, 1);
    assert.match(tiny.failures[0], /^regime tiny: ae-teacher seed 1: /);
    assert.ok(lines.some((l) => l.startsWith('regime tiny: 11 of 12 cells evaluated, 1 failure(s)')));
    const record = JSON.parse(readFileSync(join(imputationCellDir(join(out, 'tiny'), 2), 'evaluation.json'), 'utf8')) as ImputationCellRecord;
    assert.equal(record.kind, 'mmckd-regime-imputation');
    assert.equal(record.datasetSpec, 'synthetic:quick?counts.train=48&sharedBeyondLabel=0.5');
    assert.match(record.teacherDir, /tiny[/\\]_stage1[/\\]synthetic-quick-seed2-[0-9a-f]{12}[/\\]best[/\\]tav$/, "the stage-1 teacher B1's cell zero-fills");
    assert.equal(record.evaluation.p1.length, 7);

    const rows = regimeMapRows([tiny]);
    assert.equal(rows.length, 4 * 3);
    assert.ok(rows.filter((r) => r.contrast !== 'AE + teacher − B1').every((r) => r.n === 2 && Number.isFinite(r.ci_low)));
    assert.ok(rows.filter((r) => r.contrast === 'AE + teacher − B1').every((r) => r.n === 1 && r.missing_cells === 1), 'the failed cell is counted, its pair left out');
    assert.deepEqual(readRegimeMap([regime], [1, 2], out)[0].cells, tiny.cells, 'read back as trained');
    rmSync(imputationCellDir(join(out, 'tiny'), 1));
    const [again] = await runRegimeMap(options);
    assert.equal(again.cells.length, 12, 'the failed cell is made on the next run');
    assert.deepEqual(again.failures, []);
    assert.ok(lines.filter((l) => / training -> /.test(l)).length === 10, 'the finished grid cells were reused, not trained again');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
