"""Tests of helpers.metrics: hand-computed values, scikit-learn parity, the M4/M5
definitions and the report (the comparison rule and the Diebold-Mariano test are in
tests/test_comparison.py, rolling-origin evaluation in tests/test_walk_forward.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from helpers import baselines, metrics

Y_TRUE = np.array([3.0, -0.5, 2.0, 7.0])
Y_PRED = np.array([2.5, 0.0, 2.0, 8.0])
# errors y - y_hat: 0.5, -0.5, 0.0, -1.0


# ------------------------------------------------------------------ hand values


def test_mse_rmse_mae_by_hand():
    assert metrics.mean_squared_error(Y_TRUE, Y_PRED) == pytest.approx(
        (0.25 + 0.25 + 0.0 + 1.0) / 4
    )
    assert metrics.root_mean_squared_error(Y_TRUE, Y_PRED) == pytest.approx(math.sqrt(1.5 / 4))
    assert metrics.mean_absolute_error(Y_TRUE, Y_PRED) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)


def test_r2_by_hand():
    # mean of y_true = 11.5 / 4 = 2.875; squared deviations:
    # 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875; SSE = 1.5
    assert metrics.r2_score(Y_TRUE, Y_PRED) == pytest.approx(1 - 1.5 / 29.1875)


def test_mape_by_hand_is_a_fraction():
    y_true, y_pred = [100.0, 50.0, 200.0], [110.0, 40.0, 200.0]
    # |e| / |y| = 10/100, 10/50, 0/200 = 0.1, 0.2, 0.0
    assert metrics.mean_absolute_percentage_error(y_true, y_pred) == pytest.approx(0.3 / 3)


def test_smape_by_hand_percent_0_to_200():
    y_true, y_pred = [100.0, 50.0, 4.0], [110.0, 40.0, -4.0]
    # 200/3 * (10/210 + 10/90 + 8/8)
    expected = 200 / 3 * (10 / 210 + 10 / 90 + 1.0)
    assert metrics.smape(y_true, y_pred) == pytest.approx(expected)


def test_mase_by_hand_m1_and_m2():
    y_train = [1.0, 3.0, 2.0, 6.0, 4.0]
    y_true, y_pred = [5.0, 7.0], [6.0, 4.0]  # |e| = 1, 3 -> MAE 2
    # lag-1 differences: |3-1|, |2-3|, |6-2|, |4-6| = 2, 1, 4, 2 -> mean 9/4
    assert metrics.mase(y_true, y_pred, y_train=y_train) == pytest.approx(2 / (9 / 4))
    # lag-2 differences: |2-1|, |6-3|, |4-2| = 1, 3, 2 -> mean 2
    assert metrics.mase(y_true, y_pred, y_train=y_train, m=2) == pytest.approx(2 / 2)


def test_rmsse_by_hand_m1_and_m2():
    y_train = [1.0, 3.0, 2.0, 6.0, 4.0]
    y_true, y_pred = [5.0, 7.0], [6.0, 4.0]  # e^2 = 1, 9 -> MSE 5
    # lag-1 squared differences 4, 1, 16, 4 -> mean 25/4
    assert metrics.rmsse(y_true, y_pred, y_train=y_train) == pytest.approx(math.sqrt(5 / 6.25))
    # lag-2 squared differences 1, 9, 4 -> mean 14/3
    assert metrics.rmsse(y_true, y_pred, y_train=y_train, m=2) == pytest.approx(
        math.sqrt(5 / (14 / 3))
    )


def test_naive_scale_by_hand():
    assert metrics.naive_scale([1.0, 3.0, 2.0, 6.0]) == pytest.approx((2 + 1 + 4) / 3)
    assert metrics.naive_scale([1.0, 3.0, 2.0, 6.0], squared=True) == pytest.approx(21 / 3)
    assert metrics.naive_scale([1.0, 3.0, 2.0, 6.0], m=2) == pytest.approx((1 + 3) / 2)


def test_two_dimensional_targets_are_averaged_over_columns():
    y_true = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])  # (n=3, horizon=2)
    y_pred = np.array([[2.0, 10.0], [2.0, 24.0], [3.0, 30.0]])
    # column 0: |e| = 1, 0, 0 -> 1/3; column 1: 0, 4, 0 -> 4/3
    raw = metrics.mae(y_true, y_pred, multioutput="raw_values")
    np.testing.assert_allclose(raw, [1 / 3, 4 / 3])
    assert metrics.mae(y_true, y_pred) == pytest.approx((1 / 3 + 4 / 3) / 2)
    # RMSE is the root per column, then averaged: sqrt(1/3) and sqrt(16/3)
    assert metrics.rmse(y_true, y_pred) == pytest.approx((math.sqrt(1 / 3) + math.sqrt(16 / 3)) / 2)
    # MASE: every column is scaled by the same in-sample naive error (here 1)
    np.testing.assert_allclose(
        metrics.mase(y_true, y_pred, y_train=[0.0, 1.0, 2.0], multioutput="raw_values"),
        [1 / 3, 4 / 3],
    )


# ------------------------------------------------------- scikit-learn parity


@pytest.mark.parametrize("shape", [(20,), (20, 3)])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (metrics.mean_squared_error, skm.mean_squared_error),
        (metrics.root_mean_squared_error, skm.root_mean_squared_error),
        (metrics.mean_absolute_error, skm.mean_absolute_error),
        (metrics.r2_score, skm.r2_score),
        (metrics.mean_absolute_percentage_error, skm.mean_absolute_percentage_error),
    ],
)
def test_parity_with_scikit_learn(ours, theirs, shape):
    rng = np.random.default_rng(3)
    y_true = rng.uniform(1.0, 5.0, size=shape)  # no zeros, for MAPE
    y_pred = y_true + rng.normal(0.0, 0.5, size=shape)
    assert ours(y_true, y_pred) == pytest.approx(theirs(y_true, y_pred), rel=1e-12)
    if len(shape) == 2:
        np.testing.assert_allclose(
            ours(y_true, y_pred, multioutput="raw_values"),
            theirs(y_true, y_pred, multioutput="raw_values"),
            rtol=1e-12,
        )


def test_keras_shaped_predictions_are_accepted():
    y_true = np.array([1.0, 2.0, 3.0])  # (n,)
    y_pred = np.array([[1.5], [2.0], [2.0]])  # (n, 1), as model.predict returns
    assert metrics.mae(y_true, y_pred) == pytest.approx((0.5 + 0 + 1) / 3)
    assert metrics.mae(y_pred, y_true) == pytest.approx((0.5 + 0 + 1) / 3)


# ---------------------------------------------------------- M4 / M5 definitions


def _m4_smape(outsample, forecasts):
    """The M4 organisers' smape_cal (Benchmarks and Evaluation.R), one value per point."""
    return np.abs(outsample - forecasts) * 200 / (np.abs(outsample) + np.abs(forecasts))


def _m4_mase(insample, outsample, forecasts, frq):
    """The M4 organisers' mase_cal: seasonal naive in sample with NA padding, then mean."""
    naive = [np.nan] * frq + [insample[j - frq] for j in range(frq, len(insample))]
    masep = np.nanmean(np.abs(insample - np.array(naive)))
    return np.abs(outsample - forecasts) / masep


def test_smape_and_mase_match_the_m4_organisers_code():
    rng = np.random.default_rng(0)
    insample = 50 + np.cumsum(rng.normal(size=48)) + 5 * np.sin(np.arange(48) * 2 * np.pi / 12)
    outsample = insample[-12:] + rng.normal(size=12)
    forecasts = insample[-12:]
    assert metrics.smape(outsample, forecasts) == pytest.approx(
        np.mean(_m4_smape(outsample, forecasts))
    )
    assert metrics.mase(outsample, forecasts, y_train=insample, m=12) == pytest.approx(
        np.mean(_m4_mase(insample, outsample, forecasts, 12))
    )


def test_rmsse_matches_the_m5_definition():
    rng = np.random.default_rng(1)
    y_train = np.cumsum(rng.normal(size=30))
    y_true, y_pred = rng.normal(size=7), rng.normal(size=7)
    n = y_train.size
    denominator = sum((y_train[t] - y_train[t - 1]) ** 2 for t in range(1, n)) / (n - 1)
    numerator = sum((y_true[t] - y_pred[t]) ** 2 for t in range(7)) / 7
    assert metrics.rmsse(y_true, y_pred, y_train=y_train) == pytest.approx(
        math.sqrt(numerator / denominator)
    )


def test_smape_bounds_and_symmetry():
    assert metrics.smape([1.0, -2.0], [-1.0, 2.0]) == pytest.approx(200.0)  # opposite signs
    assert metrics.smape([5.0, 0.0], [0.0, 3.0]) == pytest.approx(200.0)  # one side is 0
    assert metrics.smape([1.0, 2.0], [1.0, 2.0]) == 0.0
    a, b = [3.0, 4.0, 10.0], [2.0, 6.0, 11.0]
    assert metrics.smape(a, b) == pytest.approx(metrics.smape(b, a))


def test_the_in_sample_naive_forecast_has_mase_and_rmsse_one():
    # Scoring the seasonal naive forecast on the training series itself gives exactly 1.
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    for m in (1, 2, 3):
        assert metrics.mase(y[m:], y[:-m], y_train=y, m=m) == pytest.approx(1.0)
        assert metrics.rmsse(y[m:], y[:-m], y_train=y, m=m) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(1e-3, 1e3),
    shift=st.floats(-100, 100),
)
def test_scaled_errors_do_not_depend_on_units(seed, scale, shift):
    rng = np.random.default_rng(seed)
    y_train, y_true, y_pred = rng.normal(size=20), rng.normal(size=5), rng.normal(size=5)
    for metric in (metrics.mase, metrics.rmsse):
        base = metric(y_true, y_pred, y_train=y_train)
        moved = metric(
            scale * y_true + shift, scale * y_pred + shift, y_train=scale * y_train + shift
        )
        assert moved == pytest.approx(base, rel=1e-6)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "metric",
    [
        metrics.mse,
        metrics.rmse,
        metrics.mae,
        metrics.r2_score,
        metrics.mape,
        metrics.smape,
        lambda a, b: metrics.mase(a, b, y_train=[0.0, 1.0, 3.0]),
        lambda a, b: metrics.rmsse(a, b, y_train=[0.0, 1.0, 3.0]),
    ],
)
def test_every_metric_rejects_bad_input_with_a_message(metric):
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(4,\)"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=r"y_pred must contain only finite values.*index 1"):
        metric([1.0, 2.0, 3.0], [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"y_true must contain only finite values"):
        metric([1.0, np.inf, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(3, 2\)"):
        metric([1.0, 2.0, 3.0], np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"y_true must be 1-D \(n,\) or 2-D"):
        metric(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match=r"y_true must hold real numbers"):
        metric(["a", "b"], [1.0, 2.0])


def test_unknown_multioutput_is_refused():
    with pytest.raises(ValueError, match=r"multioutput must be one of .* got 'mean'"):
        metrics.mae([1.0], [1.0], multioutput="mean")


def test_mape_refuses_zeros_in_y_true():
    with pytest.raises(ValueError, match=r"undefined when y_true contains 0.*row 1"):
        metrics.mape([1.0, 0.0, 2.0], [1.0, 0.5, 2.0])


def test_smape_refuses_zero_over_zero():
    with pytest.raises(ValueError, match=r"both 0.*row 2"):
        metrics.smape([1.0, 2.0, 0.0], [1.0, 2.0, 0.0])


def test_r2_needs_two_values():
    with pytest.raises(ValueError, match=r"at least 2 values, got 1"):
        metrics.r2_score([1.0], [2.0])


@pytest.mark.parametrize("metric", [metrics.mase, metrics.rmsse])
def test_scaled_errors_refuse_a_flat_or_short_training_series(metric):
    with pytest.raises(ValueError, match=r"y_train is flat at lag m=1"):
        metric([1.0, 2.0], [1.0, 2.0], y_train=[5.0, 5.0, 5.0])
    # periodic with period 2: flat at lag 2 although not constant
    with pytest.raises(ValueError, match=r"flat at lag m=2"):
        metric([1.0, 2.0], [1.0, 2.0], y_train=[1.0, 2.0, 1.0, 2.0], m=2)
    with pytest.raises(
        ValueError, match=r"at least 5 values \(longer than the seasonal period m=4.*got 4"
    ):
        metric([1.0], [1.0], y_train=[1.0, 2.0, 3.0, 4.0], m=4)
    with pytest.raises(ValueError, match=r"m must be a positive integer, got 0"):
        metric([1.0], [1.0], y_train=[1.0, 2.0, 3.0], m=0)
    with pytest.raises(TypeError, match=r"m must be a positive integer, got float 1.0"):
        metric([1.0], [1.0], y_train=[1.0, 2.0, 3.0], m=1.0)
    with pytest.raises(ValueError, match=r"y_train must contain only finite"):
        metric([1.0], [1.0], y_train=[1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"y_train must be a 1-D series"):
        metric([1.0], [1.0], y_train=np.ones((3, 2)))


def test_inputs_are_left_unmodified():
    y_true, y_pred, y_train = Y_TRUE.copy(), Y_PRED.copy(), np.arange(6.0)
    before = (y_true.copy(), y_pred.copy(), y_train.copy())
    metrics.mase(y_true, y_pred, y_train=y_train)
    metrics.forecast_report(y_true, {"a": y_pred}, y_train=y_train, m=2)
    metrics.diebold_mariano_test(y_true, y_pred, y_pred + [0.1, -0.3, 0.2, 0.0])
    for original, after in zip(before, (y_true, y_pred, y_train), strict=True):
        np.testing.assert_array_equal(original, after)


# ---------------------------------------------------------------------- report


def test_report_adds_the_naive_rows_and_sorts_by_mase():
    y_train = np.array([10.0, 20.0, 12.0, 22.0, 14.0, 24.0])  # season of 2, trend +2
    y_true = np.array([16.0, 26.0])
    report = metrics.forecast_report(y_true, {"perfect": y_true.copy()}, y_train=y_train, m=2)
    assert set(report.index) == {"perfect", "naive", "seasonal naive"}
    assert list(report["MASE"]) == sorted(report["MASE"])
    assert report.index[0] == "perfect" and report.loc["perfect", "MAE"] == 0.0
    # naive repeats 24: |16-24| = 8, |26-24| = 2 -> MAE 5
    assert report.loc["naive", "MAE"] == pytest.approx(5.0)
    # seasonal naive repeats (14, 24): errors 2, 2 -> MAE 2; lag-2 in-sample MAE is 2 -> MASE 1
    assert report.loc["seasonal naive", "MAE"] == pytest.approx(2.0)
    assert report.loc["seasonal naive", "MASE"] == pytest.approx(1.0)
    assert list(report.columns) == ["MASE", "RMSSE", "MAE", "RMSE", "MSE", "MAPE", "sMAPE", "R2"]
    assert report.index.name == "model"


def test_report_metrics_equal_the_metric_functions():
    rng = np.random.default_rng(5)
    y_train, y_true = 10 + rng.normal(size=30), 10 + rng.normal(size=6)
    y_pred = y_true + rng.normal(size=6)
    row = metrics.forecast_report(y_true, {"model": y_pred}, y_train=y_train).loc["model"]
    assert row["MASE"] == pytest.approx(metrics.mase(y_true, y_pred, y_train=y_train))
    assert row["RMSSE"] == pytest.approx(metrics.rmsse(y_true, y_pred, y_train=y_train))
    assert row["RMSE"] == pytest.approx(skm.root_mean_squared_error(y_true, y_pred))
    assert row["MAPE"] == pytest.approx(skm.mean_absolute_percentage_error(y_true, y_pred))
    assert row["sMAPE"] == pytest.approx(np.mean(_m4_smape(y_true, y_pred)))
    assert row["R2"] == pytest.approx(skm.r2_score(y_true, y_pred))


def test_report_one_step_naive_uses_the_previous_true_value():
    y_train, y_true = np.array([1.0, 2.0, 4.0]), np.array([5.0, 3.0, 6.0])
    report = metrics.forecast_report(y_true, {}, y_train=y_train, one_step=True)
    # forecasts 4, 5, 3 -> errors 1, -2, 3 -> MAE 2
    assert report.loc["naive", "MAE"] == pytest.approx(2.0)


def test_report_keeps_a_given_naive_row_and_nan_mape_for_zeros():
    y_train, y_true = np.array([1.0, 2.0, 4.0]), np.array([0.0, 3.0])
    report = metrics.forecast_report(y_true, {"naive": [1.0, 1.0]}, y_train=y_train)
    assert report.loc["naive", "MAE"] == pytest.approx((1 + 2) / 2)  # not the computed 4, 4
    assert math.isnan(report.loc["naive", "MAPE"])


def test_report_rejects_bad_input():
    with pytest.raises(TypeError, match=r"forecasts must be a mapping"):
        metrics.forecast_report([1.0, 2.0], [[1.0, 2.0]], y_train=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"forecasts\['a'\] must have the shape of y_true"):
        metrics.forecast_report([1.0, 2.0], {"a": [1.0]}, y_train=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"forecasts\['a'\] must contain only finite"):
        metrics.forecast_report([1.0, 2.0], {"a": [1.0, np.nan]}, y_train=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"y_true must be 1-D"):
        metrics.forecast_report(np.ones((2, 2)), {}, y_train=[0.0, 1.0])
    with pytest.raises(ValueError, match=r"flat"):
        metrics.forecast_report([1.0, 2.0], {}, y_train=[3.0, 3.0])


# ---------------------------------------------------------------- lag trap


def test_lagged_correlation_finds_a_copy_of_the_last_value():
    rng = np.random.default_rng(2)
    y = np.cumsum(rng.normal(size=200))
    copy = np.concatenate([[y[0]], y[:-1]])  # y_hat[t] = y[t-1]
    r = metrics.lagged_correlation(y, copy, max_lag=4)
    assert r.shape == (5,)
    assert int(np.argmax(r)) == 1 and r[1] == pytest.approx(1.0)
    assert int(np.argmax(metrics.lagged_correlation(y, y, max_lag=4))) == 0


def test_lagged_correlation_by_hand():
    y_true = np.array([1.0, 2.0, 4.0, 3.0, 5.0])
    y_pred = np.array([1.0, 1.5, 3.0, 4.0, 3.5])
    r = metrics.lagged_correlation(y_true, y_pred, max_lag=1)
    assert r[0] == pytest.approx(np.corrcoef(y_pred, y_true)[0, 1])
    # lag 1 pairs y_pred[1:] = (1.5, 3, 4, 3.5) with y_true[:-1] = (1, 2, 4, 3):
    a, b = np.array([1.5, 3.0, 4.0, 3.5]), np.array([1.0, 2.0, 4.0, 3.0])
    a, b = a - a.mean(), b - b.mean()
    assert r[1] == pytest.approx((a @ b) / math.sqrt((a @ a) * (b @ b)))


def test_lagged_correlation_rejects_bad_input():
    with pytest.raises(ValueError, match=r"max_lag must leave at least 3 pairs, got max_lag=3"):
        metrics.lagged_correlation([1.0, 2.0, 3.0, 5.0, 4.0], [1.0, 2.0, 3.0, 4.0, 6.0], max_lag=3)
    with pytest.raises(ValueError, match=r"undefined: one side is constant"):
        metrics.lagged_correlation([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], max_lag=1)
    with pytest.raises(ValueError, match=r"max_lag must be a non-negative integer, got -1"):
        metrics.lagged_correlation([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], max_lag=-1)


def test_metrics_re_exports_rolling_origin_evaluation_from_walk_forward():
    from helpers import walk_forward

    assert metrics.rolling_origin_evaluation is walk_forward.rolling_origin_evaluation
    with pytest.raises(AttributeError, match="has no attribute 'no_such_metric'"):
        metrics.no_such_metric  # noqa: B018


SHORTHANDS = {
    "mse": "mean_squared_error",
    "rmse": "root_mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "smape": "symmetric_mean_absolute_percentage_error",
    "mase": "mean_absolute_scaled_error",
    "rmsse": "root_mean_squared_scaled_error",
}


def test_each_shorthand_is_the_metric_itself_and_there_are_no_others():
    for short, long in SHORTHANDS.items():
        assert getattr(metrics, short) is getattr(metrics, long)
        assert short in metrics.__all__ and long in metrics.__all__
    functions = [
        getattr(metrics, name) for name in metrics.__all__ if callable(getattr(metrics, name))
    ]
    named_twice = {f.__name__ for f in functions if functions.count(f) > 1}
    assert named_twice == set(SHORTHANDS.values())


@pytest.mark.parametrize("one_step", [False, True])
def test_report_naive_rows_are_the_baselines_forecasts(one_step):
    y_train = np.array([1.0, 4.0, 2.0, 5.0, 3.0, 6.0])
    y_true = np.array([4.0, 7.0, 5.0])
    report = metrics.forecast_report(y_true, {}, y_train=y_train, m=2, one_step=one_step)
    if one_step:  # each point from the true values before it, by hand
        naive, seasonal = np.array([6.0, 4.0, 7.0]), np.array([3.0, 6.0, 4.0])
    else:
        naive = baselines.naive_forecast(y_train, 3)
        seasonal = baselines.seasonal_naive_forecast(y_train, 3, m=2)
    assert report.loc["naive", "MAE"] == pytest.approx(np.mean(np.abs(y_true - naive)))
    assert report.loc["seasonal naive", "MAE"] == pytest.approx(np.mean(np.abs(y_true - seasonal)))
