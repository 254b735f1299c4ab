"""Tests for helpers.features: the position in the year, its sine and cosine, the climatology."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import features


def test_daily_position_starts_at_zero_each_year_and_counts_leap_days():
    days = pd.date_range("2023-12-30", "2024-01-02", freq="D")
    tau = features.year_fraction(days)
    np.testing.assert_allclose(tau, [363 / 365, 364 / 365, 0.0, 1 / 366])
    assert np.all((tau >= 0) & (tau < 1))


def test_sub_daily_rows_add_the_time_of_day():
    hours = pd.date_range("2023-03-01", periods=4, freq="6h")
    tau = features.year_fraction(hours)
    np.testing.assert_allclose(np.diff(tau), 0.25 / 365)


@pytest.mark.parametrize("freq", ["MS", "ME", "QS"])
def test_monthly_and_quarterly_rows_use_the_month(freq):
    stamps = pd.date_range("2020-01-01", periods=24, freq=freq)
    tau = features.year_fraction(stamps)
    np.testing.assert_allclose(tau, (stamps.month - 1) / 12)
    # The same month of every year sits at exactly the same place.
    same = pd.Series(tau).groupby(stamps.month).nunique()
    assert (same == 1).all()


def test_calendar_features_lie_on_the_unit_circle_and_keep_the_index():
    days = pd.date_range("2021-01-01", periods=800, freq="D")
    cal = features.calendar_features(days, prefix="season")
    assert list(cal.columns) == ["season_sin", "season_cos"]
    assert cal.index.equals(days)
    np.testing.assert_allclose(cal["season_sin"] ** 2 + cal["season_cos"] ** 2, 1.0)
    # New year's eve and new year's day are neighbours on the circle.
    gap = cal.loc["2021-12-31"].to_numpy() - cal.loc["2022-01-01"].to_numpy()
    assert np.hypot(*gap) < 2 * np.pi / 300


def test_calendar_features_join_a_frame_without_changing_it():
    frame = pd.DataFrame({"y": np.arange(10.0)}, index=pd.date_range("2024-01-01", periods=10))
    before = frame.copy()
    joined = frame.join(features.calendar_features(frame.index))
    pd.testing.assert_frame_equal(frame, before)
    assert list(joined.columns) == ["y", "year_sin", "year_cos"]


@pytest.mark.parametrize(
    ("index", "words"),
    [
        (pd.RangeIndex(20), "numbered, not dated"),
        (pd.date_range("1990-01-01", periods=10, freq="YS"), "a year or more apart"),
        (pd.DatetimeIndex(["2024-01-01"]), "too few"),
        (pd.DatetimeIndex(["2024-01-01", None, "2024-01-03"]), "NaT"),
    ],
)
def test_calendar_problem_says_why_and_features_refuse_with_it(index, words):
    problem = features.calendar_problem(index)
    assert words in problem
    with pytest.raises(ValueError, match="no usable calendar"):
        features.calendar_features(index)


def test_calendar_problem_is_none_for_usable_series():
    for freq in ["h", "D", "W", "MS", "QS"]:
        assert features.calendar_problem(pd.date_range("2020-01-01", periods=30, freq=freq)) is None


def test_bad_prefix_and_non_dates_are_refused():
    days = pd.date_range("2024-01-01", periods=5)
    with pytest.raises(TypeError, match="prefix"):
        features.calendar_features(days, prefix="")
    with pytest.raises(TypeError, match="DatetimeIndex"):
        features.year_fraction(object())


# --------------------------------------------------------------------------- climatology


def _seasonal(years=3, start="2019-01-01"):
    days = pd.date_range(start, periods=365 * years, freq="D")
    values = 10 + 8 * np.sin(2 * np.pi * features.year_fraction(days))
    return pd.Series(values, index=days)


def test_fourier_terms_are_the_harmonics_of_the_yearly_angle():
    days = pd.date_range("2024-01-01", periods=800, freq="D")
    terms = features.fourier_terms(days, harmonics=3)
    assert terms.shape == (800, 6) and terms.index.equals(days)
    angle = 2 * np.pi * features.year_fraction(days)
    for k in (1, 2, 3):
        assert np.allclose(terms[f"year_sin{k}"], np.sin(k * angle))
        assert np.allclose(terms[f"year_cos{k}"], np.cos(k * angle))
    first = features.calendar_features(days).to_numpy()
    assert np.allclose(terms[["year_sin1", "year_cos1"]].to_numpy(), first)
    # a yearly shape with two waves is exactly a combination of the columns, plus a constant
    shape = 3.0 + 2.0 * np.cos(angle) - 0.5 * np.sin(2 * angle)
    design = np.column_stack([np.ones(800), terms.to_numpy()])
    coefficients, *_ = np.linalg.lstsq(design, shape, rcond=None)
    assert np.allclose(design @ coefficients, shape)


def test_fourier_terms_refuse_bad_harmonics_and_calendars():
    days = pd.date_range("2024-01-01", periods=10, freq="D")
    with pytest.raises(ValueError, match="harmonics"):
        features.fourier_terms(days, harmonics=0)
    with pytest.raises(TypeError, match="harmonics"):
        features.fourier_terms(days, harmonics=1.5)
    with pytest.raises(ValueError, match="no usable calendar"):
        features.fourier_terms(pd.RangeIndex(10), harmonics=1)


def test_join_calendar_adds_the_two_columns_on_dated_rows_only():
    days = pd.date_range("2024-01-01", periods=5, freq="D")
    frame = pd.DataFrame({"y": np.arange(5.0)}, index=days)
    joined, columns, problem = features.join_calendar(frame)
    assert columns == ["year_sin", "year_cos"] and problem is None
    assert list(frame.columns) == ["y"]  # the input is left alone
    pd.testing.assert_frame_equal(joined[columns], features.calendar_features(days))
    numbered = pd.DataFrame({"y": np.arange(5.0)})
    same, none, why = features.join_calendar(numbered)
    assert none == [] and "numbered" in why
    pd.testing.assert_frame_equal(same, numbered)
    with pytest.raises(ValueError, match="already has the calendar"):
        features.join_calendar(joined)
    with pytest.raises(TypeError, match="DataFrame"):
        features.join_calendar(np.zeros(5))


def test_climatology_of_an_exactly_seasonal_series_is_the_season():
    history = _seasonal()
    future = pd.date_range("2022-03-01", periods=60, freq="D")
    expected = 10 + 8 * np.sin(2 * np.pi * features.year_fraction(future))
    forecast = features.climatology_forecast(history, future, half_width=0)
    np.testing.assert_allclose(forecast, expected, atol=0.15)  # leap-year day drift only


def test_climatology_is_the_mean_of_the_same_days_across_years():
    days = pd.date_range("2021-01-01", "2023-12-31", freq="D")
    values = pd.Series(np.arange(len(days), dtype=float), index=days)
    forecast = features.climatology_forecast(values, pd.DatetimeIndex(["2024-03-10"]), half_width=2)
    near = [d for d in days if d.month == 3 and 8 <= d.day <= 12]
    assert forecast[0] == pytest.approx(values[near].mean())


def test_climatology_wraps_around_new_year():
    days = pd.date_range("2021-01-01", "2022-12-31", freq="D")
    january = pd.Series(np.where(days.month == 1, 1.0, 0.0), index=days)
    # 31 December's window of +-3 days reaches 1-3 January: 3 of 7 days are ones.
    forecast = features.climatology_forecast(
        january, pd.DatetimeIndex(["2023-12-31"]), half_width=3
    )
    assert forecast[0] == pytest.approx(3 / 7, abs=0.08)


def test_climatology_keeps_the_shape_of_the_target_times():
    history = _seasonal()
    when = np.array(pd.date_range("2022-01-01", periods=12, freq="D")).reshape(4, 3)
    assert features.climatology_forecast(history, when).shape == (4, 3)


def test_climatology_falls_back_to_the_overall_mean_far_from_any_history():
    days = pd.date_range("2023-06-01", periods=10, freq="D")
    history = pd.Series(np.arange(10.0), index=days)
    forecast = features.climatology_forecast(history, pd.DatetimeIndex(["2024-01-15"]))
    assert forecast[0] == pytest.approx(4.5)


def test_climatology_of_monthly_rows_averages_the_same_month():
    months = pd.date_range("2019-01-01", periods=36, freq="MS")
    history = pd.Series(np.arange(36.0), index=months)
    forecast = features.climatology_forecast(history, pd.DatetimeIndex(["2022-05-01"]))
    assert forecast[0] == pytest.approx(np.mean([4.0, 16.0, 28.0]))


def test_climatology_leaves_its_input_alone():
    history = _seasonal()
    before = history.copy()
    features.climatology_forecast(history, pd.date_range("2022-01-01", periods=5))
    pd.testing.assert_series_equal(history, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"history": np.arange(5.0)}, TypeError, "pandas Series"),
        ({"half_width": 1.5}, TypeError, "half_width must be an integer"),
        ({"half_width": -1}, ValueError, "half_width must be between"),
        ({"half_width": 400}, ValueError, "half_width must be between"),
        ({"history": pd.Series([], dtype=float)}, ValueError, "no values"),
        (
            {"history": pd.Series([1.0, np.nan], index=pd.date_range("2024-01-01", periods=2))},
            ValueError,
            "NaN",
        ),
        ({"history": pd.Series(np.arange(5.0))}, ValueError, "no usable calendar"),
        ({"index": pd.DatetimeIndex(["2024-01-01", None])}, ValueError, "NaT"),
    ],
)
def test_climatology_refuses_bad_input(kwargs, error, words):
    args = {"history": _seasonal(1), "index": pd.date_range("2020-01-01", periods=3)}
    args.update(kwargs)
    with pytest.raises(error, match=words):
        features.climatology_forecast(
            args["history"], args["index"], half_width=args.get("half_width", 7)
        )
