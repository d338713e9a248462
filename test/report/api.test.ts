// Exercises the public API of lib/report through its index, so an API break fails the type check.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import * as report from '../../lib/report/index';
import type { ExportResult, FigureHtmlOptions, FigureSpec, MeanStdRow, Pca2d, PlotlyMimePayload, WrittenFile } from '../../lib/report/index';

test('lib/report/index exports the documented API', () => {
  const fns = [
    'lineCurvesFigure', 'rateCurveFigure', 'groupedBarFigure', 'barFigure', 'scatterFigure', 'projectionScatterFigure',
    'heatmapFigure', 'pca2d', 'figureHtml', 'figureMimeBundle', 'staticFigureSvg', 'figureDocument', 'writeFigureHtmlFiles', 'tableHtml', 'exportFigures',
    'findChromium', 'requireChromium', 'writeTable', 'formatMeanStd', 'meanStdTable', 'toCsv', 'toMarkdown', 'loadArquero',
    'importEsm', 'captionLine', 'plotlyBundlePath', 'studentTQuantile', 'studentTCdf', 'pairedDifference', 'sampleMeanSd',
    'pairedSubsetTable', 'teacherTable', 'gridTables', 'writeGridTables', 'gridFigures', 'referenceComparisonRows',
    'showFigure', 'captionFigure', 'collectFigure', 'collectTable', 'readCollection', 'dataFrameRows', 'missingModalityShare', 'imderBatchView', 'meanAtRate',
    'pairedDifferenceLine', 'teacherSummaryLine', 'costScatterPoints', 'labelHistogramFigure', 'maskHeatmapFigure',
    'findReferenceTable', 'referenceDisplayRows', 'missingReferenceLine',
  ] as const;
  for (const name of fns) assert.equal(typeof report[name], 'function', name);
  assert.equal(report.PLOTLY_MIME_TYPE, 'application/vnd.plotly.v1+json');
  assert.ok(new report.ChromiumNotFoundError(['/x']) instanceof Error);
  for (const moved of ['notebookContext', 'notebookSetting', 'trainGridCell', 'runGrid']) assert.equal(moved in report, false, `${moved} is lib/experiments'`);
  assert.equal(report.COLLECT_ENV, 'MMCKD_COLLECT_DIR');
  assert.equal('showTable' in report, false, 'a table is shown with tableHtml, or shown and collected with ctx.table');
  const spec: FigureSpec = report.barFigure({
    id: 'a', caption: { title: 't', dataset: 'd', seeds: [0], backend: 'cpu' }, xTitle: 'x', yTitle: 'y', labels: ['a'], mean: [1],
  });
  const options: FigureHtmlOptions = { inlineBundle: 'never' };
  const payload: PlotlyMimePayload = report.figureMimeBundle(spec);
  assert.equal(typeof report.figureHtml(spec, options), 'string');
  assert.equal(payload.data.length, 1);
  const typed: [Pca2d | undefined, MeanStdRow | undefined, WrittenFile | undefined, ExportResult | undefined] = [undefined, undefined, undefined, undefined];
  assert.equal(typed.length, 4);
});
