import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChromiumNotFoundError, findChromium, requireChromium } from '../../lib/report/chromium';
import { decodeDataUrl, exportFigures } from '../../lib/report/export-figures';
import { groupedBarFigure } from '../../lib/report/bar-figures';

const chromium = findChromium();

test('requireChromium throws a typed error that says how to install or point to a browser', () => {
  assert.throws(
    () => requireChromium({ MMCKD_CHROMIUM: '/nonexistent/chromium' }),
    (err: unknown) =>
      err instanceof ChromiumNotFoundError &&
      /sudo apt-get install chromium/.test(err.message) &&
      /MMCKD_CHROMIUM/.test(err.message) &&
      err.tried[0] === 'MMCKD_CHROMIUM=/nonexistent/chromium',
  );
  assert.equal(findChromium({ MMCKD_CHROMIUM: '/nonexistent/chromium' }), undefined);
});

test('decodeDataUrl decodes base64 and URL-encoded data URLs', () => {
  assert.deepEqual([...decodeDataUrl('data:image/png;base64,AAEC', 'png')], [0, 1, 2]);
  assert.equal(Buffer.from(decodeDataUrl('data:image/svg+xml,%3Csvg%3E', 'svg')).toString(), '<svg>');
});

test(
  'exportFigures writes a valid PNG and SVG for one figure',
  { skip: chromium ? false : 'no Chromium found (set MMCKD_CHROMIUM or `sudo apt-get install chromium`): static export not tested', timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmckd-export-'));
    try {
      const spec = groupedBarFigure({
        id: 'p1-subsets',
        caption: { title: 'MAE per modality subset', dataset: 'synthetic-mosi', seeds: [0, 1, 2], backend: 'wasm' },
        yTitle: 'test MAE',
        categories: ['tav', 'ta', 't'],
        groups: [
          { name: 'MM-CKD', mean: [0.8, 0.85, 0.9], std: [0.01, 0.02, 0.02] },
          { name: 'B2 independent', mean: [0.82, 0.88, 0.95], std: [0.01, 0.01, 0.03] },
        ],
      });
      const result = await exportFigures([spec], dir, { formats: ['png', 'svg'], width: 900, height: 500, scale: 2 });
      assert.deepEqual(result.files.map((f) => f.path), [join(dir, 'p1-subsets.png'), join(dir, 'p1-subsets.svg')]);
      assert.deepEqual(readdirSync(dir).sort(), ['p1-subsets.png', 'p1-subsets.svg'], 'no temporary files left');

      const png = readFileSync(join(dir, 'p1-subsets.png'));
      assert.equal(png.length, result.files[0].bytes);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
      assert.equal(png.readUInt32BE(16), 1800, 'width = 900 x scale 2');
      assert.equal(png.readUInt32BE(20), 1000, 'height = 500 x scale 2');
      assert.ok(png.length > 20_000, `PNG is ${png.length} bytes`);

      const svg = readFileSync(join(dir, 'p1-subsets.svg'), 'utf8');
      assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
      assert.ok(svg.includes('test MAE'), 'y axis title');
      assert.ok(svg.includes('modality subset'), 'x axis title');
      assert.ok(svg.includes('dataset: synthetic-mosi'), 'caption');
      assert.ok(svg.length > 5_000, `SVG is ${svg.length} characters`);
      assert.ok(result.startupMs > 0 && result.files.every((f) => f.renderMs > 0));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
