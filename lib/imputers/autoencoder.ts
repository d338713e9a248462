/**
 * B5a: an MMIN-style cascaded residual autoencoder imputer (Zhao, Li & Jin, "Missing Modality
 * Imagination Network", ACL 2021).
 *
 * As in MMIN, each modality is first encoded to a clip-level code and the codes are concatenated
 * (missing ones zeroed), with the availability bits appended: z_0 [B, 3d + 3]. A cascade of
 * residual autoencoders refines it, z_k = z_{k-1} + Dec_k(ReLU(Enc_k(z_{k-1}))), as MMIN's CRA
 * does. Unlike MMIN, which imagines the missing modality's utterance-level embedding and
 * classifies from it, our teacher consumes frames, so each missing modality m gets a frame decoder:
 * u = z_K U_m [B, h]; h1[b, t] = ReLU(u[b] + P_m[t]); frames = ReLU(h1 H_m) O_m [B, T_m, D_m].
 * Every frame of a clip is decoded from the same clip code plus its position: the imputer
 * reproduces clip-level content and a learned per-position profile, not frame-to-frame detail.
 * Simplified from MMIN: mean-pooled linear modality encoders instead of LSTM/TextCNN, no
 * cycle-consistency (backward imagination) loss, no joint training with the classifier (the
 * teacher stays frozen; the imputer learns the reconstruction loss alone).
 * @see notebooks/05-computational-cost.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type Modality } from '../data/modalities';
import { createLinear, type Linear } from '../models/linear';
import type { ModelInput } from '../models/model';
import { ParameterStore } from '../models/parameter-store';
import type { ImputerConfig } from './config';
import { availabilityTensor, createConditionEncoder, imputedFrameMask, maskedFrameMse, missingFrameWeight } from './conditioning';
import type { Imputer } from './imputer';

interface FrameDecoder {
  code: Linear;
  positions: tf.Variable;
  hidden: Linear;
  output: Linear;
}

/** Returns a cascaded residual autoencoder imputer for a validated config (use `buildImputer`). */
export function createAutoencoderImputer(c: ImputerConfig, seed: number): Imputer {
  const store = new ParameterStore(seed, 'imputer-autoencoder');
  const condition = createConditionEncoder(store, 'condition', c);
  const W = condition.width;
  const blocks = Array.from({ length: c.aeBlocks }, (_, k) => ({
    encoder: createLinear(store, `cascade.block${k}.encoder`, W, c.bottleneck),
    decoder: createLinear(store, `cascade.block${k}.decoder`, c.bottleneck, W),
  }));
  const decoders = {} as Record<Modality, FrameDecoder>;
  for (const m of MODALITIES) {
    decoders[m] = {
      code: createLinear(store, `decoder.${m}.code`, W, c.hidden),
      positions: store.add(`decoder.${m}.positions`, [c.seqLens[m], c.hidden], { kind: 'normal', std: 0.02 }),
      hidden: createLinear(store, `decoder.${m}.hidden`, c.hidden, c.hidden),
      output: createLinear(store, `decoder.${m}.output`, c.hidden, c.inputDims[m]),
    };
  }

  // z_k = z_{k-1} + Dec_k(ReLU(Enc_k(z_{k-1}))), [B, 3d + 3]
  const cascade = (z: tf.Tensor2D): tf.Tensor2D =>
    blocks.reduce((acc, b) => tf.add(acc, b.decoder.apply(b.encoder.apply(acc, 'relu'))) as tf.Tensor2D, z);

  const decode = (m: Modality, z: tf.Tensor2D): tf.Tensor3D => {
    const dec = decoders[m];
    const u = tf.expandDims(dec.code.apply(z), 1); // [B, 1, h]
    const h1 = tf.relu(tf.add(u, dec.positions)); // [B, T, h]
    return dec.output.apply(dec.hidden.apply(h1, 'relu')) as tf.Tensor3D; // [B, T, D_m]
  };

  return {
    kind: 'autoencoder',
    config: c,
    seed,
    impute(batch: ModelInput, available: readonly Modality[]) {
      return tf.tidy(() => {
        const B = batch.masks[available[0]]!.shape[0];
        const z = cascade(condition.apply(batch, availabilityTensor(available, B), available));
        const out: Partial<Record<Modality, tf.Tensor3D>> = {};
        for (const m of MODALITIES.filter((k) => !available.includes(k))) {
          const mask = imputedFrameMask(batch, m, available, c.seqLens[m]);
          out[m] = tf.mul(decode(m, z), tf.expandDims(mask, 2)) as tf.Tensor3D;
        }
        return out;
      });
    },
    loss(batch, availability) {
      return tf.tidy(() => {
        const z = cascade(condition.apply(batch, availability));
        const terms = MODALITIES.map((m) => maskedFrameMse(decode(m, z), batch.inputs[m]!, missingFrameWeight(availability, batch.masks[m]!, m)));
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
