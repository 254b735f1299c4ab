"""tools.execute: the one notebook runner (make notebooks and the benchmarks use it)."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import execute


@pytest.fixture
def notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# a lesson"),
        nbformat.v4.new_code_cell("import os\nx = 6 * 7\nprint(x, os.path.basename(os.getcwd()))"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="stale output\n")]
    folder = tmp_path / "lessons"
    folder.mkdir()
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_execute_runs_from_the_notebooks_folder_with_extra_cells_and_writes_nothing(notebook):
    before = notebook.read_text()
    nb, seconds = execute.execute(notebook, extra_cells=["print(x + 1)"])
    assert seconds > 0
    assert notebook.read_text() == before
    outputs = [
        "".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.cell_type == "code"
    ]
    assert outputs == ["42 lessons\n", "43\n"]  # the stale output is gone, the cwd is its folder


def test_execute_in_place_stores_one_clean_run(notebook):
    execute.execute_in_place(notebook)
    nb = nbformat.read(notebook, as_version=4)
    assert len(nb.cells) == 2  # no extra cells written back
    assert nb.cells[1].outputs[0]["text"] == "42 lessons\n"
    assert nb.cells[1].execution_count == 1


def test_main_refuses_no_arguments_and_missing_files(tmp_path, capsys):
    assert execute.main([]) == 2
    assert execute.main([str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err


def test_the_command_line_runs_from_the_repository_root():
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-m", "tools.execute"], cwd=root, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.startswith("usage: python -m tools.execute NOTEBOOK")
