import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubsetName } from '../../lib/data/modalities';
import { inferenceParameters } from '../../lib/eval/cost';
import { measureTorchLatency, torchAvailability } from '../../lib/experiments/pytorch-reference';
import { buildModel } from '../../lib/models/model';

const dims = { text: 12, audio: 3, vision: 4 };
const seqLens = { text: 6, audio: 6, vision: 6 };

test("measureTorchLatency: the PyTorch mirror has the kit model's inference parameters, latency per batch size", { skip: torchAvailability().ok ? false : 'python3-torch is not installed' }, () => {
  const cfg = (subset: SubsetName) => ({ subset, inputDims: dims, seqLens, d: 8, heads: 2, projectionDim: 4 });
  const teacher = buildModel(cfg('tav'), 1);
  const audio = buildModel(cfg('a'), 1);
  const r = measureTorchLatency({ config: teacher.config, subsets: ['tav', 'a'], batchSizes: [1, 4], warmup: 0, repeats: 2 });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  if (r.ok) {
    assert.equal(r.parameters.tav, inferenceParameters(teacher));
    assert.equal(r.parameters.a, inferenceParameters(audio));
    assert.deepEqual(r.latency.tav!.map((l) => l.batchSize), [1, 4]);
    assert.ok(r.latency.a!.every((l) => l.medianMs > 0 && l.repeats === 2));
  }
  const uneven = measureTorchLatency({ config: { ...teacher.config, seqLens: { text: 5, audio: 6, vision: 5 } }, subsets: ['tav'] });
  assert.ok(!uneven.ok && /one sequence length/.test(uneven.reason));
  teacher.dispose();
  audio.dispose();
});
