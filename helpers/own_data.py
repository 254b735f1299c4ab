"""The own-data lessons' contract: which lessons take a reader's CSV, and how.

- ``LESSONS``: the lessons whose parameter cell takes ``DATA_PATH`` and the
  columns of a reader's CSV; ``MANY_SERIES_LESSONS`` those among them that read a
  *long* CSV of many series (``SERIES_COLUMN`` names the series), ``ONE_SERIES_LESSONS``
  the others;
- :func:`lesson_parameters`: the parameters those cells understand, checked;
- :func:`check_csv`: the CSV loaded as the lessons will load it, and the window
  checked against the smallest training part any lesson uses (for a long CSV: the
  series long enough for it), before anything runs.

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

__all__ = [
    "LESSONS",
    "MANY_SERIES_LESSONS",
    "ONE_SERIES_LESSONS",
    "STRICTEST_SPLIT",
    "lesson_parameters",
    "check_csv",
]

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
    "10_many_series",
)

# The lessons that read a long CSV of many series (one row per series and time step): they
# need SERIES_COLUMN, and the others cannot read such a file (a time repeats across series).
MANY_SERIES_LESSONS = ("10_many_series",)
ONE_SERIES_LESSONS = tuple(name for name in LESSONS if name not in MANY_SERIES_LESSONS)


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
    series_column=None,
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
    series_column : str, optional
        For a long CSV of many series: the column naming each series
        (``SERIES_COLUMN``, read by the lessons of ``MANY_SERIES_LESSONS``).

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
    >>> lesson_parameters("x.csv", time_column="month", target_column="sales",
    ...                   series_column="store")["SERIES_COLUMN"]
    'store'
    """
    _checks.column_name(time_column, "time_column")
    _checks.column_name(target_column, "target_column")
    params = {
        "DATA_PATH": str(Path(csv).expanduser().resolve()),
        "TIME_COLUMN": time_column,
        "TARGET_COLUMN": target_column,
    }
    if series_column is not None:
        params["SERIES_COLUMN"] = _checks.column_name(series_column, "series_column")
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
    series_column=None,
):
    """Load your CSV as the lessons will, and check the window fits, before running anything.

    Parameters
    ----------
    csv : str or Path
    time_column, target_column : str
    feature_columns : list of str, optional
    window, horizon, seasonal_period : int, optional
        Checked with :func:`helpers.lesson_data.check_window_fits` on the smallest
        training part any lesson uses (``STRICTEST_SPLIT``); for a long CSV, with
        :func:`helpers.panel.usable_series` (unset: one season, one step ahead).
    series_column : str, optional
        The CSV is long, many series in one table: it is read as lesson 10 reads it
        (:func:`helpers.panel.load_panel`), and at least three series must be usable.

    Returns
    -------
    pandas.DataFrame or dict of str to ndarray
        The loaded series, shape (time, features); for a long CSV, the usable series
        by name.

    Raises
    ------
    FileNotFoundError, ValueError
        The loader's message: what is wrong with the file and what to do.
    """
    if series_column is not None:
        from helpers import panel  # here, so that the one-series path imports as before

        series = panel.load_panel(
            csv, series_column=series_column, time_column=time_column, target_column=target_column
        )
        period = seasonal_period or 1
        return panel.usable_series(
            series, window=window or period, horizon=horizon or 1, seasonal_period=period
        )
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
