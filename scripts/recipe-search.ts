/**
 * `npx tsx scripts/recipe-search.ts [--method b2] [--seeds 1] [--data JSON] NAME...`: trains each
 * named candidate recipe (below) on the synthetic default and prints the test MAE of every
 * subset, one JSON line per (candidate, seed) appended to build/recipe-search/results.jsonl.
 * The candidates and what they gave are summarised in docs/recipe-search.md.
 *
 * By default stage 1 is skipped (pretrainEpochs 0) and method b2 trains the seven models from
 * scratch side by side: the fastest way to compare how well an architecture and schedule learn.
 * `--data` takes synthetic-generator overrides (the calibration of the MOSI regime).
 */
import { mkdirSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../lib/backend';
import { generateSynthetic, syntheticConfig, type SyntheticOverrides } from '../lib/data/synthetic';
import { standardizeDataset } from '../lib/data/standardize';
import { evaluateSubsets } from '../lib/eval/evaluate-subsets';
import { validateTrainConfig, type TrainConfig, type MethodName } from '../lib/train/config';
import { splitBatches } from '../lib/train/batch-source';
import { disposeTrainedRun, runMethod } from '../lib/train/run-method';
import type { ModelConfig } from '../lib/models/config';

type Candidate = Partial<Omit<TrainConfig, 'model'>> & { model?: Partial<ModelConfig> };

const ATTENTION_ENCODER: Partial<ModelConfig> = { layers: 0, pooling: 'attention', frameActivation: 'tanh', positional: 'none' };

/** The recipes tried, by name: overrides of the mosi preset. */
const CANDIDATES: Record<string, Candidate> = {
  'old-default': {},
  'old-default-40ep': { epochs: 40, patience: 10 },
  'transformer-attnpool': { epochs: 40, patience: 10, model: { pooling: 'attention' } },
  'attnpool-l0': { epochs: 40, patience: 10, model: ATTENTION_ENCODER },
  'attnpool-l0-wd': { epochs: 40, patience: 10, weightDecay: 0.01, model: ATTENTION_ENCODER },
  'attnpool-l0-wd-d64': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, d: 64, projectionDim: 64 } },
  'attnpool-l0-drop3': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, dropout: 0.3 } },
  'attnpool-l0-const': { epochs: 40, patience: 10, weightDecay: 0.01, schedule: 'constant', model: ATTENTION_ENCODER },
  'attnpool-l0-lr3': { epochs: 40, patience: 10, weightDecay: 0.01, lr: 3e-3, model: ATTENTION_ENCODER },
  'attnpool-l0-concat': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, fusion: 'concat' } },
  'attnpool-l0-concat-nodrop': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, fusion: 'concat', dropout: 0 } },
  'attnpool-l0-concat-d64': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, fusion: 'concat', d: 64, projectionDim: 64 } },
  'transformer-concat': { epochs: 40, patience: 10, weightDecay: 0.01, model: { pooling: 'attention', fusion: 'concat' } },
  'attnpool-l1-tanh': { epochs: 40, patience: 10, weightDecay: 0.01, model: { ...ATTENTION_ENCODER, layers: 1, positional: 'learned' } },
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
  const dataOverrides = JSON.parse(opt('data', '{}')) as SyntheticOverrides;
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
      const results = evaluateSubsets(run.predictors, dataset.test);
      const valid = evaluateSubsets(run.predictors, dataset.valid);
      const epochs = run.history.filter((h) => h.stage === 'stage2').length;
      disposeTrainedRun(run);
      rmSync(outDir, { recursive: true, force: true });
      const mae = Object.fromEntries(results.map((r) => [r.subset, Number(r.raw.MAE.toFixed(4))]));
      const acc = Object.fromEntries(results.map((r) => [r.subset, Number(r.raw.Non0_acc_2.toFixed(4))]));
      const vmae = Object.fromEntries(valid.map((r) => [r.subset, Number(r.raw.MAE.toFixed(4))]));
      const line = { name, method, seed, data: dataOverrides, extra, epochs, seconds, testMae: mae, testNon0Acc2: acc, validMae: vmae, backend: backend.choice };
      appendFileSync(join(outRoot, 'results.jsonl'), JSON.stringify(line) + '\n');
      console.log(`${name.padEnd(22)} seed ${seed} ${epochs} ep ${seconds.toFixed(0)} s  MAE ${Object.entries(mae).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`);
      console.log(`${''.padEnd(22)}        Acc2 ${Object.entries(acc).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`);
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
