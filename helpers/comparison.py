"""Is forecast A really better than forecast B? One paired rule for every verdict of the course.

A lesson that writes "the LSTM beats the ridge", "the two match" or "within the
noise" decides it here, on the errors of the *same* points, never by setting two
mean scores side by side with their spreads (two means can overlap in their spreads
while one forecast is better at every single point):

- :func:`compare_forecasts`: the rule. Diebold-Mariano on the paired loss
  differences, with the Harvey-Leybourne-Newbold correction and a long-run
  variance over ``h - 1`` lags, returned as a verdict whose three parts always
  agree: a winner exactly when ``p_value < alpha``, exactly when the
  ``1 - alpha`` interval for the mean loss difference excludes 0.
- :func:`compare_scores`: the same rule over independent units (series of a
  panel, or origins far enough apart), on one score per unit: the paired t-test.
- :func:`diebold_mariano_test`: the test itself, with one- or two-sided
  alternatives, for a lesson that shows its statistic.

NumPy and SciPy only; re-exported by :mod:`helpers.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers import _checks

__all__ = [
    "ForecastComparison",
    "compare_forecasts",
    "compare_scores",
    "DieboldMarianoResult",
    "diebold_mariano_test",
]


@dataclass(frozen=True)
class ForecastComparison:
    """The verdict of :func:`compare_forecasts` or :func:`compare_scores`.

    Its three parts always agree: ``winner`` is not None exactly when
    ``p_value < alpha``, exactly when ``[ci_low, ci_high]`` excludes 0.

    Attributes
    ----------
    names : tuple of str
        The two forecasts, A first.
    mean_loss_difference : float
        Mean of loss(A) - loss(B) over the paired points (or units): negative when
        A's losses are smaller.
    ci_low, ci_high : float
        A ``1 - alpha`` confidence interval for the expected loss difference.
    p_value : float
        Two-sided, of "A and B are equally accurate".
    winner : str or None
        ``names[0]``, ``names[1]``, or None when there is no evidence of a difference.
    alpha : float
    n : int
        Paired points (or units).
    h : int
        Horizon used for the long-run variance (1 for :func:`compare_scores`).
    loss : str
        ``"squared"``, ``"absolute"`` or ``"score"`` (:func:`compare_scores`).
    long_run_variance : str
        ``"rectangular"`` (Diebold-Mariano's sum of ``h - 1`` autocovariances), or
        ``"Newey-West"`` where that sum was not positive and the Bartlett-weighted sum
        over the same lags was used instead.
    """

    names: tuple
    mean_loss_difference: float
    ci_low: float
    ci_high: float
    p_value: float
    winner: str | None
    alpha: float
    n: int
    h: int
    loss: str
    long_run_variance: str = "rectangular"

    @property
    def verdict(self) -> str:
        """``"A beats B"``, or ``"no evidence of a difference between A and B"``."""
        a, b = self.names
        if self.winner is None:
            return f"no evidence of a difference between {a} and {b}"
        loser = b if self.winner == a else a
        return f"{self.winner} beats {loser}"

    def __str__(self):
        level = f"{100 * (1 - self.alpha):g} %"
        what = "score" if self.loss == "score" else f"{self.loss} error"
        variance = "" if self.long_run_variance == "rectangular" else ", Newey-West variance"
        return (
            f"{self.verdict}: mean {what} difference ({self.names[0]} - {self.names[1]}) "
            f"{self.mean_loss_difference:.4g}, {level} interval [{self.ci_low:.4g}, "
            f"{self.ci_high:.4g}], p = {self.p_value:.3g}, n = {self.n}{variance}"
        )


def compare_forecasts(
    y_true, y_pred_a, y_pred_b, *, h=1, loss="squared", alpha=0.05, names=("A", "B")
) -> ForecastComparison:
    r"""Decide whether forecast A beats B, B beats A, or neither, on the same points.

    The paired rule: with loss differences
    :math:`d_t = L(y_t - \hat y^A_t) - L(y_t - \hat y^B_t)` at the ``n`` points both
    forecasts made, their mean :math:`\bar d` and its standard error
    :math:`s = \sqrt{\hat V / (n c)}` (long-run variance :math:`\hat V` over
    ``h - 1`` lags, Harvey-Leybourne-Newbold factor
    :math:`c = (n + 1 - 2h + h(h-1)/n) / n`, as in :func:`diebold_mariano_test`),

    .. math:: p = 2\,P(T_{n-1} > |\bar d| / s), \qquad
              \bar d \pm t_{1-\alpha/2,\,n-1}\, s,

    and a winner (the forecast with the smaller mean loss) exactly when
    ``p < alpha``. At ``h = 1`` this is the paired t-test on the losses
    (``scipy.stats.ttest_rel``). Points must be paired: the same times, in time
    order, each forecast made without seeing its target.

    Parameters
    ----------
    y_true, y_pred_a, y_pred_b : array-like, shape (n,)
        The truth and two forecasts of the same points, in time order. ``(n, 1)``
        is accepted; compare a multi-step forecast one lead at a time.
    h : int, default 1
        The forecasts' horizon: errors of h-step forecasts made at consecutive
        origins overlap, so their losses are correlated up to lag ``h - 1``.
    loss : {"squared", "absolute"}, default "squared"
    alpha : float in (0, 1), default 0.05
        The level: the interval covers ``1 - alpha``.
    names : pair of str, default ("A", "B")
        How the verdict names the two forecasts.

    Returns
    -------
    ForecastComparison
        ``mean_loss_difference`` (A minus B), ``ci_low``, ``ci_high``, ``p_value``,
        ``winner``; ``str(result)`` is one line for a lesson's output.

    Raises
    ------
    ValueError
        On different lengths, NaN or inf, fewer than 3 points, ``h`` < 1 or too
        large for ``n``, an unknown ``loss``, ``alpha`` outside (0, 1) or two equal names.
    TypeError
        If an input is not numeric, ``h`` not an integer or ``names`` not two strings.

    Notes
    -----
    With overlapping errors (``h`` > 1) the rectangular long-run variance of
    Diebold & Mariano can come out negative; the comparison then uses Newey &
    West's Bartlett-weighted sum over the same ``h - 1`` lags, which cannot, and
    says so (``long_run_variance``, and in ``str(result)``).

    Forecasts whose losses differ by the same amount at every point (zero
    variance) get ``p_value`` 0 and a zero-width interval when that amount is not
    0, and ``p_value`` 1 with no winner when the losses are identical.

    Examples
    --------
    >>> y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> close = y + np.array([0.1, -0.1, 0.2, -0.1, 0.1, -0.2])
    >>> far = y + np.array([1.0, -0.8, 1.2, -0.9, 1.1, -1.0])
    >>> result = compare_forecasts(y, close, far, names=("close", "far"))
    >>> result.winner, bool(result.ci_high < 0), bool(result.p_value < 0.05)
    ('close', True, True)
    >>> other = y + np.array([-0.2, 0.1, -0.1, 0.1, -0.2, 0.1])  # as close, other points
    >>> print(compare_forecasts(y, close, other).verdict)
    no evidence of a difference between A and B
    """
    h = _checks.integer(h, "h")
    _check_loss(loss)
    alpha = _check_alpha(alpha)
    names = _check_names(names)
    d = _loss_differences(y_true, y_pred_a, y_pred_b, loss, "compare_forecasts")  # (n,)
    return _verdict(d, h, alpha, names, loss)


def compare_scores(scores_a, scores_b, *, alpha=0.05, names=("A", "B")) -> ForecastComparison:
    r"""The paired rule over independent units: one score of A and one of B per unit.

    For a panel of series (each scored by MASE, say) or any units whose
    differences are independent: the paired t-test on
    :math:`d_i = \text{score}^A_i - \text{score}^B_i` with its ``1 - alpha``
    interval, reported as :func:`compare_forecasts` reports (lower scores are
    better: pass errors, not accuracies).

    Parameters
    ----------
    scores_a, scores_b : array-like, shape (n_units,)
        The same units, in the same order.
    alpha : float in (0, 1), default 0.05
    names : pair of str, default ("A", "B")

    Returns
    -------
    ForecastComparison
        With ``h`` 1 and ``loss`` ``"score"``.

    Raises
    ------
    ValueError
        On different lengths, NaN or inf, fewer than 3 units, ``alpha`` outside (0, 1).
    TypeError
        If a score is not numeric or ``names`` not two strings.

    Notes
    -----
    The t-test leans on the differences being roughly normal, which matters most
    when there are few units: with five, no test that drops that assumption (a
    sign-flip permutation test, say) can reach p < 0.0625 at all, so a verdict from
    a handful of units is better read as "no evidence" than as "beats".

    Examples
    --------
    >>> a = np.array([1.1, 0.9, 1.4, 1.0, 1.2])
    >>> b = a + np.array([0.2, 0.1, 0.3, 0.2, 0.1])  # worse on every unit
    >>> compare_scores(a, b, names=("LSTM", "ETS")).verdict
    'LSTM beats ETS'
    """
    alpha = _check_alpha(alpha)
    names = _check_names(names)
    a, b = _checks.forecast_pair(scores_a, scores_b, names=("scores_a", "scores_b"))
    if a.shape[1] != 1:
        raise ValueError(f"scores_a and scores_b must be 1-D (n_units,), got shape {a.shape}")
    if a.shape[0] < 3:
        raise ValueError(f"compare_scores needs at least 3 units, got {a.shape[0]}")
    return _verdict(a[:, 0] - b[:, 0], 1, alpha, names, "score")


def _check_alpha(alpha):
    return _checks.real(alpha, "alpha", low=0, high=1, low_open=True, high_open=True)


def _check_names(names):
    if (
        not isinstance(names, (tuple, list))
        or len(names) != 2
        or not all(isinstance(name, str) for name in names)
    ):
        raise TypeError(f"names must be a pair of strings such as ('LSTM', 'ridge'), got {names!r}")
    if names[0] == names[1]:
        raise ValueError(f"names must differ, got {tuple(names)!r} twice the same")
    return tuple(names)


def _verdict(d, h, alpha, names, loss):
    """The verdict on loss differences ``d`` (n,): mean, interval, p-value, winner, agreeing."""
    n = d.size
    d_bar, standard_error, estimator = _hln_standard_error(
        d, h, refuse_constant=False, newey_west_if_negative=True
    )
    if standard_error == 0.0:  # every point differs by the same amount
        p_value = 1.0 if d_bar == 0.0 else 0.0
        half_width = 0.0
    else:
        p_value = float(2.0 * stats.t.sf(abs(d_bar) / standard_error, df=n - 1))
        half_width = float(stats.t.ppf(1.0 - alpha / 2.0, df=n - 1) * standard_error)
    low, high = d_bar - half_width, d_bar + half_width
    winner = None
    if p_value < alpha and (low > 0.0 or high < 0.0):  # the same fact, read twice
        winner = names[0] if d_bar < 0 else names[1]
    elif p_value < alpha or low > 0.0 or high < 0.0:  # only at the boundary, to rounding
        p_value, low, high = max(p_value, alpha), min(low, 0.0), max(high, 0.0)
    return ForecastComparison(
        names, d_bar, float(low), float(high), p_value, winner, alpha, n, h, loss, estimator
    )


@dataclass(frozen=True)
class DieboldMarianoResult:
    """Result of :func:`diebold_mariano_test`.

    Attributes
    ----------
    statistic : float
        The HLN-corrected statistic; negative when A's losses are smaller.
    pvalue : float
        From Student's t with ``n - 1`` degrees of freedom.
    mean_loss_difference : float
        Mean of loss(A) - loss(B) over the ``n`` points.
    n : int
        Number of forecast points.
    h : int
        Forecast horizon used for the long-run variance.
    """

    statistic: float
    pvalue: float
    mean_loss_difference: float
    n: int
    h: int


_LOSSES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "squared": np.square,
    "absolute": np.abs,
}


def diebold_mariano_test(
    y_true, y_pred_a, y_pred_b, *, h=1, loss="squared", alternative="two-sided"
) -> DieboldMarianoResult:
    r"""Diebold-Mariano test of equal accuracy, with the Harvey-Leybourne-Newbold correction.

    With loss differences :math:`d_t = L(y_t - \hat y^A_t) - L(y_t - \hat y^B_t)`,
    their mean :math:`\bar d`, autocovariances
    :math:`\hat\gamma_k = \frac{1}{n}\sum_{t=k+1}^{n}(d_t-\bar d)(d_{t-k}-\bar d)`
    and the long-run variance :math:`\hat V = \hat\gamma_0 + 2\sum_{k=1}^{h-1}\hat\gamma_k`
    (Diebold & Mariano (1995), "Comparing predictive accuracy", *Journal of
    Business & Economic Statistics* 13(3), 253-263):

    .. math:: \mathrm{DM} = \frac{\bar d}{\sqrt{\hat V / n}}, \qquad
              \mathrm{DM}^* = \mathrm{DM}\,\sqrt{\frac{n + 1 - 2h + h(h-1)/n}{n}}

    and :math:`\mathrm{DM}^*` is compared with Student's t on ``n - 1``
    degrees of freedom (Harvey, Leybourne & Newbold (1997), "Testing the
    equality of prediction mean squared errors", *International Journal of
    Forecasting* 13(2), 281-291). For ``h`` = 1 this is exactly the paired
    t-test on the losses (``scipy.stats.ttest_rel``), as HLN note.

    Parameters
    ----------
    y_true, y_pred_a, y_pred_b : array-like, shape (n,)
        Truth and two forecasts of the same points, in time order.
    h : int, keyword-only
        Forecast horizon of the forecasts (errors of h-step forecasts are
        autocorrelated up to lag h - 1).
    loss : {"squared", "absolute"}, keyword-only
    alternative : {"two-sided", "less", "greater"}, keyword-only
        "less": A's expected loss is smaller than B's; "greater": larger.

    Returns
    -------
    DieboldMarianoResult

    Raises
    ------
    ValueError
        On different shapes, NaN or inf, fewer than 3 points, an ``h`` that
        leaves the correction non-positive, an unknown ``loss`` or
        ``alternative``, loss differences that are all equal (the variance is
        0, e.g. identical forecasts), or a non-positive long-run variance.
    TypeError
        If ``h`` is not an integer or an input is not numeric.

    Examples
    --------
    >>> y = np.zeros(4)
    >>> result = diebold_mariano_test(y, [3.0, 1.0, 2.0, 4.0], [1.0, 1.0, 1.0, 1.0],
    ...                               loss="absolute")
    >>> result.mean_loss_difference  # d = (2, 0, 1, 3)
    1.5
    >>> bool(result.statistic > 0)  # A is worse
    True
    """
    h = _checks.integer(h, "h")
    _check_loss(loss)
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    d = _loss_differences(y_true, y_pred_a, y_pred_b, loss, "diebold_mariano_test")  # (n,)
    d_bar, standard_error, _ = _hln_standard_error(d, h, refuse_constant=True)
    n = d.size
    statistic = float(d_bar / standard_error)
    t = stats.t(df=n - 1)
    if alternative == "two-sided":
        pvalue = 2.0 * t.sf(abs(statistic))
    elif alternative == "less":
        pvalue = t.cdf(statistic)
    else:
        pvalue = t.sf(statistic)
    return DieboldMarianoResult(statistic, float(pvalue), d_bar, n, h)


# ----------------------------------------------------------------- shared steps


def _check_loss(loss):
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {tuple(_LOSSES)}, got {loss!r}")


def _loss_differences(y_true, y_pred_a, y_pred_b, loss, caller):
    """d_t = L(y_t - a_t) - L(y_t - b_t) for 1-D forecasts of the same points: (n,)."""
    y_true_a, a = _checks.forecast_pair(y_true, y_pred_a, names=("y_true", "y_pred_a"))
    _, b = _checks.forecast_pair(y_true, y_pred_b, names=("y_true", "y_pred_b"))
    if y_true_a.shape[1] != 1:
        raise ValueError(
            f"y_true, y_pred_a and y_pred_b must be 1-D (n,), got shape {np.shape(y_true)}; "
            "compare one lead at a time (y[:, k]), with h=k+1"
        )
    y, a, b = y_true_a[:, 0], a[:, 0], b[:, 0]
    if y.size < 3:
        raise ValueError(f"{caller} needs at least 3 points, got {y.size}")
    return _LOSSES[loss](y - a) - _LOSSES[loss](y - b)


def _hln_standard_error(d, h, *, refuse_constant, newey_west_if_negative=False):
    """The mean of ``d``, its HLN-corrected standard error and the long-run variance's name.

    The standard error is 0.0 when ``d`` is constant. The long-run variance is the
    rectangular sum of ``h - 1`` autocovariances (Diebold & Mariano); when that sum is
    not positive, which happens with overlapping errors at large ``h``, it is refused,
    or with ``newey_west_if_negative`` replaced by Newey & West's (1987) Bartlett-weighted
    sum over the same lags, which is never negative.
    """
    n = d.size
    correction = (n + 1 - 2 * h + h * (h - 1) / n) / n
    if correction <= 0:
        raise ValueError(
            f"h={h} is too large for n={n} points: the HLN correction "
            "(n + 1 - 2h + h(h-1)/n) / n is not positive"
        )
    d_bar = float(np.mean(d))
    centred = d - d_bar  # (n,)
    gamma = [float(np.dot(centred[k:], centred[: n - k]) / n) for k in range(h)]
    if gamma[0] <= 1e-15 * max(1.0, d_bar**2):
        if refuse_constant:
            raise ValueError(
                "the loss differences are all equal (zero variance), so the Diebold-Mariano "
                "test is undefined; are the two forecasts identical?"
            )
        return d_bar, 0.0, "rectangular"
    estimator = "rectangular"
    long_run_variance = gamma[0] + 2.0 * sum(gamma[1:])
    if long_run_variance <= 0 and newey_west_if_negative:
        estimator = "Newey-West"
        long_run_variance = gamma[0] + 2.0 * sum((1 - k / h) * g for k, g in enumerate(gamma) if k)
    if long_run_variance <= 0:
        raise ValueError(
            f"the long-run variance estimate is not positive ({long_run_variance:.3g}) "
            f"with h={h}; try a smaller h or more points"
        )
    return d_bar, float(np.sqrt(long_run_variance / n / correction)), estimator
