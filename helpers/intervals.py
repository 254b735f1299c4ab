"""Score forecast intervals and build split-conformal ones (NumPy only, no TensorFlow).

A forecast interval ``[lower, upper]`` with nominal ``coverage`` (0.8 for an
80 % interval) should hold the truth that often, and be as narrow as it can
while doing so. These functions measure and build such intervals:

- :func:`pinball_loss`: the loss a quantile forecast minimises;
- :func:`interval_coverage`: how often the truth fell inside;
- :func:`interval_scores` and their mean :func:`interval_score`: width plus a penalty
  for every miss (lower is better), per point or on average;
- :func:`conformal_interval`: ``y_pred +- q`` with ``q`` taken from held-out residuals;
- :func:`rolling_conformal_interval`: the same with ``q`` from the latest residuals
  before each point, as a forecaster running every day would recompute it.

Every function takes arrays of any matching shape, e.g. ``(n,)`` one-step
forecasts or ``(n, horizon)`` multi-step ones, checks them once with
``helpers._checks`` (the package's one wording per fault) and leaves them
unmodified.
"""

from __future__ import annotations

import math

import numpy as np

from helpers import _checks

__all__ = [
    "pinball_loss",
    "interval_coverage",
    "interval_scores",
    "interval_score",
    "conformal_interval",
    "rolling_conformal_interval",
]

# (n + 1) * coverage is computed in floating point: 10 * 0.8 is 8.000000000000002 on some
# values, and its ceiling would be one rank too many. Ranks within this of an integer count
# as that integer.
_RANK_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- checks


def _check_interval(y_true, lower, upper):
    """Arrays of one shape, finite, with ``lower <= upper`` everywhere."""
    y = _checks.finite_array(y_true, "y_true")
    lo = _checks.finite_array(lower, "lower")
    hi = _checks.finite_array(upper, "upper")
    _checks.same_shape({"y_true": y, "lower": lo, "upper": hi})
    crossed = lo > hi
    if crossed.any():
        first = tuple(int(i) for i in np.argwhere(crossed)[0])
        raise ValueError(
            f"lower must be <= upper everywhere, got lower > upper at {int(crossed.sum())} "
            f"point(s), the first at index {first} ({lo[first]} > {hi[first]}); "
            "sort crossing quantiles (np.sort along the quantile axis) before scoring"
        )
    return y, lo, hi


def _conformal_rank(n: int, coverage: float) -> int:
    """The rank ``ceil((n + 1) * coverage)`` of the residual that sets the interval."""
    return math.ceil((n + 1) * coverage - _RANK_TOLERANCE)


def _checked_rank(n: int, coverage: float) -> int:
    """The conformal rank for ``n`` residuals; refused, with the fewest that work, when k > n."""
    k = _conformal_rank(n, coverage)
    if k > n:
        raise ValueError(
            f"coverage={coverage} needs at least {_residuals_needed(coverage)} calibration "
            f"residuals (the ceil((n + 1) * {coverage})-th smallest must exist), got n={n}; "
            "lower the coverage or calibrate on more points"
        )
    return k


def _residuals_needed(coverage: float) -> int:
    """Fewest residuals ``n`` with ``ceil((n + 1) * coverage) <= n``."""
    n = max(1, math.floor(coverage / (1.0 - coverage)))
    while _conformal_rank(n, coverage) > n:
        n += 1
    return n


# --------------------------------------------------------------------------- scores


def pinball_loss(y_true, y_pred, *, quantile):
    r"""Mean pinball (quantile) loss of a forecast of the ``quantile``-quantile.

    .. math::

        L_q(y, \hat y) = \frac1n \sum_i \max\big(q\,e_i,\ (q - 1)\,e_i\big),
        \qquad e_i = y_i - \hat y_i

    An under-forecast costs ``q`` per unit, an over-forecast ``1 - q``, so the
    constant that minimises the expected loss is the ``q``-quantile of ``y``
    (the median for ``q = 0.5``, where the loss is half the absolute error).

    Parameters
    ----------
    y_true, y_pred : array-like of float, the same shape, e.g. (n,) or (n, horizon)
        Truth and quantile forecast; finite.
    quantile : float in (0, 1), keyword-only
        The level ``q`` that ``y_pred`` forecasts, e.g. 0.9.

    Returns
    -------
    float
        Non-negative, in the units of ``y``; lower is better.

    Raises
    ------
    TypeError
        If ``quantile`` is not a number or an array does not hold numbers.
    ValueError
        If ``quantile`` is outside (0, 1), the shapes differ, an array is empty
        or holds NaN or infinite values.

    Examples
    --------
    >>> pinball_loss([10.0, 10.0], [8.0, 12.0], quantile=0.9)  # 0.9 * 2 and 0.1 * 2
    1.0
    >>> pinball_loss([1.0, 3.0], [2.0, 2.0], quantile=0.5)  # half the absolute error
    0.5
    """
    quantile = _checks.probability(quantile, "quantile")
    y = _checks.finite_array(y_true, "y_true")
    y_hat = _checks.finite_array(y_pred, "y_pred")
    _checks.same_shape({"y_true": y, "y_pred": y_hat})
    e = y - y_hat  # (...) errors, positive where the forecast was too low
    return float(np.mean(np.maximum(quantile * e, (quantile - 1.0) * e)))


def interval_coverage(y_true, lower, upper):
    r"""Fraction of the truth inside its interval, ends included.

    .. math:: \hat c = \frac1n \sum_i \mathbb 1\{l_i \le y_i \le u_i\}

    Compare it with the nominal coverage: an 80 % interval should give about
    0.8 on a long test part (binomial spread :math:`\sqrt{0.8 \cdot 0.2 / n}`).

    Parameters
    ----------
    y_true, lower, upper : array-like of float, the same shape, e.g. (n,) or (n, horizon)
        Finite, with ``lower <= upper`` everywhere.

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    TypeError
        If an array does not hold numbers.
    ValueError
        If the shapes differ, an array is empty or not finite, or ``lower > upper``
        anywhere (crossing quantiles: sort them first).

    Examples
    --------
    >>> interval_coverage([1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 3.5, 0.0], [2.0, 2.0, 4.0, 3.0])
    0.5
    """
    y, lo, hi = _check_interval(y_true, lower, upper)
    return float(np.mean((lo <= y) & (y <= hi)))


def interval_scores(y_true, lower, upper, *, coverage):
    r"""The interval (Winkler) score of every point: one number per interval; lower is better.

    Gneiting & Raftery (2007, eq. 43), with :math:`\alpha = 1 - \text{coverage}`:

    .. math::

        S_\alpha(l, u; y) = (u - l) + \frac{2}{\alpha}(l - y)\,\mathbb 1\{y < l\}
                                    + \frac{2}{\alpha}(y - u)\,\mathbb 1\{y > u\}

    It rewards narrow intervals and charges every miss by its distance, so it
    is minimised in expectation by the true :math:`\alpha/2` and
    :math:`1 - \alpha/2` quantiles: neither too wide nor too narrow pays. Kept
    per point, two methods' scores on the same points can be compared pair by pair.

    Parameters
    ----------
    y_true, lower, upper : array-like of float, the same shape, e.g. (n,) or (n, horizon)
        Finite, with ``lower <= upper`` everywhere.
    coverage : float in (0, 1), keyword-only
        The intervals' nominal coverage, e.g. 0.8.

    Returns
    -------
    ndarray of float, the shape of ``y_true``
        In the units of ``y``; each at least its interval's width.

    Raises
    ------
    TypeError
        If ``coverage`` is not a number or an array does not hold numbers.
    ValueError
        As :func:`interval_coverage`, or if ``coverage`` is outside (0, 1).

    Examples
    --------
    >>> interval_scores([5.0, 12.0], [0.0, 0.0], [10.0, 10.0], coverage=0.8)  # 10, 10 + 2/0.2 * 2
    array([10., 30.])
    """
    coverage = _checks.probability(coverage, "coverage")
    y, lo, hi = _check_interval(y_true, lower, upper)
    alpha = 1.0 - coverage
    below = np.maximum(lo - y, 0.0)  # (...) distance under the interval, 0 inside
    above = np.maximum(y - hi, 0.0)  # (...) distance over the interval, 0 inside
    return (hi - lo) + 2.0 / alpha * (below + above)


def interval_score(y_true, lower, upper, *, coverage):
    r"""Mean interval (Winkler) score of central intervals; lower is better.

    The mean of :func:`interval_scores` over every point:

    .. math::

        \bar S_\alpha = \frac1n \sum_i (u_i - l_i)
            + \frac{2}{\alpha}(l_i - y_i)\,\mathbb 1\{y_i < l_i\}
            + \frac{2}{\alpha}(y_i - u_i)\,\mathbb 1\{y_i > u_i\}

    Parameters
    ----------
    y_true, lower, upper : array-like of float, the same shape, e.g. (n,) or (n, horizon)
        Finite, with ``lower <= upper`` everywhere.
    coverage : float in (0, 1), keyword-only
        The intervals' nominal coverage, e.g. 0.8.

    Returns
    -------
    float
        In the units of ``y``; at least the mean width.

    Raises
    ------
    TypeError
        If ``coverage`` is not a number or an array does not hold numbers.
    ValueError
        As :func:`interval_coverage`, or if ``coverage`` is outside (0, 1).

    Examples
    --------
    >>> interval_score([5.0, 12.0], [0.0, 0.0], [10.0, 10.0], coverage=0.8)  # 10, 10 + 2/0.2 * 2
    20.0
    """
    return float(np.mean(interval_scores(y_true, lower, upper, coverage=coverage)))


# --------------------------------------------------------------------------- conformal


def conformal_interval(calibration_residuals, y_pred, *, coverage):
    r"""Split-conformal intervals ``y_pred - q, y_pred + q`` from held-out residuals.

    With :math:`n` calibration residuals :math:`r_i = y_i - \hat y_i` of the
    same forecaster, on data it was not trained on,

    .. math:: q = |r|_{(k)}, \qquad k = \lceil (n + 1)\,\text{coverage} \rceil,

    the :math:`k`-th smallest absolute residual. If the calibration and test
    points are exchangeable, a new point lands in its interval with probability
    at least ``coverage`` (and below ``coverage + 1/(n + 1)`` when residuals
    do not tie): Vovk et al. (2005), Lei et al. (2018).

    Parameters
    ----------
    calibration_residuals : array-like of float, shape (n,) or (n, h)
        Truth minus forecast on the calibration part. Two-dimensional: one
        ``q`` per column, e.g. per step ahead, and ``y_pred``'s last axis must
        have ``h`` entries.
    y_pred : array-like of float, any shape; (..., h) with 2-D residuals
        Point forecasts to put intervals around.
    coverage : float in (0, 1), keyword-only
        Nominal coverage, e.g. 0.9.

    Returns
    -------
    lower, upper : ndarray of float, the shape of ``y_pred``

    Raises
    ------
    TypeError
        If ``coverage`` is not a number or an array does not hold numbers.
    ValueError
        If ``coverage`` is outside (0, 1), an array is empty or not finite, the
        shapes do not fit, or there are too few residuals for ``coverage``
        (``k > n``; the message says how many are needed).

    Examples
    --------
    >>> residuals = [-3.0, 1.0, -2.0, 4.0]  # |r| sorted: 1, 2, 3, 4
    >>> conformal_interval(residuals, [10.0, 20.0], coverage=0.6)  # k = ceil(5 * 0.6) = 3
    (array([ 7., 17.]), array([13., 23.]))
    >>> conformal_interval(residuals, [10.0], coverage=0.9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: coverage=0.9 needs at least 9 calibration residuals ... got n=4; ...
    """
    coverage = _checks.probability(coverage, "coverage")
    r = _checks.finite_array(calibration_residuals, "calibration_residuals")
    y_hat = _checks.finite_array(y_pred, "y_pred")
    if r.ndim not in (1, 2):
        raise ValueError(
            f"calibration_residuals must be 1-D (n,) or 2-D (n, h), got shape {r.shape}"
        )
    if r.ndim == 2 and (y_hat.ndim == 0 or y_hat.shape[-1] != r.shape[1]):
        raise ValueError(
            f"y_pred's last axis must have {r.shape[1]} entries, one per column of the 2-D "
            f"calibration_residuals {r.shape}, got shape {y_hat.shape}"
        )
    k = _checked_rank(r.shape[0], coverage)
    q = np.sort(np.abs(r), axis=0)[k - 1]  # () or (h,) the k-th smallest |residual|
    return y_hat - q, y_hat + q


def rolling_conformal_interval(calibration_residuals, test_residuals, y_pred, *, coverage):
    r"""Split-conformal intervals, ``q`` recomputed before every point from the latest residuals.

    A forecaster that runs every day learns each day's residual once the day is
    over. Point ``i`` then takes its ``q`` from the latest ``w`` residuals known
    before it, ``w`` = ``len(calibration_residuals)``: the calibration residuals
    and the test residuals ``0 .. i - 1``,

    .. math::

        q_i = |r|_{(k)} \text{ of } (r^{\text{cal}}_{i+1}, \dots, r^{\text{cal}}_w,
              r^{\text{test}}_1, \dots, r^{\text{test}}_{i}), \qquad
              k = \lceil (w + 1)\,\text{coverage} \rceil,

    so point 0 gets :func:`conformal_interval`'s interval and a residual is never
    used before it is known (point ``i``'s own residual included).

    Parameters
    ----------
    calibration_residuals : array-like of float, shape (w,)
        Truth minus forecast on the calibration part, in time order.
    test_residuals : array-like of float, shape (n,)
        Truth minus forecast at the points to cover, in time order (the last is never used).
    y_pred : array-like of float, shape (n,)
        The point forecasts of those points.
    coverage : float in (0, 1), keyword-only

    Returns
    -------
    lower, upper : ndarray of float, shape (n,)

    Raises
    ------
    TypeError
        If ``coverage`` is not a number or an array does not hold numbers.
    ValueError
        If an array is not 1-D, empty or not finite, ``test_residuals`` and ``y_pred``
        differ in length, ``coverage`` is outside (0, 1) or the window holds too few
        residuals for it (as :func:`conformal_interval`).

    Examples
    --------
    >>> calibration = [1.0, -2.0, 3.0, -4.0]  # k = ceil(5 * 0.6) = 3: q = 3 at first
    >>> test = [0.5, 9.0, 0.0]  # 0.5 replaces 1 (q stays 3), then 9 replaces 2 (q = 4)
    >>> rolling_conformal_interval(calibration, test, [0.0, 0.0, 0.0], coverage=0.6)
    (array([-3., -3., -4.]), array([3., 3., 4.]))
    """
    coverage = _checks.probability(coverage, "coverage")
    r_cal = _checks.finite_array(calibration_residuals, "calibration_residuals")
    r_test = _checks.finite_array(test_residuals, "test_residuals")
    y_hat = _checks.finite_array(y_pred, "y_pred")
    for name, array in (("calibration_residuals", r_cal), ("test_residuals", r_test),
                        ("y_pred", y_hat)):  # fmt: skip
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    _checks.same_shape({"test_residuals": r_test, "y_pred": y_hat})
    w = r_cal.size
    k = _checked_rank(w, coverage)
    known = np.concatenate([r_cal, r_test[:-1]])  # (w + n - 1,) residuals known before each point
    windows = np.lib.stride_tricks.sliding_window_view(np.abs(known), w)  # (n, w)
    q = np.sort(windows, axis=1)[:, k - 1]  # (n,) the k-th smallest |r| before each point
    return y_hat - q, y_hat + q
