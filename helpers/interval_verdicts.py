"""Verdicts on forecast intervals over time: coverage against nominal, scores against each other.

An interval is judged on a test part of ``n`` points in time order, and its misses
cluster: a cold spell that one forecast misses, it tends to miss for several days.
Clustered misses carry less information than independent ones, so the binomial
standard error :math:`\\sqrt{c(1-c)/n}` of a coverage is too small, and a paired test
that treats every day as an independent unit is too sure. Two verdicts allow for it:

- :func:`coverage_check`: the coverage of one interval against its nominal level,
  with a band from the **effective sample size** of its hits
  (:func:`effective_sample_size`, Geyer's initial positive sequence), plus the
  calibration part's own sampling noise for an interval calibrated on one (split
  conformal), and the words "below nominal", "consistent with nominal" or "above
  nominal";
- :func:`compare_blocks`: two methods' losses on the same points (e.g. per-point
  interval scores), averaged over consecutive blocks (:func:`block_means`) and
  judged by the paired rule over the blocks as units
  (:func:`helpers.metrics.compare_scores`).

NumPy, SciPy and statsmodels' ``acf``; no TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers import _checks, comparison

__all__ = [
    "effective_sample_size",
    "CoverageCheck",
    "coverage_check",
    "block_means",
    "compare_blocks",
]

BELOW, CONSISTENT, ABOVE = "below nominal", "consistent with nominal", "above nominal"


def _series(values, name, *, minimum=3):
    """A finite 1-D float array of at least ``minimum`` points (booleans read as 0 and 1)."""
    array = np.asarray(values)
    if array.dtype == bool:
        array = array.astype(float)
    array = _checks.finite_array(array, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n,), got shape {array.shape}")
    if array.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} points, got {array.size}")
    return array


def effective_sample_size(values):
    r"""How many independent points a time-ordered series is worth for estimating its mean.

    With the autocorrelations :math:`\hat\rho_k` of the series (statsmodels ``acf``),
    Geyer's (1992) initial positive sequence sums them in pairs
    :math:`\Gamma_m = \hat\rho_{2m} + \hat\rho_{2m+1}` (:math:`\hat\rho_0 = 1`) while
    the pairs stay positive, which stops the sum where the estimates become noise:

    .. math::

        \tau = -1 + 2\sum_{m=0}^{M} \Gamma_m, \qquad n_{\text{eff}} = n / \tau,

    so that :math:`\operatorname{Var}(\bar x) \approx \sigma^2 / n_{\text{eff}}`. It is
    capped at ``n`` (a series whose points alternate is not credited with more than
    ``n`` independent ones). A constant series has no autocorrelation to read and
    counts as ``n``.

    Parameters
    ----------
    values : array-like of float or bool, shape (n,)
        In time order, e.g. the hits (1) and misses (0) of an interval; ``n >= 3``.

    Returns
    -------
    float in [1, n]

    Raises
    ------
    TypeError
        If ``values`` does not hold numbers.
    ValueError
        If ``values`` is not 1-D, has fewer than 3 points, or holds NaN or inf.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> independent = rng.random(2000) < 0.8
    >>> bool(1500 < effective_sample_size(independent) <= 2000)  # about n, a little under
    True
    >>> runs = np.repeat(independent[:400], 5)  # every value five days running
    >>> bool(effective_sample_size(runs) < 2000 / 3)
    True
    """
    from statsmodels.tsa.stattools import acf

    x = _series(values, "values")
    n = x.size
    if np.all(x == x[0]):
        return float(n)
    rho = acf(x, nlags=n - 1, fft=True)  # (n,) rho_0 = 1, rho_1, ...
    tau = -1.0
    for m in range(n // 2):
        pair = rho[2 * m] + rho[2 * m + 1]  # Gamma_m
        if pair <= 0:
            break
        tau += 2.0 * pair
    return float(n / max(tau, 1.0))  # tau < 1 (points that alternate): counted as n


@dataclass(frozen=True)
class CoverageCheck:
    """The verdict of :func:`coverage_check`: an interval's coverage against its nominal level.

    Attributes
    ----------
    coverage : float
        The fraction of points inside their interval.
    nominal : float
        The level the interval claims, e.g. 0.8.
    n : int
        Points scored.
    n_effective : float
        Their effective sample size (:func:`effective_sample_size` of the hits).
    n_calibration_effective : float or None
        The calibration part's, for an interval calibrated on one; else None.
    standard_error : float
        Of the coverage of a correct interval, under this sampling model.
    band_low, band_high : float
        ``nominal -+ z * standard_error``: where a correct interval's coverage lands
        with probability ``1 - alpha``.
    alpha : float
    verdict : str
        ``"below nominal"``, ``"consistent with nominal"`` or ``"above nominal"``.
    """

    coverage: float
    nominal: float
    n: int
    n_effective: float
    n_calibration_effective: float | None
    standard_error: float
    band_low: float
    band_high: float
    alpha: float
    verdict: str

    def __str__(self):
        calibration = (
            ""
            if self.n_calibration_effective is None
            else f", calibration effectively {self.n_calibration_effective:.0f}"
        )
        return (
            f"coverage {self.coverage:.3f}, {self.verdict} {self.nominal:g} "
            f"({100 * (1 - self.alpha):g} % band {self.band_low:.3f} to {self.band_high:.3f}; "
            f"n = {self.n}, effectively {self.n_effective:.0f}{calibration})"
        )


def coverage_check(y_true, lower, upper, *, coverage, calibration_hits=None, alpha=0.05):
    r"""Is an interval's coverage below, consistent with, or above its nominal level?

    The hits :math:`h_t = \mathbb 1\{l_t \le y_t \le u_t\}` of a correct interval have
    mean ``coverage`` :math:`= c`; their average over ``n`` points has variance
    :math:`c(1-c)/n_{\text{eff}}`, with :math:`n_{\text{eff}}` the effective sample
    size of the hits (equal to ``n`` when misses do not cluster). An interval
    calibrated on a calibration part (split conformal) has a second source of noise:
    its coverage given that part is itself random, with variance about
    :math:`c(1-c)/n^{\text{cal}}_{\text{eff}}` (the Beta law of split conformal,
    :math:`c(1-c)/(n+2)` for exchangeable points). With both,

    .. math::

        \text{band} = c \pm z_{1-\alpha/2}\sqrt{\frac{c(1-c)}{n_{\text{eff}}}
                      + \frac{c(1-c)}{n^{\text{cal}}_{\text{eff}}}},

    and the verdict is "below nominal" under the band, "above nominal" over it,
    "consistent with nominal" inside. A correct interval is called below or above
    about ``alpha`` of the time.

    Parameters
    ----------
    y_true, lower, upper : array-like of float, shape (n,)
        The truth and the interval at each point, in time order; ``lower <= upper``.
    coverage : float in (0, 1), keyword-only
        The nominal coverage, e.g. 0.8.
    calibration_hits : array-like of bool, shape (n_cal,), optional
        For an interval calibrated on held-out points: which calibration points its
        rule covers (for split conformal, ``abs(residuals) <= q``), in time order.
    alpha : float in (0, 1), default 0.05
        One minus the band's level.

    Returns
    -------
    CoverageCheck
        ``str(result)`` is one line for a lesson's output.

    Raises
    ------
    TypeError
        If an argument does not hold numbers.
    ValueError
        If the arrays are not 1-D of one length (at least 3 points), not finite,
        ``lower > upper`` somewhere, or ``coverage`` / ``alpha`` outside (0, 1).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = rng.normal(size=600)
    >>> z = 1.2816  # the exact 80 % interval of N(0, 1) is -z .. z
    >>> coverage_check(y, np.full(600, -z), np.full(600, z), coverage=0.8).verdict
    'consistent with nominal'
    >>> coverage_check(y, np.full(600, -1.0), np.full(600, 1.0), coverage=0.8).verdict
    'below nominal'
    """
    from helpers import intervals

    c = _checks.probability(coverage, "coverage")
    alpha = _checks.real(alpha, "alpha", low=0, high=1, low_open=True, high_open=True)
    y, lo, hi = (_series(a, name) for a, name in ((y_true, "y_true"), (lower, "lower"),
                                                   (upper, "upper")))  # fmt: skip
    observed = intervals.interval_coverage(y, lo, hi)  # checks shapes and lower <= upper
    hits = (lo <= y) & (y <= hi)  # (n,)
    n_eff = effective_sample_size(hits)
    variance = c * (1 - c) / n_eff
    n_cal_eff = None
    if calibration_hits is not None:
        n_cal_eff = effective_sample_size(_series(calibration_hits, "calibration_hits"))
        variance += c * (1 - c) / n_cal_eff
    se = math.sqrt(variance)
    z = float(stats.norm.ppf(1 - alpha / 2))
    low, high = c - z * se, c + z * se
    verdict = BELOW if observed < low else ABOVE if observed > high else CONSISTENT
    return CoverageCheck(observed, c, y.size, n_eff, n_cal_eff, se, low, high, alpha, verdict)


def block_means(values, block):
    """Means of consecutive blocks of ``block`` points; a last, shorter block is left out.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        In time order.
    block : int
        Points per block, at least 1.

    Returns
    -------
    ndarray of float, shape (n // block,)

    Raises
    ------
    TypeError
        If ``block`` is not an integer or ``values`` not numbers.
    ValueError
        If ``values`` is not 1-D and finite, or holds fewer than ``3 * block`` points.

    Examples
    --------
    >>> block_means([1.0, 3.0, 2.0, 4.0, 5.0, 5.0, 9.0], 2)  # the 9 starts a fourth block: left out
    array([2., 3., 5.])
    """
    block = _checks.integer(block, "block")
    x = _series(values, "values", minimum=1)
    n_blocks = x.size // block
    if n_blocks < 3:
        raise ValueError(
            f"values must hold at least 3 blocks of {block} points, got {x.size} points; "
            "use a shorter block"
        )
    return x[: n_blocks * block].reshape(n_blocks, block).mean(axis=1)


def compare_blocks(losses_a, losses_b, *, block, alpha=0.05, names=("A", "B")):
    r"""The paired rule over blocks of consecutive points, for losses that cluster in time.

    Per-point losses of two methods on the same points (interval scores, say) are
    paired, but neighbouring points are not independent units: a miss on a cold day
    comes with misses on the next days. Averaged over blocks of ``block`` points, the
    blocks are much closer to independent, and the paired t-test over them
    (:func:`helpers.metrics.compare_scores`) judges the mean loss difference:

    .. math::

        \bar d_b = \frac{1}{B}\sum_{t \in b} \big(L^A_t - L^B_t\big), \qquad
        \bar d \pm t_{1-\alpha/2,\,n_b-1}\, s_{\bar d_b} / \sqrt{n_b}.

    The interval is for the mean loss difference per point (of the points in whole
    blocks). Choose ``block`` longer than the time a run of misses lasts.

    Parameters
    ----------
    losses_a, losses_b : array-like of float, shape (n,)
        The same points, in time order; lower is better.
    block : int, keyword-only
        Points per block; at least 3 whole blocks must fit.
    alpha : float in (0, 1), default 0.05
    names : pair of str, default ("A", "B")

    Returns
    -------
    helpers.comparison.ForecastComparison
        As :func:`helpers.metrics.compare_scores` returns it, ``n`` counting blocks.

    Raises
    ------
    TypeError, ValueError
        As :func:`block_means` and :func:`helpers.metrics.compare_scores`, or if the
        two arrays differ in length.

    Examples
    --------
    >>> a = np.tile([1.0, 1.0, 5.0, 1.0], 10)  # a miss every fourth point
    >>> b = a + np.tile([0.5, 0.2, 0.1, 0.4], 10)  # worse at every point
    >>> compare_blocks(a, b, block=4, names=("quantile head", "conformal")).verdict
    'quantile head beats conformal'
    """
    a = _series(losses_a, "losses_a")
    b = _series(losses_b, "losses_b")
    _checks.same_shape({"losses_a": a, "losses_b": b})
    return comparison.compare_scores(
        block_means(a, block), block_means(b, block), alpha=alpha, names=names
    )
