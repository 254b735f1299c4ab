"""A lesson's data: the shipped datasets, or the reader's own CSV, checked before training.

NumPy and pandas only: this module never imports TensorFlow. It holds the
switch at the top of every lesson ("use your own data")::

    frame = data.load_lesson_data(DATA_PATH, default="airline", time_column=TIME_COLUMN,
                                  columns=[TARGET_COLUMN], window=WINDOW, horizon=HORIZON)

- :func:`list_datasets`, :func:`load_dataset`, :func:`datasets_folder`: the
  CSV files shipped in the checkout's ``datasets/`` folder (provenance in
  ``datasets/README.md``), read by :func:`helpers.csv_loading.load_series`;
- :func:`check_window_fits`: refuse, before anything trains, a ``WINDOW`` or
  ``SEASONAL_PERIOD`` that the training part cannot hold, naming the parameter;
- :func:`load_lesson_data`: the lesson's own series when ``DATA_PATH`` is None,
  the reader's CSV otherwise, then the window check.

All of them are re-exported by :mod:`helpers.data`, where the lessons call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import _checks
from helpers._paths import checkout
from helpers._split_sizes import part_sizes
from helpers.csv_loading import load_series

__all__ = [
    "list_datasets",
    "load_dataset",
    "datasets_folder",
    "check_window_fits",
    "load_lesson_data",
]


# --------------------------------------------------------------------------- shipped datasets


@dataclass(frozen=True)
class _Dataset:
    file: str
    time_column: str
    description: str


_DATASETS = {
    "airline": _Dataset(
        "airline.csv",
        "month",
        "monthly international airline passengers (thousands), 1949-1960: trend and season",
    ),
    "co2": _Dataset(
        "co2.csv",
        "date",
        "weekly CO2 at Mauna Loa (ppm), 1958-2001, with 59 missing weeks kept as NaN",
    ),
    "sunspots": _Dataset(
        "sunspots.csv", "year", "yearly mean sunspot number, 1700-2008: an 11-year cycle"
    ),
    "seattle_weather": _Dataset(
        "seattle_weather.csv",
        "date",
        "daily Seattle weather 2012-2015: precipitation (mm), temp_max, temp_min (C), wind (m/s)",
    ),
}


def datasets_folder() -> Path:
    """The ``datasets/`` folder shipped next to the ``helpers`` package.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the folder is missing (e.g. ``helpers`` was installed without the repository).
    """
    folder = checkout() / "datasets"
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the datasets/ folder was not found next to the helpers package (looked in "
            f"{folder}); install the course from a full copy of the repository with "
            "`pip install -e .` so the CSV files come with it"
        )
    return folder


def list_datasets():
    """Names of the datasets shipped in ``datasets/``, for :func:`load_dataset`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_datasets()
    ['airline', 'co2', 'seattle_weather', 'sunspots']
    """
    return sorted(_DATASETS)


def load_dataset(name, *, fill="keep"):
    """Load a shipped dataset by name, as :func:`load_series` would.

    ==================  =========  ==========================================================
    name                rows       columns
    ==================  =========  ==========================================================
    "airline"           144        passengers (monthly, 1949-01 to 1960-12)
    "co2"               2284       co2 (weekly, 1958-03-29 to 2001-12-29, 59 NaN)
    "sunspots"          309        sunspots (yearly, 1700 to 2008)
    "seattle_weather"   1461       precipitation, temp_max, temp_min, wind (daily, 2012-2015)
    ==================  =========  ==========================================================

    Provenance and licences: ``datasets/README.md``.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.
    fill : {"keep", "interpolate", "ffill", "drop"}, default "keep"
        Missing values (only ``co2`` has any) are kept as NaN by default, so you
        can see them and choose a fix; see :func:`load_series`.

    Returns
    -------
    DataFrame, shape (time, n_columns)
        Float columns, sorted DatetimeIndex.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    FileNotFoundError
        If the ``datasets/`` folder is missing.

    Examples
    --------
    >>> airline = load_dataset("airline")
    >>> airline.shape, airline.index.freqstr, float(airline["passengers"].iloc[0])
    ((144, 1), 'MS', 112.0)
    """
    if name not in _DATASETS:
        raise ValueError(f"name must be one of {list_datasets()}, got {name!r}")
    info = _DATASETS[name]
    return load_series(datasets_folder() / info.file, time_column=info.time_column, fill=fill)


# --------------------------------------------------------------------------- window checks


def check_window_fits(
    n_obs,
    *,
    window,
    horizon=1,
    train=None,
    validation=None,
    validation_size=None,
    test_size=None,
    seasonal_period=None,
    min_samples=5,
):
    """Refuse, before any training, a window that the training part cannot hold.

    The training part of a chronological split has ``floor(train * n_obs)``
    rows and yields ``floor(train * n_obs) - window - horizon + 1`` samples.

    Parameters
    ----------
    n_obs : int
        Rows in the whole series.
    window, horizon : int
        The lesson's WINDOW and HORIZON.
    train, validation : float, optional
        Fractions as in :func:`helpers.data.chronological_split` (defaults 0.7 and 0.15).
    test_size, validation_size : int, optional
        Rows, as in :func:`helpers.data.chronological_split`.
    seasonal_period : int, optional
        The lesson's SEASONAL_PERIOD; must fit in the training part.
    min_samples : int, default 5
        Fewest training samples (windows) accepted.

    Returns
    -------
    int
        The number of training samples.

    Raises
    ------
    ValueError
        Naming the parameter to change (WINDOW, HORIZON, SEASONAL_PERIOD) and the numbers.

    Examples
    --------
    >>> check_window_fits(144, window=12, horizon=1)      # airline: 100 training rows
    88
    >>> check_window_fits(144, window=100, horizon=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: WINDOW=100 and HORIZON=1 leave 0 training samples ...
    """
    n_obs = _checks.integer(n_obs, "n_obs")
    window = _checks.integer(window, "WINDOW")
    horizon = _checks.integer(horizon, "HORIZON")
    min_samples = _checks.integer(min_samples, "min_samples")
    sizes = dict(
        train=train, validation=validation, validation_size=validation_size, test_size=test_size
    )
    n_train, _, _ = part_sizes(n_obs, **sizes)
    given = ", ".join(f"{k}={v}" for k, v in sizes.items() if v is not None) or "train=0.7"
    samples = max(n_train - window - horizon + 1, 0)
    if samples < min_samples:
        raise ValueError(
            f"WINDOW={window} and HORIZON={horizon} leave {samples} training samples "
            f"from the {n_train} training rows ({given} of {n_obs} rows); need at least "
            f"{min_samples}: make WINDOW + HORIZON at most {n_train - min_samples + 1}, "
            "or use a longer series"
        )
    if seasonal_period is not None:
        period = _checks.integer(seasonal_period, "SEASONAL_PERIOD")
        if period > n_train:
            raise ValueError(
                f"SEASONAL_PERIOD={period} is longer than the {n_train} training rows "
                f"({given} of {n_obs} rows): set SEASONAL_PERIOD to at most {n_train} "
                "(or None), or use a longer series"
            )
    return samples


# --------------------------------------------------------------------------- a lesson's data


def load_lesson_data(
    data_path,
    *,
    default,
    time_column=None,
    columns=None,
    window=None,
    horizon=1,
    seasonal_period=None,
    **sizes,
):
    """The lesson's own series, or the reader's CSV when ``data_path`` is set.

    Every lesson's "use your own data" switch in one call: with
    ``data_path=None`` it returns ``default`` (a shipped dataset's name or a
    series the lesson generated), otherwise it loads the CSV with
    :func:`load_series`, which refuses every fault with its message. With
    ``window`` it then checks, before anything trains, that the training part
    holds enough windows (:func:`check_window_fits`).

    Parameters
    ----------
    data_path : str, Path or None
        The lesson's ``DATA_PATH``.
    default : str, DataFrame, Series or ndarray
        A name from :func:`list_datasets`, or the lesson's generated series
        (a 1-D array becomes one column named after ``columns[0]``, or ``"y"``).
    time_column : str, optional
        The CSV's time column (``TIME_COLUMN``); needed when ``data_path`` is set.
    columns : list of str, optional
        Columns to keep (inputs and target); default all.
    window, horizon, seasonal_period : int, optional
        ``WINDOW``, ``HORIZON`` and ``SEASONAL_PERIOD``, checked against the
        training part when ``window`` is given.
    **sizes
        ``train``, ``validation``, ``test_size``, ``validation_size``, as in
        :func:`helpers.data.chronological_split`, for that check.

    Returns
    -------
    DataFrame, shape (time, n_columns)

    Raises
    ------
    ValueError
        If the CSV is refused, a column is missing, or the window does not fit.

    Examples
    --------
    >>> from helpers.generators import noisy_sine
    >>> frame = load_lesson_data(None, default=noisy_sine(50, seed=0), columns=["sine"], window=5)
    >>> frame.shape, list(frame.columns)
    ((50, 1), ['sine'])
    """
    if data_path is not None:
        if time_column is None:
            raise ValueError(
                "TIME_COLUMN must name the CSV's timestamp column when DATA_PATH is set, got None"
            )
        frame = load_series(data_path, time_column=time_column, value_columns=columns)
    else:
        frame = _default_frame(default, columns)
    if window is not None:
        check_window_fits(
            len(frame), window=window, horizon=horizon, seasonal_period=seasonal_period, **sizes
        )
    return frame


def _default_frame(default, columns):
    if isinstance(default, str):
        frame = load_dataset(default)
    elif isinstance(default, pd.DataFrame):
        frame = default
    elif isinstance(default, pd.Series):
        frame = default.to_frame()
    else:
        array = np.asarray(default)
        if array.ndim != 1:
            raise ValueError(
                "default must be a dataset name, a DataFrame or a 1-D series, "
                f"got shape {array.shape}"
            )
        frame = pd.DataFrame({(columns or ["y"])[0]: array})
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"columns {missing} are not in the lesson's own data, which has {list(frame.columns)}: "
            "set DATA_PATH to use other columns"
        )
    return frame[list(columns)]
