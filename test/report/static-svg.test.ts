import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { findChromium } from '../../lib/report/chromium';
import { barFigure } from '../../lib/report/bar-figures';
import { closeStaticRenderer, inTslabKernel, staticFigureSvg } from '../../lib/report/static-svg';

const spec = barFigure({
  id: 'static-bars', caption: { title: 'static bars', dataset: 'toy', seeds: [1], backend: 'cpu' }, xTitle: 'x', yTitle: 'y', labels: ['a', 'b'], mean: [1, 2],
});

test('staticFigureSvg says why there is no image: turned off, or no browser at the path given', () => {
  assert.deepEqual(staticFigureSvg(spec, {}, { MMCKD_STATIC_FIGURES: '0' }), { reason: 'MMCKD_STATIC_FIGURES=0' });
  assert.deepEqual(staticFigureSvg(spec, {}, { MMCKD_CHROMIUM: '/nonexistent/chromium' }), { reason: 'MMCKD_CHROMIUM=/nonexistent/chromium is not an executable browser' });
  assert.deepEqual(staticFigureSvg(spec, {}, {}), { reason: 'MMCKD_CHROMIUM=/nonexistent/chromium is not an executable browser' }, 'a process stops trying after a failure');
  closeStaticRenderer();
});

test('inTslabKernel recognises the tslab kernel command line', () => {
  assert.equal(inTslabKernel(['/usr/bin/node', '/kit/node_modules/tslab/bin/tslab', 'kernel', '--config-path', '/tmp/k.json']), true);
  assert.equal(inTslabKernel(['/usr/bin/node', '/kit/node_modules/tslab/bin/tslab', 'install']), false);
  assert.equal(inTslabKernel(['/usr/bin/node', '/kit/cli/main.ts', 'kernel']), false);
});

test('staticFigureSvg renders the figure synchronously as plotly SVG, the browser started once', { skip: findChromium() ? false : 'no Chromium found: static pictures not tested', timeout: 120_000 }, () => {
  try {
    const first = staticFigureSvg(spec);
    assert.ok('svg' in first, JSON.stringify(first));
    assert.match(first.svg, /^<svg class="main-svg"[^>]* width="900" height="500"/);
    assert.match(first.svg, /static bars/);
    assert.equal((first.svg.match(/class="point"/g) ?? []).length, 2, 'two bars');
    const t = Date.now();
    const tall = staticFigureSvg(spec, { height: 300 });
    assert.ok('svg' in tall);
    assert.match(tall.svg, /height="300"/);
    assert.ok(Date.now() - t < 10_000, 'a second image reuses the browser');
  } finally {
    closeStaticRenderer();
  }
});
