"""Execute one notebook with nbclient; on a failing cell, print that cell's own error output.

The optional executor of scripts/notebook-runner.ts (MMCKD_NOTEBOOK_EXECUTOR=nbclient); by
default the runner uses the kit's own Node client (scripts/jupyter/). tslab reports a cell's
exception on the cell's stderr stream rather than in the error reply, so nbconvert's message
alone would hide it.
Usage: execute_notebook.py INPUT OUTPUT KERNEL TIMEOUT
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    src, out, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, timeout=timeout,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
    try:
        client.execute()
    except CellExecutionError:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            texts = [o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr"]
            texts += ["%s: %s" % (o.get("ename"), o.get("evalue")) for o in cell.get("outputs", [])
                      if o.get("output_type") == "error"]
            if texts and cell.get("execution_count") is not None:
                last = (index, cell, "".join(texts))
        index, cell, text = last if "last" in locals() else (-1, None, "(no error text)")
        sys.stderr.write("cell %d failed:\n%s\n--- error ---\n%s\n" % (index, cell.source if cell else "", text))
        nbformat.write(nb, out + ".failed.ipynb")
        return 1
    nbformat.write(nb, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
