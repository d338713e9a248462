/**
 * Shared layout pieces for the figure builders: the base layout (title with the caption as
 * subtitle, fonts and margins sized for 900x500), axis titles, the colour palette with one colour
 * per modality subset and per sentiment sign, and facet grids.
 */
import type { SubsetName } from '../data/modalities';
import {
  captionLine,
  checkCaption,
  checkFigureId,
  FigureBase,
  FigureCaption,
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

/**
 * One colour per model (modality subset), the same in every figure and in the live training
 * display: the teacher black, the students Okabe-Ito colours (no yellow: too light on white).
 */
export const SUBSET_COLORS: Readonly<Record<SubsetName, string>> = {
  tav: '#000000', ta: '#E69F00', tv: '#56B4E9', av: '#009E73', t: '#0072B2', a: '#D55E00', v: '#CC79A7',
};

/** The colour of a training-loss curve (it sums over models, so it takes no model's colour). */
export const LOSS_COLOR = '#7F7F7F';

/** Returns the colour of a model named by its subset ('tav', 't', ...), or palette colour `fallback` for other names. */
export function subsetColor(name: string, fallback = 0): string {
  return (SUBSET_COLORS as Record<string, string>)[name] ?? seriesColor(fallback);
}

/** Colours of the three sentiment signs: blue and vermillion (colour-blind safe, far apart), neutral grey. */
export const SENTIMENT_COLORS: Readonly<Record<'negative' | 'neutral' | 'positive', string>> = {
  negative: '#D55E00', neutral: '#8C8C8C', positive: '#0072B2',
};

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

/** Characters of caption subtitle that fit one line of a 900 px wide figure (12 px font, about 6 px a character). */
export const CAPTION_LINE_CHARS = 140;

/**
 * Returns `text` broken into lines of at most `width` characters, joined by '<br>': breaks go
 * after a ' · ' separator or a ', ' where one falls in the line's second half, else at a space.
 */
export function wrapCaptionText(text: string, width = CAPTION_LINE_CHARS): string {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const head = rest.slice(0, width + 1);
    const dot = head.lastIndexOf(' · ');
    const comma = head.lastIndexOf(', ');
    const space = head.lastIndexOf(' ');
    // [end of this line, start of the next]
    const [cut, next] = dot >= width / 2 ? [dot, dot + 3] : comma >= width / 2 ? [comma + 1, comma + 2] : space > 0 ? [space, space + 1] : [width, width];
    lines.push(rest.slice(0, cut));
    rest = rest.slice(next);
  }
  lines.push(rest);
  return lines.join('<br>');
}

/** Characters of title (17 px font) that fit one line of a 900 px wide figure. */
const TITLE_LINE_CHARS = 92;

/** Returns the top margin for a caption: the (wrapped) title and every line of the (wrapped) subtitle, plus `extra` px. */
export function captionMarginTop(caption: FigureBase['caption'], extra = 0): number {
  const lines = (text: string) => text.split('<br>').length;
  return 78 + 22 * (lines(wrapCaptionText(caption.title, TITLE_LINE_CHARS)) - 1) + 16 * (lines(wrapCaptionText(captionLine(caption))) - 1) + extra;
}

/** Returns the plotly title of a figure: the caption's title, with dataset, seeds and backend as subtitle (both wrapped to the figure's width). */
function captionTitle(caption: FigureBase['caption']): Record<string, unknown> {
  return {
    text: wrapCaptionText(caption.title, TITLE_LINE_CHARS),
    x: 0.01,
    xanchor: 'left',
    // pinned to the top, so extra caption lines grow the margin downwards
    y: 1,
    yref: 'container',
    yanchor: 'top',
    pad: { t: 20 },
    font: { size: 17 },
    subtitle: { text: wrapCaptionText(captionLine(caption)), font: { size: 12, color: '#444' } },
  };
}

/** Fonts, background and trace colours every figure shares (also given to layouts built outside lib/report). */
const BASE_STYLE: PlotlyLayout = {
  font: { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 13, color: '#222' },
  paper_bgcolor: '#ffffff',
  plot_bgcolor: '#ffffff',
  colorway: [...PALETTE],
};

/** Returns the layout every figure starts from: title, caption subtitle, fonts, margins, legend. */
export function baseLayout(base: FigureBase): PlotlyLayout {
  return {
    title: captionTitle(base.caption),
    ...BASE_STYLE,
    margin: { t: captionMarginTop(base.caption), r: 24, b: 60, l: 70 },
    legend: { font: { size: 12 }, bgcolor: 'rgba(255,255,255,0.85)', bordercolor: '#ccc', borderwidth: 1 },
    hovermode: 'closest',
    meta: { caption: base.caption },
  };
}

/**
 * Returns a FigureSpec after checking the id and caption. A layout built elsewhere (lib/data's
 * figures, a user's traces) that has no caption subtitle gets the caption as its title (its own
 * title is replaced: put what a reader must see in the caption) and the kit's fonts and colours
 * where it sets none, so every spec shows its dataset, seeds and backend wherever it is drawn or
 * exported.
 */
export function makeSpec(base: FigureBase, data: PlotlyTrace[], layout: PlotlyLayout): FigureSpec {
  checkFigureId(base.id);
  checkCaption(base.caption);
  const title = layout.title as { subtitle?: unknown } | string | undefined;
  if (title && typeof title === 'object' && title.subtitle) return { id: base.id, data, layout, caption: base.caption };
  const margin = layout.margin as Record<string, number> | undefined;
  const top = Math.max(captionMarginTop(base.caption, 20), margin?.t ?? 0);
  const captioned = { ...BASE_STYLE, ...layout, title: captionTitle(base.caption), margin: { ...margin, t: top } };
  return { id: base.id, data, layout: captioned, caption: base.caption };
}

/**
 * Returns the FigureSpec of a figure built elsewhere (traces and a layout, e.g. lib/data's
 * figures) under `id` with `caption`, styled as `makeSpec` styles it.
 * @see notebooks/01-data-prep.ipynb
 */
export function captionFigure(figure: { data: PlotlyTrace[]; layout: PlotlyLayout }, id: string, caption: FigureCaption): FigureSpec {
  return makeSpec({ id, caption }, figure.data, figure.layout);
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

/** The label of the constant predictor's line (`constantPredictorMae`), the same in every MAE figure. */
export const CONSTANT_PREDICTOR_LABEL = 'constant predictor (median train label)';

/** A dashed horizontal line to read a figure's values against, labelled with its value at the right end. */
export interface ReferenceLine {
  value: number;
  label: string;
}

/**
 * Returns the reference line a figure input asks for: `reference` when given, else the constant
 * predictor's line at `constantMae`, else undefined.
 */
export function referenceOf(input: { reference?: ReferenceLine; constantMae?: number }): ReferenceLine | undefined {
  if (input.reference) return input.reference;
  return input.constantMae === undefined ? undefined : { value: input.constantMae, label: CONSTANT_PREDICTOR_LABEL };
}

/** Adds `line` to the layout as a dashed shape across the plot and an annotation above its right end. */
export function addReferenceLine(layout: PlotlyLayout, line: ReferenceLine): void {
  const { value, label } = line;
  const shape = { type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: value, y1: value, line: { color: '#555', width: 1.5, dash: 'dash' } };
  const note = { xref: 'paper', x: 1, xanchor: 'right', yref: 'y', y: value, yanchor: 'bottom', text: `${label}: ${value.toFixed(3)}`, showarrow: false, font: { size: 12, color: '#555' } };
  layout.shapes = [...((layout.shapes as unknown[]) ?? []), shape];
  layout.annotations = [...((layout.annotations as unknown[]) ?? []), note];
}
