import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  featureStatsFigure,
  labelHistogramFigure,
  lengthHistogramFigure,
  MASK_CELL,
  maskHeatmapFigure,
  sameLengthsAcrossModalities,
  type PlotlyFigure,
} from '../../lib/report/data-figures';
import { applyModalitySubset, frameMissing, randomModalityMissing } from '../../lib/data/missing';
import { MODALITIES } from '../../lib/data/modalities';
import { generateSynthetic, syntheticConfig } from '../../lib/data/synthetic';
import { SPLIT_NAMES, type MultimodalSplit } from '../../lib/data/types';

const d = generateSynthetic(syntheticConfig('quick', { seed: 3 }));
const clips = [0, 1, 2, 3, 4, 5];

/** Returns the annotation texts of a figure. */
function annotations(fig: PlotlyFigure): string[] {
  return ((fig.layout.annotations ?? []) as { text: string }[]).map((a) => a.text);
}

/** Returns the title text of layout axis `key`, or undefined when it has none. */
function axisTitle(fig: PlotlyFigure, key: string): string | undefined {
  return (fig.layout[key] as { title?: { text: string } } | undefined)?.title?.text;
}

test('maskHeatmapFigure: every trace binds to its own axes, the panel title names the modality and whether it is missing', () => {
  const fig = maskHeatmapFigure(applyModalitySubset(d.test, 'tv'), clips);
  assert.equal(fig.data.length, 3);
  fig.data.forEach((t, k) => {
    const suffix = k === 0 ? '' : `${k + 1}`;
    assert.equal(t.xaxis, `x${suffix}`);
    assert.equal(t.yaxis, `y${suffix}`);
    assert.ok(fig.layout[`xaxis${suffix}`], `layout has xaxis${suffix}`);
    assert.equal((fig.layout[`xaxis${suffix}`] as { anchor: string }).anchor, `y${suffix}`);
  });
  // one x title, at the bottom: a title under an upper panel would sit inside the panel below
  assert.equal(axisTitle(fig, 'xaxis'), undefined);
  assert.equal(axisTitle(fig, 'xaxis2'), undefined);
  assert.equal(axisTitle(fig, 'xaxis3'), 'frame');
  assert.deepEqual(annotations(fig), ['<b>text</b>', '<b>audio</b> (missing)', '<b>vision</b>']);
  // panels stacked top to bottom in MODALITIES order, without overlap
  const domains = MODALITIES.map((_, k) => (fig.layout[`yaxis${k === 0 ? '' : k + 1}`] as { domain: [number, number] }).domain);
  for (let k = 1; k < domains.length; k++) assert.ok(domains[k][1] < domains[k - 1][0], `panel ${k} below panel ${k - 1}`);
});

test('maskHeatmapFigure: cells are seen, dropped or padding; rows carry every clip label', () => {
  const p2 = frameMissing(d.test, 0.5, 1);
  const fig = maskHeatmapFigure(p2, clips, { rowLabels: clips.map((i) => `clip ${i}, batch 0`) });
  MODALITIES.forEach((m, k) => {
    const z = fig.data[k].z as number[][];
    const f = d.test.features[m];
    clips.forEach((i, r) => {
      for (let t = 0; t < f.seqLen; t++) {
        const expected = p2.masks[m][i * f.seqLen + t] ? MASK_CELL.seen : t < f.lengths[i] ? MASK_CELL.dropped : MASK_CELL.padding;
        assert.equal(z[r][t], expected, `${m} clip ${i} frame ${t}`);
      }
    });
    assert.deepEqual((fig.layout[`yaxis${k === 0 ? '' : k + 1}`] as { tickvals: string[] }).tickvals, clips.map((i) => `clip ${i}, batch 0`));
  });
  assert.ok((fig.data[0].z as number[][]).flat().includes(MASK_CELL.dropped), 'P2 at 0.5 drops frames');
  assert.throws(() => maskHeatmapFigure(p2, clips, { rowLabels: ['one'] }), /Expected 6 rowLabels/);
});

test('maskHeatmapFigure: a modality missing in some of the clips shown says how many', () => {
  const p3c = randomModalityMissing(d.test, 0.5, 1);
  const fig = maskHeatmapFigure(p3c, clips);
  MODALITIES.forEach((m, k) => {
    const lost = clips.filter((i) => p3c.available[i * 3 + k] === 0).length;
    const note = lost === 0 ? '' : lost === clips.length ? ' (missing)' : ` (missing in ${lost} of ${clips.length} clips)`;
    assert.equal(annotations(fig)[k], `<b>${m}</b>${note}`);
  });
});

test('lengthHistogramFigure: one series when the modalities share their lengths, one per modality otherwise', () => {
  assert.equal(sameLengthsAcrossModalities(d.train), true, 'the synthetic set is aligned');
  const same = lengthHistogramFigure(d.train);
  assert.equal(same.data.length, 1);
  assert.equal(same.layout.showlegend, false);
  assert.match(axisTitle(same, 'xaxis')!, /the same length in every clip/);
  assert.equal(axisTitle(same, 'yaxis'), 'clips');

  const audio = d.train.features.audio;
  const lengths = audio.lengths.slice();
  lengths[0] = lengths[0] > 1 ? lengths[0] - 1 : 2;
  const unaligned: MultimodalSplit = { ...d.train, features: { ...d.train.features, audio: { ...audio, lengths } } };
  assert.equal(sameLengthsAcrossModalities(unaligned), false);
  const differ = lengthHistogramFigure(unaligned);
  assert.deepEqual(differ.data.map((t) => t.name), ['text', 'audio', 'vision']);
  assert.equal(differ.layout.showlegend, true);
});

test('labelHistogramFigure: per split, the fractions of clips over bins of 0.2 sum to 1', () => {
  const fig = labelHistogramFigure(d);
  assert.equal(fig.data.length, SPLIT_NAMES.length);
  fig.data.forEach((t, k) => {
    const y = t.y as number[];
    assert.equal(y.length, 31);
    assert.ok(Math.abs(y.reduce((s, v) => s + v, 0) - 1) < 1e-9, `${SPLIT_NAMES[k]} sums to 1`);
    assert.deepEqual([(t.x as number[])[0], (t.x as number[])[15], (t.x as number[])[30]], [-3, 0, 3]);
    assert.match(String(t.name), new RegExp(`^${SPLIT_NAMES[k]} \\(${d[SPLIT_NAMES[k]].labels.length} clips\\)$`));
  });
});

test('featureStatsFigure: one point per feature dimension on integer ticks', () => {
  const fig = featureStatsFigure(d.train, 'audio');
  assert.deepEqual(fig.data[0].x, [0, 1, 2, 3, 4]);
  assert.equal((fig.layout.xaxis as { dtick: number }).dtick, 1);
  assert.equal(axisTitle(fig, 'xaxis'), 'audio feature dimension');
  const text = featureStatsFigure(d.train, 'text', 32);
  assert.equal((text.data[0].x as number[]).length, 32);
  assert.match(axisTitle(text, 'xaxis')!, /first 32 of 64/);
  assert.deepEqual((featureStatsFigure(d.train, 'audio', 64, [-3, 3]).layout.yaxis as { range: number[] }).range, [-3, 3], 'a fixed value axis to compare two figures');
  assert.equal((fig.layout.yaxis as { range?: number[] }).range, undefined);
});
