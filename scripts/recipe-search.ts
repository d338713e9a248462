/**
 * `npx tsx scripts/recipe-search.ts [--method b2] [--seeds 1] [--data JSON] NAME...`: trains each
 * named candidate recipe (below) on the synthetic default and prints the test MAE of every
 * subset, one JSON line per (candidate, seed) appended to build/recipe-search/results.jsonl.
 * The candidates and what they gave are summarised in docs/recipe-search.md.
 *
 * By default stage 1 is skipped (pretrainEpochs 0) and method b2 trains the seven models from
 * scratch side by side: the fastest way to compare how well an architecture and schedule learn.
 * `--data` takes synthetic-generator overrides as JSON (the calibration of the MOSI regime), or
 * `old` for the generator before its calibration; `--set JSON` overrides any candidate's fields.
 */
import { mkdirSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../lib/backend';
import { generateSynthetic, syntheticConfig, type SyntheticOverrides } from '../lib/data/synthetic';
import { standardizeDataset } from '../lib/data/standardize';
import { evaluateSubsets } from '../lib/eval/evaluate-subsets';
import { validateTrainConfig, type TrainConfig } from '../lib/train/config';
import type { MethodName } from '../lib/vocabulary';
import { splitBatches } from '../lib/train/batch-source';
import { disposeTrainedRun, runMethod } from '../lib/experiments/run-method';
import type { ModelConfig } from '../lib/models/config';

type Candidate = Partial<Omit<TrainConfig, 'model'>> & { model?: Partial<ModelConfig> };

/** The model before the recipe search: a 1-layer transformer encoder, mean pooling, transformer fusion. */
const OLD_MODEL: Partial<ModelConfig> = { d: 32, layers: 1, pooling: 'mean', fusion: 'transformer', frameActivation: 'none', positional: 'learned', dropout: 0.1 };
/** The encoder the search settled on: per-frame tanh, attention pooling, no layers, no positions. */
const ATTENTION_ENCODER: Partial<ModelConfig> = { layers: 0, pooling: 'attention', frameActivation: 'tanh', positional: 'none' };
const LONG: Candidate = { epochs: 40, patience: 10 };
const ADAMW: Candidate = { ...LONG, weightDecay: 0.01 };

/**
 * The recipes tried, by name. Each spells out what it changes from the old default so that the
 * list keeps its meaning when the defaults move; 'default' is whatever the defaults are now.
 */
const CANDIDATES: Record<string, Candidate> = {
  default: {},
  'old-default': { epochs: 15, patience: 5, weightDecay: 0, model: OLD_MODEL },
  'old-default-40ep': { ...LONG, weightDecay: 0, model: OLD_MODEL },
  'transformer-attnpool': { ...ADAMW, model: { ...OLD_MODEL, pooling: 'attention' } },
  'transformer-concat': { ...ADAMW, model: { ...OLD_MODEL, pooling: 'attention', fusion: 'concat' } },
  'attnpool-l0-wd': { ...ADAMW, model: { ...OLD_MODEL, ...ATTENTION_ENCODER } },
  'attnpool-l0-concat': { ...ADAMW, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat' } },
  'attnpool-l0-concat-nodrop': { ...ADAMW, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat', dropout: 0 } },
  'attnpool-l0-concat-d64': { ...ADAMW, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat', d: 64, projectionDim: 64 } },
  'attnpool-l0-concat-nowd': { ...LONG, weightDecay: 0, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat' } },
  'attnpool-l0-concat-wd05': { ...LONG, weightDecay: 0.05, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat' } },
  'attnpool-l0-concat-drop3': { ...ADAMW, model: { ...OLD_MODEL, ...ATTENTION_ENCODER, fusion: 'concat', dropout: 0.3 } },
};

/** The synthetic generator before its MOSI-regime calibration (docs/synthetic-data.md), as overrides. */
const OLD_DATA: SyntheticOverrides = {
  modalities: { text: { cueStrength: 2.4, cueFrameFraction: 0.2 }, audio: { cueNoise: 1.6 }, vision: { cueNoise: 1.0 } },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const method = opt('method', 'b2') as MethodName;
  const seeds = opt('seeds', '1').split(',').map(Number);
  const dataArg = opt('data', '{}');
  const dataOverrides = dataArg === 'old' ? OLD_DATA : (JSON.parse(dataArg) as SyntheticOverrides);
  const extra = JSON.parse(opt('set', '{}')) as Candidate;
  const names = args.length > 0 ? args : Object.keys(CANDIDATES);
  for (const n of names) if (!CANDIDATES[n]) throw new Error(`Expected a candidate among ${Object.keys(CANDIDATES).join(', ')}, but got '${n}'`);
  const backend = await selectBackend({ log: true });
  const { dataset } = standardizeDataset(generateSynthetic(syntheticConfig('mosi', dataOverrides)));
  const outRoot = join('build', 'recipe-search');
  mkdirSync(outRoot, { recursive: true });
  for (const name of names) {
    for (const seed of seeds) {
      const cand = CANDIDATES[name];
      const config = validateTrainConfig({ pretrainEpochs: 0, ...cand, ...extra, model: { ...(cand.model ?? {}), ...(extra.model ?? {}) }, method, seed }, 'mosi');
      const outDir = join(outRoot, 'runs', `${name}-${method}-seed${seed}-${process.pid}`);
      const t0 = Date.now();
      const run = await runMethod({ dataset, config, outDir, batches: splitBatches, backend, fresh: true });
      const seconds = (Date.now() - t0) / 1000;
      const results = await evaluateSubsets(run.predictors, dataset.test);
      const valid = await evaluateSubsets(run.predictors, dataset.valid);
      const epochs = run.history.filter((h) => h.stage === 'stage2').length;
      rmSync(outDir, { recursive: true, force: true });
      const mae = Object.fromEntries(results.map((r) => [r.subset, Number(r.raw.MAE.toFixed(4))]));
      const acc = Object.fromEntries(results.map((r) => [r.subset, Number(r.raw.Non0_acc_2.toFixed(4))]));
      const vmae = Object.fromEntries(valid.map((r) => [r.subset, Number(r.raw.MAE.toFixed(4))]));
      const bestEpoch = Object.fromEntries(Object.entries(run.history.filter((h) => h.stage === 'stage2').reduce(
        (best, h) => { for (const s of h.improved) best[s] = h.epoch; return best; }, {} as Record<string, number>)));
      const line = { name, method, seed, data: dataOverrides, extra, epochs, seconds, testMae: mae, testNon0Acc2: acc, validMae: vmae, bestEpoch, backend: backend.choice };
      disposeTrainedRun(run);
      appendFileSync(join(outRoot, 'results.jsonl'), JSON.stringify(line) + '\n');
      console.log(`${name.padEnd(22)} seed ${seed} ${epochs} ep ${seconds.toFixed(0)} s  MAE ${Object.entries(mae).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`);
      console.log(`${''.padEnd(22)}        best epoch ${Object.entries(bestEpoch).map(([k, v]) => `${k} ${v}`).join('  ')}`);
      console.log(`${''.padEnd(22)}        Acc2 ${Object.entries(acc).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`);
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
