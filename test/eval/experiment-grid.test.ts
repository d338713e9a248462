import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { bestValidMae, DEFAULT_GRID_SEEDS, keptCheckpoints, evaluateProtocolsYielding, migrateSavedEvaluation } from '../../lib/eval/experiment-grid';
import { evaluateProtocols, type RateCurve } from '../../lib/eval/evaluate-protocols';
import { SUBSET_NAMES, type SubsetName } from '../../lib/data/modalities';
import type { Predictor } from '../../lib/train/predict';
import { quickDataset } from '../train/helpers';
import { validateTrainConfig } from '../../lib/train/config';
import type { EpochRecord } from '../../lib/train/resumable-stage';

const epoch = (stage: string, validMae: EpochRecord['validMae'], e = 0): EpochRecord => ({ stage, epoch: e, lr: 1e-3, trainLoss: {}, validMae, improved: [], gradNorm: 1, seconds: 1 });

test("bestValidMae is each model's lowest validation MAE over both stages (its kept checkpoint)", () => {
  const history = [epoch('stage1', { tav: 0.9 }), epoch('stage1', { tav: 0.8 }), epoch('stage2', { tav: 0.85, t: 1.1 }), epoch('stage2', { tav: 0.79, t: 1.2 })];
  assert.deepEqual(bestValidMae(history), { tav: 0.79, t: 1.1 });
  assert.deepEqual(bestValidMae(history.slice(0, 3)), { tav: 0.8, t: 1.1 }, 'the stage-1 teacher stays when stage 2 does not beat it');
  assert.deepEqual(bestValidMae([]), {});
});

test('keptCheckpoints names the stage and epoch of each kept checkpoint; a tie keeps the earlier (stage 1)', () => {
  const history = [epoch('stage1', { tav: 0.9 }, 0), epoch('stage1', { tav: 0.8 }, 1), epoch('stage2', { tav: 0.8, t: 1.1 }, 0), epoch('stage2', { tav: 0.85, t: 1.0 }, 1)];
  assert.deepEqual(keptCheckpoints(history), { tav: { stage: 'stage1', epoch: 1, validMae: 0.8 }, t: { stage: 'stage2', epoch: 1, validMae: 1.0 } });
  assert.deepEqual(keptCheckpoints([...history, epoch('stage2', { tav: 0.7 }, 2)]).tav, { stage: 'stage2', epoch: 2, validMae: 0.7 });
});

test('the grid defaults to seeds 1..5', () => {
  assert.deepEqual(DEFAULT_GRID_SEEDS, [1, 2, 3, 4, 5]);
});

test("a saved evaluation in former names reads as P1-P3c; the per-clip 'mr' curve moves from p3 to p3c", () => {
  const config = validateTrainConfig({}, 'quick');
  const curve = { protocol: 'P3', results: [], auilc: {} } as unknown as RateCurve;
  const old = { protocols: ['subsets', 'mr'], config, evaluation: { evalSeed: 0, p3: curve } };
  const moved = migrateSavedEvaluation(old);
  assert.deepEqual(moved.protocols, ['P1', 'P3c']);
  assert.equal(moved.evaluation.p3, undefined);
  assert.equal(moved.evaluation.p3c!.protocol, 'P3c');
  const former = { protocols: ['subsets', 'rates', 'mr-imder', 'mr-clip'], config, evaluation: { evalSeed: 0, p3: curve } };
  const renamed = migrateSavedEvaluation(former);
  assert.deepEqual(renamed.protocols, ['P1', 'P2', 'P3', 'P3c']);
  assert.equal(renamed.evaluation.p3, curve, "IMDer's P3 stays P3");
  const current = { protocols: ['P1', 'P3'], config, evaluation: { evalSeed: 0, p3: curve } };
  assert.deepEqual(migrateSavedEvaluation(current), current);
});

test('a grid cell is evaluated one protocol at a time: the same numbers as evaluateProtocols, and a signal is handled between protocols', async () => {
  const data = await quickDataset();
  let calls = 0;
  const order: string[] = [];
  // a predictor that reads the (masked) audio: its score moves with the protocols' masks
  const predictor: Predictor = (batch) => {
    if (calls++ === 0) process.kill(process.pid, 'SIGUSR2'); // sent during the first protocol's synchronous work
    return tf.tidy(() => tf.mean(batch.inputs.audio!, [1, 2]) as tf.Tensor1D);
  };
  const predictors = Object.fromEntries(SUBSET_NAMES.map((s) => [s, predictor])) as Record<SubsetName, Predictor>;
  const onSignal = () => order.push(`signal after ${calls} predictions`);
  process.on('SIGUSR2', onSignal);
  try {
    const yielding = await evaluateProtocolsYielding(predictors, data.test, ['P3c', 'P1', 'P2'], 5);
    order.push('evaluated');
    const p1Calls = Number(/after (\d+)/.exec(order[0])?.[1]);
    assert.ok(order[0].startsWith('signal') && p1Calls < calls, `the signal ran between protocols: ${order.join(', ')}`);
    const direct = evaluateProtocols(predictors, data.test, ['P1', 'P2', 'P3c'], 5);
    assert.deepEqual(Object.keys(yielding), ['evalSeed', 'p1', 'p2', 'p3c']);
    assert.deepEqual(yielding, direct);
  } finally {
    process.off('SIGUSR2', onSignal);
  }
});
