/**
 * Heatmap figure, e.g. a frame-level missing mask (rows: clips or modalities, columns: frames).
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { FigureBase, FigureInputError, FigureSpec } from './figure-spec';
import { axis, baseLayout, makeSpec } from './layout';

/** Input of heatmapFigure. */
export interface HeatmapInput extends FigureBase {
  /** z[row][col]; rows are drawn top to bottom. */
  z: number[][];
  xLabels?: (string | number)[];
  yLabels?: (string | number)[];
  xTitle: string;
  yTitle: string;
  /** Colour bar title, e.g. 'kept (1) / dropped (0)'. */
  zTitle?: string;
  zmin?: number;
  zmax?: number;
  /** Plotly colorscale name or stops; default a grey-blue scale suited to 0/1 masks. */
  colorscale?: string | [number, string][];
  /** Colour value at the scale's middle (e.g. 0 for a diverging scale of differences). */
  zmid?: number;
  /** Write each cell's value in it (small matrices only). */
  showValues?: boolean;
  /** Text written in each cell, [row][col] (replaces showValues). */
  cellText?: string[][];
  /** Text shown on hover for each cell, [row][col]. */
  hoverText?: string[][];
}

/** Returns a FigureSpec with one heatmap trace (first row at the top) and a titled colour bar. */
export function heatmapFigure(input: HeatmapInput): FigureSpec {
  const rows = input.z.length;
  const cols = rows > 0 ? input.z[0].length : 0;
  input.z.forEach((r, i) => {
    if (r.length !== cols) throw new FigureInputError(`Expected every row of z to have ${cols} columns, but row ${i} has ${r.length}`);
  });
  if (input.xLabels && input.xLabels.length !== cols) throw new FigureInputError(`Expected ${cols} xLabels, but got ${input.xLabels.length}`);
  if (input.yLabels && input.yLabels.length !== rows) throw new FigureInputError(`Expected ${rows} yLabels, but got ${input.yLabels.length}`);
  for (const [name, m] of [['cellText', input.cellText], ['hoverText', input.hoverText]] as const) {
    if (m && (m.length !== rows || m.some((r) => r.length !== cols))) throw new FigureInputError(`Expected ${name} to be ${rows} x ${cols} like z`);
  }
  const trace = {
    type: 'heatmap',
    name: input.zTitle ?? 'value',
    z: input.z,
    x: input.xLabels?.map(String),
    y: input.yLabels?.map(String),
    zmin: input.zmin,
    zmax: input.zmax,
    colorscale: input.colorscale ?? [[0, '#f0f0f0'], [1, '#0072B2']],
    colorbar: { title: { text: input.zTitle ?? '', side: 'right' }, thickness: 14 },
    xgap: cols <= 60 ? 1 : 0,
    ygap: rows <= 40 ? 1 : 0,
    ...(input.zmid !== undefined ? { zmid: input.zmid } : {}),
    ...(input.cellText ? { text: input.cellText, texttemplate: '%{text}', textfont: { size: 11 } } : input.showValues ? { texttemplate: '%{z:.2f}', textfont: { size: 11 } } : {}),
    ...(input.hoverText ? { customdata: input.hoverText, hovertemplate: '%{customdata}<extra></extra>' } : {}),
  };
  const layout = baseLayout(input);
  layout.xaxis = axis(input.xTitle, { showline: false, ticks: '', ...(input.xLabels ? { type: 'category' } : {}) });
  layout.yaxis = axis(input.yTitle, { showline: false, ticks: '', autorange: 'reversed', ...(input.yLabels ? { type: 'category' } : {}) });
  return makeSpec(input, [trace], layout);
}
