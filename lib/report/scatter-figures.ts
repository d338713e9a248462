/**
 * Scatter figures: accuracy vs computational cost with a label per point, and the projection
 * space of several models coloured by sentiment class, on shared axes.
 * @see notebooks/05-computational-cost.ipynb, notebooks/03-online-mmckd.ipynb
 */
import { FigureBase, FigureInputError, FigureSpec, PlotlyTrace } from './figure-spec';
import { axis, baseLayout, captionMarginTop, facetGrid, facetTitle, makeSpec, SENTIMENT_COLORS, seriesColor } from './layout';

/** One labelled point; points with the same group share a trace (colour and legend entry). */
export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  group?: string;
  /** Plotly marker symbol of the point's group (the group's first point decides), e.g. 'circle-open' for a ring that shows a dot beneath it. */
  symbol?: string;
}

/** Input of scatterFigure. */
export interface ScatterInput extends FigureBase {
  points: ScatterPoint[];
  xTitle: string;
  yTitle: string;
  /** Logarithmic x axis (e.g. FLOPs or milliseconds). */
  logX?: boolean;
  logY?: boolean;
}

/** Where plotly can put a point's label, tried in this order. */
const LABEL_POSITIONS = ['top center', 'bottom center', 'middle right', 'middle left', 'top right', 'top left', 'bottom right', 'bottom left'] as const;

/** A label's box in plot fractions (0-1 across each axis), for a text position around its point. */
function labelBox(px: number, py: number, label: string, position: string, charW: number, lineH: number, gapX: number, gapY: number): [number, number, number, number] {
  const w = charW * label.length;
  const [v, h] = position.split(' ');
  const x0 = h === 'center' ? px - w / 2 : h === 'right' ? px + gapX : px - gapX - w;
  const y0 = v === 'middle' ? py - lineH / 2 : v === 'top' ? py + gapY : py - gapY - lineH;
  return [x0, y0, x0 + w, y0 + lineH];
}

/**
 * Returns a text position per point so that labels do not cover each other or another point:
 * points are placed in order of their position along x, each label taking the first of
 * LABEL_POSITIONS whose box (estimated from the label's length, in fractions of an 900 x 500
 * figure's plot area) is clear of the labels placed before it and of every other point's marker;
 * when none is clear, the one that overlaps least.
 */
export function labelPositions(points: readonly ScatterPoint[], logX = false, logY = false): string[] {
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const xs = points.map((p) => tx(p.x));
  const ys = points.map((p) => ty(p.y));
  const span = (v: number[]) => Math.max(...v) - Math.min(...v) || 1;
  const [xMin, xSpan, yMin, ySpan] = [Math.min(...xs), span(xs) * 1.1, Math.min(...ys), span(ys) * 1.1];
  const nx = xs.map((x) => 0.05 + (x - xMin) / xSpan);
  const ny = ys.map((y) => 0.05 + (y - yMin) / ySpan);
  const [charW, lineH, gapX, gapY] = [7 / 780, 16 / 300, 6 / 780, 6 / 300]; // plotly sets a label about 6 px off its marker
  const [markerX, markerY] = [9 / 780, 9 / 300]; // half a marker (a ring is 15 px across)
  const overlap = (a: number[], b: number[]) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const markers = points.map((_, i) => [nx[i] - markerX, ny[i] - markerY, nx[i] + markerX, ny[i] + markerY]);
  const placed: number[][] = [];
  const out: string[] = new Array(points.length);
  const order = points.map((_, i) => i).sort((a, b) => nx[a] - nx[b] || ny[b] - ny[a]);
  for (const i of order) {
    let best: { pos: string; box: number[]; cost: number } | undefined;
    for (const pos of LABEL_POSITIONS) {
      const box = labelBox(nx[i], ny[i], points[i].label, pos, charW, lineH, gapX, gapY);
      const cost = [...placed, ...markers.filter((_, j) => j !== i)].reduce((c, b) => c + overlap(box, b), 0);
      if (!best || cost < best.cost - 1e-12) best = { pos, box, cost };
      if (cost === 0) break;
    }
    out[i] = best!.pos;
    placed.push(best!.box);
  }
  return out;
}

/**
 * Returns a FigureSpec with one markers+text trace per group (one trace when no groups); each
 * label sits where it covers no other label or point (`labelPositions`).
 */
export function scatterFigure(input: ScatterInput): FigureSpec {
  const groups = new Map<string, ScatterPoint[]>();
  for (const p of input.points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new FigureInputError(`Expected finite x and y for point '${p.label}', but got (${p.x}, ${p.y})`);
    if (input.logX && p.x <= 0) throw new FigureInputError(`Expected x > 0 for point '${p.label}' on a log x axis, but got ${p.x}`);
    const g = p.group ?? '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(p);
  }
  const positions = labelPositions(input.points, input.logX, input.logY);
  const positionOf = new Map(input.points.map((p, i) => [p, positions[i]]));
  const data: PlotlyTrace[] = [...groups.entries()].map(([g, pts], i) => ({
    type: 'scatter',
    mode: 'markers+text',
    name: g || 'points',
    showlegend: g !== '',
    x: pts.map((p) => p.x),
    y: pts.map((p) => p.y),
    text: pts.map((p) => p.label),
    textposition: pts.map((p) => positionOf.get(p)!),
    textfont: { size: 12 },
    cliponaxis: false,
    marker: pts[0].symbol?.endsWith('-open')
      ? { size: 15, symbol: pts[0].symbol, color: seriesColor(i), line: { width: 2.5, color: seriesColor(i) } }
      : { size: 10, symbol: pts[0].symbol ?? 'circle', color: seriesColor(i), line: { width: 1, color: '#fff' } },
  }));
  const layout = baseLayout(input);
  layout.xaxis = axis(input.xTitle, input.logX ? { type: 'log' } : {});
  layout.yaxis = axis(input.yTitle, input.logY ? { type: 'log' } : {});
  return makeSpec(input, data, layout);
}

/** One projected clip: its 2-d coordinates, the model that produced it and its class. */
export interface ProjectionPoint {
  x: number;
  y: number;
  model: string;
  cls: string | number;
}

/** Input of projectionScatterFigure. */
export interface ProjectionScatterInput extends FigureBase {
  points: ProjectionPoint[];
  /** Facet order; default the order models first appear. */
  models?: string[];
  /** Class order (and legend order); default sorted. */
  classes?: (string | number)[];
  /** Facets per row; default min(models, 4). */
  columns?: number;
  xTitle?: string;
  yTitle?: string;
  /** Marker size; default 5. */
  markerSize?: number;
  /** Colour per class name; default SENTIMENT_COLORS for 'negative' / 'neutral' / 'positive', the palette for others. */
  classColors?: Record<string, string>;
}

/**
 * Returns a FigureSpec with one facet per model and, inside each, one marker trace per class
 * present (colours and legend entries shared across facets). All facets share one x range and one
 * y range (plotly `matches`: zooming one zooms all), so positions compare across models; tick
 * labels sit on the left column and the bottom row.
 */
export function projectionScatterFigure(input: ProjectionScatterInput): FigureSpec {
  const models = input.models ?? [...new Set(input.points.map((p) => p.model))];
  const classes = input.classes ?? [...new Set(input.points.map((p) => p.cls))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (models.length === 0) throw new FigureInputError('Expected points for at least one model');
  const cols = input.columns ?? Math.min(models.length, 4);
  const facets = facetGrid(models.length, cols, 0.03, 0.14); // inner facets carry no tick labels
  const colors: Record<string, string> = { ...SENTIMENT_COLORS, ...input.classColors };
  const data: PlotlyTrace[] = [];
  const shown = new Set<string>();
  models.forEach((model, m) => {
    const f = facets[m];
    classes.forEach((cls, c) => {
      const pts = input.points.filter((p) => p.model === model && p.cls === cls);
      if (pts.length === 0) return;
      const name = String(cls);
      data.push({
        type: 'scatter',
        mode: 'markers',
        name,
        legendgroup: name,
        showlegend: !shown.has(name),
        x: pts.map((p) => p.x),
        y: pts.map((p) => p.y),
        xaxis: f.xref,
        yaxis: f.yref,
        marker: { size: input.markerSize ?? 5, color: colors[name] ?? seriesColor(c), opacity: 0.75 },
      });
      shown.add(name);
    });
    const unknown = input.points.find((p) => p.model === model && !classes.includes(p.cls));
    if (unknown) throw new FigureInputError(`Expected class of a '${model}' point to be one of ${classes.join(', ')}, but got ${unknown.cls}`);
  });
  const layout = baseLayout(input);
  layout.margin = { ...(layout.margin as object), t: captionMarginTop(input.caption, 14) };
  // titles on the left column and bottom row only, so a title never runs into the next facet
  const rows = Math.ceil(models.length / Math.min(cols, models.length));
  const colsUsed = Math.min(cols, models.length);
  facets.forEach((f, i) => {
    const leftColumn = i % colsUsed === 0;
    const bottom = Math.floor(i / colsUsed) === rows - 1 || i + colsUsed >= models.length;
    const shared = (ref: string) => (i === 0 ? {} : { matches: ref });
    layout[f.xKey] = axis(bottom ? input.xTitle ?? 'PC 1' : '', { domain: f.xDomain, anchor: f.yref, showticklabels: bottom, ...shared('x') });
    layout[f.yKey] = axis(leftColumn ? input.yTitle ?? 'PC 2' : '', { domain: f.yDomain, anchor: f.xref, showticklabels: leftColumn, ...shared('y') });
  });
  layout.annotations = facets.map((f, i) => facetTitle(models[i], f));
  layout.legend = { ...(layout.legend as object), title: { text: 'class' }, itemsizing: 'constant' };
  return makeSpec(input, data, layout);
}
