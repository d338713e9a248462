import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellOutputs, runNotebooks } from '../../scripts/notebook-runner';
import { readNotebook } from '../../scripts/jupyter/notebook-file';
import { findChromium } from '../../lib/report/chromium';

test('notebook 00-quickstart executes headless with Node alone and shows backend, tensors, table and a small figure output', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mmckd-nb00-'));
  // no Python: neither nbclient nor signing; the kit's own client runs the kernel
  const [run] = await runNotebooks({ only: ['00'], quick: true, outDir, verbose: false, executor: 'node', env: { MMCKD_JUPYTER_PYTHON: 'none' } });
  assert.equal(run.signed, false);
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
  assert.match(outs[3], /figure quickstart-softmax: 1 trace\(s\)/);
  assert.match(outs[4], /softmax\(\[1, 2, 3\]\) sums to 1\.000000, largest 0\.6652 for the largest input; live tensors now (\d+), before the tensor cell \1/, 'what we found, computed');
  assert.equal((outs[3].match(/class="mmckd-figure"/g) ?? []).length, 1);
  assert.match(outs[3], /Plotly\.newPlot/);
  assert.doesNotMatch(outs[3], /plotly\.js v\d/, 'the plotly.js bundle is not stored in the notebook');
  assert.match(outs[3], /"fromRoot":\["node_modules\/plotly\.js-dist(-min)?\/plotly(\.min)?\.js"/, 'the chart loads the kit\'s own bundle from the server');

  // saved as Jupyter saves: cells' outputs as the front end keeps them, the kernel's language_info
  const nb = readNotebook(run.output);
  assert.equal((nb.metadata.language_info as { name: string }).name, 'typescript');
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  assert.deepEqual(code.map((c) => c.execution_count), [1, 2, 3, 4, 5]);
  assert.deepEqual(code[1].outputs?.map((o) => o.output_type), ['stream'], 'consecutive stdout text is one output');
  assert.deepEqual(code[3].outputs?.map((o) => o.output_type), ['display_data', 'stream']);
  assert.ok(code.every((c) => (c.outputs ?? []).every((o) => !(o.output_type === 'stream' && o.name === 'stderr'))), 'no cell wrote to stderr');

  const bytes = statSync(run.output).size;
  assert.ok(bytes < 1_000_000, `executed notebook 00 is ${bytes} bytes`);
  if (findChromium()) {
    const src = /<img class="mmckd-figure-static"[^>]*src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(outs[3]);
    assert.ok(src, 'the figure carries its static SVG picture');
    const svg = Buffer.from(src[1], 'base64').toString('utf8');
    assert.match(svg, /^<svg[^>]*class="main-svg"/);
    assert.match(svg, /softmax\(\[1, 2, 3\]\)/, 'the picture shows the caption');
    assert.match(svg, /class="point"/, 'the picture shows the bars');
  } else {
    assert.match(outs[3], /class="mmckd-figure-note"[^>]*>Figure "softmax\(\[1, 2, 3\]\)": no static image \((no Chromium found|MMCKD_CHROMIUM=\S+ is not an executable browser)/);
  }
});

test("notebook 00's solutions: temperature, a leak and its fix, a question to a table", async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mmckd-nb00-solutions-'));
  const [run] = await runNotebooks({ only: ['solutions/00'], quick: true, outDir, verbose: false, executor: 'node', env: { MMCKD_JUPYTER_PYTHON: 'none', MMCKD_STATIC_FIGURES: '0' } });
  const all = cellOutputs(run.output).join('\n');
  assert.match(all, /T = 0\.5: 0\.0159 0\.1173 0\.8668/);
  assert.match(all, /T = 2: 0\.1863 0\.3072 0\.5065/);
  assert.match(all, /live tensors: (\d+) at the start, (\d+) with the tensor, \1 after dispose/);
  assert.match(all, /students without text: 3 \(av, a, v\)/);
});
