/**
 * The kit never reads a tensor synchronously: WebGPU in Node has no synchronous read, so one
 * `dataSync`, `arraySync` or `bufferSync` call in lib/ would stop training or evaluation there.
 * Every read is `await t.data()` (or `array()`, `buffer()`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIB = join(__dirname, '..', 'lib');

/** Returns every .ts file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Returns the source without its comments (a message or a doc may name the calls; code may not call them). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const SYNC_READ = /\b(dataSync|arraySync|bufferSync)\s*(<[^>]*>)?\s*\(/g;

test('no file in lib/ reads a tensor synchronously (dataSync, arraySync, bufferSync)', () => {
  const files = sourceFiles(LIB);
  assert.ok(files.length > 50, `expected lib/ to hold the kit's sources, found ${files.length} files`);
  const found: string[] = [];
  for (const file of files) {
    const code = withoutComments(readFileSync(file, 'utf8'));
    for (const m of code.matchAll(SYNC_READ)) found.push(`${relative(LIB, file)}: ${m[1]}`);
  }
  assert.deepEqual(found, [], `synchronous reads in lib/: ${found.join('; ')}`);
});

test('the check sees a synchronous read in code and ignores one named in a comment', () => {
  const code = withoutComments('const v = t.dataSync(); // not t.arraySync()\n/* t.bufferSync() */ const w = u.arraySync<number[]>();');
  assert.deepEqual([...code.matchAll(SYNC_READ)].map((m) => m[1]), ['dataSync', 'arraySync']);
});
