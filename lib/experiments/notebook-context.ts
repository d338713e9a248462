/**
 * What every notebook sets up in its first cell, in one call: `const ctx = await
 * mmckd.notebookContext({ seed: 1 })` gives the backend, the setting (quick or full, dataset,
 * presets, grid folder, seeds: notebook-setting.ts), the dataset (loaded on first use), captions
 * that name data, seeds and backend, and the two calls that hand a figure or a table to
 * `npm run reproduce` while showing it (`ctx.figure`, `ctx.table`).
 * @see notebooks/00-quickstart.ipynb
 */
import type { BackendReport } from '../backend';
import { selectMeasuredBackend } from '../train/measured-backend';
import type { MultimodalDataset } from '../data/types';
import { loadDataset } from '../data/load-dataset';
import { standardizeDataset } from '../data/standardize';
import { collectFigure, collectTable } from '../report/collect';
import { checkTableName } from '../report/write-table';
import type { FigureCaption, FigureSpec } from '../report/figure-spec';
import type { FigureHtmlOptions } from '../report/inline-html';
import { notebookSetting, type NotebookSetting } from './notebook-setting';
import { showFigure } from '../report/show-figure';
import { inTslabKernel, warmStaticRenderer } from '../report/static-svg';
import { tableHtml, type TableHtmlOptions, type TableRow } from '../report/table-format';

/** The seed of the notebooks' runs and masks when none is given. */
const DEFAULT_NOTEBOOK_SEED = 1;

/** Options of `notebookContext`. */
export interface NotebookContextOptions {
  /** The seed of the notebook's runs and masks, named in its captions (default DEFAULT_NOTEBOOK_SEED). */
  seed?: number;
  /** The environment to read (process.env by default). */
  env?: Record<string, string | undefined>;
  /** The backend to use; default: the one `selectMeasuredBackend` picks (tests pass one). */
  backend?: BackendReport;
}

/**
 * The setting's fields (quick, datasetSpec, preset, gridDir, the seeds, ...: NotebookSetting) are
 * the context's own, read-only, copied once by the constructor.
 */
export interface NotebookContext extends Readonly<NotebookSetting> {}

/** A notebook's backend, setting, dataset, captions and collection; made by `notebookContext`. */
export class NotebookContext {
  private raw: MultimodalDataset | undefined;
  private standardized: MultimodalDataset | undefined;

  constructor(
    /** The TensorFlow.js backend in use, with the line that says why. */
    readonly backend: BackendReport,
    setting: NotebookSetting,
    /** The seed of the notebook's runs and masks. */
    readonly seed: number,
  ) {
    Object.assign(this, setting);
  }

  /** Returns the dataset as loaded (`loadDataset(datasetSpec)`), loading it on first use. */
  get rawDataset(): MultimodalDataset {
    this.raw ??= loadDataset(this.datasetSpec);
    return this.raw;
  }

  /** Returns the dataset standardized with train statistics (`standardizeDataset`), loading it on first use. */
  get dataset(): MultimodalDataset {
    this.standardized ??= standardizeDataset(this.raw ?? loadDataset(this.datasetSpec)).dataset; // the raw copy is kept only when asked for
    return this.standardized;
  }

  /** Returns the caption fields a figure without its title needs: dataset name, `seeds` (default [seed]) and backend. */
  captionBase(seeds: number[] = [this.seed]): Omit<FigureCaption, 'title'> {
    const meta = (this.standardized ?? this.raw ?? this.dataset).meta;
    return { dataset: meta.name, seeds, backend: this.backend.choice };
  }

  /** Returns a figure caption: `title`, the dataset, the notebook's seed, the backend and an optional note. */
  caption(title: string, note?: string): FigureCaption {
    return note === undefined ? { title, ...this.captionBase() } : { title, ...this.captionBase(), note };
  }

  /** Returns the HTML that shows `spec` and, when `npm run reproduce` collects (collectDir), adds the spec to its collection. */
  figure(spec: FigureSpec, options: FigureHtmlOptions = {}): string {
    if (this.collectDir) collectFigure(this.collectDir, spec);
    return showFigure(spec, options);
  }

  /** Returns the HTML that shows table `name` and, when `npm run reproduce` collects (collectDir), adds its rows to the collection. */
  table(name: string, rows: TableRow[], options: TableHtmlOptions = {}): string {
    checkTableName(name);
    if (this.collectDir) collectTable(this.collectDir, name, rows, options.columns);
    return tableHtml(rows, options);
  }
}

/**
 * Returns the context of a notebook: the backend (selected now), the setting read from the
 * environment, and the dataset on first use; inside a Jupyter kernel it also starts the browser
 * that draws the charts' static pictures, in the background.
 * @see notebooks/00-quickstart.ipynb
 */
export async function notebookContext(options: NotebookContextOptions = {}): Promise<NotebookContext> {
  const env = options.env ?? process.env;
  const seed = options.seed ?? DEFAULT_NOTEBOOK_SEED;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`Expected seed to be an integer >= 0, but got ${seed}`);
  const setting = notebookSetting(env);
  const backend = options.backend ?? (await selectMeasuredBackend({ env }));
  if (inTslabKernel()) warmStaticRenderer(env); // the first figure then finds the browser started
  return new NotebookContext(backend, setting, seed);
}
