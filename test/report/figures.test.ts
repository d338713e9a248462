import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { groupedBarFigure, barFigure } from '../../lib/report/bar-figures';
import { captionLine, FigureCaption, FigureInputError, FigureSpec, formatSeeds } from '../../lib/report/figure-spec';
import { heatmapFigure } from '../../lib/report/heatmap-figure';
import { lineCurvesFigure, rateCurveFigure } from '../../lib/report/line-figures';
import { projectionScatterFigure, scatterFigure } from '../../lib/report/scatter-figures';
import { CAPTION_LINE_CHARS, makeSpec, PALETTE, SENTIMENT_COLORS, SUBSET_COLORS, subsetColor, wrapCaptionText } from '../../lib/report/layout';
import { trainingCurvesFigure } from '../../lib/report/training-figures';
import { trainingDisplayHtml } from '../../lib/report/live-training';
import type { EpochRecord } from '../../lib/train/resumable-stage';

const caption: FigureCaption = { title: 'T', dataset: 'synthetic-mosi', seeds: [0, 1, 2], backend: 'wasm' };

/** Returns the subtitle text (the caption line) of a spec. */
function subtitle(spec: FigureSpec): string {
  return ((spec.layout.title as { subtitle: { text: string } }).subtitle).text;
}

/** Returns the title text of layout axis `key` (e.g. 'xaxis2'). */
function axisTitle(spec: FigureSpec, key: string): string {
  return ((spec.layout[key] as { title: { text: string } }).title).text;
}

function assertCaption(spec: FigureSpec): void {
  const line = subtitle(spec);
  assert.match(line, /dataset: synthetic-mosi/);
  assert.match(line, /seeds: 0-2 \(n=3\)/);
  assert.match(line, /backend: wasm/);
  assert.deepEqual(spec.caption, caption);
}

test('caption line lists dataset, seeds (ranges collapsed) and backend, plus the note', () => {
  assert.equal(formatSeeds([3, 0, 1, 2, 7, 9, 10]), '0-3, 7, 9, 10');
  assert.equal(formatSeeds([5]), '5');
  assert.equal(
    captionLine({ ...caption, seeds: [0, 1, 4], note: 'P3, test split' }),
    'dataset: synthetic-mosi · seeds: 0, 1, 4 (n=3) · backend: wasm · P3, test split',
  );
});

test('lineCurvesFigure: one trace per series, facets with titled axes, shared legend entries', () => {
  const spec = lineCurvesFigure({
    id: 'stage2-curves',
    caption,
    panels: [{ name: 'loss', yTitle: 'training loss' }, { name: 'val', yTitle: 'validation MAE' }],
    series: [
      { name: 'teacher', panel: 'loss', y: [3, 2, 1] },
      { name: 'teacher', panel: 'val', y: [1.2, 1.0, 0.9] },
      { name: 'student t', panel: 'loss', y: [3, 2.5, 2] },
      { name: 'student t', panel: 'val', y: [1.4, 1.2, 1.1] },
    ],
  });
  assert.equal(spec.data.length, 4);
  assert.deepEqual(spec.data.map((t) => t.xaxis), ['x', 'x2', 'x', 'x2']);
  assert.deepEqual(spec.data.map((t) => t.showlegend), [true, false, true, false]);
  assert.deepEqual(spec.data[0].x, [1, 2, 3]);
  assert.equal(spec.data[0].line && (spec.data[0].line as { color: string }).color, (spec.data[1].line as { color: string }).color);
  assert.equal(axisTitle(spec, 'xaxis'), 'epoch');
  assert.equal(axisTitle(spec, 'xaxis2'), 'epoch');
  assert.equal(axisTitle(spec, 'yaxis'), 'training loss');
  assert.equal(axisTitle(spec, 'yaxis2'), 'validation MAE');
  assertCaption(spec);

  const twoAxes = lineCurvesFigure({
    id: 'teacher', caption, yTitle: 'loss', y2Title: 'validation MAE',
    series: [{ name: 'loss', y: [2, 1] }, { name: 'val MAE', y: [1, 0.9], axis: 'y2' }],
  });
  assert.equal(twoAxes.data.length, 2);
  assert.equal(twoAxes.data[1].yaxis, 'y2');
  assert.equal(axisTitle(twoAxes, 'yaxis2'), 'validation MAE');
  assert.equal((twoAxes.layout.yaxis2 as { overlaying: string }).overlaying, 'y');
  assert.throws(() => lineCurvesFigure({ id: 'x', caption, yTitle: 'l', series: [{ name: 'a', y: [1], axis: 'y2' }] }), /y2Title/);
  assert.throws(() => lineCurvesFigure({ id: 'x', caption, yTitle: 'l', series: [{ name: 'a', y: [1, 2], x: [1] }] }), FigureInputError);
});

test('rateCurveFigure: a std band and a mean line per series', () => {
  const rates = [0.1, 0.3, 0.5, 0.7];
  const spec = rateCurveFigure({
    id: 'p3-mr', caption, yTitle: 'Has0_acc_2', xTitle: 'modality missing rate (MR)',
    series: [
      { name: 'MM-CKD', rates, mean: [0.8, 0.78, 0.75, 0.7], std: [0.01, 0.02, 0.02, 0.03] },
      { name: 'B5 diffusion', rates, mean: [0.79, 0.76, 0.72, 0.66] },
    ],
  });
  assert.equal(spec.data.length, 3); // band + line, line only
  assert.equal(spec.data[0].fill, 'toself');
  assert.deepEqual(spec.data[0].x, [0.1, 0.3, 0.5, 0.7, 0.7, 0.5, 0.3, 0.1]);
  assert.deepEqual((spec.data[0].y as number[]).map((v) => +v.toFixed(6)), [0.81, 0.8, 0.77, 0.73, 0.67, 0.73, 0.76, 0.79]);
  assert.deepEqual(spec.data.map((t) => t.name), ['MM-CKD ± std', 'MM-CKD', 'B5 diffusion']);
  assert.equal(axisTitle(spec, 'xaxis'), 'modality missing rate (MR)');
  assert.equal(axisTitle(spec, 'yaxis'), 'Has0_acc_2');
  assertCaption(spec);
});

test('groupedBarFigure and barFigure: traces, error bars and axis titles', () => {
  const categories = ['tav', 'ta', 'tv', 'av', 't', 'a', 'v'];
  const spec = groupedBarFigure({
    id: 'p1', caption, yTitle: 'MAE', categories,
    groups: ['MM-CKD', 'B1', 'B2'].map((name) => ({ name, mean: categories.map(() => 1), std: categories.map(() => 0.1) })),
  });
  assert.equal(spec.data.length, 3);
  assert.equal(spec.layout.barmode, 'group');
  assert.deepEqual(spec.data[0].x, categories);
  assert.deepEqual((spec.data[2].error_y as { array: number[] }).array, categories.map(() => 0.1));
  assert.equal(axisTitle(spec, 'xaxis'), 'modality subset');
  assert.equal(axisTitle(spec, 'yaxis'), 'MAE');
  assertCaption(spec);
  assert.throws(() => groupedBarFigure({ id: 'p1', caption, yTitle: 'MAE', categories, groups: [{ name: 'x', mean: [1] }] }), /mean has 1/);

  const bars = barFigure({ id: 'ablation', caption, xTitle: 'variant', yTitle: 'MAE', labels: ['full', 'no MVSC'], mean: [0.8, 0.9], std: [0.01, 0.02], orientation: 'h' });
  assert.equal(bars.data.length, 1);
  assert.deepEqual(bars.data[0].y, ['full', 'no MVSC']);
  assert.deepEqual((bars.data[0].error_x as { array: number[] }).array, [0.01, 0.02]);
  assert.equal(axisTitle(bars, 'xaxis'), 'MAE');
  assert.equal(axisTitle(bars, 'yaxis'), 'variant');
  assertCaption(bars);
});

test('scatterFigure: one labelled trace per group and a log x axis', () => {
  const spec = scatterFigure({
    id: 'cost', caption, xTitle: 'ms per clip', yTitle: 'Has0_acc_2', logX: true,
    points: [
      { x: 0.5, y: 0.8, label: 'MM-CKD', group: 'distillation' },
      { x: 5, y: 0.79, label: 'AE', group: 'imputation' },
      { x: 50, y: 0.81, label: 'diffusion', group: 'imputation' },
    ],
  });
  assert.equal(spec.data.length, 2);
  assert.deepEqual(spec.data[1].text, ['AE', 'diffusion']);
  assert.equal((spec.layout.xaxis as { type: string }).type, 'log');
  assert.equal(axisTitle(spec, 'xaxis'), 'ms per clip');
  assert.equal(axisTitle(spec, 'yaxis'), 'Has0_acc_2');
  assertCaption(spec);
  assert.throws(() => scatterFigure({ id: 'c', caption, xTitle: 'x', yTitle: 'y', logX: true, points: [{ x: 0, y: 1, label: 'z' }] }), /x > 0/);
});

test('projectionScatterFigure: a facet per model, a trace per class present', () => {
  const points = [
    { x: 0, y: 0, model: 'teacher', cls: -1 }, { x: 1, y: 1, model: 'teacher', cls: 1 },
    { x: 0, y: 1, model: 't', cls: 1 }, { x: 2, y: 1, model: 't', cls: 1 },
    { x: 0, y: 3, model: 'a', cls: 0 },
  ];
  const spec = projectionScatterFigure({ id: 'proj', caption, points });
  assert.equal(spec.data.length, 4); // teacher: -1, 1; t: 1; a: 0
  assert.deepEqual(spec.data.map((t) => [t.name, t.xaxis]), [['-1', 'x'], ['1', 'x'], ['1', 'x2'], ['0', 'x3']]);
  assert.deepEqual(spec.data.map((t) => t.showlegend), [true, true, false, true]);
  assert.deepEqual((spec.layout.annotations as { text: string }[]).map((a) => a.text), ['<b>teacher</b>', '<b>t</b>', '<b>a</b>']);
  assert.equal(axisTitle(spec, 'xaxis3'), 'PC 1');
  assert.equal(axisTitle(spec, 'yaxis'), 'PC 2');
  assertCaption(spec);
});

test('heatmapFigure: one heatmap trace, labelled axes, rows top to bottom', () => {
  const spec = heatmapFigure({ id: 'mask', caption, xTitle: 'frame', yTitle: 'modality', zTitle: 'kept', z: [[1, 0, 1], [0, 1, 1]], yLabels: ['text', 'audio'] });
  assert.equal(spec.data.length, 1);
  assert.equal(spec.data[0].type, 'heatmap');
  assert.deepEqual(spec.data[0].y, ['text', 'audio']);
  assert.equal((spec.layout.yaxis as { autorange: string }).autorange, 'reversed');
  assert.equal(axisTitle(spec, 'xaxis'), 'frame');
  assert.equal(axisTitle(spec, 'yaxis'), 'modality');
  assertCaption(spec);
  assert.throws(() => heatmapFigure({ id: 'm', caption, xTitle: 'f', yTitle: 'm', z: [[1, 2], [3]] }), /row 1 has 1/);
});

test('figure ids must be file-name safe and captions complete', () => {
  assert.throws(() => barFigure({ id: '../x', caption, xTitle: 'a', yTitle: 'b', labels: [], mean: [] }), /figure id/);
  assert.throws(() => barFigure({ id: 'x', caption: { ...caption, backend: '' }, xTitle: 'a', yTitle: 'b', labels: [], mean: [] }), /caption.backend/);
});

test('projectionScatterFigure: facets share one x range and one y range; sentiment signs get far-apart colours', () => {
  const points = ['tav', 't', 'a', 'v'].flatMap((model, k) => [
    { x: k, y: -k, model, cls: 'negative' }, { x: k + 0.1, y: k, model, cls: 'positive' }, { x: k, y: 0, model, cls: 'neutral' },
  ]);
  const spec = projectionScatterFigure({ id: 'proj', caption, points, columns: 4 });
  assert.equal((spec.layout.xaxis as { matches?: string }).matches, undefined);
  for (const k of [2, 3, 4]) {
    assert.equal((spec.layout[`xaxis${k}`] as { matches: string }).matches, 'x');
    assert.equal((spec.layout[`yaxis${k}`] as { matches: string }).matches, 'y');
    assert.equal((spec.layout[`yaxis${k}`] as { showticklabels: boolean }).showticklabels, false, 'y tick labels on the left column only');
  }
  const color = (name: string) => (spec.data.find((t) => t.name === name)!.marker as { color: string }).color;
  assert.equal(color('negative'), SENTIMENT_COLORS.negative);
  assert.equal(color('positive'), SENTIMENT_COLORS.positive);
  assert.notEqual(color('negative'), color('positive'));
  const custom = projectionScatterFigure({ id: 'proj', caption, points, classColors: { positive: '#123456' } });
  assert.equal((custom.data.find((t) => t.name === 'positive')!.marker as { color: string }).color, '#123456');
});

test('long captions wrap to the figure width and the top margin grows with them', () => {
  const note = 'test clips, two per batch: batch 0 keeps 1 of 3 modalities, batch 14 keeps 2 of 3 modalities, batch 3 keeps 3 of 3 modalities (22 batches of 32, clips shuffled by seed 1)';
  const long = { ...caption, note };
  const lines = wrapCaptionText(captionLine(long)).split('<br>');
  assert.ok(lines.length >= 2);
  for (const l of lines) assert.ok(l.length <= CAPTION_LINE_CHARS, `line of ${l.length} characters`);
  assert.equal(lines.join(' · ').replace(/, · /g, ', '), captionLine(long), 'nothing lost: breaks replace a separator');
  assert.equal(wrapCaptionText('short'), 'short');
  const short = barFigure({ id: 'b', caption, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [1] });
  const wrapped = barFigure({ id: 'b', caption: long, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [1] });
  assert.equal(subtitle(wrapped).split('<br>').length, lines.length);
  assert.ok((wrapped.layout.margin as { t: number }).t > (short.layout.margin as { t: number }).t);
  // a layout built outside lib/report gets the caption, the kit's colours and room for the caption
  const foreign = makeSpec({ id: 'f', caption: long }, [{ type: 'bar', y: [1] }], { title: { text: 'own title' } });
  assert.equal(subtitle(foreign).split('<br>').length, lines.length);
  assert.deepEqual(foreign.layout.colorway, [...PALETTE]);
});

test('trainingCurvesFigure and the live display give each model the same subset colour', () => {
  const history = [0, 1].map((epoch) => ({ stage: 'stage2', epoch, trainLoss: { total: 2 - epoch }, validMae: { tav: 1, t: 1.1, a: 1.2 } }));
  const spec = trainingCurvesFigure(history as unknown as EpochRecord[], 'stage2', 'curves', caption);
  for (const m of ['tav', 't', 'a'] as const) {
    const trace = spec.data.find((t) => t.name === m)!;
    assert.equal((trace.line as { color: string }).color, SUBSET_COLORS[m]);
  }
  assert.deepEqual((spec.layout.annotations as { text: string }[]).map((a) => a.text), ['<b>training loss</b>', '<b>validation MAE</b>']);
  const html = trainingDisplayHtml(history as unknown as EpochRecord[]);
  // the charts are images (data URIs): Jupyter keeps <img> in untrusted notebooks, not inline <svg>
  assert.doesNotMatch(html, /<svg/);
  const images = [...html.matchAll(/src="data:image\/svg\+xml;charset=utf-8,([^"]*)"/g)].map((m) => decodeURIComponent(m[1]));
  assert.equal(images.length, 2);
  for (const m of ['tav', 't', 'a'] as const) assert.match(images[1], new RegExp(`stroke="${SUBSET_COLORS[m]}"`));
  assert.equal(subsetColor('not-a-subset', 2), PALETTE[2]);
});
