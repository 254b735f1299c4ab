"""Percentiles of measured latencies, with how far the measurement pins them down.

A p99 read from 100 requests is the slowest request but one: the next 100 would
give another. :func:`quantile_interval` says how much another run could move a
percentile, without assuming any distribution (latencies are skewed and lumpy):
the ``q``-quantile lies between two order statistics of the sample with a
probability that the binomial distribution gives exactly. :func:`percentiles`
tabulates p50 and p99 with these intervals and ``n``, as lesson 09 reports them.
NumPy and SciPy only.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from helpers import _checks

__all__ = ["quantile_interval", "percentiles"]


def quantile_interval(values, q, *, confidence=0.95) -> tuple[float, float]:
    r"""A distribution-free confidence interval for the ``q``-quantile of ``values``' source.

    With the sample sorted, :math:`x_{(1)} \le \dots \le x_{(n)}`, the number of
    values below the true quantile :math:`\xi_q` is Binomial(:math:`n, q`), so

    .. math:: P\big(x_{(r)} \le \xi_q < x_{(s)}\big) = F(s - 1) - F(r - 1),

    with :math:`F` that binomial's distribution function. ``r`` is the largest
    rank with :math:`F(r - 1) \le (1 - c)/2` and ``s`` the smallest with
    :math:`F(s - 1) \ge (1 + c)/2`, so the interval covers at least ``confidence``
    (the values are assumed independent draws of one distribution). Where no
    rank is far enough out, that end is unbounded: ``-inf`` or ``inf`` say that
    ``n`` values cannot bound the quantile on that side.

    Parameters
    ----------
    values : array-like, shape (n,)
        Finite measurements (any order).
    q : float in (0, 1)
        The quantile: 0.99 for p99.
    confidence : float in (0, 1), default 0.95

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Raises
    ------
    ValueError
        If ``values`` is empty or not finite, or ``q`` or ``confidence`` is outside (0, 1).
    TypeError
        If ``values`` are not numbers.

    Examples
    --------
    >>> ms = np.arange(1.0, 1001.0)  # 1000 requests of 1, 2, ..., 1000 ms
    >>> quantile_interval(ms, 0.5)
    (469.0, 532.0)
    >>> quantile_interval(ms[:100], 0.99)  # 100 requests cannot bound a p99 from above
    (97.0, inf)
    """
    x = np.sort(_checks.series(values, "values"))
    q = _checks.probability(q, "q")
    c = _checks.probability(confidence, "confidence")
    n = len(x)
    ranks = np.arange(n + 1)  # F(k) for k = 0..n
    cdf = stats.binom.cdf(ranks, n, q)
    low_ok = np.nonzero(cdf[:-1] <= (1 - c) / 2)[0]  # k = r - 1 with F(r - 1) small enough
    high_ok = np.nonzero(cdf >= (1 + c) / 2)[0]  # k = s - 1
    low = x[low_ok[-1]] if low_ok.size else -np.inf  # x_(r) with r = k + 1 (0-based index k)
    high = x[high_ok[0]] if high_ok.size and high_ok[0] < n else np.inf  # x_(s), s = k + 1
    return float(low), float(high)


def percentiles(samples, *, quantiles=(0.5, 0.99), confidence=0.95):
    """A table of percentiles of several samples, each with its interval and ``n``.

    Parameters
    ----------
    samples : mapping of str to array-like
        Name -> latencies (e.g. ``{"1 window": ms}``).
    quantiles : sequence of float in (0, 1), default (0.5, 0.99)
    confidence : float in (0, 1), default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``n``, and for each quantile (``p50``, ``p99``) its
        value (:func:`numpy.percentile`, linear) and ``low`` / ``high``
        (:func:`quantile_interval`).

    Raises
    ------
    ValueError, TypeError
        As :func:`quantile_interval`; ValueError if ``samples`` is empty.

    Examples
    --------
    >>> table = percentiles({"fast": np.arange(1.0, 1001.0)}, quantiles=(0.5,))
    >>> table.loc["fast", ["n", "p50", "p50 low", "p50 high"]].tolist()
    [1000.0, 500.5, 469.0, 532.0]
    """
    import pandas as pd

    if not hasattr(samples, "items") or not samples:
        raise ValueError("samples must be a non-empty mapping of name to latencies")
    rows = {}
    for name, values in samples.items():
        x = _checks.series(values, f"samples[{name!r}]")
        row = {"n": len(x)}
        for q in quantiles:
            label = f"p{100 * _checks.probability(q, 'quantiles'):g}"
            low, high = quantile_interval(x, q, confidence=confidence)
            row |= {label: float(np.percentile(x, 100 * q)), f"{label} low": low,
                    f"{label} high": high}  # fmt: skip
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
