/**
 * B5b: an IMDer-style conditional diffusion imputer (Wang et al., "Incomplete Multimodality-
 * Diffused Emotion Recognition", NeurIPS 2023): a denoising model, conditioned on the available
 * modalities, turns Gaussian noise into the missing modality's features in K sampling steps.
 *
 * Training is DDPM's (Ho et al. 2020) epsilon prediction: for complete clips, a random missing
 * pattern, step tau ~ U{1..T} and eps ~ N(0, I), x_tau = sqrt(abar_tau) x_0 + sqrt(1 - abar_tau) eps
 * and the loss is the masked MSE between eps and the denoiser's estimate on the missing
 * modality's valid frames. Sampling is DDIM (Song et al. 2021, eta = 0) over K of the T steps,
 * from seeded noise, so a (seed, K) pair always gives the same frames (every draw goes through
 * `seededNormal`: tf.randomNormal's seed 0 means Math.random).
 *
 * The denoiser of modality m is a per-frame MLP:
 * eps_hat[b, t] = O_m ReLU(H_m ReLU(x_tau[b, t] I_m + c[b] C_m + temb(tau) E_m + P_m[t])),
 * with c = ReLU(z_0 F) the condition code of the available modalities (the encoder the
 * autoencoder uses) and temb the sinusoidal step embedding.
 * Simplified from IMDer: IMDer diffuses in a learned embedding space with a score-based SDE and
 * a U-Net; ours diffuses the standardised frames themselves with a per-frame MLP (frames interact
 * only through the shared condition), and the teacher stays frozen.
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import { createRng } from '../data/random';
import { createLinear, type Linear } from '../models/linear';
import { sinusoidalPositions } from '../models/positional';
import { ParameterStore } from '../models/parameter-store';
import type { ImputerConfig, NoiseScheduleKind } from './config';
import { availabilityTensor, createConditionEncoder, imputedFrameMask, maskedFrameMse, missingFrameWeight } from './conditioning';
import type { Imputer } from './imputer';
import { seededNormal } from './seeded-noise';

/** Returns abar_tau for tau = 0..T (abar_0 = 1): cosine (Nichol & Dhariwal 2021) or linear betas (Ho et al. 2020, scaled to T). */
export function noiseScheduleAlphaBar(kind: NoiseScheduleKind, steps: number): Float64Array {
  const betas = new Float64Array(steps + 1);
  if (kind === 'cosine') {
    const s = 0.008;
    const f = (t: number) => Math.cos(((t / steps + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let t = 1; t <= steps; t++) betas[t] = Math.min(0.999, 1 - f(t) / f(t - 1));
  } else {
    const scale = 1000 / steps;
    for (let t = 1; t <= steps; t++) betas[t] = scale * (1e-4 + ((0.02 - 1e-4) * (t - 1)) / Math.max(1, steps - 1));
  }
  const alphaBar = new Float64Array(steps + 1);
  alphaBar[0] = 1;
  for (let t = 1; t <= steps; t++) alphaBar[t] = alphaBar[t - 1] * (1 - betas[t]);
  return alphaBar;
}

/** Returns the K sampling steps, descending from T: round(T (i + 1) / K) for i = K-1..0. */
export function samplingSteps(steps: number, k: number): number[] {
  if (!(Number.isInteger(k) && k >= 1 && k <= steps)) throw new Error(`Expected sampleSteps to be an integer in [1, ${steps}], but got ${k}`);
  const out: number[] = [];
  for (let i = k - 1; i >= 0; i--) out.push(Math.max(1, Math.round((steps * (i + 1)) / k)));
  return out;
}

/** Returns sinusoidal embeddings [n, d] of the steps `taus` (one row per step). */
function stepEmbedding(taus: ArrayLike<number>, d: number): tf.Tensor2D {
  const out = new Float32Array(taus.length * d);
  for (let i = 0; i < taus.length; i++) {
    const row = sinusoidalPositions(taus[i] + 1, d).subarray(taus[i] * d, (taus[i] + 1) * d);
    out.set(row, i * d);
  }
  return tf.tensor2d(out, [taus.length, d]);
}

interface Denoiser {
  input: Linear;
  condition: Linear;
  time: Linear;
  positions: tf.Variable;
  hidden: Linear;
  output: Linear;
}

/** Returns a conditional diffusion imputer for a validated config (use `buildImputer`). */
export function createDiffusionImputer(c: ImputerConfig, seed: number): Imputer {
  const store = new ParameterStore(seed, 'imputer-diffusion');
  const condition = createConditionEncoder(store, 'condition', c);
  const fuse = createLinear(store, 'condition.fuse', condition.width, c.d);
  const denoisers = {} as Record<Modality, Denoiser>;
  for (const m of MODALITIES) {
    denoisers[m] = {
      input: createLinear(store, `denoiser.${m}.input`, c.inputDims[m], c.hidden, { inputGrad: false }),
      condition: createLinear(store, `denoiser.${m}.condition`, c.d, c.hidden),
      time: createLinear(store, `denoiser.${m}.time`, c.d, c.hidden, { inputGrad: false }),
      positions: store.add(`denoiser.${m}.positions`, [c.seqLens[m], c.hidden], { kind: 'normal', std: 0.02 }),
      hidden: createLinear(store, `denoiser.${m}.hidden`, c.hidden, c.hidden),
      output: createLinear(store, `denoiser.${m}.output`, c.hidden, c.inputDims[m]),
    };
  }
  const alphaBar = noiseScheduleAlphaBar(c.noiseSchedule, c.diffusionSteps);

  // eps_hat [B, T, D_m] from x_tau [B, T, D_m], condition code [B, d], step embedding [B or 1, d]
  const denoise = (m: Modality, x: tf.Tensor3D, code: tf.Tensor2D, temb: tf.Tensor2D): tf.Tensor3D => {
    const n = denoisers[m];
    const clip = tf.expandDims(tf.add(n.condition.apply(code), n.time.apply(temb)), 1); // [B, 1, h]
    const h1 = tf.relu(tf.add(tf.add(n.input.apply(x), clip), n.positions)); // [B, T, h]
    return n.output.apply(n.hidden.apply(h1, 'relu')) as tf.Tensor3D; // [B, T, D_m]
  };

  return {
    kind: 'diffusion',
    config: c,
    seed,
    impute(batch, available, options = {}) {
      const k = options.sampleSteps ?? c.sampleSteps;
      const taus = samplingSteps(c.diffusionSteps, k);
      const B = batch.masks[available[0]]!.shape[0];
      const code = tf.tidy(() => tf.relu(fuse.apply(condition.apply(batch, availabilityTensor(available, B), available))) as tf.Tensor2D); // [B, d]
      const embeddings = taus.map((t) => stepEmbedding([t], c.d)); // K x [1, d]
      const out: Partial<Record<Modality, tf.Tensor3D>> = {};
      for (const [mi, m] of MODALITIES.entries()) {
        if (available.includes(m)) continue;
        const shape: [number, number, number] = [B, c.seqLens[m], c.inputDims[m]];
        let x = seededNormal<tf.Rank.R3>(shape, options.seed ?? 0, mi); // x_T
        taus.forEach((tau, i) => {
          const ab = alphaBar[tau];
          const abPrev = alphaBar[i + 1 < taus.length ? taus[i + 1] : 0];
          const next = tf.tidy(() => {
            const eps = denoise(m, x, code, embeddings[i]);
            // DDIM, eta = 0: x0_hat = (x - sqrt(1 - ab) eps) / sqrt(ab), clipped
            const x0 = tf.clipByValue(tf.div(tf.sub(x, tf.mul(eps, Math.sqrt(1 - ab))), Math.sqrt(ab)), -c.x0Clip, c.x0Clip);
            return abPrev === 1 ? x0 : tf.add(tf.mul(x0, Math.sqrt(abPrev)), tf.mul(eps, Math.sqrt(1 - abPrev)));
          }) as tf.Tensor3D;
          x.dispose();
          x = next;
        });
        out[m] = tf.tidy(() => tf.mul(x, tf.expandDims(imputedFrameMask(batch, m, available, c.seqLens[m]), 2)) as tf.Tensor3D);
        x.dispose();
      }
      code.dispose();
      tf.dispose(embeddings);
      return out;
    },
    loss(batch, availability, stepSeed) {
      const B = availability.shape[0];
      const rng = createRng(stepSeed);
      const taus = Int32Array.from({ length: B }, () => 1 + rng.int(c.diffusionSteps));
      return tf.tidy(() => {
        const code = tf.relu(fuse.apply(condition.apply(batch, availability))) as tf.Tensor2D; // [B, d]
        const temb = stepEmbedding(taus, c.d); // [B, d]
        const sa = tf.tensor3d(Float32Array.from(taus, (t) => Math.sqrt(alphaBar[t])), [B, 1, 1]);
        const sn = tf.tensor3d(Float32Array.from(taus, (t) => Math.sqrt(1 - alphaBar[t])), [B, 1, 1]);
        const terms = MODALITIES.map((m, mi) => {
          const x0 = batch.inputs[m]!; // [B, T, D_m]
          const eps = seededNormal<tf.Rank.R3>(x0.shape, stepSeed, mi);
          const xt = tf.add(tf.mul(x0, sa), tf.mul(eps, sn)) as tf.Tensor3D;
          return maskedFrameMse(denoise(m, xt, code, temb), eps, missingFrameWeight(availability, batch.masks[m]!, m));
        });
        return tf.addN(terms) as tf.Scalar;
      });
    },
    variables: () => store.variables(),
    getWeights: () => store.getWeights(),
    setWeights: (w) => store.setWeights(w),
    parameterCount: () => store.count(),
    dispose: () => store.dispose(),
  };
}
