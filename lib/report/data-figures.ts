/**
 * Figures of the data notebook, as plain plotly.js JSON (traces and layout, no rendering code):
 * label histograms, length histograms, per-dimension feature statistics and missing-mask heat
 * maps. `captionFigure` gives one an id and a caption; any display route can show it.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from '../data/modalities';
import type { MaskedSplit } from '../data/missing/masks';
import type { MultimodalDataset, MultimodalSplit } from '../data/types';
import { SPLIT_NAMES } from '../data/types';
import type { PlotlyLayout, PlotlyTrace } from './figure-spec';

/** A figure before its id and caption: plotly traces and layout. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}

/** Histogram counts of `values` in bins of `size` from `start` (values outside are dropped). */
function binCounts(values: ArrayLike<number>, start: number, size: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i] - start) / size);
    if (k >= 0 && k < bins) counts[k]++;
  }
  return counts;
}

/**
 * Returns the label distribution of the three splits as step outlines (fraction of the split's
 * clips per bin of 0.2, MOSI's label grid, from -3.1 to 3.1): outlines stay readable where filled
 * bars of three splits would overlap.
 * @see notebooks/01-data-prep.ipynb
 */
export function labelHistogramFigure(d: MultimodalDataset): PlotlyFigure {
  const size = 0.2;
  const bins = 31;
  const centres = Array.from({ length: bins }, (_, k) => Math.round((-3 + k * size) * 10) / 10);
  return {
    data: SPLIT_NAMES.map((s) => {
      const n = Math.max(1, d[s].labels.length);
      return {
        type: 'scatter',
        mode: 'lines',
        name: `${s} (${d[s].labels.length} clips)`,
        x: centres,
        y: binCounts(d[s].labels, -3 - size / 2, size, bins).map((c) => c / n),
        line: { shape: 'hvh', width: 2 },
      };
    }),
    layout: {
      title: { text: `${d.meta.name}: sentiment labels` },
      xaxis: { title: { text: 'label (bins of 0.2)' }, zeroline: false, dtick: 1 },
      yaxis: { title: { text: 'fraction of the split\'s clips' }, rangemode: 'tozero' },
      legend: { title: { text: 'split' } },
    },
  };
}

/** Returns true when every modality of the split has the same valid length for every clip (aligned data). */
export function sameLengthsAcrossModalities(split: MultimodalSplit): boolean {
  const first = split.features[MODALITIES[0]].lengths;
  return MODALITIES.every((m) => {
    const l = split.features[m].lengths;
    return l.length === first.length && l.every((v, i) => v === first[i]);
  });
}

/**
 * Returns histograms of the valid lengths of each modality in one split (clips per length). When
 * the three modalities have the same length for every clip (aligned data), one histogram, named so.
 * @see notebooks/01-data-prep.ipynb
 */
export function lengthHistogramFigure(split: MultimodalSplit): PlotlyFigure {
  const maxLen = Math.max(...MODALITIES.map((m) => split.features[m].seqLen));
  const xbins = maxLen <= 100 ? { start: 0.5, end: maxLen + 0.5, size: 1 } : undefined; // one bar per length
  const same = sameLengthsAcrossModalities(split);
  const series = same ? [{ name: MODALITIES.join(' = '), m: MODALITIES[0] }] : MODALITIES.map((m) => ({ name: m, m }));
  return {
    data: series.map(({ name, m }) => ({
      type: 'histogram',
      name,
      x: Array.from(split.features[m].lengths),
      ...(xbins ? { xbins } : {}),
      opacity: same ? 0.85 : 0.6,
    })),
    layout: {
      title: { text: `${split.name}: valid lengths` },
      barmode: 'overlay',
      bargap: 0.05,
      showlegend: !same,
      xaxis: { title: { text: same ? `valid frames per clip (${MODALITIES.join(', ')}: the same length in every clip)` : 'valid frames per clip' }, zeroline: false },
      yaxis: { title: { text: 'clips' } },
      legend: { title: { text: 'modality' } },
    },
  };
}

/**
 * Returns per-dimension mean and std (over valid frames) of one modality as error bars; `yRange`
 * fixes the value axis, so two figures (before and after standardisation) compare directly.
 */
export function featureStatsFigure(split: MultimodalSplit, modality: Modality, maxDims = 64, yRange?: [number, number]): PlotlyFigure {
  const f = split.features[modality];
  const D = Math.min(f.dim, maxDims);
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  let count = 0;
  for (let i = 0; i < f.numClips; i++) {
    for (let t = 0; t < f.lengths[i]; t++) {
      const row = (i * f.seqLen + t) * f.dim;
      for (let d = 0; d < D; d++) {
        sum[d] += f.data[row + d];
        sq[d] += f.data[row + d] ** 2;
      }
      count++;
    }
  }
  const mean = Array.from(sum, (s) => s / Math.max(count, 1));
  const std = Array.from(sq, (s, d) => Math.sqrt(Math.max(0, s / Math.max(count, 1) - mean[d] ** 2)));
  return {
    data: [{ type: 'scatter', mode: 'markers', x: Array.from({ length: D }, (_, d) => d), y: mean, error_y: { type: 'data', array: std, visible: true }, name: `${modality}: mean ± std` }],
    layout: {
      title: { text: `${split.name} ${modality}: mean ± std per feature (first ${D} of ${f.dim})` },
      xaxis: { title: { text: `${modality} feature dimension${D < f.dim ? ` (first ${D} of ${f.dim})` : ''}` }, zeroline: false, tickformat: 'd', ...(D <= 25 ? { dtick: 1 } : {}) },
      yaxis: { title: { text: 'value over valid frames (mean ± std)' }, ...(yRange ? { range: yRange } : {}) },
    },
  };
}

/** Options of maskHeatmapFigure. */
export interface MaskHeatmapOptions {
  /** Figure title (a caption given to `makeSpec` replaces it); default 'frame masks'. */
  title?: string;
  /** One label per clip, top to bottom; default 'clip i'. */
  rowLabels?: string[];
}

/** Mask heat-map cell values: a frame the model sees, one the protocol dropped, padding. */
export const MASK_CELL = { seen: 1, dropped: 0.5, padding: 0 } as const;

/**
 * Returns a short description of how many of `clips` lost modality `m` entirely: 'missing' when
 * all did, 'missing in k of n clips' when some did, '' when none did.
 */
function missingNote(masked: MaskedSplit, m: Modality, clips: number[]): string {
  const mi = MODALITIES.indexOf(m);
  const lost = clips.filter((i) => masked.available[i * MODALITIES.length + mi] === 0).length;
  if (lost === 0) return '';
  return lost === clips.length ? 'missing' : `missing in ${lost} of ${clips.length} clips`;
}

/**
 * Returns one heat map per modality of the masks of a few clips (rows: clips, columns: frames;
 * a frame the model sees, a valid frame the protocol dropped, or padding), stacked with the
 * modality (and whether it is missing) above each panel and the frame axis shared at the bottom.
 * @see notebooks/01-data-prep.ipynb
 */
export function maskHeatmapFigure(masked: MaskedSplit, clips: number[], options: MaskHeatmapOptions = {}): PlotlyFigure {
  const { title = 'frame masks', rowLabels } = options;
  if (rowLabels && rowLabels.length !== clips.length) throw new Error(`Expected ${clips.length} rowLabels (one per clip), but got ${rowLabels.length}`);
  const n = MODALITIES.length;
  const labels = rowLabels ?? clips.map((i) => `clip ${i}`);
  const gap = 0.1; // room for a panel's title
  const h = (1 - gap * (n - 1)) / n;
  const layout: Record<string, unknown> = { title: { text: title }, margin: { l: 90, r: 110 } };
  const annotations: Record<string, unknown>[] = [];
  const data = MODALITIES.map((m, k) => {
    const f = masked.split.features[m];
    const T = f.seqLen;
    const z = clips.map((i) =>
      Array.from(masked.masks[m].subarray(i * T, (i + 1) * T), (v, t) => (v ? MASK_CELL.seen : t < f.lengths[i] ? MASK_CELL.dropped : MASK_CELL.padding)),
    );
    const suffix = k === 0 ? '' : `${k + 1}`;
    const top = 1 - k * (h + gap);
    const bottom = k === n - 1;
    layout[`xaxis${suffix}`] = {
      anchor: `y${suffix}`,
      ...(k === 0 ? {} : { matches: 'x' }),
      showticklabels: bottom,
      ticks: bottom ? 'outside' : '',
      zeroline: false,
      ...(bottom ? { title: { text: 'frame' } } : {}),
    };
    layout[`yaxis${suffix}`] = { domain: [Math.max(0, top - h), top], autorange: 'reversed', tickmode: 'array', tickvals: labels, ticktext: labels, ticks: '', automargin: true };
    const note = missingNote(masked, m, clips);
    annotations.push({
      text: `<b>${m}</b>${note ? ` (${note})` : ''}`,
      showarrow: false, xref: 'paper', yref: 'paper', x: 0, y: top, xanchor: 'left', yanchor: 'bottom', font: { size: 13 },
    });
    return {
      type: 'heatmap',
      name: m,
      z,
      y: labels,
      zmin: 0,
      zmax: 1,
      // three flat colours: padding light grey, dropped light orange, seen blue
      colorscale: [[0, '#eeeeee'], [0.25, '#eeeeee'], [0.25, '#f5c38a'], [0.75, '#f5c38a'], [0.75, '#0072B2'], [1, '#0072B2']],
      showscale: k === 0,
      colorbar: { tickvals: [MASK_CELL.padding, MASK_CELL.dropped, MASK_CELL.seen], ticktext: ['padding', 'dropped', 'seen'], thickness: 14, len: 0.5, y: 1, yanchor: 'top' },
      xgap: 0,
      ygap: 2,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
    };
  });
  layout.annotations = annotations;
  return { data, layout };
}
