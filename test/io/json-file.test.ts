import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonDepth, MAX_JSON_DEPTH, readJsonIfExists } from '../../lib/io/json-file';

test('deeply nested JSON is refused naming the file, instead of overflowing the stack later', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-json-'));
  writeFileSync(join(dir, 'run.json'), `{"kind":"mmckd-run","config":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  assert.throws(() => readJsonIfExists(dir, 'run.json'), (err: unknown) => (err as Error).message === `${join(dir, 'run.json')}: nested deeper than ${MAX_JSON_DEPTH} levels, which no file of the kit is`);
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ a: [{ b: [1, 2, { c: null }] }] }));
  assert.deepEqual(readJsonIfExists(dir, 'ok.json'), { a: [{ b: [1, 2, { c: null }] }] });
  assert.equal(jsonDepth({ a: [{ b: [1, 2, { c: null }] }] }), 5);
  assert.equal(jsonDepth(3), 0);
  assert.equal(readJsonIfExists(dir, 'missing.json'), undefined);
});
