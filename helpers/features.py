"""Calendar features and the climatology forecast: where in the year each row lies.

A weather series knows the season only through its dates. These functions turn a
``DatetimeIndex`` into the position within the year, :math:`\\tau \\in [0, 1)`, and from it
two smooth inputs with no jump between 31 December and 1 January::

    year_sin = sin(2 pi tau),   year_cos = cos(2 pi tau)

The position adapts to the step of the series: for daily (or finer) rows it is the
day of the year, :math:`\\tau = (\\mathrm{day} - 1 + \\mathrm{time\\ of\\ day}) / 365`
(366 in leap years); for monthly or quarterly rows it is the month,
:math:`\\tau = (\\mathrm{month} - 1) / 12`, so every January sits at the same place.
A series without dates, or with one row per year or fewer, has no usable position:
:func:`calendar_problem` says why, in a sentence a lesson can print.

Dates are known in advance, so these features never leak the future. NumPy and
pandas only: this module does not import TensorFlow.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = [
    "calendar_problem",
    "year_fraction",
    "calendar_features",
    "fourier_terms",
    "join_calendar",
    "climatology_forecast",
]

_DAYS = 366  # bins of the climatology: one per day of a leap year
_MONTHLY_STEP = pd.Timedelta(days=28)  # from this step on, the month is the position
_YEARLY_STEP = pd.Timedelta(days=365)  # from this step on, there is no position in the year


def calendar_problem(index) -> str | None:
    """Why ``index`` gives no usable position within the year, or None when it does.

    Parameters
    ----------
    index : pandas.Index
        The rows' time stamps, e.g. ``frame.index``.

    Returns
    -------
    str or None
        None when :func:`calendar_features` can be computed; otherwise one sentence
        saying what is missing.

    Examples
    --------
    >>> calendar_problem(pd.date_range("2024-01-01", periods=10, freq="D")) is None
    True
    >>> calendar_problem(pd.RangeIndex(10))
    'the rows are numbered, not dated (no DatetimeIndex): there is no calendar to read'
    >>> calendar_problem(pd.date_range("2000-01-01", periods=5, freq="YS"))  # doctest: +ELLIPSIS
    'the rows are a year or more apart ...'
    """
    if not isinstance(index, pd.DatetimeIndex):
        return "the rows are numbered, not dated (no DatetimeIndex): there is no calendar to read"
    if len(index) < 2:
        return f"the series has {len(index)} dated row(s): too few to read a step between rows"
    if index.hasnans:
        return "some time stamps are missing (NaT): fill or drop those rows first"
    step = pd.Series(index).diff().dropna().median()
    if step >= _YEARLY_STEP:
        return (
            f"the rows are a year or more apart (median step {step.days} days): every row sits "
            "at the same place in the year, so a position within the year says nothing"
        )
    return None


def _check_index(index, name: str) -> pd.DatetimeIndex:
    if not isinstance(index, pd.Index):
        try:
            index = pd.DatetimeIndex(index)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name} must be a DatetimeIndex (or dates pandas can read), "
                f"got {type(index).__name__}"
            ) from error
    problem = calendar_problem(index)
    if problem is not None:
        raise ValueError(f"{name} has no usable calendar: {problem}")
    return index


def _fraction(index: pd.DatetimeIndex, *, monthly: bool) -> np.ndarray:
    if monthly:
        return (index.month.to_numpy() - 1) / 12.0  # (n,)
    days = np.where(index.is_leap_year, 366.0, 365.0)  # (n,)
    time_of_day = (index - index.normalize()) / pd.Timedelta(days=1)  # (n,) in [0, 1)
    return (index.day_of_year.to_numpy() - 1 + np.asarray(time_of_day, dtype=float)) / days


def _is_monthly(index: pd.DatetimeIndex) -> bool:
    return bool(pd.Series(index).diff().dropna().median() >= _MONTHLY_STEP)


def year_fraction(index) -> np.ndarray:
    """The position of every row within its year, :math:`\\tau \\in [0, 1)`.

    Daily or finer rows: :math:`\\tau = (\\mathrm{day\\ of\\ year} - 1 + \\mathrm{time\\ of\\
    day}) / \\mathrm{days\\ in\\ the\\ year}`. Monthly or quarterly rows (median step of 28
    days or more): :math:`\\tau = (\\mathrm{month} - 1) / 12`, whatever day of the month
    the stamp names.

    Parameters
    ----------
    index : pandas.DatetimeIndex, shape (n,)

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    TypeError
        If ``index`` is not dates.
    ValueError
        If ``index`` has no usable calendar (see :func:`calendar_problem`).

    Examples
    --------
    >>> year_fraction(pd.date_range("2024-12-30", periods=3, freq="D"))  # 2024 is a leap year
    array([0.99453552, 0.99726776, 0.        ])
    >>> year_fraction(pd.date_range("2023-07-02 06:00", periods=2, freq="6h"))
    array([0.49931507, 0.5       ])
    >>> year_fraction(pd.date_range("2023-01-31", periods=3, freq="ME"))   # month ends
    array([0.        , 0.08333333, 0.16666667])
    """
    index = _check_index(index, "index")
    return _fraction(index, monthly=_is_monthly(index))


def calendar_features(index, *, prefix="year") -> pd.DataFrame:
    """Sine and cosine of the position within the year, one row per time stamp.

    .. math:: \\mathrm{sin} = \\sin(2\\pi\\tau), \\qquad \\mathrm{cos} = \\cos(2\\pi\\tau)

    Together they place each row on a circle, so 31 December and 1 January are
    neighbours; one of them alone could not tell spring from autumn.

    Parameters
    ----------
    index : pandas.DatetimeIndex, shape (n,)
    prefix : str, default "year"
        The columns are ``f"{prefix}_sin"`` and ``f"{prefix}_cos"``.

    Returns
    -------
    DataFrame, shape (n, 2)
        Indexed by ``index``, ready for ``frame.join(...)``.

    Raises
    ------
    TypeError
        If ``index`` is not dates or ``prefix`` is not a str.
    ValueError
        If ``index`` has no usable calendar; the message says why.

    Examples
    --------
    >>> days = pd.date_range("2023-01-01", periods=365, freq="D")
    >>> cal = calendar_features(days)
    >>> list(cal.columns), cal.shape
    (['year_sin', 'year_cos'], (365, 2))
    >>> bool(np.allclose(cal["year_sin"] ** 2 + cal["year_cos"] ** 2, 1))
    True
    """
    if not isinstance(prefix, str) or not prefix:
        raise TypeError(f"prefix must be a non-empty str, got {prefix!r}")
    tau = year_fraction(index)  # (n,)
    angle = 2 * np.pi * tau  # (n,)
    return pd.DataFrame(
        {f"{prefix}_sin": np.sin(angle), f"{prefix}_cos": np.cos(angle)}, index=index
    )


def fourier_terms(index, *, harmonics, prefix="year") -> pd.DataFrame:
    """Sines and cosines of the first ``harmonics`` multiples of the yearly angle.

    .. math:: \\sin(2\\pi k\\tau), \\ \\cos(2\\pi k\\tau), \\qquad k = 1, \\dots, K

    The regressors of a dynamic harmonic regression (Hyndman & Athanasopoulos, FPP3,
    section 10.5): with :math:`K` pairs a regression can follow any smooth yearly
    shape up to :math:`K` waves a year, where a seasonal ARIMA would need a lag of 365.
    The first pair is :func:`calendar_features`.

    Parameters
    ----------
    index : pandas.DatetimeIndex, shape (n,)
    harmonics : int, keyword-only
        :math:`K`, at least 1.
    prefix : str, default "year"
        The columns are ``f"{prefix}_sin{k}"`` and ``f"{prefix}_cos{k}"``.

    Returns
    -------
    DataFrame, shape (n, 2 * harmonics)
        Indexed by ``index``; sine and cosine of each ``k`` side by side.

    Raises
    ------
    TypeError
        If ``index`` is not dates, ``harmonics`` not an integer or ``prefix`` not a str.
    ValueError
        If ``index`` has no usable calendar, or ``harmonics`` < 1.

    Examples
    --------
    >>> days = pd.date_range("2023-01-01", periods=365, freq="D")
    >>> terms = fourier_terms(days, harmonics=2)
    >>> list(terms.columns)
    ['year_sin1', 'year_cos1', 'year_sin2', 'year_cos2']
    >>> bool(np.allclose(terms.iloc[:, :2].to_numpy(), calendar_features(days).to_numpy()))
    True
    """
    from helpers import _checks

    harmonics = _checks.integer(harmonics, "harmonics")
    if not isinstance(prefix, str) or not prefix:
        raise TypeError(f"prefix must be a non-empty str, got {prefix!r}")
    angle = 2 * np.pi * year_fraction(index)  # (n,)
    columns = {}
    for k in range(1, harmonics + 1):
        columns[f"{prefix}_sin{k}"] = np.sin(k * angle)
        columns[f"{prefix}_cos{k}"] = np.cos(k * angle)
    return pd.DataFrame(columns, index=index)


def join_calendar(frame):
    """The frame with :func:`calendar_features` joined when its dates allow, and which columns.

    The own-data switch of a lesson that gives its networks the calendar: on dated rows
    the two columns ``year_sin`` and ``year_cos`` are added; on a series without a usable
    calendar the frame comes back as it was, with the reason.

    Parameters
    ----------
    frame : DataFrame, shape (time, n_columns)
        Indexed by its time stamps (or by row numbers). Not modified.

    Returns
    -------
    frame : DataFrame
        A new frame, with ``year_sin`` and ``year_cos`` last when they were added.
    columns : list of str
        ``["year_sin", "year_cos"]``, or ``[]``.
    problem : str or None
        Why no calendar was added (:func:`calendar_problem`), or None.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If ``frame`` already has a column named ``year_sin`` or ``year_cos``.

    Examples
    --------
    >>> days = pd.DataFrame({"y": [1.0, 2.0]}, index=pd.date_range("2024-01-01", periods=2))
    >>> joined, columns, problem = join_calendar(days)
    >>> list(joined.columns), problem
    (['y', 'year_sin', 'year_cos'], None)
    >>> join_calendar(pd.DataFrame({"y": [1.0, 2.0]}))[1:]
    ([], 'the rows are numbered, not dated (no DatetimeIndex): there is no calendar to read')
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    problem = calendar_problem(frame.index)
    if problem is not None:
        return frame.copy(), [], problem
    calendar = calendar_features(frame.index)
    clash = [name for name in calendar.columns if name in frame.columns]
    if clash:
        raise ValueError(f"frame already has the calendar column(s) {clash}: rename them first")
    return frame.join(calendar), list(calendar.columns), None


def _day_of_leap_year(index: pd.DatetimeIndex, monthly: bool) -> np.ndarray:
    """Bins 0..365: the calendar date's day in a leap year, so 10 March is always day 69."""
    if monthly:
        return (index.month.to_numpy() - 1) * _DAYS // 12  # (n,) the month's place
    late = ~index.is_leap_year & (index.month.to_numpy() > 2)  # after a 28-day February
    return index.day_of_year.to_numpy() - 1 + late  # (n,)


def climatology_forecast(history, index, *, half_width=7):
    """Forecast each time stamp by the history's mean on the same days of the year.

    .. math:: \\hat y(t) = \\operatorname{mean}\\{\\, y_s : s \\in \\mathrm{history},\\;
              |d(s) - d(t)|_{\\circ} \\le w \\,\\}

    where :math:`d` is the calendar date's day of the year counted as in a leap year (so
    10 March is day 69 in every year; monthly rows use their month),
    :math:`|\\cdot|_{\\circ}` the distance around the year (31 December is next to
    1 January) and :math:`w` = ``half_width``. With a few years of history, a
    single day's mean rests on a few values; ``half_width`` days either side smooth
    it. Monthly rows sit about 30 days apart, so a ``half_width`` below 15 averages
    the same month of every year. A day of the year that no history row is near
    gets the history's overall mean.

    Parameters
    ----------
    history : pandas.Series
        Past values of the target, indexed by dates; no NaN.
    index : pandas.DatetimeIndex or array of datetime64, any shape
        The times to forecast, e.g. ``(n, horizon)`` target times.
    half_width : int, default 7
        Days either side of the same day of the year that are averaged, >= 0.

    Returns
    -------
    ndarray of float, the shape of ``index``

    Raises
    ------
    TypeError
        If ``history`` is not a pandas Series or ``half_width`` is not an integer.
    ValueError
        If ``history`` is empty or holds NaN, ``half_width`` < 0 or > 182, or either
        set of dates has no usable calendar.

    Examples
    --------
    >>> days = pd.date_range("2021-01-01", "2022-12-31", freq="D")
    >>> warm = pd.Series(np.where(days.month == 7, 20.0, 5.0), index=days)
    >>> climatology_forecast(warm, pd.DatetimeIndex(["2023-07-15", "2023-01-15"]), half_width=3)
    array([20.,  5.])
    """
    if not isinstance(history, pd.Series):
        raise TypeError(f"history must be a pandas Series indexed by dates, got {type(history)}")
    if isinstance(half_width, bool) or not isinstance(half_width, numbers.Integral):
        raise TypeError(f"half_width must be an integer number of days, got {half_width!r}")
    if not 0 <= half_width <= _DAYS // 2 - 1:
        raise ValueError(
            f"half_width must be between 0 and {_DAYS // 2 - 1} days, got {half_width}"
        )
    if len(history) == 0:
        raise ValueError("history holds no values: a climatology needs at least one past year")
    values = history.to_numpy(dtype=float)  # (n_history,)
    if not np.all(np.isfinite(values)):
        raise ValueError("history contains NaN or infinite values; fill or drop them first")
    past = _check_index(history.index, "history.index")
    times = np.asarray(index, dtype="datetime64[ns]")
    shape = times.shape
    future = pd.DatetimeIndex(times.ravel())  # (n,) one date is enough: no step to read here
    if future.hasnans:
        raise ValueError("index holds missing time stamps (NaT): every forecast needs a date")
    monthly = _is_monthly(past)  # the targets are placed as the history's rows are
    day_past, day_future = _day_of_leap_year(past, monthly), _day_of_leap_year(future, monthly)
    sums = np.bincount(day_past, weights=values, minlength=_DAYS)  # (366,)
    counts = np.bincount(day_past, minlength=_DAYS).astype(float)  # (366,)
    offsets = np.arange(-half_width, half_width + 1)  # (2w + 1,)
    near = (np.arange(_DAYS)[:, None] + offsets[None, :]) % _DAYS  # (366, 2w + 1) circular
    window_sum, window_count = sums[near].sum(axis=1), counts[near].sum(axis=1)  # (366,)
    means = np.full(_DAYS, values.mean())  # (366,) the overall mean where no history is near
    seen = window_count > 0
    means[seen] = window_sum[seen] / window_count[seen]
    return means[day_future].reshape(shape)
