"""Tests of helpers.baselines: the simple forecasts against arrays worked out by hand,
the statsmodels wrappers against statsmodels called directly, and error messages."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.statespace.sarimax import SARIMAX

from helpers import baselines, metrics

Y = np.array([2.0, 4.0, 3.0, 5.0, 6.0, 4.0, 7.0])  # n = 7, mean 31/7, last 7


def _airline_like(n=72, seed=0):
    """A positive monthly series with trend and a multiplicative yearly season."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12)
    return (100 + 2 * t) * season * np.exp(rng.normal(0, 0.02, n))


# --------------------------------------------------------------------- by hand


def test_mean_forecast_by_hand():
    np.testing.assert_allclose(baselines.mean_forecast(Y, 3), [31 / 7] * 3)


def test_naive_forecast_by_hand():
    np.testing.assert_array_equal(baselines.naive_forecast(Y, 3), [7.0, 7.0, 7.0])


def test_seasonal_naive_forecast_by_hand():
    # m = 3: the last season is y[4:7] = (6, 4, 7), repeated
    np.testing.assert_array_equal(
        baselines.seasonal_naive_forecast(Y, 7, m=3), [6.0, 4.0, 7.0, 6.0, 4.0, 7.0, 6.0]
    )
    # m = 1 is the naive forecast
    np.testing.assert_array_equal(
        baselines.seasonal_naive_forecast(Y, 4, m=1), baselines.naive_forecast(Y, 4)
    )
    # m = n: the whole series is one season
    np.testing.assert_array_equal(baselines.seasonal_naive_forecast(Y, 7, m=7), Y)


def test_drift_forecast_by_hand():
    # slope (7 - 2) / (7 - 1) = 5/6: 7 + 5/6, 7 + 10/6, 7 + 15/6
    np.testing.assert_allclose(baselines.drift_forecast(Y, 3), [7 + 5 / 6, 7 + 10 / 6, 7 + 2.5])


def test_drift_is_exact_on_a_straight_line():
    line = 3.0 + 0.5 * np.arange(10)
    np.testing.assert_allclose(baselines.drift_forecast(line, 4), 3.0 + 0.5 * np.arange(10, 14))


@settings(max_examples=50, deadline=None)
@given(
    n_seasons=st.integers(1, 5),
    m=st.integers(1, 13),
    horizon=st.integers(1, 40),
    seed=st.integers(0, 1000),
)
def test_seasonal_naive_is_exact_on_a_periodic_series(n_seasons, m, horizon, seed):
    pattern = np.random.default_rng(seed).normal(size=m)
    y = np.tile(pattern, n_seasons + horizon // m + 1)
    n = n_seasons * m
    forecast = baselines.seasonal_naive_forecast(y[:n], horizon, m=m)
    assert forecast.shape == (horizon,)
    np.testing.assert_array_equal(forecast, y[n : n + horizon])


def test_seasonal_naive_at_origins_is_the_forecast_from_each_origins_past():
    rng = np.random.default_rng(3)
    y = rng.normal(size=40)
    origins = np.array([5, 6, 17, 40])  # the last origin forecasts beyond the series
    got = baselines.seasonal_naive_at_origins(y, origins, 9, m=5)
    assert got.shape == (4, 9)
    for row, origin in zip(got, origins, strict=True):
        np.testing.assert_array_equal(row, baselines.seasonal_naive_forecast(y[:origin], 9, m=5))
    changed = y.copy()
    changed[20:] = 99.0  # values at or after the origin are never read
    last_season = y[15:20]
    np.testing.assert_array_equal(
        baselines.seasonal_naive_at_origins(changed, [20], 7, m=5)[0],
        np.concatenate([last_season, last_season[:2]]),
    )


def test_seasonal_naive_at_origins_messages():
    with pytest.raises(ValueError, match=r"origins\[1\] must be an integer >= 3, got 2"):
        baselines.seasonal_naive_at_origins(Y, [4, 2], 2, m=3)
    with pytest.raises(ValueError, match=r"origins must lie within the series \(at most 7"):
        baselines.seasonal_naive_at_origins(Y, [8], 2, m=3)
    with pytest.raises(TypeError, match=r"origins\[0\] must be an integer >= 3, got float"):
        baselines.seasonal_naive_at_origins(Y, np.array([4.0]), 2, m=3)
    with pytest.raises(ValueError, match=r"values must hold at least 12 values"):
        baselines.seasonal_naive_at_origins(Y, [7], 2, m=12)
    with pytest.raises(ValueError, match=r"horizon must be a positive integer, got 0"):
        baselines.seasonal_naive_at_origins(Y, [7], 0, m=3)


def test_simple_forecasts_holds_the_four_baselines():
    forecasts = baselines.simple_forecasts(Y, 4, m=3)
    assert list(forecasts) == ["mean", "naive", "seasonal naive", "drift"]
    np.testing.assert_array_equal(forecasts["seasonal naive"], [6.0, 4.0, 7.0, 6.0])
    assert "seasonal naive" not in baselines.simple_forecasts(Y, 4)


def test_pandas_input_and_input_left_unmodified():
    series = pd.Series(Y.copy(), index=pd.date_range("2000-01", periods=7, freq="MS"))
    before = series.copy()
    np.testing.assert_array_equal(baselines.naive_forecast(series, 2), [7.0, 7.0])
    baselines.drift_forecast(series, 2)
    pd.testing.assert_series_equal(series, before)


def test_forecasts_plug_into_rolling_origin():
    y = _airline_like(60)
    scores = metrics.rolling_origin_evaluation(
        y,
        {
            "naive": baselines.naive_forecast,
            "seasonal naive": functools.partial(baselines.seasonal_naive_forecast, m=12),
        },
        initial=36,
        horizon=12,
        step=6,
        m=12,
    )
    assert scores["origin"].unique().tolist() == [36, 42, 48]
    # On a strongly seasonal series the seasonal naive beats the naive at every origin.
    wide = scores.pivot(index="origin", columns="model", values="MAE")
    assert (wide["seasonal naive"] < wide["naive"]).all()


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "forecaster",
    [
        baselines.mean_forecast,
        baselines.naive_forecast,
        baselines.drift_forecast,
        functools.partial(baselines.seasonal_naive_forecast, m=2),
    ],
)
def test_simple_forecasts_reject_bad_input(forecaster):
    with pytest.raises(ValueError, match=r"horizon must be a positive integer, got 0"):
        forecaster(Y, 0)
    with pytest.raises(TypeError, match=r"horizon must be a positive integer, got float 2.0"):
        forecaster(Y, 2.0)
    with pytest.raises(ValueError, match=r"y_train must contain only finite values.*index 1"):
        forecaster([1.0, np.nan, 3.0], 2)
    with pytest.raises(
        ValueError, match=r"y_train must be a 1-D series \(n,\), got shape \(3, 2\)"
    ):
        forecaster(np.ones((3, 2)), 2)
    with pytest.raises(ValueError, match=r"y_train must hold at least"):
        forecaster([], 2)
    with pytest.raises(TypeError, match=r"y_train must hold real numbers"):
        forecaster(["a", "b"], 2)


def test_short_series_messages():
    with pytest.raises(ValueError, match=r"at least 2 values \(for a slope\), got 1"):
        baselines.drift_forecast([1.0], 2)
    with pytest.raises(ValueError, match=r"at least 12 values \(one season, m=12\), got 7"):
        baselines.seasonal_naive_forecast(Y, 2, m=12)
    with pytest.raises(ValueError, match=r"m must be a positive integer, got 0"):
        baselines.seasonal_naive_forecast(Y, 2, m=0)


# ------------------------------------------------------- statsmodels wrappers


@pytest.mark.parametrize(
    ("trend", "damped_trend", "seasonal"),
    [(None, False, None), ("add", False, None), ("add", True, "add"), ("add", False, "mul")],
)
def test_exponential_smoothing_equals_statsmodels(trend, damped_trend, seasonal):
    y = _airline_like()
    ours = baselines.exponential_smoothing_forecast(
        y, 18, trend=trend, damped_trend=damped_trend, seasonal=seasonal, m=12
    )
    direct = (
        ExponentialSmoothing(
            y,
            trend=trend,
            damped_trend=damped_trend,
            seasonal=seasonal,
            seasonal_periods=12 if seasonal else None,
            initialization_method="estimated",
        )
        .fit()
        .forecast(18)
    )
    assert ours.shape == (18,)
    np.testing.assert_allclose(ours, direct, rtol=1e-10)


def test_exponential_smoothing_with_a_date_index_gives_the_same_numbers():
    y = _airline_like()
    series = pd.Series(y, index=pd.date_range("2000-01", periods=y.size, freq="MS"))
    np.testing.assert_allclose(
        baselines.exponential_smoothing_forecast(series, 6, trend="add"),
        baselines.exponential_smoothing_forecast(y, 6, trend="add"),
    )


def test_exponential_smoothing_messages():
    y = _airline_like()
    with pytest.raises(ValueError, match=r"m \(the seasonal period\) is required"):
        baselines.exponential_smoothing_forecast(y, 3, seasonal="add")
    with pytest.raises(ValueError, match=r"m must be an integer >= 2, got 1"):
        baselines.exponential_smoothing_forecast(y, 3, seasonal="add", m=1)
    with pytest.raises(ValueError, match=r"strictly positive"):  # statsmodels' own message
        baselines.exponential_smoothing_forecast(y - 200, 3, seasonal="mul", m=12)


def test_sarima_equals_statsmodels_on_the_airline_model():
    log_y = np.log(_airline_like(96))
    ours = baselines.sarima_forecast(log_y, 12, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    direct = (
        SARIMAX(log_y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(disp=False).forecast(12)
    )
    assert ours.shape == (12,)
    np.testing.assert_allclose(ours, direct, rtol=1e-10)


def test_sarima_with_trend_equals_statsmodels():
    y = np.cumsum(np.random.default_rng(4).normal(0.5, 1.0, 80))
    ours = baselines.sarima_forecast(y, 5, order=(1, 1, 0), trend="c")
    direct = SARIMAX(y, order=(1, 1, 0), trend="c").fit(disp=False).forecast(5)
    np.testing.assert_allclose(ours, direct, rtol=1e-10)


def test_sarima_messages():
    y = _airline_like()
    with pytest.raises(ValueError, match=r"order must be a tuple of 3 non-negative integers"):
        baselines.sarima_forecast(y, 3, order=(0, 1))
    with pytest.raises(ValueError, match=r"seasonal_order must be a tuple of 4"):
        baselines.sarima_forecast(y, 3, order=(0, 1, 1), seasonal_order=(0, 1, 1))
    with pytest.raises(ValueError, match=r"order must be a tuple of 3 non-negative integers"):
        baselines.sarima_forecast(y, 3, order=(0, -1, 1))
    with pytest.raises(TypeError, match=r"order"):
        baselines.sarima_forecast(y, 3)  # order is required
