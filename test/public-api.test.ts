// The public API: lib/index.ts names its exports, the command line imports nothing else from lib/,
// and every name the notebooks use is in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');

/** The names lib/index.ts exports (values and types), read by the TypeScript compiler. */
function publicNames(): Set<string> {
  const file = join(ROOT, 'lib', 'index.ts');
  const program = ts.createProgram([file], { strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return new Set(checker.getExportsOfModule(module).map((s) => s.getName()));
}

test('lib/index.ts lists its exports by name, fewer than 165, and re-exports no whole module', () => {
  const text = readFileSync(join(ROOT, 'lib', 'index.ts'), 'utf8');
  assert.doesNotMatch(text, /export \*/);
  const names = publicNames();
  assert.ok(names.size > 0 && names.size < 165, `${names.size} public names`);
});

test('the command line imports from lib/ only through its public API', () => {
  const dir = join(ROOT, 'cli', 'commands');
  for (const file of [...readdirSync(dir).map((f) => join(dir, f)), join(ROOT, 'cli', 'main.ts'), join(ROOT, 'cli', 'args.ts')]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '((?:\.\.\/)+lib[^']*)'/g)) assert.match(m[1], /^(\.\.\/)+lib$/, `${file} imports ${m[1]}`);
  }
});

test('every name the notebooks take from the kit is public', () => {
  const names = publicNames();
  const dir = join(ROOT, 'notebooks');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ipynb'))) {
    const nb = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
    const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n');
    assert.match(code, /import \* as mmckd from '\.\.\/dist\/lib';/, file);
    for (const m of code.matchAll(/mmckd\.([A-Za-z_$][\w$]*)/g)) assert.ok(names.has(m[1]), `${file} uses mmckd.${m[1]}, which lib/index.ts does not export`);
  }
});
