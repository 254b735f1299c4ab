"""Tests for helpers.harmonic_regression: the statsmodels fit it wraps, K by AIC, its intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter
from statsmodels.tsa.statespace.sarimax import SARIMAX

from helpers import features, intervals
from helpers.harmonic_regression import fit_harmonic_regression

DAYS = pd.date_range("2012-01-01", periods=1100, freq="D")


def _seasonal_series(seed, phi=0.7):
    """A yearly shape with two waves plus AR(1) weather: the model's own kind of series."""
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * features.year_fraction(DAYS)
    season = 15 - 8 * np.cos(angle) + 1.5 * np.sin(2 * angle)
    weather = lfilter([1.0], [1.0, -phi], 2.0 * rng.normal(size=DAYS.size))
    return season + weather


def test_it_is_the_sarimax_fit_with_fourier_exog():
    y = _seasonal_series(0)
    fit = fit_harmonic_regression(y, DAYS, n_train=800, harmonics=(2,))
    exog = features.fourier_terms(DAYS, harmonics=2).to_numpy()
    direct = SARIMAX(y[:800], exog=exog[:800], order=(1, 0, 1), trend="c").fit(disp=False)
    np.testing.assert_allclose(fit.fitted.params, direct.params, rtol=1e-6)
    every_row = direct.apply(y, exog=exog)
    expected = every_row.get_prediction(start=800, end=1099).conf_int(alpha=0.2)
    lower, upper = fit.one_step_interval(np.arange(800, 1100), 0.8)
    np.testing.assert_allclose(np.column_stack([lower, upper]), expected, rtol=1e-6)


def test_aic_chooses_the_season_and_the_interval_covers():
    y = _seasonal_series(1)
    fit = fit_harmonic_regression(y, DAYS, n_train=800)
    assert set(fit.aic) == {0, 1, 2, 3} and fit.problem is None
    assert fit.harmonics >= 2  # the season has two waves
    assert fit.aic[fit.harmonics] == min(fit.aic.values()) < fit.aic[0]
    assert fit.converged[fit.harmonics]
    lower, upper = fit.one_step_interval(np.arange(800, 1100), 0.8)
    assert intervals.interval_coverage(y[800:], lower, upper) == pytest.approx(0.8, abs=0.07)


def test_one_step_intervals_use_only_the_rows_before():
    y = _seasonal_series(2)
    fit = fit_harmonic_regression(y, DAYS, n_train=800, harmonics=(1,))
    before = fit.one_step_interval(np.arange(800, 900), 0.8)
    changed = y.copy()
    changed[850:] += 30.0
    after = fit_harmonic_regression(changed, DAYS, n_train=800, harmonics=(1,))
    after = after.one_step_interval(np.arange(800, 900), 0.8)
    np.testing.assert_allclose(after[0][:51], before[0][:51])  # row 850 reads rows < 850
    assert not np.allclose(after[0][51:], before[0][51:])


def test_half_widths_grow_with_the_horizon_towards_the_weather_spread():
    y = _seasonal_series(3)
    fit = fit_harmonic_regression(y, DAYS, n_train=800, harmonics=(2,))
    half = fit.half_widths(7, 0.8)
    assert half.shape == (7,) and np.all(np.diff(half) > 0)
    lower, upper = fit.one_step_interval([800], 0.8)
    assert half[0] == pytest.approx((upper[0] - lower[0]) / 2, rel=1e-6)


def test_a_series_without_a_calendar_gets_a_plain_arma_and_the_reason():
    y = _seasonal_series(4)
    for index, words in [(None, "no dates"), (pd.RangeIndex(1100), "numbered, not dated")]:
        fit = fit_harmonic_regression(y, index, n_train=800)
        assert fit.harmonics == 0 and fit.exog is None and list(fit.aic) == [0]
        assert words in fit.problem
        assert fit.half_widths(3, 0.8).shape == (3,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_train": 2000}, ValueError, "n_train must be at most"),
        ({"n_train": 800, "harmonics": []}, ValueError, "harmonics"),
        ({"n_train": 800, "harmonics": [-1]}, ValueError, "harmonics"),
        ({"n_train": 800.5}, TypeError, "n_train"),
    ],
)
def test_refusals(kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_harmonic_regression(_seasonal_series(5), DAYS, **kwargs)


def test_refuses_dates_of_another_length_and_scattered_rows():
    y = _seasonal_series(6)
    with pytest.raises(ValueError, match="one date per row"):
        fit_harmonic_regression(y, DAYS[:-1], n_train=800)
    fit = fit_harmonic_regression(y, DAYS, n_train=800, harmonics=(0,))
    with pytest.raises(ValueError, match="consecutive"):
        fit.one_step_interval([800, 802], 0.8)
    with pytest.raises(ValueError, match="past the series' last row"):
        fit_harmonic_regression(y, DAYS, n_train=1098, harmonics=(1,)).half_widths(7, 0.8)


def test_a_fit_that_did_not_converge_is_recorded_not_printed():
    import warnings

    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=730, freq="D")
    day_of_year = days.day_of_year.to_numpy()  # an array: statsmodels 0.14 refuses an Index
    y = 10 - 8 * np.cos(2 * np.pi * day_of_year / 365.25) + rng.normal(size=730)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        fit = fit_harmonic_regression(y, days, n_train=600, harmonics=(0, 1, 2))
    exog = features.fourier_terms(days, harmonics=2).to_numpy()[:600]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = SARIMAX(y[:600], exog=exog, order=(1, 0, 1), trend="c").fit(disp=False)
    assert fit.converged[2] == direct.mle_retvals["converged"] is False
    assert fit.converged[fit.harmonics] is True
