import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { rateCurveFigure } from '../../lib/report/line-figures';
import { figureHtml, figureMimeBundle, plotlyBundleInlined, resetPlotlyInline } from '../../lib/report/inline-html';
import { plotlyBundleSource, plotlyBundleVersion } from '../../lib/report/plotly-bundle';

const spec = rateCurveFigure({
  id: 'p2',
  caption: { title: 'P2 </script> test', dataset: 'synthetic-mosi', seeds: [0], backend: 'cpu' },
  yTitle: 'MAE',
  series: [{ name: 'MM-CKD', rates: [0, 0.5, 1], mean: [0.8, 1, 1.4] }],
});

test('figureHtml inlines the plotly bundle on the first call of a session only', () => {
  resetPlotlyInline();
  const bundleStart = plotlyBundleSource().slice(0, 200);
  const first = figureHtml(spec);
  const second = figureHtml(spec);
  assert.ok(plotlyBundleInlined());
  assert.ok(first.includes(bundleStart), 'first output carries the bundle');
  assert.ok(first.length > 1_000_000, `first output is ${first.length} characters`);
  assert.ok(!second.includes(bundleStart), 'second output reuses window.Plotly');
  assert.ok(second.length < 20_000, `second output is ${second.length} characters`);
  // RequireJS guard around the bundle
  assert.match(first, /var savedDefine = window\.define;\s*window\.define = undefined;/);
  // a div with a unique id that the draw script targets
  const ids = [first, second].map((h) => /<div id="(mmckd-p2-\d+-[0-9a-f]{8})"/.exec(h)?.[1]);
  assert.ok(ids[0] && ids[1] && ids[0] !== ids[1], `ids ${ids}`);
  assert.ok(second.includes(`var id = "${ids[1]}";`));
  assert.match(second, /window\.Plotly\.newPlot\(el, fig\.data, fig\.layout, fig\.config\)/);
  // the spec's text cannot close the script element
  assert.equal((second.match(/<\/script>/g) ?? []).length, 1);
  assert.ok(second.includes('P2 \\u003c/script\\u003e test'));
  const always = figureHtml(spec, { inlineBundle: 'always' });
  assert.ok(always.includes(bundleStart));
  const never = figureHtml(spec, { inlineBundle: 'never' });
  assert.ok(!never.includes(bundleStart));
  resetPlotlyInline();
  assert.ok(figureHtml(spec).includes(bundleStart), 'after a reset the bundle is inlined again');
});

test('figureMimeBundle returns the plotly JSON payload with data and sized layout', () => {
  const payload = figureMimeBundle(spec);
  assert.deepEqual(payload.data, spec.data);
  assert.equal(payload.layout.width, 900);
  assert.equal(payload.layout.height, 500);
  assert.deepEqual(JSON.parse(JSON.stringify(payload)).data, spec.data);
  assert.match(plotlyBundleVersion(), /^\d+\.\d+\.\d+$/);
});
