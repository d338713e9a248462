import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MsaModel } from '../../lib/models/model';
import { meanStudentAgreement, projectionModels, type ProjectionSummary } from '../../lib/eval/projections';

test('meanStudentAgreement averages the students\' agreement with the teacher, over however many there are', () => {
  const rows: ProjectionSummary[] = [
    { model: 'tav (MM-CKD)', subset: 'tav', agreementWithTeacher: 1, classSeparation: 0.3, spread: 0.5, teacher: 'the run\'s teacher' },
    { model: 't (MM-CKD)', subset: 't', agreementWithTeacher: 0.6, classSeparation: 0.2, spread: 0.5, teacher: 'the run\'s teacher' },
    { model: 'a (MM-CKD)', subset: 'a', agreementWithTeacher: 0.2, classSeparation: 0.1, spread: 0.5, teacher: 'the run\'s teacher' },
  ];
  assert.ok(Math.abs(meanStudentAgreement(rows) - 0.4) < 1e-12);
  assert.ok(Number.isNaN(meanStudentAgreement(rows.slice(0, 1))), 'no students: NaN');
});

test('projectionModels keeps the teacher and the t, a, v students in that order', () => {
  const fake = (name: string) => ({ name }) as unknown as MsaModel;
  const models = { v: fake('v'), ta: fake('ta'), tav: fake('tav'), t: fake('t'), a: fake('a') };
  const picked = projectionModels(models);
  assert.deepEqual(Object.keys(picked), ['tav', 't', 'a', 'v']);
  assert.equal(picked.tav, models.tav);
  assert.deepEqual(Object.keys(projectionModels({ tav: models.tav, ta: models.ta })), ['tav'], 'missing models are left out');
});
