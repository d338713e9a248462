/**
 * `npx tsx scripts/synthetic-ceilings.ts`: reference points for the synthetic default (test MAE):
 * a constant predictor, the generator's latent sentiment (the label-noise floor), and ridge
 * probes on mean-pooled features per modality (what a linear model of pooled features gets).
 * Read beside the students' test MAE: a student near its ceiling has little left to learn from a teacher.
 */
import type { Modality } from '../lib/data/modalities';
import { ridgeProbe } from '../lib/data/probe';
import { standardizeDataset } from '../lib/data/standardize';
import { generateSynthetic, syntheticConfig } from '../lib/data/synthetic';
import { meanAbsoluteError } from '../lib/train/predict';

const raw = generateSynthetic(syntheticConfig('mosi'));
const { dataset } = standardizeDataset(raw);
const test = dataset.test.labels;

// constant: the training labels' median
const sorted = Float32Array.from(dataset.train.labels).sort();
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`constant (train median ${median.toFixed(3)}): test MAE ${meanAbsoluteError(new Float32Array(test.length).fill(median), test).toFixed(4)}`);

// the generator's latent sentiment, mapped to the label by least squares on test itself (an optimistic floor)
const z = raw.truth.test.latent;
const n = z.length;
let sz = 0, sy = 0, szz = 0, szy = 0;
for (let i = 0; i < n; i++) {
  sz += z[i];
  sy += test[i];
  szz += z[i] * z[i];
  szy += z[i] * test[i];
}
const slope = (szy - (sz * sy) / n) / (szz - (sz * sz) / n);
const intercept = (sy - slope * sz) / n;
console.log(`latent sentiment (oracle, affine): test MAE ${meanAbsoluteError(Array.from(z, (v) => intercept + slope * v), test).toFixed(4)}`);

const probes: [Modality[], number][] = [[['audio'], 100], [['vision'], 100], [['audio', 'vision'], 100], [['text'], 3000]];
for (const [modalities, lambda] of probes) {
  const probe = ridgeProbe(dataset.train, dataset.test, modalities, lambda);
  console.log(`ridge on mean-pooled ${modalities.join('+')} (lambda ${lambda}): test MAE ${meanAbsoluteError(probe.evalPredictions, test).toFixed(4)}, R^2 ${probe.r2Eval.toFixed(3)}`);
}
