"""Forecast accuracy metrics, a side-by-side report, and the rule for "is A really better than B?".

Conventions follow scikit-learn's ``sklearn.metrics``: the truth and the
forecast are positional (``y_true, y_pred``), options are keyword-only, names
ending in ``_error`` are lower-is-better and names ending in ``_score`` are
higher-is-better. Every public function validates its input once, in a private
``_check_*`` function, and then computes.

Shapes: ``y_true`` and ``y_pred`` are ``(n,)`` (one value per forecast point)
or ``(n, horizon)`` (one row per forecast origin, one column per step ahead, as
the windows of :func:`helpers.data.make_windows` produce). Two-dimensional
targets are scored column by column and averaged, like scikit-learn's
``multioutput="uniform_average"``; ``multioutput="raw_values"`` returns one
score per column instead. ``(n,)`` against ``(n, 1)`` is accepted (a Keras
model predicts ``(n, 1)``); any other shape difference is an error, never a
silent broadcast.

Where scikit-learn has the metric (MSE, RMSE, MAE, R², MAPE) this module calls
it after its own checks; sMAPE, MASE and RMSSE, which scikit-learn lacks, are
written here from their competition definitions (M4 and M5) and tested against
hand-computed values.

One name per metric: the scikit-learn-style long name. For the lessons'
formulas seven shorthands name the same functions (``mse``, ``rmse``, ``mae``,
``mape``, ``smape``, ``mase``, ``rmsse``; ``metrics.mae is
metrics.mean_absolute_error``), defined together at the end of the metrics
and nowhere else.

Whether one forecast beats another is decided by one paired rule,
:func:`compare_forecasts` (Diebold-Mariano with its interval), which lives in
:mod:`helpers.comparison` and is re-exported here with :func:`compare_scores` and
:func:`diebold_mariano_test`.

This module imports NumPy, pandas, SciPy and scikit-learn only, never
TensorFlow.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from helpers import _checks, baselines
from helpers.comparison import (  # re-exported: metrics.compare_forecasts
    DieboldMarianoResult,
    ForecastComparison,
    compare_forecasts,
    compare_scores,
    diebold_mariano_test,
)

__all__ = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "mean_absolute_percentage_error",
    "symmetric_mean_absolute_percentage_error",
    "mean_absolute_scaled_error",
    "root_mean_squared_scaled_error",
    "naive_scale",
    "forecast_report",
    "lagged_correlation",
    # re-exported from helpers.comparison: the course's one rule for "A beats B"
    "compare_forecasts",
    "compare_scores",
    "ForecastComparison",
    "DieboldMarianoResult",
    "diebold_mariano_test",
    # re-exported from helpers.walk_forward (see __getattr__ below)
    "rolling_origin_evaluation",  # noqa: F822
    # shorthands: the same functions under the names the lessons' formulas use
    "mse",
    "rmse",
    "mae",
    "mape",
    "smape",
    "mase",
    "rmsse",
]

_MULTIOUTPUT = ("uniform_average", "raw_values")


# --------------------------------------------------------------------------- checks


def _as_float_array(values, name: str) -> np.ndarray:
    """Return ``values`` as a float array without modifying it; TypeError if not numeric."""
    return _checks.real_array(values, name).astype(float, copy=False)


def _check_targets(y_true, y_pred, multioutput="uniform_average", *, names=("y_true", "y_pred")):
    """Validate a truth/forecast pair; return both as float arrays of shape (n, k)."""
    if multioutput not in _MULTIOUTPUT:
        raise ValueError(f"multioutput must be one of {_MULTIOUTPUT}, got {multioutput!r}")
    return _checks.forecast_pair(y_true, y_pred, names=names)


def _check_y_train(y_train, m) -> tuple[np.ndarray, int]:
    """Validate the training series and seasonal period used to scale MASE and RMSSE."""
    m = _checks.integer(m, "m")
    y_train = _checks.series(
        y_train,
        "y_train",
        min_length=m + 1,
        why=f" (longer than the seasonal period m={m}, to have an in-sample naive error)",
    )
    if np.all(y_train[m:] == y_train[:-m]):
        raise ValueError(
            f"y_train is flat at lag m={m} (every y_train[t] equals y_train[t-{m}]), so the "
            "in-sample naive error is 0 and the scaled error would divide by zero"
        )
    return y_train, m


def _reduce(per_column: np.ndarray, multioutput: str):
    if multioutput == "raw_values":
        return per_column
    return float(np.mean(per_column))


# ------------------------------------------------------------ scikit-learn's metrics


def _sklearn(metric, y_true, y_pred, multioutput):
    """Check once, then score each column with scikit-learn's ``metric`` and combine."""
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    return _reduce(metric(y_true, y_pred, multioutput="raw_values"), multioutput)


def mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean squared error, :math:`\frac{1}{n}\sum_t (y_t - \hat y_t)^2` (squared units).

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n,) or (n, horizon)
        Observed values and forecasts of the same points.
    multioutput : {"uniform_average", "raw_values"}, keyword-only
        How to combine the columns of 2-D targets.

    Returns
    -------
    float, or ndarray of shape (horizon,) with ``multioutput="raw_values"``

    Raises
    ------
    ValueError
        On different shapes, no values, NaN or inf.
    TypeError
        If an input is not numeric.

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])  # (0 + 1 + 4) / 3
    1.6666666666666667
    """
    return _sklearn(skm.mean_squared_error, y_true, y_pred, multioutput)


def root_mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Root mean squared error, :math:`\sqrt{\frac{1}{n}\sum_t (y_t - \hat y_t)^2}` (data units).

    Parameters, returns and errors as :func:`mean_squared_error`. With 2-D
    targets the root is taken per column, then averaged (as scikit-learn).
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) in; a float out, or
    shape (horizon,) with ``multioutput="raw_values"``.

    Examples
    --------
    >>> root_mean_squared_error([0.0, 0.0], [3.0, -3.0])
    3.0
    """
    return _sklearn(skm.root_mean_squared_error, y_true, y_pred, multioutput)


def mean_absolute_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean absolute error, :math:`\frac{1}{n}\sum_t |y_t - \hat y_t|` (data units).

    Parameters, returns and errors as :func:`mean_squared_error`.
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) in; a float out, or
    shape (horizon,) with ``multioutput="raw_values"``.

    Examples
    --------
    >>> mean_absolute_error([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])  # (0 + 1 + 2) / 3
    1.0
    """
    return _sklearn(skm.mean_absolute_error, y_true, y_pred, multioutput)


def r2_score(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Coefficient of determination, :math:`1 - \sum_t (y_t-\hat y_t)^2 / \sum_t (y_t-\bar y)^2`.

    Higher is better; 1 is perfect, 0 is as good as predicting the mean of
    ``y_true`` (which a forecaster could not know), and it can be negative.
    Parameters and returns as :func:`mean_squared_error`.
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) in; a float out, or
    shape (horizon,) with ``multioutput="raw_values"``.

    Raises
    ------
    ValueError
        As :func:`mean_squared_error`, and when there are fewer than two values
        (R² is undefined; scikit-learn would warn and return NaN).

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])  # 1 - 1 / 2
    0.5
    """
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    if y_true.shape[0] < 2:
        raise ValueError(f"r2_score needs at least 2 values, got {y_true.shape[0]}")
    return _reduce(skm.r2_score(y_true, y_pred, multioutput="raw_values"), multioutput)


def mean_absolute_percentage_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean absolute percentage error, :math:`\frac{1}{n}\sum_t |y_t-\hat y_t|/|y_t|`.

    A fraction, like scikit-learn (0.05 means 5 %), not a percentage.

    Parameters, returns and other errors as :func:`mean_squared_error`.
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) in; a float out, or
    shape (horizon,) with ``multioutput="raw_values"``.

    Raises
    ------
    ValueError
        If ``y_true`` contains a 0, where the percentage error is undefined
        (scikit-learn instead divides by machine epsilon and returns an
        enormous number). Use :func:`mean_absolute_scaled_error` there.

    Examples
    --------
    >>> mean_absolute_percentage_error([100.0, 200.0], [110.0, 180.0])  # (0.1 + 0.1) / 2
    0.1
    """
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    zeros = np.argwhere(y_true == 0)
    if zeros.size:
        raise ValueError(
            "mean_absolute_percentage_error is undefined when y_true contains 0, got "
            f"{len(zeros)} zero(s) (the first at row {int(zeros[0][0])}); use "
            "mean_absolute_scaled_error or symmetric_mean_absolute_percentage_error instead"
        )
    return _reduce(
        skm.mean_absolute_percentage_error(y_true, y_pred, multioutput="raw_values"), multioutput
    )


# ------------------------------------------------- competition metrics, by hand


def symmetric_mean_absolute_percentage_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Symmetric MAPE in percent, on the 0..200 scale of the M4 competition.

    .. math:: \mathrm{sMAPE} = \frac{200}{h}\sum_{t=1}^{h}
              \frac{|y_t - \hat y_t|}{|y_t| + |\hat y_t|}

    as defined in Makridakis, Spiliotis & Assimakopoulos (2020), "The M4
    Competition: 100,000 time series and 61 forecasting methods",
    *International Journal of Forecasting* 36(1), 54-74. 0 is perfect, 200 is
    the worst (forecast and truth of opposite sign, or one of them 0).

    Parameters, returns and other errors as :func:`mean_squared_error`.
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) in; a float out, or
    shape (horizon,) with ``multioutput="raw_values"``.

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` are both 0 at some point (the ratio is 0/0).

    Examples
    --------
    >>> # 200/2 * (10/210 + 10/190)
    >>> symmetric_mean_absolute_percentage_error([100.0, 100.0], [110.0, 90.0])
    10.025062656641603
    """
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    denominator = np.abs(y_true) + np.abs(y_pred)  # (n, k)
    zeros = np.argwhere(denominator == 0)
    if zeros.size:
        raise ValueError(
            "symmetric_mean_absolute_percentage_error is undefined where y_true and y_pred "
            f"are both 0, got {len(zeros)} such point(s) (the first at row {int(zeros[0][0])})"
        )
    per_column = 200.0 * np.mean(np.abs(y_true - y_pred) / denominator, axis=0)  # (k,)
    return _reduce(per_column, multioutput)


def naive_scale(y_train, *, m=1, squared=False) -> float:
    r"""In-sample error of the (seasonal) naive forecast: the denominator of MASE and RMSSE.

    .. math:: s_1 = \frac{1}{n-m}\sum_{t=m+1}^{n} |y_t - y_{t-m}|, \qquad
              s_2 = \frac{1}{n-m}\sum_{t=m+1}^{n} (y_t - y_{t-m})^2

    Parameters
    ----------
    y_train : array-like, shape (n,)
        The training series, in time order.
    m : int, keyword-only
        Seasonal period; 1 is the plain naive forecast (repeat the last value).
    squared : bool, keyword-only
        Return the mean squared difference :math:`s_2` (RMSSE) instead of the
        mean absolute difference :math:`s_1` (MASE).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``y_train`` is not 1-D, is not longer than ``m``, contains NaN or
        inf, or is flat at lag ``m`` (the scale would be 0).
    TypeError
        If ``m`` is not an integer.

    Examples
    --------
    >>> naive_scale([1.0, 3.0, 2.0, 6.0])  # (2 + 1 + 4) / 3
    2.3333333333333335
    """
    y_train, m = _check_y_train(y_train, m)
    differences = y_train[m:] - y_train[:-m]  # (n - m,)
    return float(np.mean(differences**2 if squared else np.abs(differences)))


def mean_absolute_scaled_error(y_true, y_pred, *, y_train, m=1, multioutput="uniform_average"):
    r"""Mean absolute scaled error (MASE), as scored in the M4 competition.

    .. math:: \mathrm{MASE} = \frac{\frac{1}{h}\sum_{t=1}^{h} |y_t - \hat y_t|}
              {\frac{1}{n-m}\sum_{t=m+1}^{n} |y_t - y_{t-m}|}

    The forecast's MAE divided by the in-sample MAE of the seasonal naive
    forecast on the training series ``y_train`` (Hyndman & Koehler (2006),
    "Another look at measures of forecast accuracy", *International Journal of
    Forecasting* 22(4), 679-688; used in the M4 competition, Makridakis et al.
    2020). Unit-free; below 1 means smaller errors than the naive forecast made
    *in sample*, one step ahead. It is not a test-set comparison with the
    naive forecast: a multi-step naive forecast usually scores above 1.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n,) or (n, horizon)
    y_train : array-like, shape (n_train,), keyword-only
        The training series the forecaster was fitted on, in time order.
    m : int, keyword-only
        Seasonal period of the naive forecast in the denominator (12 for
        monthly data with a yearly season; 1 for none).
    multioutput : {"uniform_average", "raw_values"}, keyword-only

    Returns
    -------
    float, or ndarray of shape (horizon,) with ``multioutput="raw_values"``

    Raises
    ------
    ValueError
        On different shapes, NaN or inf, a ``y_train`` no longer than ``m``, or
        a ``y_train`` flat at lag ``m`` (division by zero).
    TypeError
        If an input is not numeric or ``m`` is not an integer.

    Examples
    --------
    >>> # MAE 1, divided by the naive scale (2 + 1 + 4) / 3 = 7/3
    >>> mean_absolute_scaled_error([5.0, 7.0], [6.0, 6.0], y_train=[1.0, 3.0, 2.0, 6.0])
    0.42857142857142855
    """
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    scale = naive_scale(y_train, m=m)
    per_column = np.mean(np.abs(y_true - y_pred), axis=0) / scale  # (k,)
    return _reduce(per_column, multioutput)


def root_mean_squared_scaled_error(y_true, y_pred, *, y_train, m=1, multioutput="uniform_average"):
    r"""Root mean squared scaled error (RMSSE), the M5 competition's accuracy measure.

    .. math:: \mathrm{RMSSE} = \sqrt{\frac{\frac{1}{h}\sum_{t=1}^{h} (y_t - \hat y_t)^2}
              {\frac{1}{n-m}\sum_{t=m+1}^{n} (y_t - y_{t-m})^2}}

    Makridakis, Spiliotis & Assimakopoulos (2022), "M5 accuracy competition:
    Results, findings, and conclusions", *International Journal of
    Forecasting* 38(4), 1346-1364, with m = 1; ``m`` > 1 uses the seasonal
    naive forecast in the denominator, as MASE does.

    Parameters, returns and errors as :func:`mean_absolute_scaled_error`.
    Shapes: ``y_true``, ``y_pred`` (n,) or (n, horizon) and ``y_train``
    (n_train,) in; a float out, or shape (horizon,) with ``multioutput="raw_values"``.

    Examples
    --------
    >>> # sqrt(1 / ((4 + 1 + 16) / 3))
    >>> root_mean_squared_scaled_error([5.0, 7.0], [6.0, 6.0], y_train=[1.0, 3.0, 2.0, 6.0])
    0.3779644730092272
    """
    y_true, y_pred = _check_targets(y_true, y_pred, multioutput)
    scale = naive_scale(y_train, m=m, squared=True)
    per_column = np.sqrt(np.mean((y_true - y_pred) ** 2, axis=0) / scale)  # (k,)
    return _reduce(per_column, multioutput)


# Shorthands, as the lessons' formulas write them: the same functions, not copies.
# (The only other names of the metrics; the module docstring lists them.)
mse = mean_squared_error
rmse = root_mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
smape = symmetric_mean_absolute_percentage_error
mase = mean_absolute_scaled_error
rmsse = root_mean_squared_scaled_error


# --------------------------------------------------------------------------- report


def _naive_rows(y_true: np.ndarray, y_train: np.ndarray, m: int, one_step: bool) -> dict:
    """The naive (and, for ``m`` > 1, seasonal naive) forecasts of ``y_true``, from baselines."""
    h = y_true.size
    forecasters = {"naive": baselines.naive_forecast}
    if m > 1:
        forecasters["seasonal naive"] = functools.partial(baselines.seasonal_naive_forecast, m=m)
    if not one_step:  # one forecast of h steps from the end of y_train
        return {name: forecast(y_train, h) for name, forecast in forecasters.items()}
    # Each point forecast one step ahead from the true values before it.
    history = np.concatenate([y_train, y_true])  # (n_train + h,)
    n = y_train.size
    return {
        name: np.concatenate([forecast(history[: n + t], 1) for t in range(h)])
        for name, forecast in forecasters.items()
    }


def _scores(y_true, y_pred, y_train, m) -> dict:
    """Every metric of one 1-D forecast; MAPE / sMAPE are NaN where undefined."""
    mape_value = (
        float("nan") if np.any(y_true == 0) else mean_absolute_percentage_error(y_true, y_pred)
    )
    smape_value = (
        float("nan")
        if np.any(np.abs(y_true) + np.abs(y_pred) == 0)
        else symmetric_mean_absolute_percentage_error(y_true, y_pred)
    )
    return {
        "MASE": mean_absolute_scaled_error(y_true, y_pred, y_train=y_train, m=m),
        "RMSSE": root_mean_squared_scaled_error(y_true, y_pred, y_train=y_train, m=m),
        "MAE": mean_absolute_error(y_true, y_pred),
        "RMSE": root_mean_squared_error(y_true, y_pred),
        "MSE": mean_squared_error(y_true, y_pred),
        "MAPE": mape_value,
        "sMAPE": smape_value,
        "R2": r2_score(y_true, y_pred) if y_true.size >= 2 else float("nan"),
    }


def forecast_report(y_true, forecasts: Mapping, *, y_train, m=1, one_step=False) -> pd.DataFrame:
    """Score several forecasts of the same points side by side, always with the naive rows.

    Parameters
    ----------
    y_true : array-like, shape (h,)
        The observed values, which follow ``y_train`` directly in time.
    forecasts : mapping of str to array-like, each shape (h,)
        Model name -> its forecast of the ``h`` points. A ``"naive"`` or
        ``"seasonal naive"`` entry is used as given; missing ones are computed.
    y_train : array-like, shape (n_train,), keyword-only
        The training series; scales MASE and RMSSE and feeds the naive rows.
    m : int, keyword-only
        Seasonal period (for MASE, RMSSE and the "seasonal naive" row, which is
        added when ``m`` > 1).
    one_step : bool, keyword-only
        How the naive rows forecast. False (default): one forecast of ``h``
        steps made at the end of ``y_train`` (naive = last training value
        repeated; seasonal naive = last season of ``y_train`` repeated), the
        fair comparison for a multi-step forecast. True: each point forecast
        one step ahead from the true values before it (naive = previous true
        value), the fair comparison for a one-step-ahead forecaster.

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns MASE, RMSSE, MAE, RMSE, MSE, MAPE (fraction),
        sMAPE (percent, 0..200), R2; sorted by MASE, best first. MAPE is NaN
        when ``y_true`` contains a 0, sMAPE where truth and forecast are both 0.

    Raises
    ------
    ValueError
        If ``y_true`` is not 1-D, a forecast has a different length, values
        are NaN or inf, or ``y_train`` is too short or flat for MASE.
    TypeError
        If ``forecasts`` is not a mapping or an input is not numeric.

    Examples
    --------
    >>> report = forecast_report([4.0, 5.0], {"guess": [4.0, 4.0]}, y_train=[1.0, 2.0, 3.0])
    >>> list(report.index)
    ['guess', 'naive']
    >>> float(report.loc["naive", "MAE"])  # naive repeats 3.0: (|4-3| + |5-3|) / 2
    1.5
    """
    if not isinstance(forecasts, Mapping):
        raise TypeError(
            "forecasts must be a mapping of model name to forecast array, "
            f"got {type(forecasts).__name__}"
        )
    y_true = _as_float_array(y_true, "y_true")
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be 1-D (h,), got shape {y_true.shape}")
    y_train, m = _check_y_train(y_train, m)
    _checks.finite(y_true, "y_true")
    rows = {}
    for name, y_pred in forecasts.items():
        y_pred = _as_float_array(y_pred, f"forecasts[{name!r}]")
        if y_pred.shape != y_true.shape:
            raise ValueError(
                f"forecasts[{name!r}] must have the shape of y_true {y_true.shape}, "
                f"got {y_pred.shape}"
            )
        _checks.finite(y_pred, f"forecasts[{name!r}]")
        rows[str(name)] = y_pred
    for name, y_pred in _naive_rows(y_true, y_train, m, one_step).items():
        rows.setdefault(name, y_pred)
    table = pd.DataFrame.from_dict(
        {name: _scores(y_true, y_pred, y_train, m) for name, y_pred in rows.items()},
        orient="index",
    )
    table.index.name = "model"
    return table.sort_values("MASE", kind="stable")


# ----------------------------------------------------------------- the lag trap


def lagged_correlation(y_true, y_pred, *, max_lag=3) -> np.ndarray:
    r"""Correlation of the forecast with the truth ``k`` steps earlier, for k = 0..max_lag.

    .. math:: r_k = \operatorname{corr}(\hat y_t,\ y_{t-k})

    A forecast that mostly copies the last observed value follows the truth
    one step late: its :math:`r_1` is larger than its :math:`r_0`. A peak at
    ``k`` = 1 is the signature of the lag trap.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n,)
        Truth and one-step-ahead forecast of the same points, in time order.
    max_lag : int, keyword-only
        Largest lag; needs ``n - max_lag >= 3`` pairs.

    Returns
    -------
    ndarray, shape (max_lag + 1,)
        ``r[k]``, Pearson correlation of ``y_pred[k:]`` with ``y_true[:n-k]``.

    Raises
    ------
    ValueError
        On different shapes, NaN or inf, too short a series, or a constant
        stretch (its correlation is undefined).

    Examples
    --------
    >>> y = [0.0, 1.0, 0.0, 2.0, 1.0, 3.0]
    >>> copy = [0.0, 0.0, 1.0, 0.0, 2.0, 1.0]  # the previous true value
    >>> int(np.argmax(lagged_correlation(y, copy, max_lag=2)))
    1
    """
    max_lag = _checks.integer(max_lag, "max_lag", minimum=0)
    y_true, y_pred = _check_targets(y_true, y_pred)
    if y_true.shape[1] != 1:
        raise ValueError(f"y_true must be 1-D (n,), got shape {y_true.shape}")
    y_true, y_pred = y_true[:, 0], y_pred[:, 0]
    n = y_true.size
    if n - max_lag < 3:
        raise ValueError(
            f"max_lag must leave at least 3 pairs, got max_lag={max_lag} for {n} values"
        )
    r = np.empty(max_lag + 1)
    for k in range(max_lag + 1):
        a, b = y_pred[k:], y_true[: n - k]
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            raise ValueError(f"the correlation at lag {k} is undefined: one side is constant")
        r[k] = np.corrcoef(a, b)[0, 1]
    return r


def __getattr__(name):
    """``metrics.rolling_origin_evaluation``: the cross-validation engine lives in walk_forward.

    Imported on first use, since :mod:`helpers.walk_forward` itself imports this module.
    """
    if name == "rolling_origin_evaluation":
        from helpers.walk_forward import rolling_origin_evaluation

        return rolling_origin_evaluation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
