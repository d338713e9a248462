import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { rateCurveFigure } from '../../lib/report/line-figures';
import { figureHtml, figureMimeBundle, servedBundlePaths } from '../../lib/report/inline-html';
import { figureDocument, writeFigureHtmlFiles } from '../../lib/report/figure-html-file';
import { plotlyBundleSource, plotlyBundleVersion } from '../../lib/report/plotly-bundle';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const spec = rateCurveFigure({
  id: 'p2',
  caption: { title: 'P2 </script> test', dataset: 'synthetic-mosi', seeds: [0], backend: 'cpu' },
  yTitle: 'MAE',
  series: [{ name: 'MM-CKD', rates: [0, 0.5, 1], mean: [0.8, 1, 1.4] }],
});
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="500"><text>P2</text></svg>';

test('figureHtml never inlines the bundle by default: every output is small and draws with the served bundle', () => {
  const bundleStart = plotlyBundleSource().slice(0, 200);
  const first = figureHtml(spec, { staticImage: { svg: SVG } });
  const second = figureHtml(spec, { staticImage: { svg: SVG } });
  for (const html of [first, second]) {
    assert.ok(!html.includes(bundleStart), 'no bundle');
    assert.ok(html.length < 20_000, `output is ${html.length} characters`);
    assert.match(html, /fetch\(urls\[i\], \{ credentials: 'same-origin' \}\)/, 'loads the bundle through the server');
    assert.match(html, /window\.define = undefined;/, 'RequireJS guard around the fetched bundle');
    assert.match(html, /Plotly\.newPlot\(plot, fig\.data, fig\.layout, fig\.config\)/);
  }
  const ids = [first, second].map((h) => /<div id="(mmckd-p2-\d+-[0-9a-f]{8})" class="mmckd-figure"/.exec(h)?.[1]);
  assert.ok(ids[0] && ids[1] && ids[0] !== ids[1], `ids ${ids}`);
  assert.ok(second.includes(`var id = "${ids[1]}";`));
  // the spec's text cannot close the script element
  assert.equal((second.match(/<\/script>/g) ?? []).length, 1);
  assert.ok(second.includes('P2 \\u003c/script\\u003e test'));
  // served-bundle candidates: relative to the notebook's folder and to a server rooted at the kit
  const paths = servedBundlePaths('/kit/notebooks');
  assert.match(paths.fromRoot[0], /^node_modules\/plotly\.js-dist(-min)?\/plotly(\.min)?\.js$/);
  assert.ok(first.includes(JSON.stringify(paths.fromRoot[0])));
});

test('figureHtml carries the static picture as an SVG data URL in an <img>, or says why there is none', () => {
  const withPicture = figureHtml(spec, { staticImage: { svg: SVG } });
  const m = /<img class="mmckd-figure-static" alt="P2 &lt;\/script&gt; test" width="900" height="500" [^>]*src="data:image\/svg\+xml;base64,([^"]+)">/.exec(withPicture);
  assert.ok(m, 'an <img> with the picture');
  assert.equal(Buffer.from(m[1], 'base64').toString('utf8'), SVG);
  assert.doesNotMatch(withPicture, /class="mmckd-figure-note"/, 'no note when there is a picture');

  const without = figureHtml(spec, { staticImage: { reason: 'no Chromium found' } });
  assert.doesNotMatch(without, /<img/);
  assert.match(without, /<div class="mmckd-figure-note"[^>]*>Figure "P2 &lt;\/script&gt; test": no static image \(no Chromium found\); the interactive chart appears/);
});

test("figureHtml's inlineBundle 'always' and 'never'", () => {
  const bundleStart = plotlyBundleSource().slice(0, 200);
  const always = figureHtml(spec, { inlineBundle: 'always' });
  assert.ok(always.includes(bundleStart));
  assert.match(always, /var savedDefine = window\.define;\s*window\.define = undefined;/);
  const never = figureHtml(spec, { inlineBundle: 'never' });
  assert.ok(!never.includes(bundleStart));
  assert.match(never, /var paths = \{"fromNotebook":"","fromRoot":\[\]\}/, 'no served bundle is tried');
});

test('figureDocument and writeFigureHtmlFiles write self-contained HTML pages', () => {
  const doc = figureDocument(spec);
  assert.match(doc, /^<!doctype html>/);
  assert.ok(doc.includes(plotlyBundleSource().slice(0, 200)), 'the bundle is inlined');
  assert.match(doc, /<title>P2 &lt;\/script&gt; test<\/title>/);
  assert.doesNotMatch(doc.slice(doc.indexOf('var fig = ')), /fetch\(/, 'the drawing script fetches nothing');
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-html-'));
  const files = writeFigureHtmlFiles([spec], dir);
  assert.deepEqual(files.map((f) => f.path), [join(dir, 'p2.html')]);
  assert.equal(readFileSync(files[0].path, 'utf8'), doc);
  assert.throws(() => writeFigureHtmlFiles([spec, spec], dir), /'p2' appears twice/);
});

test('figureMimeBundle returns the plotly JSON payload with data and sized layout', () => {
  const payload = figureMimeBundle(spec);
  assert.deepEqual(payload.data, spec.data);
  assert.equal(payload.layout.width, 900);
  assert.equal(payload.layout.height, 500);
  assert.deepEqual(JSON.parse(JSON.stringify(payload)).data, spec.data);
  assert.match(plotlyBundleVersion(), /^\d+\.\d+\.\d+$/);
});
