"""Run the own-data lessons on your own CSV, headless, with papermill.

From the repository root (``make own-data`` wraps this)::

    python -m tools.own_data my.csv --time-column date --target-column sales \\
        --seasonal-period 12

A long CSV of many series (one row per series and time step) goes to lesson 10, with
the column that names the series::

    python -m tools.own_data visits.csv --series-column region --time-column month \\
        --target-column visitors --seasonal-period 12

or from Python, run from the repository root::

    from tools import own_data
    own_data.run_lessons("my.csv", time_column="date", target_column="sales",
                         seasonal_period=12)

The lessons are those of :data:`helpers.own_data.LESSONS` that can read the file: a
CSV of one series goes to ``ONE_SERIES_LESSONS``, a long one (``series_column``) to
``MANY_SERIES_LESSONS``; asking for a lesson that cannot read the file is refused
before anything runs. The CSV is loaded and
checked once *before* any lesson starts (:func:`helpers.own_data.check_csv`), so a
fault in the file (or a window too long for the series) stops everything with the
loader's message instead of half-run notebooks. Executed copies go to
``outputs/own-data/`` (ignored by git); the lessons themselves are not changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.own_data import (
    LESSONS,
    MANY_SERIES_LESSONS,
    ONE_SERIES_LESSONS,
    check_csv,
    lesson_parameters,
)
from helpers.versions import project_root

__all__ = ["run_lessons", "lessons_for", "main"]


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
    series_column=None,
    lessons=None,
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
    series_column : str, optional
        The CSV is long (many series, one row per series and time step) and this
        column names the series: the lessons of ``MANY_SERIES_LESSONS`` read it.
    lessons : sequence of str, optional
        Lesson names (``"04_metrics"``) or numbers (``"04"``); default every lesson
        that reads this kind of CSV (see :func:`lessons_for`).
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
        From the check, or a lesson that cannot read this kind of CSV, before any
        lesson starts.
    papermill.PapermillExecutionError
        If a lesson fails; its message names the cell and the error.
    """
    import papermill

    root = project_root()
    names = lessons_for(lessons, series_column=series_column)
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
        series_column=series_column,
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
            series_column=series_column,
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


def lessons_for(lessons=None, *, series_column=None):
    """The lessons to run: those asked for, or every one that reads this kind of CSV.

    Parameters
    ----------
    lessons : sequence of str, optional
        Names or numbers; None: ``ONE_SERIES_LESSONS`` for a CSV of one series,
        ``MANY_SERIES_LESSONS`` for a long CSV (``series_column`` set).
    series_column : str, optional

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For an unknown lesson, or one that cannot read the CSV: a lesson of many
        series without ``series_column``, or a lesson of one series with it.

    Examples
    --------
    >>> lessons_for(["04", "06"])
    ['04_metrics', '06_tuning_and_walk_forward']
    >>> lessons_for(series_column="store")
    ['10_many_series']
    >>> lessons_for(["10"])
    Traceback (most recent call last):
    ...
    ValueError: lesson 10_many_series reads a long CSV of many series: name the column of \
series names with --series-column (make own-data ... SERIES=store)
    """
    if lessons is None:
        return list(MANY_SERIES_LESSONS if series_column is not None else ONE_SERIES_LESSONS)
    names = [_lesson_name(lesson) for lesson in lessons]
    for name in names:
        if name in MANY_SERIES_LESSONS and series_column is None:
            raise ValueError(
                f"lesson {name} reads a long CSV of many series: name the column of series "
                "names with --series-column (make own-data ... SERIES=store)"
            )
        if name not in MANY_SERIES_LESSONS and series_column is not None:
            raise ValueError(
                f"lesson {name} reads one series, not a long CSV of many (--series-column "
                f"{series_column}): run it on one series, or run lessons "
                f"{', '.join(n[:2] for n in MANY_SERIES_LESSONS)} on this file"
            )
    return names


def _lesson_name(lesson: str) -> str:
    for name in LESSONS:
        if lesson in (name, name[:2], f"{name}.ipynb"):
            return name
    raise ValueError(
        f"lesson must be one of {[n[:2] for n in LESSONS]} or a full name, got {lesson!r}"
    )


def main(argv=None) -> int:
    """The command line: run the lessons on a CSV; exit status 2, with the loader's message."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.own_data",
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
        "--series-column",
        default=None,
        help="a long CSV of many series: the column naming each series (runs lesson "
        f"{', '.join(n[:2] for n in MANY_SERIES_LESSONS)})",
    )
    parser.add_argument(
        "--lessons",
        default=None,
        help="comma-separated lesson numbers (default: every lesson that reads the CSV: "
        f"{','.join(n[:2] for n in ONE_SERIES_LESSONS)} for one series, "
        f"{','.join(n[:2] for n in MANY_SERIES_LESSONS)} with --series-column)",
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
            series_column=args.series_column,
            lessons=args.lessons.split(",") if args.lessons else None,
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
