"""Dynamic harmonic regression: a classical forecast interval that knows the season of the year.

A daily series with a yearly season is beyond a seasonal ARIMA (a seasonal lag of 365
days), and an ARMA without a season reverts to the yearly mean. Dynamic harmonic
regression (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
section 10.5) puts the season in a regression on Fourier terms of the date and lets
ARMA errors follow the weather around it:

.. math::

    y_t = c + \\sum_{k=1}^{K} \\big(a_k \\sin(2\\pi k\\tau_t) + b_k \\cos(2\\pi k\\tau_t)\\big)
          + \\eta_t, \\qquad \\eta_t \\sim \\text{ARMA}(p, q),

with :math:`\\tau_t` the position of day :math:`t` in its year
(:func:`helpers.features.fourier_terms`). As FPP3 does, :math:`K` is chosen by the
information criterion on the training rows. :func:`fit_harmonic_regression` fits it with
statsmodels' ``SARIMAX`` (the Fourier terms as ``exog``) and gives its Gaussian
intervals one step ahead at every test point and 1 to ``h`` steps ahead. A series
without a usable calendar gets no Fourier terms (:math:`K = 0`, a plain ARMA), and the
fit says why.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from helpers import _checks, features

__all__ = ["HarmonicRegression", "fit_harmonic_regression"]


@dataclass(frozen=True)
class HarmonicRegression:
    """A dynamic harmonic regression fitted on the training rows, run over every row.

    Attributes
    ----------
    harmonics : int
        :math:`K`, the number of sine-cosine pairs chosen (0: none).
    aic : dict of int to float
        The AIC of every candidate :math:`K` on the training rows (lower is better).
    converged : dict of int to bool
        Whether each candidate's maximum-likelihood optimisation converged
        (statsmodels' ``mle_retvals["converged"]``; its ConvergenceWarning is kept here
        instead of in the output).
    problem : str or None
        Why the series has no Fourier terms, or None when it has a calendar.
    fitted : statsmodels SARIMAXResults
        The chosen model, fitted on the training rows.
    every_row : statsmodels SARIMAXResults
        The same parameters run over every row (``fitted.apply``): each one-step
        forecast uses the values before it only.
    n_train : int
    exog : ndarray of float, shape (n, 2K), or None
    """

    harmonics: int
    aic: dict
    converged: dict
    problem: str | None
    fitted: object
    every_row: object
    n_train: int
    exog: np.ndarray | None

    def one_step_interval(self, first_targets, coverage):
        """The Gaussian one-step interval of each row in ``first_targets``.

        Parameters
        ----------
        first_targets : array-like of int, shape (n,)
            Consecutive row numbers, e.g. ``parts.test.first_target``.
        coverage : float in (0, 1)

        Returns
        -------
        lower, upper : ndarray of float, shape (n,)
        """
        rows = np.asarray(first_targets)
        if rows.ndim != 1 or rows.size == 0 or np.any(np.diff(rows) != 1):
            raise ValueError("first_targets must be consecutive row numbers, e.g. 7, 8, 9, ...")
        coverage = _checks.probability(coverage, "coverage")
        prediction = self.every_row.get_prediction(start=int(rows[0]), end=int(rows[-1]))
        bounds = np.asarray(prediction.conf_int(alpha=1 - coverage))  # (n, 2)
        return bounds[:, 0], bounds[:, 1]

    def half_widths(self, horizon, coverage):
        """Half widths of the intervals 1 to ``horizon`` steps after the training rows.

        For an ARMA with known regressors they do not depend on the origin.

        Returns
        -------
        ndarray of float, shape (horizon,)
        """
        horizon = _checks.integer(horizon, "horizon")
        coverage = _checks.probability(coverage, "coverage")
        future = None
        if self.exog is not None:
            future = self.exog[self.n_train : self.n_train + horizon]
            if len(future) < horizon:
                raise ValueError(
                    f"horizon={horizon} reaches past the series' last row: at most "
                    f"{len(future)} steps after the training rows"
                )
        bounds = np.asarray(
            self.fitted.get_forecast(horizon, exog=future).conf_int(alpha=1 - coverage)
        )  # (horizon, 2)
        return (bounds[:, 1] - bounds[:, 0]) / 2


def _fit(y, exog, n_train, order, seasonal_order, trend):
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    train_exog = None if exog is None else exog[:n_train]
    model = SARIMAX(
        y[:n_train], exog=train_exog, order=order, seasonal_order=seasonal_order, trend=trend
    )
    # Small Kalman filters: BLAS threads only add hand-over costs (see baselines.sarima_forecast).
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # read from mle_retvals instead
        return model.fit(disp=False)


def fit_harmonic_regression(
    series,
    index=None,
    *,
    n_train,
    harmonics=(0, 1, 2, 3),
    order=(1, 0, 1),
    seasonal_order=(0, 0, 0, 0),
    trend="c",
):
    """Fit ARMA errors around Fourier terms of the year, :math:`K` chosen by AIC.

    Equivalent, for the chosen ``K``, to::

        exog = features.fourier_terms(index, harmonics=K).to_numpy()
        fitted = SARIMAX(series[:n_train], exog=exog[:n_train], order=order,
                         seasonal_order=seasonal_order, trend=trend).fit(disp=False)
        every_row = fitted.apply(series, exog=exog)

    Parameters
    ----------
    series : array-like of float, shape (n,)
        In time order, finite.
    index : pandas.DatetimeIndex, shape (n,), optional
        The rows' dates. None, or dates without a usable calendar
        (:func:`helpers.features.calendar_problem`): no Fourier terms, ``K = 0``.
    n_train : int, keyword-only
        The first ``n_train`` rows fit the model (and choose ``K``).
    harmonics : sequence of int >= 0, default (0, 1, 2, 3)
        Candidate ``K``; the one with the lowest AIC on the training rows is kept.
    order, seasonal_order, trend
        Of the ARMA errors, as statsmodels' ``SARIMAX``.

    Returns
    -------
    HarmonicRegression
        Check ``converged[harmonics]`` before judging its intervals.

    Raises
    ------
    TypeError
        If ``n_train`` or a candidate is not an integer, or ``series`` not numbers.
    ValueError
        If ``series`` is not 1-D and finite, ``index`` differs in length,
        ``n_train`` is not in [10, n], or ``harmonics`` is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2020-01-01", periods=730, freq="D")
    >>> rng = np.random.default_rng(0)
    >>> y = 10 - 8 * np.cos(2 * np.pi * days.day_of_year / 365.25) + rng.normal(size=730)
    >>> fit = fit_harmonic_regression(y, days, n_train=600, harmonics=(0, 1, 2))
    >>> fit.harmonics, fit.converged[fit.harmonics], fit.problem
    (1, True, None)
    >>> fit_harmonic_regression(y, None, n_train=600, harmonics=(0, 1)).problem
    'no dates were given'
    """
    y = _checks.series(series, "series", min_length=10)
    n_train = _checks.integer(n_train, "n_train", minimum=10)
    if n_train > y.size:
        raise ValueError(f"n_train must be at most the series' length {y.size}, got {n_train}")
    candidates = _checks.integers(harmonics, "harmonics", minimum=0)
    problem = "no dates were given" if index is None else features.calendar_problem(index)
    if index is not None and len(index) != y.size:
        raise ValueError(f"index must have one date per row ({y.size}), got {len(index)}")
    if problem is not None:
        candidates = [0]
    fits, exogs = {}, {}
    for k in dict.fromkeys(candidates):
        exogs[k] = None if k == 0 else features.fourier_terms(index, harmonics=k).to_numpy()
        fits[k] = _fit(y, exogs[k], n_train, order, seasonal_order, trend)
    aic = {k: float(fit.aic) for k, fit in fits.items()}
    converged = {k: bool(fit.mle_retvals.get("converged", True)) for k, fit in fits.items()}
    best = min(aic, key=aic.get)
    with threadpool_limits(limits=1, user_api="blas"):
        every_row = fits[best].apply(y, exog=exogs[best])
    return HarmonicRegression(
        best, aic, converged, problem, fits[best], every_row, n_train, exogs[best]
    )
