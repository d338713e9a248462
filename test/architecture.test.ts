// The layer rules of lib/ (docs/architecture.md), checked on the imports the TypeScript parser
// reads from every file under lib/ (test/lib-imports.ts). A failure names the file, the line and
// the import at fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileImports, libImports, ROOT, sourceFiles, type LibImport } from './lib-imports';

const imports = libImports();

/** The layer of a path relative to the kit root: `lib/<layer>/...`, or 'root' for lib/*.ts, or the top folder outside lib. */
function layerOf(path: string): string {
  const inLib = /^lib\/([^/]+)\//.exec(path);
  if (inLib) return inLib[1];
  return path.startsWith('lib/') ? 'root' : path.split('/')[0];
}

/** The entries: the public API and the internals for tests (no lib/ file imports them). */
const ENTRIES: readonly string[] = ['lib/index.ts', 'lib/internal.ts'];

const where = (i: LibImport) => `${i.file}:${i.line} imports '${i.specifier}'${i.typeOnly ? ' (type-only)' : ''}`;

/**
 * What each layer may import (besides itself, packages and node's modules). `root` is lib/*.ts:
 * paths, vocabulary, versions and the backend choice (lib/index.ts and lib/internal.ts, the entries,
 * are imported by no lib/ file: see below).
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  root: ['accelerator'], // backend.ts turns the kernel pack on; the backend measurement's workload is given by train
  io: ['root'],
  data: ['io', 'root'],
  models: ['data', 'root'],
  losses: ['data', 'root'],
  accelerator: ['data', 'models', 'root'], // the fused kernels and the forward passes over them, registered by lib/backend.ts
  train: ['data', 'models', 'losses', 'accelerator', 'io', 'root'],
  imputers: ['data', 'models', 'losses', 'accelerator', 'train', 'io', 'root'],
  eval: ['data', 'models', 'losses', 'accelerator', 'train', 'imputers', 'io', 'root'],
  report: ['data', 'models', 'losses', 'accelerator', 'train', 'imputers', 'eval', 'io', 'root'],
  experiments: ['data', 'models', 'losses', 'accelerator', 'train', 'imputers', 'eval', 'report', 'io', 'root'],
};

/**
 * Modules that train (the run folders, their locks and what --fresh may delete are lib/experiments',
 * which eval and report may not import at all). lib/eval and lib/report may not reach them through a runtime import, direct or through other modules; a type-only import
 * (a record's shape, such as EpochRecord from resumable-stage) is erased at compile time and allowed.
 * Everything else in lib/train (config, predict, batch-source, checkpoint, schedule, progress, ...)
 * trains nothing when imported.
 */
const TRAINING_MODULES: readonly string[] = [
  'lib/experiments/run-method', // runs a method end to end: stage 1, then stage 2
  'lib/train/resumable-stage', // one training stage, saved per epoch
  'lib/train/trainer', // the training loop
  'lib/train/optimization-step', // one gradient step
  'lib/train/objectives', // the training losses of each method, per batch
  'lib/train/flat-adam', // the optimizer
  'lib/train/student-teachers', // the teacher the students learn from during stage 2
  'lib/train/distillation-probe', // measurements taken between training epochs
  'lib/experiments/run-lock', // one process per run folder
  'lib/experiments/kit-folders', // what --fresh deletes
  'lib/imputers/train-imputer', // trains an imputer
];

/** lib/ files outside lib/experiments that may start a process, and why. */
const PROCESS_EXCEPTIONS: Record<string, string> = {
  'lib/versions.ts': "runs `git rev-parse` and `git status` to stamp a run with the kit's commit: a read of the checkout, not a run",
};

test('each layer of lib/ imports only from the layers below it', () => {
  const wrong = imports.filter((i) => {
    if (!i.target?.startsWith('lib/')) return false;
    if (ENTRIES.includes(i.file)) return false; // the entries list every layer's names
    const from = layerOf(i.file);
    const to = layerOf(`${i.target}.ts`);
    return from !== to && from in MAY_IMPORT && !MAY_IMPORT[from].includes(to);
  });
  assert.deepEqual(wrong.map(where), [], `each layer may import only: ${JSON.stringify(MAY_IMPORT)}`);
});

test('lib/eval and lib/report import nothing from lib/experiments, not even a type', () => {
  const wrong = imports.filter((i) => ['eval', 'report'].includes(layerOf(i.file)) && i.target?.startsWith('lib/experiments/'));
  assert.deepEqual(wrong.map(where), []);
});

test('lib/eval and lib/report reach no module that trains or owns a run folder, directly or through another module', () => {
  // the runtime import graph (type-only imports are erased) from each file of eval and report
  const runtime = new Map<string, string[]>();
  for (const i of imports) {
    if (i.typeOnly || !i.target?.startsWith('lib/')) continue;
    const from = i.file.replace(/\.(ts|cjs)$/, '');
    runtime.set(from, [...(runtime.get(from) ?? []), i.target]);
  }
  const faults: string[] = [];
  for (const file of sourceFiles().filter((f) => ['eval', 'report'].includes(layerOf(f)))) {
    const start = file.replace(/\.(ts|cjs)$/, '');
    const via = new Map<string, string>([[start, '']]); // module -> the chain that reaches it
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const next of runtime.get(at) ?? []) {
        if (via.has(next)) continue;
        const chain = via.get(at) ? `${via.get(at)} -> ${next}` : next;
        via.set(next, chain);
        if (TRAINING_MODULES.includes(next)) faults.push(`${file} reaches ${next} (${chain})`);
        else queue.push(next);
      }
    }
  }
  assert.deepEqual(faults, [], `training modules: ${TRAINING_MODULES.join(', ')}`);
});

test('lib/models imports nothing from lib/accelerator, not even a type: the fused kernels plug in behind the models', () => {
  const wrong = imports.filter((i) => layerOf(i.file) === 'models' && i.target?.startsWith('lib/accelerator/'));
  assert.deepEqual(wrong.map(where), []);
});

/** Reaches past TensorFlow.js's public API (engine state, the wasm backend's heap and data map, reference counts, registered variables, custom kernels run by name). */
const TFJS_INTERNALS = /\bengine(\(\))?\.(state|backend\b|makeTensorFromTensorInfo|registeredVariables|runKernel)|\bincRef\b|\bdataIdMap\b|\bHEAPU8\b|\bbackendInstance\b|\.asm\b|\b_malloc\b|\b_free\b|\bhasReadSyncWarned\b|\.readSync\s*=/;

/** The one file whose header comment lists every access to TensorFlow.js's internals. */
const INTERNALS_LIST = 'lib/accelerator/tfjs-internals.ts';

/** Returns the lines of a file (relative to the kit root) that reach TensorFlow.js's internals, as 'file:line'. */
function internalsAccesses(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8').split('\n').flatMap((line, n) => {
    const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, ''); // comments name them without reaching them
    return TFJS_INTERNALS.test(code) ? [`${file}:${n + 1}: ${line.trim()}`] : [];
  });
}

test('only lib/accelerator reaches TensorFlow.js internals, and tfjs-internals.ts names every file of it that does', () => {
  const outside = sourceFiles().filter((f) => layerOf(f) !== 'accelerator').flatMap(internalsAccesses);
  assert.deepEqual(outside, [], 'outside lib/accelerator');
  const header = readFileSync(join(ROOT, INTERNALS_LIST), 'utf8').split('*/')[0];
  const unlisted = sourceFiles().filter((f) => layerOf(f) === 'accelerator' && f !== INTERNALS_LIST && internalsAccesses(f).length > 0)
    .map((f) => f.replace('lib/accelerator/', ''))
    .filter((name) => !header.includes(name));
  assert.deepEqual(unlisted, [], `files of lib/accelerator that reach TensorFlow.js internals without being named in ${INTERNALS_LIST}'s header`);
  assert.ok(internalsAccesses(INTERNALS_LIST).length > 0 && internalsAccesses('lib/accelerator/wasm-js-kernels.ts').length > 0, 'the scan finds the accesses it looks for');
});

test('no lib/ file imports from cli/ or bin/, nor the entries lib/index.ts and lib/internal.ts', () => {
  const wrong = imports.filter((i) => i.target && (/^(cli|bin)\//.test(i.target) || ['lib/index', 'lib/internal'].includes(i.target)));
  assert.deepEqual(wrong.map(where), []);
});

test('outside lib/experiments the library starts no process: no child_process, no path to bin/mmckd.cjs', () => {
  const outside = sourceFiles().filter((f) => layerOf(f) !== 'experiments' && !(f in PROCESS_EXCEPTIONS));
  const spawners = outside.flatMap(fileImports).filter((i) => /^(node:)?child_process$/.test(i.specifier));
  assert.deepEqual(spawners.map(where), [], `exceptions: ${JSON.stringify(PROCESS_EXCEPTIONS)}`);
  const toBin = outside.filter((f) => /mmckd\.cjs|['"`]bin['"`]|['"`/]bin\/mmckd/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(toBin.map((f) => `${f} names bin/mmckd.cjs`), []);
});

test('the rules read real imports: runGrid is found in lib/experiments, type-only imports are told apart', () => {
  const grid = imports.filter((i) => i.file === 'lib/experiments/experiment-grid.ts');
  assert.ok(grid.some((i) => i.target === 'lib/experiments/run-method' && !i.typeOnly), 'experiment-grid imports run-method at runtime');
  assert.ok(grid.some((i) => i.target === 'lib/train/resumable-stage' && i.typeOnly), 'and EpochRecord as a type');
  assert.ok(imports.some((i) => i.file === 'lib/experiments/grid-workers.ts' && i.specifier === 'node:child_process'), 'grid-workers spawns');
  assert.ok(imports.some((i) => i.file === 'lib/versions.ts' && i.specifier === 'node:child_process'), 'require() calls are read');
});
