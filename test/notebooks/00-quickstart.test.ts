import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellOutputs, runNotebooks } from '../../scripts/notebook-runner';

test('notebook 00-quickstart executes headless and shows backend, tensors, table and figure', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mmckd-nb00-'));
  const [run] = runNotebooks({ only: ['00'], quick: true, outDir, verbose: false });
  const outs = cellOutputs(run.output);
  assert.match(outs[0], /mmckd: TensorFlow\.js backend '(wasm|cpu|node|node-gpu)'/);
  assert.match(outs[0], /quick setting: on/);
  assert.match(outs[1], /softmax\(\[1, 2, 3\]\) = 0\.0900 0\.2447 0\.6652/);
  assert.match(outs[1], /\[0\.5, -1\] = -1\.5 -2\.5/);
  assert.match(outs[1], /live tensors before\/after: (\d+) \1\n/);
  assert.match(outs[2], /<table/);
  assert.match(outs[2], /arquero table: 7 rows x 4 columns/);
  assert.match(outs[2], /tav: text \+ audio \+ vision/);
  assert.match(outs[2], /v: vision/);
  assert.match(outs[3], /Plotly\.newPlot|Plotly\.react/);
  assert.match(outs[3], /plotly\.js v\d/); // the bundle is inlined with the first figure
  assert.match(outs[3], /figure quickstart-softmax: 1 trace\(s\)/);
});
