// The kit's own Jupyter client (scripts/jupyter/): wire format, notebook files as nbformat writes
// them, and executing cells on a real tslab kernel as a front end records them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, newMessage, WireFormatError } from '../../scripts/jupyter/wire';
import { dumpJson, Notebook, notebookText, readNotebook, splitLines } from '../../scripts/jupyter/notebook-file';
import { executeNotebook } from '../../scripts/jupyter/execute-notebook';
import { findJupyterPython, ROOT } from '../../scripts/notebook-runner';

test('messages are signed with HMAC-SHA256 over the four JSON frames, and a wrong signature is refused', () => {
  const msg = newMessage('execute_request', { code: '1 + 1' }, 'session-1');
  const frames = encodeMessage(msg, 'secret').map((f) => Buffer.from(f));
  const routed = [Buffer.from('routing-id'), ...frames]; // a ROUTER/PUB prefix is skipped
  const back = decodeMessage(routed, 'secret');
  assert.deepEqual(back.header, msg.header);
  assert.deepEqual(back.content, { code: '1 + 1' });
  assert.match(frames[1].toString(), /^[0-9a-f]{64}$/);
  assert.throws(() => decodeMessage(frames, 'other key'), (e: unknown) => e instanceof WireFormatError && /Expected the message signature/.test(e.message));
  assert.throws(() => decodeMessage(frames.slice(1), 'secret'), /'<IDS\|MSG>' frame/);
});

test('splitLines keeps line endings like Python str.splitlines(True)', () => {
  assert.deepEqual(splitLines('a\nb'), ['a\n', 'b']);
  assert.deepEqual(splitLines('a\r\nb\rc\n'), ['a\r\n', 'b\r', 'c\n']);
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('\n\n'), ['\n', '\n']);
});

const python = findJupyterPython(['nbformat']);

test('notebook files are written byte for byte as nbformat writes them', { skip: python ? false : 'no Python with nbformat to compare with' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmckd-nbfile-'));
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, zeta: [1, 2.5, 'ü'], alpha: {} },
    cells: [
      { cell_type: 'markdown', id: 'm1', metadata: {}, source: '# Title\n\nText with "quotes" and \\ and é' },
      {
        cell_type: 'code', id: 'c1', metadata: { trusted: true }, execution_count: 3, source: 'const x = 1;\nconsole.log(x)',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'one\ntwo\n' },
          { output_type: 'display_data', data: { 'text/html': '<b>x</b>\n<i>y</i>', 'image/svg+xml': '<svg>\n</svg>', 'application/json': { a: 'b\nc' } }, metadata: {} },
          { output_type: 'execute_result', data: { 'text/plain': '42' }, metadata: {}, execution_count: 3 },
        ],
      },
    ],
  };
  const ours = notebookText(nb);
  const file = join(dir, 'nb.json');
  writeFileSync(file, JSON.stringify(nb));
  const r = spawnSync(python!, ['-c', 'import nbformat, sys; sys.stdout.write(nbformat.writes(nbformat.read(sys.argv[1], as_version=4)) + "\\n")', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(ours, r.stdout);
  writeFileSync(file, ours);
  assert.deepEqual(readNotebook(file).cells[1].outputs, nb.cells[1].outputs, 'reading joins the lines again');
  assert.equal(dumpJson({ b: [], a: {} }), '{\n "a": {},\n "b": []\n}');
});

const cell = (source: string) => ({ cell_type: 'code' as const, metadata: {}, source, outputs: [], execution_count: null });
const notebookOf = (cells: Notebook['cells']): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

test('cells run on the tslab kernel: merged streams, display updates in place, stderr kept, and the first failing cell stops the run', { timeout: 120_000 }, async () => {
  const nb = notebookOf([
    cell("import * as tslab from 'tslab';\nconsole.log('a');\nconsole.log('b');"),
    { cell_type: 'markdown', metadata: {}, source: 'text' },
    cell("const d = tslab.newDisplay();\nd.html('<b>first</b>');\nd.html('<b>second</b>');\nconsole.error('careful');\nconsole.log('after');"),
    cell(''),
    cell("throw new Error('boom in cell 4');"),
    cell("console.log('never');"),
  ]);
  const { notebook, failure } = await executeNotebook(nb, { cwd: join(ROOT, 'notebooks'), env: { ...process.env, MMCKD_STATIC_FIGURES: '0' }, cellTimeout: 60 });
  assert.equal((notebook.metadata.language_info as { name: string }).name, 'typescript');
  const [c0, , c2, c3, c4, c5] = notebook.cells;
  assert.deepEqual(c0.outputs, [{ output_type: 'stream', name: 'stdout', text: 'a\nb\n' }]);
  assert.equal(c0.execution_count, 1);
  assert.deepEqual(c2.outputs?.map((o) => o.output_type), ['display_data', 'stream', 'stream']);
  assert.deepEqual((c2.outputs?.[0] as { data: unknown }).data, { 'text/html': '<b>second</b>' }, 'the update replaced the display in place');
  assert.deepEqual(c2.outputs?.slice(1), [
    { output_type: 'stream', name: 'stderr', text: 'careful\n' },
    { output_type: 'stream', name: 'stdout', text: 'after\n' },
  ]);
  assert.equal(c3.execution_count, null, 'an empty cell is not sent');
  assert.ok(failure);
  assert.equal(failure.index, 4);
  assert.match(failure.error, /boom in cell 4/);
  assert.equal(c4.execution_count, 3);
  assert.equal(c5.execution_count, null, 'nothing runs after the failure');
});

test('the cell limit counts silence, not run time: a cell that keeps printing outlives it, a silent one is stopped', { timeout: 120_000 }, async () => {
  const nb = notebookOf([
    cell("console.log('compiled');"), // the kernel's first compilation, silent, under the limit
    // 12 s in all, a line every 0.75 s, under an 8 s limit
    cell("for (let i = 0; i < 16; i++) { await new Promise((r) => setTimeout(r, 750)); console.log(`tick ${i}`); }"),
    cell("await new Promise((r) => setTimeout(r, 12000)); console.log('too late');"),
  ]);
  await assert.rejects(
    executeNotebook(nb, { cwd: join(ROOT, 'notebooks'), env: { ...process.env, MMCKD_STATIC_FIGURES: '0' }, cellTimeout: 8 }),
    /the cell: no output and no answer for 8 s/,
  );
  assert.equal(nb.cells[1].execution_count, 2, 'the printing cell ran to its reply');
  assert.match(String((nb.cells[1].outputs?.[0] as { text?: string }).text), /tick 15/);
  assert.equal(nb.cells[2].execution_count, null, 'the silent cell was stopped before its reply');
});
