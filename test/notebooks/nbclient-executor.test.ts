// The optional executor: Jupyter's nbclient in Python (MMCKD_NOTEBOOK_EXECUTOR=nbclient) runs the
// same kernel and gives the same outputs as the kit's own client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellOutputs, findJupyterPython, runNotebooks } from '../../scripts/notebook-runner';

const python = findJupyterPython(['nbclient', 'nbformat', 'jupyter_client']);

test('MMCKD_NOTEBOOK_EXECUTOR=nbclient runs notebook 00 on the tslab kernel through nbclient', { skip: python ? false : 'no Python with nbclient: the optional nbclient executor is not tested' }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mmckd-nbclient-'));
  const [run] = await runNotebooks({ only: ['00'], quick: true, outDir, verbose: false, env: { MMCKD_NOTEBOOK_EXECUTOR: 'nbclient', MMCKD_STATIC_FIGURES: '0' } });
  const outs = cellOutputs(run.output);
  assert.match(outs[1], /softmax\(\[1, 2, 3\]\) = 0\.0900 0\.2447 0\.6652/);
  assert.match(outs[2], /arquero table: 7 rows x 4 columns/);
  assert.match(outs[3], /class="mmckd-figure"/);
  assert.match(outs[3], /no static image \(MMCKD_STATIC_FIGURES=0\)/);
  assert.ok(run.bytes < 100_000, `${run.bytes} bytes`);
});

test('MMCKD_NOTEBOOK_EXECUTOR names an executor or is refused', async () => {
  await assert.rejects(runNotebooks({ only: ['00'], verbose: false, env: { MMCKD_NOTEBOOK_EXECUTOR: 'papermill' } }), /Expected MMCKD_NOTEBOOK_EXECUTOR to be 'node' or 'nbclient', but got 'papermill'/);
});
