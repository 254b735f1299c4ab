"""The own-data lessons (``own_data.LESSONS``) rerun on a reader's CSV, headless, through papermill.

helpers.own_data holds what the lessons and the runner share (the lessons, their
parameters, the check of a CSV); tools.own_data runs them (``make own-data``).

The fixtures in tests/data/ are not the shipped datasets: a monthly univariate
series, a daily multivariate one, a daily series with a gap and a blank
value that the loader must refuse before any lesson starts, and a long CSV of 25
monthly series for lesson 10 (written by tests/data/make_many_series.py, seeded), one
of them too short, which the lesson must name and leave out.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import own_data
from tools import own_data as runner

DATA = Path(__file__).resolve().parent / "data"
MONTHLY = dict(
    csv=DATA / "monthly_sales.csv", time_column="month", target_column="sales", seasonal_period=12
)
DAILY = dict(
    csv=DATA / "daily_load.csv",
    time_column="date",
    target_column="load",
    feature_columns=["load", "temperature", "humidity"],
    seasonal_period=7,
)
MANY = dict(
    csv=DATA / "many_series.csv",
    time_column="month",
    target_column="visitors",
    series_column="region",
    seasonal_period=12,
)
FAST = dict(epochs=3)
# Lessons taught on a generated series with known drivers: on a reader's CSV they must
# say that they skip the checks against those drivers.
GROUND_TRUTH_LESSONS = {"05_gradient_sensitivity", "08_attention_shap_lime"}


def test_parameters_fill_the_common_names_and_keep_lesson_defaults():
    params = own_data.lesson_parameters(**MONTHLY)
    # No FEATURE_COLUMNS: the lessons' own default (just the target) is what the
    # monthly runs below exercise, as a bare papermill call would.
    assert "FEATURE_COLUMNS" not in params
    assert params["SEASONAL_PERIOD"] == 12
    assert Path(params["DATA_PATH"]).is_absolute()
    assert "WINDOW" not in params and "EPOCHS" not in params


def test_target_is_added_to_feature_columns():
    params = own_data.lesson_parameters(
        DATA / "daily_load.csv",
        time_column="date",
        target_column="load",
        feature_columns=["temperature"],
    )
    assert params["FEATURE_COLUMNS"] == ["load", "temperature"]


@pytest.mark.parametrize(
    ("bad", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_window_is_refused(bad, error):
    with pytest.raises(error, match="window must be a positive integer"):
        own_data.lesson_parameters(**MONTHLY, window=bad)


def test_unknown_lesson_is_refused():
    with pytest.raises(ValueError, match="lesson must be one of"):
        runner._lesson_name("99")


def test_series_column_is_passed_only_when_given():
    assert "SERIES_COLUMN" not in own_data.lesson_parameters(**MONTHLY)
    params = own_data.lesson_parameters(**MANY)
    assert params["SERIES_COLUMN"] == "region" and params["TARGET_COLUMN"] == "visitors"
    with pytest.raises(TypeError, match="series_column"):
        own_data.lesson_parameters(**{**MANY, "series_column": 3})


def test_each_kind_of_csv_goes_to_the_lessons_that_read_it():
    assert own_data.LESSONS == own_data.ONE_SERIES_LESSONS + own_data.MANY_SERIES_LESSONS
    assert runner.lessons_for() == list(own_data.ONE_SERIES_LESSONS)
    assert runner.lessons_for(series_column="region") == ["10_many_series"]
    assert runner.lessons_for(["10"], series_column="region") == ["10_many_series"]
    with pytest.raises(ValueError, match="--series-column"):
        runner.lessons_for(["04", "10"])
    with pytest.raises(ValueError, match="reads one series"):
        runner.lessons_for(["04"], series_column="region")


def test_check_reads_a_long_csv_and_names_the_series_left_out(capsys):
    series = own_data.check_csv(**MANY, window=36, horizon=24)
    assert len(series) == 24 and "R25" not in series
    assert "left out 1 of 25 series: 'R25' (40 values; needs 84" in capsys.readouterr().out
    with pytest.raises(ValueError, match="only 0 of 25 series can be used with WINDOW=156"):
        own_data.check_csv(**MANY, window=156, horizon=24)


def test_cli_refuses_lesson_10_without_a_series_column(capsys):
    code = runner.main(
        [
            str(MANY["csv"]),
            "--time-column",
            "month",
            "--target-column",
            "visitors",
            "--lessons",
            "10",
        ]
    )
    assert code == 2
    assert "--series-column" in capsys.readouterr().err


def test_check_refuses_the_file_with_a_gap_before_running_anything(tmp_path):
    with pytest.raises(ValueError, match="missing") as caught:
        runner.run_lessons(
            DATA / "daily_with_gap.csv",
            time_column="date",
            target_column="load",
            output_dir=tmp_path,
        )
    assert "daily_with_gap.csv" in str(caught.value)
    assert list(tmp_path.iterdir()) == [], "no lesson may start on a refused file"


def test_check_refuses_a_window_longer_than_the_training_part():
    with pytest.raises(ValueError, match="WINDOW"):
        own_data.check_csv(**MONTHLY, window=150)


def test_check_refuses_a_seasonal_period_longer_than_the_training_part():
    with pytest.raises(ValueError, match="SEASONAL_PERIOD"):
        own_data.check_csv(
            DATA / "monthly_sales.csv",
            time_column="month",
            target_column="sales",
            window=12,
            seasonal_period=120,
        )


def test_cli_prints_the_loaders_message_and_exits_2(capsys):
    code = runner.main(
        [str(DATA / "daily_with_gap.csv"), "--time-column", "date", "--target-column", "load"]
    )
    assert code == 2
    assert "missing" in capsys.readouterr().err


def test_the_command_line_runs_from_the_repository_root():
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-m", "tools.own_data", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.startswith("usage: python -m tools.own_data [-h] --time-column")


# The full runs below take most of the suite's time, so `make test` leaves them out (they carry
# the marker own_data_run) and `make test-own-data` runs them; CI runs both. The refusals
# above and below stay in `make test`.
@pytest.mark.slow
@pytest.mark.own_data_run
@pytest.mark.parametrize("lesson", own_data.ONE_SERIES_LESSONS)
@pytest.mark.parametrize("series", [MONTHLY, DAILY], ids=["monthly", "daily"])
def test_lesson_runs_to_the_end_on_a_readers_csv(lesson, series, tmp_path):
    done = runner.run_lessons(**series, **FAST, lessons=[lesson], output_dir=tmp_path)
    import nbformat

    nb = nbformat.read(done[lesson], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1, "papermill must inject the reader's parameters"
    assert str(series["csv"].name) in "".join(injected[0].source)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    if lesson in GROUND_TRUTH_LESSONS:
        printed = "".join(
            o.get("text", "")
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        )
        assert "skipping the ground-truth checks" in printed


@pytest.mark.slow
@pytest.mark.own_data_run
@pytest.mark.parametrize("lesson", own_data.MANY_SERIES_LESSONS)
def test_lesson_runs_to_the_end_on_a_long_csv_of_many_series(lesson, tmp_path):
    # No FAST epochs here: lesson 10 asserts that every fit converged, and its small panel
    # trains in seconds anyway.
    import nbformat

    done = runner.run_lessons(**MANY, lessons=[lesson], output_dir=tmp_path)
    nb = nbformat.read(done[lesson], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'SERIES_COLUMN = "region"' in injected[0].source
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs)
    assert "left out 1 of 25 series: 'R25'" in printed
    assert "24 series of 144 to 144 values" in printed


def test_check_uses_the_smallest_training_part_of_any_lesson():
    # 156 months: 109 training rows at 70 % but 74 at 48 % (lesson 07's fit part).
    # WINDOW=90 fits the first (15 windows) but leaves none in the second.
    with pytest.raises(ValueError, match="WINDOW=90"):
        own_data.check_csv(**MONTHLY, window=90)


# Inputs a lesson must refuse before it trains, and a word its message must hold. Each is
# injected as papermill injects a reader's parameters (`make own-data` with check_first=False).
REFUSED = {
    "gap in the CSV": (
        dict(csv=DATA / "daily_with_gap.csv", time_column="date", target_column="load"),
        "missing",
    ),
    "WINDOW too long": ({**MONTHLY, "window": 150}, "WINDOW"),
    "SEASONAL_PERIOD too long": ({**MONTHLY, "seasonal_period": 150}, "SEASONAL_PERIOD"),
}


def _run_until_error(client, nb):
    """Execute ``nb``'s code cells in order in the client's kernel; return (index, error text)."""
    from nbclient.exceptions import CellExecutionError

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            client.execute_cell(cell, index)
        except CellExecutionError as error:
            return index, str(error)
    return None, ""


# The same three faults in a long CSV of many series, for lesson 10; the gap is made by
# dropping one month of one series (see _many_series_with_a_gap).
REFUSED_MANY = {
    "gap in one series": (None, "missing"),
    "WINDOW too long": ({**MANY, "window": 156}, "only 0 of 25 series can be used with WINDOW=156"),
    "SEASONAL_PERIOD too long": ({**MANY, "seasonal_period": 150}, "SEASONAL_PERIOD"),
}
# The cells that may refuse: where a lesson loads and checks its data.
REFUSING_CALLS = ("check_window_fits", "load_lesson_data", "load_panel", "usable_series")


def _many_series_with_a_gap(folder):
    lines = MANY["csv"].read_text().splitlines(keepends=True)
    gap = folder / "many_series_with_gap.csv"
    gap.write_text("".join(line for line in lines if not line.startswith("R03,2012-05")))
    return {**MANY, "csv": gap}


@pytest.mark.slow
@pytest.mark.parametrize("lesson", own_data.LESSONS)
def test_lesson_refuses_bad_input_with_a_clear_message_before_training(lesson, tmp_path):
    """The three bad inputs of REFUSED, each from the lesson's first cell, in one kernel.

    One kernel per lesson rather than one per input: the kernel start and the TensorFlow
    import are most of such a short run. Every case reruns the lesson from its first cell
    with its own injected parameters, so each sets every name it uses again.
    """
    import copy

    import papermill.iorw
    import papermill.parameterize
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parent.parent
    # papermill's own reader, as `make own-data` uses: it gives every cell a tags list.
    source = papermill.iorw.load_notebook_node(str(root / "notebooks" / f"{lesson}.ipynb"))
    client = NotebookClient(
        source,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(root / "notebooks")}},
    )
    refused = REFUSED
    if lesson in own_data.MANY_SERIES_LESSONS:
        refused = dict(REFUSED_MANY)
        refused["gap in one series"] = (_many_series_with_a_gap(tmp_path), "missing")
    with client.setup_kernel():
        for case, (series, word) in refused.items():
            params = own_data.lesson_parameters(**series)
            nb = papermill.parameterize.parameterize_notebook(
                copy.deepcopy(source), params, kernel_name="python3"
            )
            failed, message = _run_until_error(client, nb)
            assert failed is not None, f"{lesson} ran to the end with {case}"
            assert word in message, f"{lesson}, {case}: the error does not name {word}: {message}"
            # The refusal comes from the check before training, not from a failed fit.
            cell = nb.cells[failed].source
            assert any(call in cell for call in REFUSING_CALLS), (case, cell)
            assert not any(
                ".fit(" in c.source or "models.train(" in c.source
                for c in nb.cells[:failed]
                if c.cell_type == "code"
            ), f"{lesson}, {case}: a model was trained before the refusal"


@pytest.mark.slow
@pytest.mark.own_data_run
def test_lesson_01_draws_its_gate_pictures_from_a_readers_csv(tmp_path):
    # Lesson 01 is not one of the four own-data lessons of `make own-data`, but
    # its parameter cell offers DATA_PATH for the gate pictures: check it works.
    import nbformat
    import papermill

    root = Path(__file__).resolve().parent.parent
    target = tmp_path / "01.ipynb"
    papermill.execute_notebook(
        str(root / "notebooks" / "01_lstm_gates_from_scratch.ipynb"),
        str(target),
        parameters={
            "DATA_PATH": str(MONTHLY["csv"]),
            "TIME_COLUMN": "month",
            "TARGET_COLUMN": "sales",
            "EPOCHS": 3,
        },
        cwd=str(root / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(target, as_version=4)
    text = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "DATA_PATH is set" in text, "the sine-only checks must say they were skipped"
