/**
 * A figure as a notebook shows it: the interactive chart with its static SVG picture (rendered
 * here when a browser is available, see static-svg.ts). Showing writes no file; a notebook hands
 * a figure to the reproduction with `ctx.figure` (lib/experiments/notebook-context.ts).
 * @see notebooks/00-quickstart.ipynb
 */
import type { FigureSpec } from './figure-spec';
import { figureHtml, type FigureHtmlOptions } from './inline-html';
import { staticFigureSvg } from './static-svg';

/** Returns the HTML of a figure for a notebook, with its static picture rendered here unless `options.staticImage` is given. */
export function showFigure(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
  const staticImage = options.staticImage ?? staticFigureSvg(spec, { height: options.height });
  return figureHtml(spec, { ...options, staticImage });
}
