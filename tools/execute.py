"""Re-execute notebooks in place: ``python -m tools.execute notebooks/01_*.ipynb``.

Each notebook is cleared and run once, top to bottom, in a fresh kernel of the
current environment, from inside ``notebooks/`` (as JupyterLab would), so its
stored outputs always come from the current code. ``make notebooks`` runs this
on every lesson. A notebook that raises is not written back.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def execute(path: Path, *, timeout: int = 600, extra_cells=()):
    """Run one notebook top to bottom in a fresh kernel, from its own folder; write nothing.

    The one notebook runner of the project: :func:`execute_in_place` and the
    benchmarks (``benchmarks/run.py``) both call it.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ipynb`` file; its code cells are cleared first.
    timeout : int, default 600
        Seconds any one cell may run.
    extra_cells : sequence of str
        Code run after the notebook's own cells, as extra cells (e.g. to
        measure the kernel's memory).

    Returns
    -------
    nb : nbformat.NotebookNode
        The executed notebook, extra cells last.
    seconds : float
        Wall-clock seconds of the run, kernel start included.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell raises.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.cells.extend(nbformat.v4.new_code_cell(code) for code in extra_cells)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def execute_in_place(path: Path, *, timeout: int = 600) -> float:
    """Execute one notebook in place and return the seconds it took."""
    import nbformat

    nb, seconds = execute(path, timeout=timeout)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tools.execute NOTEBOOK [NOTEBOOK ...]", file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"no such notebook: {name}", file=sys.stderr)
            return 2
        seconds = execute_in_place(path)
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
