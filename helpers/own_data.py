"""Run the own-data lessons (listed in ``LESSONS``) on your own CSV, headless, with papermill.

From the shell (``make own-data`` wraps this)::

    python -m helpers.own_data my.csv --time-column date --target-column sales \\
        --seasonal-period 12

or from Python::

    from helpers import own_data
    own_data.run_lessons("my.csv", time_column="date", target_column="sales",
                         seasonal_period=12)

The CSV is loaded and checked once *before* any lesson starts, so a fault in
the file (or a window too long for the series) stops everything with the
loader's message instead of five half-run notebooks. Executed copies go to
``outputs/own-data/`` (ignored by git); the lessons themselves are not changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers import _checks, data
from helpers.versions import project_root

__all__ = ["LESSONS", "lesson_parameters", "check_csv", "run_lessons", "main"]

# The smallest training part any lesson uses (lesson 07 fits its models on the first
# 80 % of a 60 % training part, keeping the rest for early stopping): a series that
# passes the check with it fits every lesson.
STRICTEST_SPLIT = {"train": 0.48, "validation": 0.2}

LESSONS = (
    "02_preprocessing",
    "03_sine_wave_forecaster",
    "04_metrics",
    "05_gradient_sensitivity",
    "06_tuning_and_walk_forward",
    "07_forecast_intervals",
    "08_attention_shap_lime",
    "09_serving",
)


def lesson_parameters(
    csv,
    *,
    time_column,
    target_column,
    feature_columns=None,
    seasonal_period=None,
    window=None,
    horizon=None,
    epochs=None,
    seed=None,
) -> dict:
    """Build the papermill parameters every lesson's ``parameters`` cell understands.

    Options left as None are not passed, so the lesson keeps its own default;
    without ``feature_columns`` every lesson uses just the target, exactly as a
    papermill run that passes no ``FEATURE_COLUMNS`` would.

    Parameters
    ----------
    csv : str or Path
        Your CSV file; stored as an absolute path because lessons run from
        ``notebooks/``.
    time_column, target_column : str
    feature_columns : list of str, optional
        Input columns; the target is added first if missing.
    seasonal_period, window, horizon, epochs, seed : int, optional

    Returns
    -------
    dict of str to object

    Examples
    --------
    >>> p = lesson_parameters("x.csv", time_column="date", target_column="sales", window=24)
    >>> sorted(p)
    ['DATA_PATH', 'TARGET_COLUMN', 'TIME_COLUMN', 'WINDOW']
    >>> lesson_parameters("x.csv", time_column="date", target_column="sales",
    ...                   feature_columns=["price"])["FEATURE_COLUMNS"]
    ['sales', 'price']
    """
    _checks.column_name(time_column, "time_column")
    _checks.column_name(target_column, "target_column")
    params = {
        "DATA_PATH": str(Path(csv).expanduser().resolve()),
        "TIME_COLUMN": time_column,
        "TARGET_COLUMN": target_column,
    }
    if feature_columns:
        features = list(feature_columns)
        if target_column not in features:
            features.insert(0, target_column)
        params["FEATURE_COLUMNS"] = features
    optional = {
        "SEASONAL_PERIOD": seasonal_period,
        "WINDOW": window,
        "HORIZON": horizon,
        "EPOCHS": epochs,
        "SEED": seed,
    }
    for key, value in optional.items():
        if value is not None:
            params[key] = _checks.integer(value, key.lower())
    return params


def check_csv(
    csv,
    *,
    time_column,
    target_column,
    feature_columns=None,
    window=None,
    horizon=None,
    seasonal_period=None,
):
    """Load your CSV as the lessons will, and check the window fits, before running anything.

    Parameters
    ----------
    csv : str or Path
    time_column, target_column : str
    feature_columns : list of str, optional
    window, horizon, seasonal_period : int, optional
        Checked with :func:`helpers.data.check_window_fits` on the smallest
        training part any lesson uses (``STRICTEST_SPLIT``).

    Returns
    -------
    pandas.DataFrame
        The loaded series, shape (time, features).

    Raises
    ------
    FileNotFoundError, ValueError
        The loader's message: what is wrong with the file and what to do.
    """
    params = lesson_parameters(
        csv, time_column=time_column, target_column=target_column, feature_columns=feature_columns
    )
    frame = data.load_series(
        params["DATA_PATH"],
        time_column=time_column,
        value_columns=params.get("FEATURE_COLUMNS", [target_column]),
    )
    # With WINDOW unset each lesson keeps its own default and checks it itself;
    # the seasonal period and the length of the series are checked here anyway.
    data.check_window_fits(
        len(frame),
        window=window or 1,
        horizon=horizon or 1,
        seasonal_period=seasonal_period,
        **STRICTEST_SPLIT,
    )
    return frame


def run_lessons(
    csv,
    *,
    time_column,
    target_column,
    feature_columns=None,
    seasonal_period=None,
    window=None,
    horizon=None,
    epochs=None,
    seed=None,
    lessons=LESSONS,
    output_dir=None,
    check_first=True,
):
    """Execute lessons on your CSV with papermill; return the executed notebooks' paths.

    Parameters
    ----------
    csv : str or Path
    time_column, target_column : str
    feature_columns : list of str, optional
    seasonal_period, window, horizon, epochs, seed : int, optional
        Passed to each lesson's parameter cell; None keeps the lesson's default.
    lessons : sequence of str
        Lesson names (``"04_metrics"``) or numbers (``"04"``).
    output_dir : str or Path, optional
        Where executed copies go; default ``outputs/own-data`` in the checkout.
    check_first : bool
        Load and check the CSV before starting any lesson (see :func:`check_csv`).

    Returns
    -------
    dict of str to Path

    Raises
    ------
    FileNotFoundError, ValueError
        From the check, before any lesson starts.
    papermill.PapermillExecutionError
        If a lesson fails; its message names the cell and the error.
    """
    import papermill

    root = project_root()
    names = [_lesson_name(lesson) for lesson in lessons]
    params = lesson_parameters(
        csv,
        time_column=time_column,
        target_column=target_column,
        feature_columns=feature_columns,
        seasonal_period=seasonal_period,
        window=window,
        horizon=horizon,
        epochs=epochs,
        seed=seed,
    )
    if check_first:
        check_csv(
            csv,
            time_column=time_column,
            target_column=target_column,
            feature_columns=feature_columns,
            window=window,
            horizon=horizon,
            seasonal_period=seasonal_period,
        )
    out = Path(output_dir) if output_dir is not None else root / "outputs" / "own-data"
    out.mkdir(parents=True, exist_ok=True)
    done = {}
    for name in names:
        target = out / f"{name}.ipynb"
        papermill.execute_notebook(
            str(root / "notebooks" / f"{name}.ipynb"),
            str(target),
            parameters=params,
            cwd=str(root / "notebooks"),
            kernel_name="python3",
            progress_bar=False,
        )
        done[name] = target
    return done


def _lesson_name(lesson: str) -> str:
    for name in LESSONS:
        if lesson in (name, name[:2], f"{name}.ipynb"):
            return name
    raise ValueError(
        f"lesson must be one of {[n[:2] for n in LESSONS]} or a full name, got {lesson!r}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.own_data",
        description=(
            f"Run lessons {', '.join(n[:2] for n in LESSONS)} on your own CSV "
            "(executed copies go to outputs/own-data/)."
        ),
    )
    parser.add_argument("csv", help="path to your CSV file")
    parser.add_argument("--time-column", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument(
        "--feature-columns",
        default=None,
        help="comma-separated input columns (default: just the target)",
    )
    parser.add_argument("--seasonal-period", type=int)
    parser.add_argument("--window", type=int)
    parser.add_argument("--horizon", type=int)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument(
        "--lessons",
        default=",".join(n[:2] for n in LESSONS),
        help=f"comma-separated lesson numbers (default: {','.join(n[:2] for n in LESSONS)})",
    )
    parser.add_argument("--output-dir", default=None)
    args = parser.parse_args(argv)
    features = args.feature_columns.split(",") if args.feature_columns else None
    try:
        done = run_lessons(
            args.csv,
            time_column=args.time_column,
            target_column=args.target_column,
            feature_columns=features,
            seasonal_period=args.seasonal_period,
            window=args.window,
            horizon=args.horizon,
            epochs=args.epochs,
            seed=args.seed,
            lessons=args.lessons.split(","),
            output_dir=args.output_dir,
        )
    except (FileNotFoundError, ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, path in done.items():
        print(f"{name}: ran on {args.csv} -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
