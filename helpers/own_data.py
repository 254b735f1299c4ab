"""The own-data lessons' contract: which lessons take a reader's CSV, and how.

- ``LESSONS``: the lessons whose parameter cell takes ``DATA_PATH`` and the
  columns of a reader's CSV;
- :func:`lesson_parameters`: the parameters those cells understand, checked;
- :func:`check_csv`: the CSV loaded as the lessons will load it, and the window
  checked against the smallest training part any lesson uses, before anything runs.

Running the lessons on a CSV is tooling, not library: ``make own-data``, or
from the repository root ``python -m tools.own_data my.csv --time-column date
--target-column sales`` (:mod:`tools.own_data`), executes them with papermill
after :func:`check_csv` has accepted the file.
"""

from __future__ import annotations

from pathlib import Path

from helpers import _checks
from helpers.csv_loading import load_series
from helpers.lesson_data import check_window_fits

__all__ = ["LESSONS", "STRICTEST_SPLIT", "lesson_parameters", "check_csv"]

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
        Checked with :func:`helpers.lesson_data.check_window_fits` on the smallest
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
    frame = load_series(
        params["DATA_PATH"],
        time_column=time_column,
        value_columns=params.get("FEATURE_COLUMNS", [target_column]),
    )
    # With WINDOW unset each lesson keeps its own default and checks it itself;
    # the seasonal period and the length of the series are checked here anyway.
    check_window_fits(
        len(frame),
        window=window or 1,
        horizon=horizon or 1,
        seasonal_period=seasonal_period,
        **STRICTEST_SPLIT,
    )
    return frame
