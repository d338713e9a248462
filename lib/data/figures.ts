/**
 * Plotly figure specs (plain JSON: data traces and layout) for the data notebook: label
 * histograms, length histograms, per-dimension feature statistics and missing-mask heat maps.
 * They hold no rendering code, so any display route (inline HTML, a static export) can use them.
 * @see notebooks/01-data-prep.ipynb
 */
import { MODALITIES, type Modality } from './modalities';
import type { MaskedSplit } from './missing/masks';
import type { MultimodalDataset, MultimodalSplit } from './types';
import { SPLIT_NAMES } from './types';

/** One plotly.js trace as JSON (same shape as lib/report's PlotlyTrace). */
export interface PlotlyTraceSpec {
  type: string;
  name?: string;
  [key: string]: unknown;
}

/** A Plotly figure as JSON: traces and layout (lib/report's figureHtml adds id and caption). */
export interface PlotlyFigure {
  data: PlotlyTraceSpec[];
  layout: Record<string, unknown>;
}

/**
 * Returns overlaid label histograms of the three splits (bins of 0.2, MOSI's label grid).
 * @see notebooks/01-data-prep.ipynb
 */
export function labelHistogramFigure(d: MultimodalDataset): PlotlyFigure {
  return {
    data: SPLIT_NAMES.map((s) => ({
      type: 'histogram',
      name: s,
      x: Array.from(d[s].labels),
      histnorm: 'probability',
      xbins: { start: -3.1, end: 3.1, size: 0.2 },
      opacity: 0.6,
    })),
    layout: { title: { text: `${d.meta.name}: sentiment labels` }, barmode: 'overlay', xaxis: { title: { text: 'label' } }, yaxis: { title: { text: 'fraction of clips' } } },
  };
}

/** Returns histograms of the valid lengths of each modality in one split. */
export function lengthHistogramFigure(split: MultimodalSplit): PlotlyFigure {
  return {
    data: MODALITIES.map((m) => ({ type: 'histogram', name: m, x: Array.from(split.features[m].lengths), opacity: 0.6 })),
    layout: { title: { text: `${split.name}: valid lengths` }, barmode: 'overlay', xaxis: { title: { text: 'frames' } } },
  };
}

/** Returns per-dimension mean and std (over valid frames) of one modality as error bars. */
export function featureStatsFigure(split: MultimodalSplit, modality: Modality, maxDims = 64): PlotlyFigure {
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
    data: [{ type: 'scatter', mode: 'markers', x: Array.from({ length: D }, (_, d) => d), y: mean, error_y: { type: 'data', array: std, visible: true }, name: modality }],
    layout: { title: { text: `${split.name} ${modality}: mean ± std per feature (first ${D} of ${f.dim})` }, xaxis: { title: { text: 'feature' } } },
  };
}

/**
 * Returns one heat map per modality of the masks of a few clips (rows: clips, columns: frames;
 * 1 present, 0 padding or dropped).
 * @see notebooks/01-data-prep.ipynb
 */
export function maskHeatmapFigure(masked: MaskedSplit, clips: number[], title = 'frame masks'): PlotlyFigure {
  const data = MODALITIES.map((m, k) => {
    const T = masked.split.features[m].seqLen;
    return {
      type: 'heatmap',
      name: m,
      z: clips.map((i) => Array.from(masked.masks[m].subarray(i * T, (i + 1) * T))),
      y: clips.map((i) => `clip ${i}`),
      zmin: 0,
      zmax: 1,
      colorscale: [[0, '#eeeeee'], [1, '#1f77b4']],
      showscale: false,
      xaxis: `x${k + 1}`,
      yaxis: `y${k + 1}`,
    };
  });
  const n = MODALITIES.length;
  const layout: Record<string, unknown> = { title: { text: title }, height: 120 + 60 * n + 12 * clips.length * n };
  MODALITIES.forEach((m, k) => {
    const top = 1 - k / n;
    layout[`xaxis${k + 1}`] = { anchor: `y${k + 1}`, title: { text: `${m} frames` } };
    layout[`yaxis${k + 1}`] = { domain: [Math.max(0, top - 1 / n + 0.08), top], autorange: 'reversed' };
  });
  return { data, layout };
}
