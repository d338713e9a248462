/**
 * The MM-CKD notebook kit's public API: what the notebooks (through the compiled `dist/lib`),
 * the `mmckd` command line and users import. Layers: data -> models + losses -> train -> eval ->
 * report; each imports only from earlier ones. Everything else is internal: tests and benchmarks
 * reach it through `lib/internal.ts` or the module itself.
 */

// Basics: backend, folders, versions and the vocabulary of methods, protocols, metrics and presets
export { type BackendReport } from './backend';
export { selectMeasuredBackend as selectBackend } from './train/measured-backend';
export { loadArquero } from './io/esm';
export { finiteOrNull, writeJson } from './io/json-file';
export { checkOutputFolder } from './io/output-folder';
export { isQuick, kitPaths } from './paths';
export { kitVersions } from './versions';
export { METHOD_NAMES, type MethodName, MSA_METRIC_KEYS, parseProtocolName, PROTOCOL_NAMES, type ProtocolName, REPORTED_METRICS, TRAIN_PRESET_NAMES, type TrainPresetName } from './vocabulary';

// Data: loading, standardising, batching and the missing-data protocols
export { batches } from './data/batches';
export { loadCsd } from './data/cmu-sdk';
export { loadDataset } from './data/load-dataset';
export { frameMissing } from './data/missing/frame-missing';
export { imderBatchMissing } from './data/missing/imder-batch-missing';
export { droppedFraction } from './data/missing/masks';
export { applyModalitySubset } from './data/missing/modality-subset';
export { effectiveModalityMissingRate, randomModalityMissing } from './data/missing/random-modality-missing';
export { MODALITIES, type Modality, SUBSET_NAMES, subsetModalities, type SubsetName } from './data/modalities';
export { ridgeProbe } from './data/probe';
export { standardizeDataset } from './data/standardize';
export { type NumberStats, summarizeDataset } from './data/summary';
export { disposeBatch, type MultimodalDataset, type MultimodalSplit, SPLIT_NAMES } from './data/types';

// Models and losses
export { mvscLoss } from './losses/mvsc-loss';
export { type ModelConfig, validateModelConfig } from './models/config';
export { modelFlops } from './models/flops';
export { buildModel, type MsaModel } from './models/model';
export { memberSeed } from './models/model-set';

// Training: configs, runs, checkpoints, predictors
export { splitBatches } from './train/batch-source';
export { loadModel } from './train/checkpoint';
export { MAX_SEED, parseSeedList, type TrainConfig, validateTrainConfig } from './train/config';
export { GRID_VARIANTS } from './train/recipe';
export { type Predictor, zeroFillPredictor } from './train/predict';
export { combineCallbacks, terminalProgress } from './train/progress';
export { type EpochRecord } from './train/resumable-stage';
export { readRunRecord, runFolderName, type RunRecord } from './experiments/run-folder';
export { isRunLocked, readLockOwner } from './experiments/run-lock';
export { disposeTrainedRun, loadTrainedRun, runMethod, type TrainedRun } from './experiments/run-method';
export { modelConfigFor } from './train/train-method';
export { checkModelSize } from './train/model-size';
export { loadStudentTeachers } from './train/student-teachers';

// Baselines that impute missing modalities (B5)
export { IMPUTER_KINDS, validateImputerConfig, validateImputerTrainOptions } from './imputers/config';
export { buildImputer, type Imputer } from './imputers/imputer';
export { loadImputer } from './imputers/imputer-checkpoint';
export { imputerFolderName, trainOrLoadImputer } from './experiments/imputer-run';
export { imputerPredictors } from './imputers/predictor';

// Evaluation: metrics, protocols P1-P3c, grid cells, cost
export { type CostImputer, costRatios, type CostReport, costTableRows, type LatencyStats, measureCost, type TorchLatency, withAccuracy, withTorchLatency } from './eval/cost';
export { evaluateProtocols, imderEvaluationBatchSize, type RateCurve, type RunEvaluation } from './eval/evaluate-protocols';
export { evaluateSubsets, type SubsetResult } from './eval/evaluate-subsets';
export { type GridCell } from './eval/grid-cell';
export { msaMetrics } from './eval/metrics';
export { studentProjectionRecords } from './eval/projections';

// Report: figures and tables
export { barFigure, groupedBarFigure } from './report/bar-figures';
export { findChromium } from './report/chromium';
export { costScatterPoints } from './report/cost-scatter';
export { featureStatsFigure, labelHistogramFigure, lengthHistogramFigure, maskHeatmapFigure, sameLengthsAcrossModalities } from './report/data-figures';
export { dataFrameRows } from './report/data-frame-rows';
export { exportFigures } from './report/export-figures';
export { type FigureCaption, type FigureSpec } from './report/figure-spec';
export { GRID_COLUMN_LABELS, gridFigures, gridTables, meanStdDisplayRows, writeGridTables } from './report/grid-report';
export { meanAtRate, pairedDifferenceLine, teacherSummaryLine } from './report/grid-summary-lines';
export { captionFigure } from './report/layout';
export { imderBatchView, missingModalityShare } from './report/mask-summary';
export { type MeanStdRow } from './report/mean-std';
export { mvscVerdictRows } from './report/mvsc-verdict';
export { probeCurvesFigure } from './report/probe-curves';
export { projectionSummaryRows, studentTeacherSpace } from './report/projection-space';
export { findReferenceTable, missingReferenceLine, referenceComparisonRows, referenceDisplayRows } from './report/reference-comparison';
export { regimeMap, regimeMapRows, regimeSpec, type RegimeMapRow, type RegimeResult } from './report/regime-map';
export { regimeHeatmaps } from './report/regime-map-figures';
export { regimeMapFindings } from './report/regime-map-findings';
export { projectionScatterFigure, scatterFigure } from './report/scatter-figures';
export { ablationDifferenceFigure, ablationDifferenceRows } from './report/ablation-differences';
export { constantPredictorMae } from './eval/constant-predictor';
export { relabelColumns, tableHtml, toMarkdown } from './report/table-format';
export { subsetResultRows, trainingCurvesFigure } from './report/training-figures';
export { writeTable } from './report/write-table';

// Experiments: grids and their workers, the notebook context, the PyTorch reference, the regime map
export { ABLATION_VARIANTS, DEFAULT_GRID_SEEDS, gridCellConfig, gridCells, gridFolderName, METHOD_VARIANTS, runGrid } from './experiments/experiment-grid';
export { defaultGridWorkers } from './experiments/grid-workers';
export { notebookContext, NotebookContext } from './experiments/notebook-context';
export { measureTorchLatency } from './experiments/pytorch-reference';
export { readRegimeMap, runRegimeMap } from './experiments/regime-map-runs';
export { gridStage1TeacherDir, trainGridCell } from './experiments/train-grid-cell';
