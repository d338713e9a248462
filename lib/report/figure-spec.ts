/**
 * The figure types every builder returns, and the caption convention: each figure carries the
 * dataset, seeds and backend it came from, and shows them in the figure itself (the title's
 * subtitle), so an exported PNG is honest on its own.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */

/** One plotly.js trace (a plain JSON object: `type`, `x`, `y`, ...). */
export interface PlotlyTrace {
  type: string;
  name?: string;
  [key: string]: unknown;
}

/** A plotly.js layout (a plain JSON object). */
export type PlotlyLayout = Record<string, unknown>;

/** Where a figure's numbers came from; shown in the figure. */
export interface FigureCaption {
  /** The figure's title. */
  title: string;
  /** Dataset name, e.g. 'synthetic-mosi' or 'MOSI aligned_50'. */
  dataset: string;
  /** The seeds whose runs the figure aggregates. */
  seeds: number[];
  /** TensorFlow.js backend the runs used, e.g. 'wasm', 'tensorflow'. */
  backend: string;
  /** One short extra line (protocol, preset, ...). */
  note?: string;
}

/** A complete figure: plotly traces and layout plus its caption and a file-name-safe id. */
export interface FigureSpec {
  /** File-name-safe id (letters, digits, '.', '_', '-'); exported files are named after it. */
  id: string;
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  caption: FigureCaption;
}

/** Inputs every builder takes. */
export interface FigureBase {
  id: string;
  caption: FigureCaption;
}

/** Thrown when a builder's input is malformed; names the field at fault. */
export class FigureInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FigureInputError';
  }
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Returns `id` unchanged when it is file-name safe; throws FigureInputError otherwise. */
export function checkFigureId(id: string): string {
  if (!SAFE_ID.test(id)) {
    throw new FigureInputError(
      `Expected figure id to be 1-128 characters of [A-Za-z0-9._-] starting with a letter or digit, but got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/** Returns seeds as short text: consecutive runs collapse, e.g. [0,1,2,3,7] -> "0-3, 7". */
export function formatSeeds(seeds: number[]): string {
  if (seeds.length === 0) return 'none';
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = sorted[0];
  for (const s of [...sorted.slice(1), Number.NaN]) {
    if (s === prev + 1) {
      prev = s;
      continue;
    }
    parts.push(start === prev ? `${start}` : prev === start + 1 ? `${start}, ${prev}` : `${start}-${prev}`);
    start = s;
    prev = s;
  }
  return parts.join(', ');
}

/** Returns the caption line a figure shows: "dataset: X · seeds: 0-2 (n=3) · backend: Y[ · note]". */
export function captionLine(caption: FigureCaption): string {
  const n = new Set(caption.seeds).size;
  const parts = [
    `dataset: ${caption.dataset}`,
    `seeds: ${formatSeeds(caption.seeds)} (n=${n})`,
    `backend: ${caption.backend}`,
  ];
  if (caption.note) parts.push(caption.note);
  return parts.join(' · ');
}

/** Checks a caption's fields and returns it; throws FigureInputError naming the bad field. */
export function checkCaption(caption: FigureCaption): FigureCaption {
  if (!caption || typeof caption.title !== 'string') throw new FigureInputError('Expected caption.title to be a string');
  if (typeof caption.dataset !== 'string' || caption.dataset === '') {
    throw new FigureInputError(`Expected caption.dataset to be a non-empty string, but got ${JSON.stringify(caption.dataset)}`);
  }
  if (!Array.isArray(caption.seeds) || !caption.seeds.every((s) => Number.isInteger(s))) {
    throw new FigureInputError(`Expected caption.seeds to be an array of integers, but got ${JSON.stringify(caption.seeds)}`);
  }
  if (typeof caption.backend !== 'string' || caption.backend === '') {
    throw new FigureInputError(`Expected caption.backend to be a non-empty string, but got ${JSON.stringify(caption.backend)}`);
  }
  return caption;
}
