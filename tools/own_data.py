"""Run the own-data lessons on your own CSV, headless, with papermill.

From the repository root (``make own-data`` wraps this)::

    python -m tools.own_data my.csv --time-column date --target-column sales \\
        --seasonal-period 12

or from Python, run from the repository root::

    from tools import own_data
    own_data.run_lessons("my.csv", time_column="date", target_column="sales",
                         seasonal_period=12)

The lessons are those of :data:`helpers.own_data.LESSONS`. The CSV is loaded and
checked once *before* any lesson starts (:func:`helpers.own_data.check_csv`), so a
fault in the file (or a window too long for the series) stops everything with the
loader's message instead of half-run notebooks. Executed copies go to
``outputs/own-data/`` (ignored by git); the lessons themselves are not changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.own_data import LESSONS, check_csv, lesson_parameters
from helpers.versions import project_root

__all__ = ["run_lessons", "main"]


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
