/**
 * `mmckd cost`: the inference cost table (parameters, analytic FLOPs, latency at batch 1 and 32,
 * peak memory) of the teacher, each MM-CKD student and each imputer + teacher (B5). Works without
 * any trained run (random weights: cost does not depend on them); `--run` and `--imputer` add
 * P1 test accuracy from trained folders.
 */
import { numberOption, parseOptions, stringOption, usageText, type OptionTable } from '../args';
import { presetOption, presetOptionSpec } from '../preset-option';
import type { CliCommand } from '../command';
import {
  buildImputer, buildModel, type CostImputer, costRatios, costTableRows, disposeTrainedRun,
  evaluateSubsets, finiteOrNull, type Imputer, IMPUTER_KINDS, imputerPredictors,
  loadDataset, loadImputer, loadModel, loadTrainedRun, measureCost, measureTorchLatency,
  memberSeed, modelConfigFor, type MsaModel, selectBackend, standardizeDataset, SUBSET_NAMES,
  type SubsetName, type SubsetResult, toMarkdown, type TrainedRun, validateImputerConfig,
  validateTrainConfig, withAccuracy, withTorchLatency,
} from '../../lib';

/** The options of `mmckd cost`. */
const COST_OPTIONS: OptionTable = {
  dataset: { value: 'SPEC', help: 'synthetic | synthetic:quick | synthetic:mosi?counts.train=300&addedLabelNoise=0.5 (docs/synthetic-data.md) | path/to/aligned_50.pkl', default: 'synthetic' },
  preset: presetOptionSpec('model size of random models'),
  run: { value: 'DIR', help: 'a finished MM-CKD run folder: its teacher and students, with P1 test accuracy' },
  teacher: { value: 'DIR', help: "the teacher the imputers feed (a checkpoint folder, e.g. runs/_stage1/<key>/best/tav;\ndefault: the run's teacher, or a random one)" },
  imputer: { value: 'DIR[,DIR]', help: 'trained imputer folders (runs/<data>-imputer-<kind>-<preset>-seed<N>); without it,\nboth imputers with random weights' },
  k: { value: 'LIST', help: "diffusion sampling steps K to measure, e.g. 10,50", default: "the imputer's K" },
  'batch-sizes': { value: 'LIST', help: 'batch sizes to time', default: '1,32' },
  warmup: { value: 'N', help: 'untimed runs before timing', default: '3' },
  repeats: { value: 'N', help: 'timed runs per configuration', default: '10' },
  'no-torch': { help: "skip the PyTorch columns (the same teacher and students in PyTorch, 1 thread,\ntimed the same way; they need python3-torch)" },
  json: { help: 'print the report as JSON' },
};

const USAGE = usageText('mmckd cost [options]', COST_OPTIONS, 'Latency is measured on the backend in use (printed with the table); what counts is printed too.');

function intList(value: string | undefined, option: string): number[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || !list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`Expected --${option} to be a comma-separated list of integers >= 1, but got '${value}'`);
  return list;
}

export const command: CliCommand = {
  summary: 'inference cost (parameters, FLOPs, latency, memory) of teacher, students and imputer + teacher',
  usage: USAGE,
  async run(args) {
    const p = parseOptions(args, COST_OPTIONS);
    const preset = presetOption(p);
    const log = (line: string) => process.stderr.write(line + '\n');
    const backend = await selectBackend({ log: true });
    const spec = stringOption(p, 'dataset', 'synthetic')!;
    const { dataset } = standardizeDataset(loadDataset(spec));
    const config = validateTrainConfig({}, preset);
    const runDir = stringOption(p, 'run');
    const run: TrainedRun | undefined = runDir ? await loadTrainedRun(runDir) : undefined;
    const owned: { dispose(): void }[] = [];
    const random = (s: SubsetName): MsaModel => {
      const m = buildModel(modelConfigFor(dataset, config, s), memberSeed(config.seed, s));
      owned.push(m);
      return m;
    };
    try {
      const teacher = run?.models.tav ?? random('tav');
      const students: Partial<Record<SubsetName, MsaModel>> = {};
      for (const s of SUBSET_NAMES.filter((n) => n !== 'tav')) students[s] = run?.models[s] ?? random(s);
      const teacherDir = stringOption(p, 'teacher');
      let imputerTeacher = teacher;
      if (teacherDir) {
        imputerTeacher = await loadModel(teacherDir);
        owned.push(imputerTeacher);
      }
      const imputerDirs = stringOption(p, 'imputer')?.split(',').filter(Boolean) ?? [];
      const imputers: Imputer[] = [];
      for (const dir of imputerDirs) imputers.push(await loadImputer(dir));
      if (imputerDirs.length === 0) {
        const imputerPreset = preset === 'quick' ? 'quick' : 'default';
        for (const kind of IMPUTER_KINDS) {
          imputers.push(buildImputer(validateImputerConfig({ kind, inputDims: { ...dataset.meta.dims }, seqLens: { ...dataset.meta.seqLens } }, imputerPreset), 1));
        }
      }
      owned.push(...imputers);
      const ks = intList(stringOption(p, 'k'), 'k');
      const costImputers: CostImputer[] = imputers.map((imputer) => ({ imputer, sampleSteps: imputer.kind === 'diffusion' ? ks : undefined }));
      let report = await measureCost({
        teacher, students, imputers: costImputers, backend: backend.choice,
        batchSizes: intList(stringOption(p, 'batch-sizes'), 'batch-sizes'),
        warmup: numberOption(p, 'warmup'), repeats: numberOption(p, 'repeats'), log,
      });
      if (imputerTeacher !== teacher) {
        // imputer rows must use the imputers' teacher: measure them again with it
        const withTeacher = await measureCost({ teacher: imputerTeacher, students: {}, imputers: costImputers, backend: backend.choice,
          batchSizes: intList(stringOption(p, 'batch-sizes'), 'batch-sizes'), warmup: numberOption(p, 'warmup'), repeats: numberOption(p, 'repeats'), log });
        report = { ...report, rows: [...report.rows.filter((r) => r.group !== 'imputer+teacher'), ...withTeacher.rows.filter((r) => r.group === 'imputer+teacher')] };
      }
      if (run) {
        const studentResults = await evaluateSubsets(run.predictors, dataset.test);
        const imputerResults: Record<string, SubsetResult[]> = {};
        if (imputerDirs.length > 0) {
          for (const c of costImputers) {
            for (const k of c.imputer.kind === 'diffusion' ? c.sampleSteps ?? [c.imputer.config.sampleSteps] : [undefined]) {
              const name = c.imputer.kind === 'diffusion' ? `diffusion K=${k} + teacher` : 'autoencoder + teacher';
              imputerResults[name] = await evaluateSubsets(imputerPredictors(c.imputer, imputerTeacher, { sampleSteps: k }), dataset.test);
            }
          }
        }
        report = withAccuracy(report, studentResults, imputerResults);
      }
      if (!p.options['no-torch']) {
        log('cost: the same models in PyTorch');
        report = withTorchLatency(report, measureTorchLatency({
          config: teacher.config, subsets: SUBSET_NAMES, batchSizes: report.settings.batchSizes, warmup: report.settings.warmup, repeats: report.settings.repeats,
        }));
      }
      const ratios = costRatios(report);
      if (p.options.json) {
        process.stdout.write(JSON.stringify({ ...report, dataset: dataset.meta.name, run: runDir ?? null, imputers: imputerDirs, ratios }, finiteOrNull, 2) + '\n');
      } else {
        process.stdout.write(`\nInference cost per clip on ${dataset.meta.name} (backend ${backend.choice}; ${run ? `trained run ${runDir}` : 'random weights'}):\n\n`);
        process.stdout.write(toMarkdown(costTableRows(report)) + '\n\n' + report.counts + '\n');
        process.stdout.write(`Machine: ${report.machine.cpus} cores, load average ${report.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}.\n`);
        if (report.reference && 'missing' in report.reference) process.stdout.write(`No PyTorch columns: ${report.reference.missing}\n`);
        for (const r of ratios) {
          const lat = Object.entries(r.latencyRatio).map(([b, v]) => `${v.toFixed(1)}x at batch ${b}`).join(', ');
          process.stdout.write(`${r.imputer}: ${r.flopsRatio.toFixed(1)}x the FLOPs of an MM-CKD student, latency ${lat} (backend ${backend.choice})\n`);
        }
      }
    } finally {
      for (const o of owned) o.dispose();
      if (run) disposeTrainedRun(run);
    }
    return 0;
  },
};
