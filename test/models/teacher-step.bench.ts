/**
 * Measures one forward+backward (Adam) step of the default teacher at batch 32, T=50, dims 768/5/20,
 * d=32 on the selected backend: `npx tsx test/models/teacher-step.bench.ts` (not part of the test suite).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../lib/backend';
import { buildModel } from '../../lib/models';
import type { Modality } from '../../lib/data/modalities';
(async () => {
  const r = await selectBackend(); console.log(r.choice);
  const model = buildModel({ subset: 'tav' }, 1);
  const B = 32, T = 50; const dims: Record<Modality, number> = { text: 768, audio: 5, vision: 20 };
  const inputs = {} as any, masks = {} as any;
  for (const m of ['text','audio','vision'] as Modality[]) { inputs[m] = tf.randomNormal([B,T,dims[m]]); masks[m] = tf.ones([B,T]); }
  const y = tf.randomNormal([B]);
  const opt = tf.train.adam(1e-3);
  const step = () => opt.minimize(() => { const o = model.apply({inputs, masks}, {training: true}); return tf.mean(tf.abs(tf.sub(o.prediction, y))) as tf.Scalar; }, true, model.variables())!;
  for (let i=0;i<3;i++) (step()).dispose();
  const n=20; const t0=performance.now(); for (let i=0;i<n;i++) { const l = step(); await l.data(); l.dispose(); }
  console.log('step ms', ((performance.now()-t0)/n).toFixed(1));
  const t1=performance.now(); for (let i=0;i<n;i++) { const o = tf.tidy(()=>model.apply({inputs,masks},{training:false}).prediction); await o.data(); o.dispose(); }
  console.log('fwd ms', ((performance.now()-t1)/n).toFixed(1));
})();
