"""Lesson 06 fixes its configuration before it reads the test rows, and this test proves it.

The lesson's search must see only the training and validation rows. Here the notebook is run
(up to the cell that stores CHOSEN) on three copies of the shipped Seattle weather: as
shipped, with every test row changed, and with one development row changed. Changing the
test rows must move neither CHOSEN nor any validation score of the search; changing a
development row must move the scores, or the check could not fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # runs lesson 06's search twice

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "06_tuning_and_walk_forward.ipynb"
TEST_FRACTION = 0.2
MARK = "SEARCH-RESULT:"


def _until_chosen(tmp_path):
    """The lesson cut after the cell that stores CHOSEN, plus a cell printing the search."""
    nb = nbformat.read(LESSON, as_version=4)
    stop = next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "CHOSEN = " in c.source
    )
    nb.cells = nb.cells[: stop + 1]
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json\n"
            f"print({MARK!r} + json.dumps({{'CHOSEN': CHOSEN, "
            "'scores': [float(v) for v in grid.cv_results_['mean_test_score']]}))"
        )
    )
    path = tmp_path / "06_until_chosen.ipynb"
    nbformat.write(nb, path)
    return path


def _search(notebook, csv, tmp_path):
    import papermill

    out = tmp_path / f"ran_{csv.stem}.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters={
            "DATA_PATH": str(csv),
            "TIME_COLUMN": "date",
            "TARGET_COLUMN": "temp_max",
            "FEATURE_COLUMNS": ["precipitation", "temp_max", "temp_min", "wind"],
            "EPOCHS": 2,  # fast: the point is what the search reads, not how well it trains
        },
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    text = "".join(o.get("text", "") for o in nbformat.read(out, as_version=4).cells[-1].outputs)
    return json.loads(text.split(MARK, 1)[1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("lesson06")
    shipped = pd.read_csv(ROOT / "datasets" / "seattle_weather.csv")
    n_test = round(TEST_FRACTION * len(shipped))
    test_rows = shipped.index[-n_test:]
    changed_test = shipped.copy()
    changed_test.loc[test_rows, "temp_max"] += 15.0  # a heat wave nobody may see
    changed_test.loc[test_rows, "precipitation"] = 0.0
    changed_dev = shipped.copy()
    changed_dev.loc[100, "temp_max"] += 15.0  # one development row, long before the test
    notebook = _until_chosen(tmp_path)
    found = {}
    for name, frame in [("shipped", shipped), ("test", changed_test), ("dev", changed_dev)]:
        csv = tmp_path / f"{name}.csv"
        frame.to_csv(csv, index=False)
        found[name] = _search(notebook, csv, tmp_path)
    return found


def test_changing_only_the_test_rows_moves_nothing_the_search_saw(runs):
    assert runs["test"]["CHOSEN"] == runs["shipped"]["CHOSEN"]
    assert runs["test"]["scores"] == runs["shipped"]["scores"]


def test_the_check_can_fail_a_development_row_moves_the_scores(runs):
    assert runs["dev"]["scores"] != runs["shipped"]["scores"]


def test_chosen_is_stored_before_any_test_row_is_read():
    nb = nbformat.read(LESSON, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    stop = next(i for i, s in enumerate(sources) if "CHOSEN = " in s)
    assert not any("walk_forward(" in s and "frame," in s for s in sources[:stop])
    assert any("wf.walk_forward(" in s for s in sources[stop + 1 :])
