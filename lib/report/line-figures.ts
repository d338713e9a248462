/**
 * Line figures: training curves (y vs epoch, optional second axis or facets) and metric vs
 * missing rate with std bands (protocols P2 and P3).
 * @see notebooks/03-online-mmckd.ipynb, notebooks/04-missing-modality-ablations.ipynb
 */
import { FigureBase, FigureInputError, FigureSpec, PlotlyTrace } from './figure-spec';
import {
  addReferenceLine, axis, baseLayout, captionMarginTop, checkSameLength, facetGrid, facetTitle, makeSpec, referenceOf, type ReferenceLine, seriesColor, withAlpha,
} from './layout';

/** One training curve. Series with the same name share a colour and one legend entry. */
export interface CurveSeries {
  name: string;
  y: number[];
  /** Epochs; defaults to 1..y.length. */
  x?: number[];
  /** Facet the curve belongs to (a name from `panels`); default the first panel. */
  panel?: string;
  /** 'y2' draws the curve against the right-hand axis (overlay mode only). */
  axis?: 'y' | 'y2';
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
  /** Line colour, e.g. `subsetColor('t')`; default the next palette colour. A name keeps its first series' colour. */
  color?: string;
}

/** Input of lineCurvesFigure. */
export interface LineCurvesInput extends FigureBase {
  series: CurveSeries[];
  /** x axis title; default 'epoch'. */
  xTitle?: string;
  /** y axis title of the single-panel figure (required unless `panels` is given). */
  yTitle?: string;
  /** Right-hand axis title; needed when any series uses axis 'y2'. */
  y2Title?: string;
  /** Side-by-side facets, e.g. [{name:'loss', yTitle:'training loss'}, {name:'val', yTitle:'validation MAE'}]. */
  panels?: { name: string; yTitle: string }[];
  /** Log-scale y axes. */
  logY?: boolean;
}

/**
 * Returns a FigureSpec of training curves: one scatter-line trace per series, in one panel
 * (optionally with a second y axis) or in side-by-side facets.
 */
export function lineCurvesFigure(input: LineCurvesInput): FigureSpec {
  const panels = input.panels ?? [{ name: '', yTitle: input.yTitle ?? '' }];
  if (panels.length === 0) throw new FigureInputError('Expected panels to name at least one panel');
  if (!input.panels && !input.yTitle) throw new FigureInputError('Expected yTitle (or panels with yTitle) for lineCurvesFigure');
  const facets = facetGrid(panels.length, panels.length, 0.1);
  const panelIndex = new Map(panels.map((p, i) => [p.name, i]));
  const colorOf = new Map<string, string>();
  const seenLegend = new Set<string>();
  const usesY2 = input.series.some((s) => s.axis === 'y2');
  if (usesY2 && panels.length > 1) throw new FigureInputError("Expected axis 'y2' only with a single panel (use panels or y2, not both)");
  if (usesY2 && !input.y2Title) throw new FigureInputError("Expected y2Title when a series uses axis 'y2'");

  const data: PlotlyTrace[] = input.series.map((s, i) => {
    checkSameLength(`series '${s.name}'`, { y: s.y, x: s.x });
    const p = panelIndex.get(s.panel ?? panels[0].name);
    if (p === undefined) throw new FigureInputError(`Expected series '${s.name}' panel to be one of ${panels.map((q) => `'${q.name}'`).join(', ')}, but got '${s.panel}'`);
    if (!colorOf.has(s.name)) colorOf.set(s.name, s.color ?? seriesColor(colorOf.size));
    const showlegend = !seenLegend.has(s.name);
    seenLegend.add(s.name);
    const f = facets[p];
    return {
      type: 'scatter',
      mode: s.y.length > 40 ? 'lines' : 'lines+markers',
      name: s.name,
      legendgroup: s.name,
      showlegend,
      x: s.x ?? s.y.map((_, k) => k + 1),
      y: s.y,
      xaxis: f.xref,
      yaxis: s.axis === 'y2' ? 'y2' : f.yref,
      line: { color: colorOf.get(s.name), width: 2, dash: s.dash ?? (s.axis === 'y2' ? 'dash' : 'solid') },
      marker: { size: 5 },
      uid: `${input.id}-${i}`,
    };
  });

  const layout = baseLayout(input);
  const xTitle = input.xTitle ?? 'epoch';
  facets.forEach((f, i) => {
    layout[f.xKey] = axis(xTitle, { domain: f.xDomain, anchor: f.yref });
    layout[f.yKey] = axis(panels[i].yTitle, { domain: f.yDomain, anchor: f.xref, type: input.logY ? 'log' : 'linear' });
  });
  if (usesY2) {
    layout.yaxis2 = axis(input.y2Title ?? '', { overlaying: 'y', side: 'right', showgrid: false });
    layout.legend = { ...(layout.legend as object), x: 1.08, xanchor: 'left' };
  }
  if (panels.length > 1) {
    layout.annotations = facets.map((f, i) => facetTitle(panels[i].name, f));
    layout.margin = { ...(layout.margin as object), t: captionMarginTop(input.caption, 14) };
  }
  return makeSpec(input, data, layout);
}

/** One method's metric against missing rate. */
export interface RateSeries {
  name: string;
  rates: number[];
  mean: number[];
  /** Standard deviation over seeds; drawn as a band mean ± std. */
  std?: number[];
}

/** Input of rateCurveFigure. */
export interface RateCurveInput extends FigureBase {
  series: RateSeries[];
  /** y axis title, e.g. 'Has0_acc_2' or 'MAE'. */
  yTitle: string;
  /** x axis title; default 'missing rate'. */
  xTitle?: string;
  /** Show rates as percentages on the x axis. */
  percent?: boolean;
  /** A dashed horizontal line to read the curves against, with its label. */
  reference?: ReferenceLine;
  /** Test MAE of the constant predictor (`constantPredictorMae`), drawn as a labelled dashed line (unless `reference` is given): what a model that reads nothing scores. */
  constantMae?: number;
}

/**
 * Returns a FigureSpec of metric vs missing rate: per series a band trace (mean ± std, when std is
 * given) followed by a line trace of the mean, and an optional dashed reference line (layout
 * shape). Used for P2 (frame rate 0..1) and P3 (modality rate 0.1..0.7).
 */
export function rateCurveFigure(input: RateCurveInput): FigureSpec {
  const data: PlotlyTrace[] = [];
  input.series.forEach((s, i) => {
    checkSameLength(`series '${s.name}'`, { rates: s.rates, mean: s.mean, std: s.std });
    const color = seriesColor(i);
    if (s.std) {
      const upper = s.mean.map((m, k) => m + s.std![k]);
      const lower = s.mean.map((m, k) => m - s.std![k]);
      data.push({
        type: 'scatter',
        mode: 'lines',
        name: `${s.name} ± std`,
        legendgroup: s.name,
        showlegend: false,
        x: [...s.rates, ...[...s.rates].reverse()],
        y: [...upper, ...lower.reverse()],
        fill: 'toself',
        fillcolor: withAlpha(color, 0.18),
        line: { width: 0, color: withAlpha(color, 0) },
        hoverinfo: 'skip',
      });
    }
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: s.name,
      legendgroup: s.name,
      x: s.rates,
      y: s.mean,
      line: { color, width: 2 },
      marker: { size: 6 },
      ...(s.std ? { customdata: s.std, hovertemplate: `${s.name}<br>rate %{x}<br>%{y:.4f} ± %{customdata:.4f}<extra></extra>` } : {}),
    });
  });
  const layout = baseLayout(input);
  layout.xaxis = axis(input.xTitle ?? 'missing rate', input.percent ? { tickformat: '.0%' } : {});
  layout.yaxis = axis(input.yTitle);
  const reference = referenceOf(input);
  if (reference) addReferenceLine(layout, reference);
  return makeSpec(input, data, layout);
}
