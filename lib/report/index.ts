/**
 * The report layer: plotly figure builders with honest captions, inline display for Jupyter,
 * static PNG/SVG export through headless Chromium, CSV/Markdown/HTML tables, the collection of
 * what notebooks show (for `npm run reproduce`) and helpers. The notebooks' context (setting,
 * backend, dataset) is in lib/experiments.
 */
export * from './figure-spec';
export { DEFAULT_FIGURE_SIZE, PALETTE, seriesColor, makeSpec, captionFigure, SUBSET_COLORS, subsetColor, SENTIMENT_COLORS, LOSS_COLOR } from './layout';
export * from './line-figures';
export * from './bar-figures';
export * from './scatter-figures';
export * from './heatmap-figure';
export * from './data-figures';
export * from './pca';
export * from './plotly-bundle';
export * from './inline-html';
export * from './static-svg';
export * from './chromium';
export * from './export-figures';
export * from './figure-html-file';
export * from './table-format';
export * from './write-table';
export * from './mean-std';
export { studentTCdf, studentTQuantile } from './student-t';
export * from './paired-difference';
export { importEsm, loadArquero } from '../io/esm';
export * from './live-training';
export * from './training-figures';
export * from './projection-space';
export * from './probe-curves';
export * from './mvsc-verdict';
export * from './grid-report';
export * from './reference-comparison';
export * from './show-figure';
export * from './collect';
export * from './data-frame-rows';
export * from './mask-summary';
export * from './grid-summary-lines';
export * from './cost-scatter';
