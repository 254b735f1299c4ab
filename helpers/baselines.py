"""Baseline forecasters every model must be compared with.

Each function takes the training series ``y_train`` (shape ``(n,)``, in time
order) and a ``horizon`` ``h``, and returns the forecast of the next ``h``
values as a float array of shape ``(h,)``, made from the end of ``y_train``
(one origin, several steps ahead). They share the signature
``f(y_train, horizon)`` that :func:`helpers.metrics.rolling_origin_evaluation`
expects (use ``functools.partial`` for the keyword options).

The four simple methods are those of Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice* (3rd ed., 2021), section 5.2. The two classical
models are thin wrappers around statsmodels: they convert the input to a plain
NumPy array (so statsmodels never warns about a date index without a
frequency), fit, and return the point forecast; everything else is
statsmodels' own behaviour.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from helpers import _checks

__all__ = [
    "mean_forecast",
    "naive_forecast",
    "seasonal_naive_forecast",
    "seasonal_naive_at_origins",
    "drift_forecast",
    "simple_forecasts",
    "exponential_smoothing_forecast",
    "sarima_forecast",
]


def _check_series(y_train, horizon, *, min_length: int = 1, why: str = ""):
    """Validate a training series and a horizon; return a new float array (n,) and int h."""
    horizon = _checks.integer(horizon, "horizon")
    y = _checks.series(y_train, "y_train", min_length=min_length, why=why)
    return y, horizon


def mean_forecast(y_train, horizon):
    r"""Forecast every future value by the mean of the training series.

    .. math:: \hat y_{n+k} = \bar y = \frac{1}{n}\sum_{t=1}^{n} y_t

    Parameters
    ----------
    y_train : array-like, shape (n,)
    horizon : int

    Returns
    -------
    ndarray, shape (horizon,)

    Raises
    ------
    ValueError
        If ``y_train`` is empty, not 1-D or not finite, or ``horizon`` < 1.
    TypeError
        If ``horizon`` is not an integer or ``y_train`` is not numeric.

    Examples
    --------
    >>> mean_forecast([1.0, 2.0, 6.0], 2)
    array([3., 3.])
    """
    y, horizon = _check_series(y_train, horizon)
    return np.full(horizon, y.mean())


def naive_forecast(y_train, horizon):
    r"""Repeat the last observed value (the random-walk forecast).

    .. math:: \hat y_{n+k} = y_n

    Parameters
    ----------
    y_train : array-like, shape (n,)
        Not modified.
    horizon : int
        Number of steps to forecast, >= 1.

    Returns
    -------
    ndarray, shape (horizon,)
        ``y_train[-1]``, repeated.

    Raises
    ------
    ValueError
        If ``y_train`` is empty, not 1-D or not finite, or ``horizon`` < 1.
    TypeError
        If ``horizon`` is not an integer or ``y_train`` is not numeric.

    Examples
    --------
    >>> naive_forecast([1.0, 2.0, 6.0], 2)
    array([6., 6.])
    """
    y, horizon = _check_series(y_train, horizon)
    return np.full(horizon, y[-1])


def seasonal_naive_forecast(y_train, horizon, *, m):
    r"""Repeat the last observed season.

    .. math:: \hat y_{n+k} = y_{n+k-m(\lfloor (k-1)/m \rfloor + 1)}

    Parameters
    ----------
    y_train : array-like, shape (n,) with n >= m
    horizon : int
    m : int, keyword-only
        Seasonal period (12 for monthly data with a yearly season).

    Returns
    -------
    ndarray, shape (horizon,)

    Raises
    ------
    ValueError
        As :func:`mean_forecast`, or if ``y_train`` is shorter than one season.
    TypeError
        If ``horizon`` or ``m`` is not an integer.

    Examples
    --------
    >>> seasonal_naive_forecast([1.0, 2.0, 3.0, 4.0, 5.0], 5, m=2)  # last season: 4, 5
    array([4., 5., 4., 5., 4.])
    """
    m = _checks.integer(m, "m")
    y, horizon = _check_series(y_train, horizon, min_length=m, why=f" (one season, m={m})")
    k = np.arange(1, horizon + 1)  # steps ahead, (horizon,)
    return y[y.size - 1 + k - m * ((k - 1) // m + 1)]


def seasonal_naive_at_origins(values, origins, horizon, *, m):
    r"""The seasonal naive forecast made at many origins of one series, each from its past only.

    Row ``i`` is ``seasonal_naive_forecast(values[:origins[i]], horizon, m=m)``: the
    forecast of ``values[origins[i]]`` and the ``horizon - 1`` values after it, made
    from the values before ``origins[i]``. The TensorFlow time-series tutorial's
    ``RepeatBaseline`` is this forecast with ``m`` equal to its window.

    Parameters
    ----------
    values : array-like, shape (time,)
        The whole series, oldest first. Not modified.
    origins : array-like of int, shape (n_origins,)
        The row of each forecast's first target (``Windows.first_target`` of
        :func:`helpers.data.split_windows`), each at least ``m``.
    horizon : int
    m : int, keyword-only
        Seasonal period.

    Returns
    -------
    ndarray, shape (n_origins, horizon)

    Raises
    ------
    ValueError
        If ``values`` is not a finite 1-D series, ``origins`` is empty, an origin is
        before row ``m`` (less than one season of past) or after the series' end, or
        ``horizon`` < 1.
    TypeError
        If ``horizon``, ``m`` or an origin is not an integer.

    Examples
    --------
    >>> y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> seasonal_naive_at_origins(y, [2, 4], 3, m=2)  # from (1, 2), then from (3, 4)
    array([[1., 2., 1.],
           [3., 4., 3.]])
    >>> seasonal_naive_at_origins(y, [4], 3, m=2)[0] == seasonal_naive_forecast(y[:4], 3, m=2)
    array([ True,  True,  True])
    """
    m = _checks.integer(m, "m")
    horizon = _checks.integer(horizon, "horizon")
    y = _checks.series(values, "values", min_length=m, why=f" (one season, m={m})")
    rows = np.array(_checks.integers(origins, "origins", minimum=m))  # (n_origins,)
    if rows.max() > y.size:
        raise ValueError(
            f"origins must lie within the series (at most {y.size}, its length), got {rows.max()}"
        )
    k = np.arange(1, horizon + 1)  # steps ahead, (horizon,)
    return y[rows[:, None] - 1 + k - m * ((k - 1) // m + 1)]  # (n_origins, horizon)


def drift_forecast(y_train, horizon):
    r"""Extend the straight line from the first to the last observation.

    .. math:: \hat y_{n+k} = y_n + k\,\frac{y_n - y_1}{n - 1}

    Parameters
    ----------
    y_train : array-like, shape (n,) with n >= 2
        Not modified.
    horizon : int
        Number of steps to forecast, >= 1.

    Returns
    -------
    ndarray, shape (horizon,)
        The forecasts for steps ``1 .. horizon`` after the last value.

    Raises
    ------
    ValueError
        If ``y_train`` has fewer than 2 values, is not 1-D or not finite, or
        ``horizon`` < 1.
    TypeError
        If ``horizon`` is not an integer or ``y_train`` is not numeric.

    Examples
    --------
    >>> drift_forecast([1.0, 2.0, 5.0], 2)  # slope (5 - 1) / 2 = 2
    array([7., 9.])
    """
    y, horizon = _check_series(y_train, horizon, min_length=2, why=" (for a slope)")
    slope = (y[-1] - y[0]) / (y.size - 1)
    return y[-1] + slope * np.arange(1, horizon + 1)


def simple_forecasts(y_train, horizon, *, m=1):
    """The four simple baselines at once, ready for :func:`helpers.metrics.forecast_report`.

    Parameters
    ----------
    y_train : array-like, shape (n,)
    horizon : int
    m : int, keyword-only
        Seasonal period; the "seasonal naive" entry is included when ``m`` > 1.

    Returns
    -------
    dict of str to ndarray of shape (horizon,)
        Keys "mean", "naive", "seasonal naive" (``m`` > 1 only) and "drift".

    Raises
    ------
    ValueError, TypeError
        As the individual forecasters.

    Examples
    --------
    >>> sorted(simple_forecasts([1.0, 2.0, 3.0, 4.0], 3, m=2))
    ['drift', 'mean', 'naive', 'seasonal naive']
    """
    m = _checks.integer(m, "m")
    forecasts = {"mean": mean_forecast(y_train, horizon), "naive": naive_forecast(y_train, horizon)}
    if m > 1:
        forecasts["seasonal naive"] = seasonal_naive_forecast(y_train, horizon, m=m)
    forecasts["drift"] = drift_forecast(y_train, horizon)
    return forecasts


def exponential_smoothing_forecast(
    y_train, horizon, *, trend=None, damped_trend=False, seasonal=None, m=None
):
    """Holt-Winters exponential smoothing (statsmodels ``ExponentialSmoothing``), fitted and run.

    Equivalent to::

        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        ExponentialSmoothing(y_train, trend=trend, damped_trend=damped_trend,
                             seasonal=seasonal, seasonal_periods=m,
                             initialization_method="estimated").fit().forecast(horizon)

    The smoothing parameters and initial states are estimated by least
    squares. Its point forecasts are those of the ETS models with the same
    trend and season (Hyndman & Athanasopoulos, FPP3, chapter 8).

    Parameters
    ----------
    y_train : array-like, shape (n,)
    horizon : int
    trend : {None, "add", "mul"}, keyword-only
    damped_trend : bool, keyword-only
    seasonal : {None, "add", "mul"}, keyword-only
        "mul" needs a strictly positive series.
    m : int, keyword-only
        Seasonal period; required when ``seasonal`` is set.

    Returns
    -------
    ndarray, shape (horizon,)

    Raises
    ------
    ValueError
        As :func:`mean_forecast`; if ``seasonal`` is set without ``m``; and
        statsmodels' own ValueError for a series it cannot fit (for example a
        multiplicative model of a series with zeros).
    TypeError
        If ``horizon`` or ``m`` is not an integer.

    Examples
    --------
    >>> y = 10.0 + np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> exponential_smoothing_forecast(y, 4, seasonal="add", m=4).round(1)
    array([11.,  9., 12.,  8.])
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y, horizon = _check_series(y_train, horizon, min_length=2)
    if seasonal is not None:
        if m is None:
            raise ValueError(f"m (the seasonal period) is required with seasonal={seasonal!r}")
        m = _checks.integer(m, "m", minimum=2)
    elif m is not None:
        m = _checks.integer(m, "m")
    model = ExponentialSmoothing(
        y,
        trend=trend,
        damped_trend=damped_trend,
        seasonal=seasonal,
        seasonal_periods=m if seasonal is not None else None,
        initialization_method="estimated",
    )
    with threadpool_limits(limits=1, user_api="blas"):  # see sarima_forecast: faster
        fitted = model.fit()
    return np.asarray(fitted.forecast(horizon), dtype=float)


def sarima_forecast(y_train, horizon, *, order, seasonal_order=(0, 0, 0, 0), trend=None):
    """Seasonal ARIMA (statsmodels ``SARIMAX`` without exogenous inputs), fitted and run.

    Equivalent to::

        from statsmodels.tsa.statespace.sarimax import SARIMAX
        SARIMAX(y_train, order=order, seasonal_order=seasonal_order,
                trend=trend).fit(disp=False).forecast(horizon)

    Fitted by maximum likelihood. The "airline model" of Box & Jenkins is
    ``order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)`` on the logarithm of a
    monthly series: take ``np.log`` before and ``np.exp`` after.

    Parameters
    ----------
    y_train : array-like, shape (n,)
    horizon : int
    order : tuple of 3 int, keyword-only
        (p, d, q): autoregressive order, differences, moving-average order.
    seasonal_order : tuple of 4 int, keyword-only
        (P, D, Q, s), with s the seasonal period; (0, 0, 0, 0) for none.
    trend : {None, "n", "c", "t", "ct"}, keyword-only
        Deterministic trend, as statsmodels.

    Returns
    -------
    ndarray, shape (horizon,)

    Raises
    ------
    ValueError
        As :func:`mean_forecast`, or if ``order`` / ``seasonal_order`` are not
        tuples of 3 / 4 non-negative integers.
    TypeError
        If ``horizon`` is not an integer.

    Examples
    --------
    >>> y = np.cumsum(np.tile([1.0, 0.5, 1.5, 1.0], 8))  # steps of mean 1, ends at 32
    >>> sarima_forecast(y, 3, order=(0, 1, 0), trend="c").round(3)  # random walk + drift
    array([33., 34., 35.])
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y, horizon = _check_series(y_train, horizon, min_length=3)
    for name, value, size in (("order", order, 3), ("seasonal_order", seasonal_order, 4)):
        if (
            not isinstance(value, (tuple, list))
            or len(value) != size
            or not all(_checks.is_integer(v) and v >= 0 for v in value)
        ):
            raise ValueError(
                f"{name} must be a tuple of {size} non-negative integers, got {value!r}"
            )
    model = SARIMAX(y, order=tuple(order), seasonal_order=tuple(seasonal_order), trend=trend)
    # The Kalman filter multiplies matrices of a few rows hundreds of times; BLAS threads
    # only add hand-over costs there, and on a busy 2-core machine they made the fit ten
    # times slower (measured: 0.4 s with one thread against 4 s with two). The same holds
    # for the exponential smoothing fit (0.06 s against 0.4 s).
    with threadpool_limits(limits=1, user_api="blas"):
        fitted = model.fit(disp=False)
    return np.asarray(fitted.forecast(horizon), dtype=float)
