/**
 * Executes a notebook's code cells in order on a fresh tslab kernel (kernel.ts) and fills in the
 * outputs as a Jupyter front end saves them: stream text merged per stream while consecutive,
 * display_data and execute_result with their full MIME bundles, error outputs, updates of a
 * display id applied to every output that shows it, clear_output honoured (also with wait), late
 * output routed to the cell that made it. The notebook's language_info comes from the kernel.
 *
 * tslab reports a failing cell as an execute_reply with status 'error' and the exception on the
 * cell's stderr stream (no `error` message), so the failure text is read from both.
 */
import type { CellOutput, Notebook, NotebookCell } from './notebook-file';
import { outputFromMessage } from './notebook-file';
import { KernelClient } from './kernel';
import type { JupyterMessage } from './wire';

/** Options of executeNotebook. */
export interface ExecuteNotebookOptions {
  /** The kernel's working directory (the notebook's folder). */
  cwd: string;
  /** The kernel's environment. */
  env: NodeJS.ProcessEnv;
  /** Seconds a cell may stay silent (no output, no display update, no reply) before it is stopped; default 1800. */
  cellTimeout?: number;
  /** Called before each code cell runs (progress). */
  onCell?: (index: number, cell: NotebookCell) => void;
}

/** The first cell that failed: its index among all cells, its source and its error text. */
export interface CellFailure {
  index: number;
  source: string;
  error: string;
}

/** What executeNotebook returns: the notebook with outputs, and the failure that stopped it, if any. */
export interface ExecutedNotebook {
  notebook: Notebook;
  failure?: CellFailure;
}

/** Returns the text of a cell's stderr streams and error outputs (what tslab shows for an exception). */
export function errorText(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .map((o) => (o.output_type === 'stream' && o.name === 'stderr' ? o.text : o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : ''))
    .join('');
}

/** Tracks where each display id is shown, so update_display_data reaches all of them. */
class DisplayIds {
  private readonly shown = new Map<string, { cell: NotebookCell; output: CellOutput }[]>();

  add(id: string, cell: NotebookCell, output: CellOutput): void {
    const list = this.shown.get(id) ?? [];
    list.push({ cell, output });
    this.shown.set(id, list);
  }

  update(id: string, data: unknown, metadata: unknown): void {
    for (const { cell, output } of this.shown.get(id) ?? []) {
      if (!cell.outputs?.includes(output) || !('data' in output)) continue; // cleared since
      output.data = data as Record<string, unknown>;
      output.metadata = metadata as Record<string, unknown>;
    }
  }
}

/** Returns the function that applies one iopub message of `cell`'s request to `cell`. */
function outputRecorder(cell: NotebookCell, displays: DisplayIds): (m: JupyterMessage) => void {
  let clearOnNextOutput = false;
  return (m) => {
    const content = m.content as { execution_count?: number; wait?: boolean; transient?: { display_id?: string }; data?: unknown; metadata?: unknown };
    const type = m.header.msg_type;
    const displayId = content.transient?.display_id;
    if (displayId && (type === 'display_data' || type === 'update_display_data' || type === 'execute_result')) {
      displays.update(displayId, content.data ?? {}, content.metadata ?? {});
    }
    if (type === 'execute_input' && typeof content.execution_count === 'number') cell.execution_count = content.execution_count;
    if (type === 'clear_output') {
      if (content.wait) clearOnNextOutput = true;
      else cell.outputs = [];
      return;
    }
    if (type === 'update_display_data') return;
    const output = outputFromMessage(m);
    if (!output) return;
    if (clearOnNextOutput) {
      cell.outputs = [];
      clearOnNextOutput = false;
    }
    const outputs = (cell.outputs ??= []);
    const last = outputs[outputs.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      last.text += output.text; // a front end shows (and saves) consecutive text of one stream as one output
      return;
    }
    outputs.push(output);
    if (displayId) displays.add(displayId, cell, output);
  };
}

/**
 * Runs every non-empty code cell of `nb` (modified in place) on a new tslab kernel; stops at the
 * first failing cell and returns it as `failure`. Throws KernelError when the kernel does not
 * start, dies or a cell outlives the timeout (the outputs so far stay in `nb`).
 */
export async function executeNotebook(nb: Notebook, options: ExecuteNotebookOptions): Promise<ExecutedNotebook> {
  const kernel = await KernelClient.start({ cwd: options.cwd, env: options.env });
  const displays = new DisplayIds();
  try {
    const info = kernel.kernelInfo.language_info;
    if (info) nb.metadata.language_info = info;
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      cell.outputs = [];
      cell.execution_count = null;
      if (cell.source.trim() === '') continue;
      options.onCell?.(index, cell);
      const reply = await kernel.execute(cell.source, outputRecorder(cell, displays), (options.cellTimeout ?? 1800) * 1000);
      if (typeof reply.execution_count === 'number') cell.execution_count = reply.execution_count;
      if (reply.status !== 'ok') {
        const text = errorText(cell) || `${String(reply.ename ?? 'error')}: ${String(reply.evalue ?? `execute_reply status '${reply.status}'`)}`;
        return { notebook: nb, failure: { index, source: cell.source, error: text } };
      }
    }
    return { notebook: nb };
  } finally {
    await kernel.shutdown();
  }
}
