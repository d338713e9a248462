/**
 * Bar figures: per-subset results grouped by method (protocol P1) and single-series ablations,
 * both with std error bars.
 * @see notebooks/03-online-mmckd.ipynb, notebooks/04-missing-modality-ablations.ipynb
 */
import { FigureBase, FigureSpec, PlotlyTrace } from './figure-spec';
import { addReferenceLine, axis, baseLayout, checkSameLength, makeSpec, referenceOf, type ReferenceLine, seriesColor } from './layout';

/** One method's mean (and std) per category. */
export interface BarGroup {
  name: string;
  mean: number[];
  std?: number[];
}

/** Input of groupedBarFigure. */
export interface GroupedBarInput extends FigureBase {
  /** Categories on the x axis, e.g. the subsets ['tav', 'ta', 'tv', 'av', 't', 'a', 'v']. */
  categories: string[];
  /** One bar per group in each category, e.g. the methods. */
  groups: BarGroup[];
  yTitle: string;
  /** x axis title; default 'modality subset'. */
  xTitle?: string;
  /** y axis range, e.g. [0.5, 0.9] for accuracies. */
  yRange?: [number, number];
  /** A dashed horizontal line to read the bars against, with its label. */
  reference?: ReferenceLine;
  /** Test MAE of the constant predictor (`constantPredictorMae`), drawn as a labelled dashed line (unless `reference` is given). */
  constantMae?: number;
}

function errorBars(std: number[] | undefined): Record<string, unknown> | undefined {
  return std ? { type: 'data', array: std, visible: true, thickness: 1.5, width: 4, color: '#333' } : undefined;
}

/** Returns a FigureSpec with one bar trace per group (barmode 'group') and std error bars. */
export function groupedBarFigure(input: GroupedBarInput): FigureSpec {
  const data: PlotlyTrace[] = input.groups.map((g, i) => {
    checkSameLength(`group '${g.name}'`, { categories: input.categories, mean: g.mean, std: g.std });
    return {
      type: 'bar',
      name: g.name,
      x: input.categories,
      y: g.mean,
      error_y: errorBars(g.std),
      marker: { color: seriesColor(i) },
      ...(g.std ? { customdata: g.std, hovertemplate: `${g.name}<br>%{x}: %{y:.4f} ± %{customdata:.4f}<extra></extra>` } : {}),
    };
  });
  const layout = baseLayout(input);
  layout.barmode = 'group';
  layout.bargap = 0.2;
  layout.xaxis = axis(input.xTitle ?? 'modality subset', { type: 'category' });
  layout.yaxis = axis(input.yTitle, input.yRange ? { range: input.yRange } : {});
  const reference = referenceOf(input);
  if (reference) addReferenceLine(layout, reference);
  return makeSpec(input, data, layout);
}

/** Input of barFigure. */
export interface BarInput extends FigureBase {
  labels: string[];
  mean: number[];
  std?: number[];
  /** Value axis title. */
  yTitle: string;
  /** Category axis title, e.g. 'variant'. */
  xTitle: string;
  /** 'h' draws horizontal bars (long labels); default 'v'. */
  orientation?: 'v' | 'h';
  /** Index of a bar to highlight (e.g. the full method); the others are grey-blue. */
  highlight?: number;
  yRange?: [number, number];
}

/** Returns a FigureSpec with a single bar trace (one bar per label) and std error bars. */
export function barFigure(input: BarInput): FigureSpec {
  checkSameLength('barFigure input', { labels: input.labels, mean: input.mean, std: input.std });
  const horizontal = input.orientation === 'h';
  const colors = input.labels.map((_, i) => (input.highlight === undefined || i === input.highlight ? seriesColor(0) : '#9bb3c9'));
  const err = errorBars(input.std);
  const trace: PlotlyTrace = {
    type: 'bar',
    name: input.yTitle,
    orientation: horizontal ? 'h' : 'v',
    x: horizontal ? input.mean : input.labels,
    y: horizontal ? input.labels : input.mean,
    marker: { color: colors },
    showlegend: false,
    ...(horizontal ? { error_x: err } : { error_y: err }),
  };
  const layout = baseLayout(input);
  const cat = axis(input.xTitle, { type: 'category', ...(horizontal ? { autorange: 'reversed' } : {}) });
  const val = axis(input.yTitle, input.yRange ? { range: input.yRange } : {});
  layout.xaxis = horizontal ? val : cat;
  layout.yaxis = horizontal ? cat : val;
  return makeSpec(input, [trace], layout);
}
