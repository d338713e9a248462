/**
 * `mmckd train`: trains MM-CKD or a baseline into a run folder, then scores every model on the
 * test split under P1 (its own modalities) and writes metrics.json. Rerunning the same command
 * resumes an interrupted run from its last completed epoch.
 */
import { join } from 'node:path';
import { integerOption, numberOption, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import { presetOption, presetOptionSpec } from '../preset-option';
import type { CliCommand } from '../command';
import {
  checkOutputFolder, combineCallbacks, disposeTrainedRun, evaluateSubsets, finiteOrNull,
  kitPaths, loadDataset, MAX_SEED, METHOD_NAMES, type MethodName, REPORTED_METRICS,
  runFolderName, runMethod, selectBackend, splitBatches, standardizeDataset, terminalProgress,
  type TrainConfig, validateTrainConfig, writeJson, checkModelSize,
} from '../../lib';

/** The options of `mmckd train`: the parser and the help are generated from this table. */
export const TRAIN_OPTIONS: OptionTable = {
  dataset: { value: 'SPEC', help: 'synthetic | synthetic:quick | synthetic:mosi?counts.train=300&addedLabelNoise=0.5 (docs/synthetic-data.md) | path/to/aligned_50.pkl', default: 'synthetic' },
  preset: presetOptionSpec(),
  method: { value: 'NAME', help: METHOD_NAMES.join(' | '), default: 'mmckd' },
  seed: { value: 'N', help: 'seed of initialisation, shuffling and dropout', default: '1' },
  out: { value: 'DIR', help: 'run folder (default runs/<dataset>-<method>-<preset>-seed<N>)' },
  fresh: { help: 'start over instead of resuming the run in --out: removes the folder only\nwhen it is a run folder holding only what the kit writes (else refuses)' },
  json: { help: 'print the final metrics as JSON' },
  epochs: { value: 'N', help: 'stage-2 epochs (overrides the preset, as do the options below)' },
  'pretrain-epochs': { value: 'N', help: "stage-1 epochs of the teacher's pre-training" },
  'pretrain-lr': { value: 'X', help: "stage-1 learning rate" },
  'batch-size': { value: 'N', help: 'clips per batch' },
  lr: { value: 'X', help: 'stage-2 learning rate' },
  lambda: { value: 'X', help: 'weight of the MVSC loss (0 = no knowledge transfer)' },
  tau: { value: 'X', help: 'MVSC temperature' },
  'class-scheme': { value: '7|3|2', help: 'sentiment classes that define MVSC positives' },
  'detach-teacher': { help: "stop gradients from MVSC into the teacher's views" },
  'teacher-init': { value: 'pretrained|scratch', help: 'start stage 2 from the pre-trained teacher or from scratch' },
  patience: { value: 'N', help: 'early stopping: epochs without a better validation score' },
  d: { value: 'N', help: 'model width' },
  layers: { value: 'N', help: 'transformer layers per encoder (0: per-frame projection only)' },
  heads: { value: 'N', help: 'attention heads per layer' },
};

const NOTES = `The run folder holds run.json (config, seed, backend, versions, dataset fingerprint), history.json,
checkpoints/<subset>/ and metrics.json (test metrics of every subset under P1). One process trains a
folder at a time: a second 'mmckd train' on it refuses, naming the process that holds its lock
(.lock, .lock-owner.json); a lock left by a process that died is taken over, and the kit says so.
A folder trained on one dataset refuses another. The stage-1 teacher is shared between runs under
MMCKD_RUNS_DIR/_stage1/; with --out it is trained inside the run folder (stage1/), so that nothing
is written outside the folder named.`;

const USAGE = usageText('mmckd train [options]', TRAIN_OPTIONS, NOTES);

/** Builds the config from the command line; throws naming the option at fault. */
export function configFromArgs(args: string[]): { config: TrainConfig; dataset: string; preset: string; out?: string; fresh: boolean; json: boolean } {
  const p = parseOptions(args, TRAIN_OPTIONS);
  const preset = presetOption(p);
  const method = stringOption(p, 'method', 'mmckd') as MethodName;
  const overrides: Partial<TrainConfig> = { method, seed: integerOption(p, 'seed', 0, MAX_SEED, 1)! };
  const num = (key: string, field: keyof TrainConfig) => {
    const v = numberOption(p, key);
    if (v !== undefined) (overrides as Record<string, unknown>)[field] = v;
  };
  num('epochs', 'epochs');
  num('pretrain-epochs', 'pretrainEpochs');
  num('pretrain-lr', 'pretrainLr');
  num('batch-size', 'batchSize');
  num('lr', 'lr');
  num('lambda', 'lambda');
  num('tau', 'tau');
  num('class-scheme', 'classScheme');
  num('patience', 'patience');
  if (p.options['detach-teacher']) overrides.detachTeacherViews = true;
  const teacherInit = stringOption(p, 'teacher-init');
  if (teacherInit) overrides.teacherInit = teacherInit as TrainConfig['teacherInit'];
  const model: Record<string, number> = {};
  for (const k of ['d', 'layers', 'heads']) {
    const v = integerOption(p, k, 0);
    if (v !== undefined) model[k] = v;
  }
  if (Object.keys(model).length > 0) overrides.model = model;
  const config = validateTrainConfig(overrides, preset);
  return {
    config,
    dataset: stringOption(p, 'dataset', 'synthetic')!,
    preset,
    out: stringOption(p, 'out'),
    fresh: Boolean(p.options.fresh),
    json: Boolean(p.options.json),
  };
}

export const command: CliCommand = {
  summary: 'train MM-CKD or a baseline (b1-b4) into a resumable run folder and score it on test',
  usage: USAGE,
  async run(args) {
    const a = configFromArgs(args);
    const outDir = a.out ?? join(kitPaths().runs, runFolderName(a.dataset, a.config.method, a.preset, a.config.seed));
    checkOutputFolder(outDir, 'run folder');
    // With --out nothing is written outside it; otherwise the shared teachers' folder is checked now, before any write.
    const stage1CacheDir = a.out === undefined ? join(kitPaths().runs, '_stage1') : undefined;
    if (stage1CacheDir) checkOutputFolder(stage1CacheDir, 'shared stage-1 folder (MMCKD_RUNS_DIR/_stage1)');
    const backend = await selectBackend({ log: true });
    const log = (line: string) => process.stderr.write(line + '\n');
    log(`mmckd train: ${a.config.method} on ${a.dataset} (preset ${a.preset}, seed ${a.config.seed}) -> ${outDir}`);
    const t0 = Date.now();
    const { dataset } = standardizeDataset(loadDataset(a.dataset));
    log(`data: ${dataset.meta.name} train/valid/test ${dataset.train.ids.length}/${dataset.valid.ids.length}/${dataset.test.ids.length} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    checkModelSize(dataset, a.config, { backend: backend.choice }); // before the run folder is locked or written
    const run = await runMethod({
      dataset,
      datasetSpec: a.dataset,
      config: a.config,
      outDir,
      batches: splitBatches,
      backend,
      fresh: a.fresh,
      stage1CacheDir,
      callbacks: { ...combineCallbacks(terminalProgress()), log },
    });
    try {
      const results = await evaluateSubsets(run.predictors, dataset.test);
      const metrics = { split: 'test', protocol: 'P1', method: a.config.method, seed: a.config.seed, backend: backend.choice, subsets: results };
      writeJson(outDir, 'metrics.json', metrics);
      if (a.json) {
        process.stdout.write(JSON.stringify(metrics, finiteOrNull, 2) + '\n');
      } else {
        const keys = REPORTED_METRICS;
        process.stdout.write(`\nTest metrics (P1, ${a.config.method}, seed ${a.config.seed}, backend ${backend.choice}):\n`);
        process.stdout.write(`subset  ${keys.map((k) => k.padStart(15)).join('')}\n`);
        for (const r of results) {
          process.stdout.write(`${r.subset.padEnd(6)}  ${keys.map((k) => r.metrics[k].toFixed(4).padStart(15)).join('')}\n`);
        }
        process.stdout.write(`\nRun folder: ${outDir} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      }
    } finally {
      disposeTrainedRun(run);
    }
    return 0;
  },
};
