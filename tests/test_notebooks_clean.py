"""Stored notebooks: one clean top-to-bottom run each, and the lesson layout every reader relies on.

These read the .ipynb files as stored in git; nbval (run on notebooks/ by
`make test`) re-executes them. Together they catch a notebook whose stored
outputs were edited by hand, run out of order, or left noisy.
"""

import json
import re
from pathlib import Path

import pytest

from helpers import own_data

NOTEBOOKS = sorted(
    (Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb")
)
# The lessons `make own-data` runs on a reader's CSV offer the same parameter names.
LESSONS_WITH_OWN_DATA = [p for p in NOTEBOOKS if p.stem in own_data.LESSONS]
PARAMETER_NAMES = {
    "DATA_PATH",
    "TIME_COLUMN",
    "TARGET_COLUMN",
    "FEATURE_COLUMNS",
    "SEASONAL_PERIOD",
    "WINDOW",
    "HORIZON",
    "EPOCHS",
    "SEED",
}
# An absolute POSIX path with at least two folders, or a Windows user folder.
MACHINE_PATH = re.compile(r"(?<![\w:/.])/(?:[\w.-]+/)+[\w.-]|[A-Z]:\\\\Users")
MAX_OUTPUT_CHARS = 4000  # about a screen: no epoch-by-epoch training logs


def _load(path):
    return json.loads(path.read_text())


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(output):
    text = "".join(output.get("text", ""))
    data = output.get("data", {})
    return text + "".join(data.get("text/plain", "")) + "".join(data.get("text/html", ""))


def test_the_course_has_its_lessons():
    assert [p.name for p in NOTEBOOKS] == [
        "00_start_here.ipynb",
        "01_lstm_gates_from_scratch.ipynb",
        "02_preprocessing.ipynb",
        "03_sine_wave_forecaster.ipynb",
        "04_metrics.ipynb",
        "05_gradient_sensitivity.ipynb",
        "06_tuning_and_walk_forward.ipynb",
        "07_forecast_intervals.ipynb",
        "08_attention_shap_lime.ipynb",
        "09_serving.ipynb",
        "10_many_series.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_one_clean_run(path):
    cells = [c for c in _code_cells(_load(path)) if "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(cells)}; "
        "re-run it with `make notebooks`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_errors_stderr_paths_or_logs(path):
    for i, cell in enumerate(_code_cells(_load(path))):
        for output in cell.get("outputs", []):
            where = f"{path.name}, code cell {i}"
            assert output["output_type"] != "error", f"{where} stored an error"
            text = _text(output)
            if output.get("name") == "stderr":
                assert not text.strip(), f"{where} wrote to stderr: {text[:200]!r}"
            assert not MACHINE_PATH.search(text), f"{where} shows a machine path"
            assert len(text) <= MAX_OUTPUT_CHARS, f"{where} printed {len(text)} characters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_layout_imports_then_parameters_then_seed(path):
    cells = _code_cells(_load(path))
    imports = "".join(cells[0]["source"])
    assert re.search(r"^import helpers\b|^from helpers import", imports, re.M), (
        f"{path.name}: the first code cell must import helpers"
    )
    first_tf = re.search(r"^(import|from) (tensorflow|keras)\b", imports, re.M)
    first_helpers = re.search(r"^(import helpers|from helpers)", imports, re.M)
    assert first_tf is None or first_helpers.start() < first_tf.start(), (
        f"{path.name}: import helpers before TensorFlow/Keras so TensorFlow starts quietly"
    )
    assert "parameters" in cells[1].get("metadata", {}).get("tags", []), (
        f"{path.name}: the second code cell must be tagged 'parameters'"
    )
    if path.name[:2] != "00":
        assert "set_seed(SEED)" in "".join(cells[2]["source"]), (
            f"{path.name}: the third code cell must call set_seed(SEED)"
        )


@pytest.mark.parametrize("path", LESSONS_WITH_OWN_DATA, ids=lambda p: p.name)
def test_parameter_cell_offers_the_common_names(path):
    source = "".join(_code_cells(_load(path))[1]["source"])
    assigned = set(re.findall(r"^([A-Z_]+)\s*=", source, re.M))
    assert PARAMETER_NAMES <= assigned, f"{path.name}: missing {sorted(PARAMETER_NAMES - assigned)}"
    assert re.search(r"^DATA_PATH\s*=\s*None\b", source, re.M), "DATA_PATH must default to None"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] != "00"], ids=lambda p: p.name)
def test_lesson_has_objectives_exercises_with_solutions_and_recap(path):
    markdown = "\n".join(
        "".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown"
    )
    assert re.search(r"learning objectives", markdown, re.I), f"{path.name}: no learning objectives"
    assert re.search(r"prerequisites", markdown, re.I), f"{path.name}: no prerequisites"
    assert re.search(r"^#+ .*recap", markdown, re.I | re.M), f"{path.name}: no recap heading"
    exercises = re.findall(r"^#+ .*exercise", markdown, re.I | re.M)
    solutions = re.findall(r"solution", markdown, re.I)
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercise headings, want >= 3"
    assert len(solutions) >= 3, f"{path.name}: {len(solutions)} worked solutions, want >= 3"
