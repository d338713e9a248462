import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestValidMae, keptCheckpoints } from '../../lib/eval/grid-cell';
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

