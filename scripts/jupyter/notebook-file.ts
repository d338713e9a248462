/**
 * Notebook files (nbformat 4) read and written as Jupyter does: on disk, multi-line strings are
 * lists of lines (Python's `str.splitlines(keepends=True)`), keys are sorted, indentation is one
 * space, and the file ends with a newline; in memory they are plain strings. Outputs are built
 * from kernel messages as nbformat's `output_from_msg` builds them.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomically } from '../../lib/io/atomic-file';
import type { JupyterMessage } from './wire';

/** A MIME bundle: MIME type -> text (or JSON for JSON types). */
export type MimeBundle = Record<string, unknown>;

/** One cell output (nbformat 4). */
export type CellOutput =
  | { output_type: 'stream'; name: string; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** One cell (nbformat 4); code cells carry outputs and an execution count. */
export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string;
  metadata: Record<string, unknown>;
  outputs?: CellOutput[];
  execution_count?: number | null;
  id?: string;
  attachments?: Record<string, MimeBundle>;
}

/** A notebook (nbformat 4). */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Thrown for a file that is not an nbformat 4 notebook; names the file and what is wrong. */
export class NotebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookFormatError';
  }
}

// The line boundaries of Python's str.splitlines.
const LINE = /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|$)/g;

/** Returns `text` split into lines with their endings kept, as Python's `splitlines(True)`. */
export function splitLines(text: string): string[] {
  return (text.match(LINE) ?? []).filter((line) => line !== '');
}

const joined = (v: unknown): unknown => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('') : v);
const isJsonMime = (mime: string) => mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
const splitMimes = new Set(['application/javascript', 'image/svg+xml']);

function mapBundle(bundle: MimeBundle, f: (mime: string, value: unknown) => unknown): MimeBundle {
  return Object.fromEntries(Object.entries(bundle).map(([mime, value]) => [mime, f(mime, value)]));
}

/** Returns the notebook in `path` with its multi-line strings joined; throws NotebookFormatError for other files. */
export function readNotebook(path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
  } catch (err) {
    throw new NotebookFormatError(`${path} is not a JSON notebook: ${(err as Error).message}`);
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new NotebookFormatError(`Expected ${path} to be an nbformat 4 notebook, but got nbformat ${nb.nbformat}`);
  for (const cell of nb.cells) {
    cell.source = joined(cell.source) as string;
    cell.metadata ??= {};
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'stream') out.text = joined(out.text) as string;
      else if (out.output_type === 'display_data' || out.output_type === 'execute_result') {
        out.data = mapBundle(out.data, (mime, v) => (isJsonMime(mime) ? v : joined(v)));
      }
    }
  }
  return nb;
}

/** Returns `value` as Python's json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) writes it. */
export function dumpJson(value: unknown, depth = 0): string {
  const pad = (d: number) => '\n' + ' '.repeat(d);
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + value.map((v) => pad(depth + 1) + dumpJson(v, depth + 1)).join(',') + pad(depth) + ']';
  }
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  if (keys.length === 0) return '{}';
  return '{' + keys.map((k) => pad(depth + 1) + JSON.stringify(k) + ': ' + dumpJson((value as Record<string, unknown>)[k], depth + 1)).join(',') + pad(depth) + '}';
}

/** Returns the file text of `nb` as nbformat writes it (lines split, keys sorted, transient fields dropped). */
export function notebookText(nb: Notebook): string {
  const metadata = { ...nb.metadata };
  delete metadata.signature;
  const cells = nb.cells.map((cell) => {
    const out: Record<string, unknown> = { ...cell, source: splitLines(cell.source) };
    const meta = { ...cell.metadata };
    delete meta.trusted;
    out.metadata = meta;
    if (cell.cell_type === 'code') {
      out.outputs = (cell.outputs ?? []).map((o) => {
        if (o.output_type === 'stream') return { ...o, text: splitLines(o.text) };
        if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
          return { ...o, data: mapBundle(o.data, (mime, v) => (typeof v === 'string' && (mime.startsWith('text/') || splitMimes.has(mime)) ? splitLines(v) : v)) };
        }
        return o;
      });
    }
    return out;
  });
  return dumpJson({ ...nb, metadata, cells }) + '\n';
}

/** Writes `nb` to `path` as nbformat does (atomically: a temporary file, then a rename); returns the bytes written. */
export function writeNotebook(path: string, nb: Notebook): number {
  return writeFileAtomically(path, notebookText(nb));
}

/** Returns the output an iopub message makes (stream, display_data, execute_result, error), or undefined for other messages. */
export function outputFromMessage(msg: JupyterMessage): CellOutput | undefined {
  const c = msg.content as Record<string, unknown>;
  switch (msg.header.msg_type) {
    case 'stream':
      return { output_type: 'stream', name: String(c.name), text: String(c.text ?? '') };
    case 'display_data':
    case 'update_display_data':
      return { output_type: 'display_data', data: (c.data ?? {}) as MimeBundle, metadata: (c.metadata ?? {}) as Record<string, unknown> };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: (c.data ?? {}) as MimeBundle,
        metadata: (c.metadata ?? {}) as Record<string, unknown>,
        execution_count: (c.execution_count ?? null) as number | null,
      };
    case 'error':
      return { output_type: 'error', ename: String(c.ename), evalue: String(c.evalue), traceback: (c.traceback ?? []) as string[] };
    default:
      return undefined;
  }
}
