/**
 * Shared layout pieces for the figure builders: the base layout (title with the caption as
 * subtitle, fonts and margins sized for 900x500), axis titles, a colour palette and facet grids.
 */
import {
  captionLine,
  checkCaption,
  checkFigureId,
  FigureBase,
  FigureInputError,
  FigureSpec,
  PlotlyLayout,
  PlotlyTrace,
} from './figure-spec';

/** Default export and display size in CSS pixels. */
export const DEFAULT_FIGURE_SIZE = { width: 900, height: 500 } as const;

/** Okabe-Ito colours (colour-blind safe), then a few Tableau ones; cycled by series index. */
export const PALETTE = [
  '#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000',
  '#8C564B', '#7F7F7F',
] as const;

/** Returns the palette colour for series i (cycles). */
export function seriesColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** Returns `#rrggbb` as `rgba(r,g,b,alpha)` (for std bands). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})`;
}

/** Returns a plotly axis object with a title and readable ticks; extra keys override. */
export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, standoff: 8 },
    automargin: true,
    zeroline: false,
    showline: true,
    linecolor: '#444',
    ticks: 'outside',
    gridcolor: '#e5e5e5',
    ...extra,
  };
}

/** Returns the plotly title of a figure: the caption's title, with dataset, seeds and backend as subtitle. */
export function captionTitle(caption: FigureBase['caption']): Record<string, unknown> {
  return {
    text: caption.title,
    x: 0.01,
    xanchor: 'left',
    font: { size: 17 },
    subtitle: { text: captionLine(caption), font: { size: 12, color: '#444' } },
  };
}

/** Returns the layout every figure starts from: title, caption subtitle, fonts, margins, legend. */
export function baseLayout(base: FigureBase): PlotlyLayout {
  return {
    title: captionTitle(base.caption),
    font: { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 13, color: '#222' },
    margin: { t: 78, r: 24, b: 60, l: 70 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    legend: { font: { size: 12 }, bgcolor: 'rgba(255,255,255,0.85)', bordercolor: '#ccc', borderwidth: 1 },
    hovermode: 'closest',
    meta: { caption: base.caption },
  };
}

/**
 * Returns a FigureSpec after checking the id and caption. A layout built elsewhere (lib/data's
 * figures, a user's traces) that has no caption subtitle gets the caption as its title, so every
 * spec shows its dataset, seeds and backend wherever it is drawn or exported.
 */
export function makeSpec(base: FigureBase, data: PlotlyTrace[], layout: PlotlyLayout): FigureSpec {
  checkFigureId(base.id);
  checkCaption(base.caption);
  const title = layout.title as { subtitle?: unknown } | string | undefined;
  if (title && typeof title === 'object' && title.subtitle) return { id: base.id, data, layout, caption: base.caption };
  const margin = layout.margin as Record<string, number> | undefined;
  const captioned = { ...layout, title: captionTitle(base.caption), margin: { ...margin, t: Math.max(90, margin?.t ?? 0) } };
  return { id: base.id, data, layout: captioned, caption: base.caption };
}

/** One facet of a grid: the axis names a trace uses and the layout keys to set. */
export interface Facet {
  /** Trace keys, e.g. 'x2' / 'y2'. */
  xref: string;
  yref: string;
  /** Layout keys, e.g. 'xaxis2' / 'yaxis2'. */
  xKey: string;
  yKey: string;
  xDomain: [number, number];
  yDomain: [number, number];
}

/** Returns n facets laid out in rows of `cols` columns, first facet top-left. */
export function facetGrid(n: number, cols: number, gapX = 0.08, gapY = 0.16): Facet[] {
  const c = Math.max(1, Math.min(cols, n));
  const rows = Math.ceil(n / c);
  const w = (1 - gapX * (c - 1)) / c;
  const h = (1 - gapY * (rows - 1)) / rows;
  const out: Facet[] = [];
  for (let i = 0; i < n; i++) {
    const col = i % c;
    const row = Math.floor(i / c);
    const suffix = i === 0 ? '' : `${i + 1}`;
    const x0 = col * (w + gapX);
    const y1 = 1 - row * (h + gapY);
    out.push({
      xref: `x${suffix}`,
      yref: `y${suffix}`,
      xKey: `xaxis${suffix}`,
      yKey: `yaxis${suffix}`,
      xDomain: [round6(x0), round6(x0 + w)],
      yDomain: [round6(y1 - h), round6(y1)],
    });
  }
  return out;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Returns a title annotation placed above a facet (plotly has no per-subplot titles). */
export function facetTitle(text: string, f: Facet): Record<string, unknown> {
  return {
    text: `<b>${text}</b>`,
    showarrow: false,
    xref: 'paper',
    yref: 'paper',
    x: (f.xDomain[0] + f.xDomain[1]) / 2,
    y: f.yDomain[1],
    xanchor: 'center',
    yanchor: 'bottom',
    font: { size: 13 },
  };
}

/** Throws FigureInputError naming the array whose length differs from the first one given. */
export function checkSameLength(what: string, arrays: Record<string, ArrayLike<unknown> | undefined>): void {
  let n: number | undefined;
  for (const [k, a] of Object.entries(arrays)) {
    if (a === undefined) continue;
    if (n === undefined) n = a.length;
    else if (a.length !== n) {
      throw new FigureInputError(`Expected ${what}: all of ${Object.keys(arrays).join(', ')} to have length ${n}, but ${k} has ${a.length}`);
    }
  }
}
