"""Lesson 03's exercise checks 03.2-03.4: right answers pass, each wrong one gets a hint naming it.

(03.1 and the machinery are tested in tests/test_exercises.py.) The namespaces are plain
dicts built as the lesson builds its variables, on the default noisy sine, with a fixed
noisy forecast standing in for the trained LSTM (no training).
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import data, metrics
from helpers.exercises import check, grade

SEED, PERIOD, NOISE, WINDOW = 42, 25, 0.1, 10


def assert_wrong(key, namespace, name, reference=None):
    result = check(key, namespace)
    assert not result.right
    text = "\n".join(result.hints)
    assert f"`{name}" in text, text
    if reference is not None:
        assert not shown(text, reference), text
    with pytest.raises(AssertionError):
        grade(key, namespace)
    return text


@pytest.fixture(scope="module")
def lesson():
    series = data.noisy_sine(200, period=PERIOD, noise=NOISE, seed=SEED)
    split = data.chronological_split(series, train=0.6, validation=0.2)
    n_train, n_val, _ = split.lengths
    scaled = data.scale_split(split, kind="standard")
    windows = data.split_windows(scaled, WINDOW)
    (X_train, y_train), (X_test, y_test) = windows.train, windows.test
    truth = scaled.inverse(y_test[:, 0])
    lstm_one = truth + np.random.default_rng(0).normal(0, 0.12, truth.shape)
    return dict(
        series=series, n_train=n_train, n_val=n_val, SEASONAL_PERIOD=PERIOD, SEED=SEED,
        NOISE=NOISE, scaled=scaled, X_train=X_train, y_train=y_train, X_test=X_test,
        truth=truth, lstm_one=lstm_one,
    )  # fmt: skip


# ------------------------------------------------------------------ 03.2


def linear_answer(ns, X_train=None, y_train=None):
    X_train = ns["X_train"] if X_train is None else X_train
    y_train = ns["y_train"] if y_train is None else y_train
    model = np.column_stack([np.ones(len(X_train)), X_train[:, :, 0]])
    beta, *_ = np.linalg.lstsq(model, y_train[:, 0], rcond=None)
    design = np.column_stack([np.ones(len(ns["X_test"])), ns["X_test"][:, :, 0]])
    forecast = ns["scaled"].inverse(design @ beta)
    verdict = metrics.compare_forecasts(ns["truth"], forecast, ns["lstm_one"], names=("lin", "L"))
    return {**ns, "ex2_linear_forecast": forecast, "ex2_verdict": verdict}


def test_linear_right_either_order_and_in_raw_units(lesson):
    right = linear_answer(lesson)
    assert check("03.2", right).right
    grade("03.2", right)
    flipped = metrics.compare_forecasts(
        lesson["truth"], lesson["lstm_one"], right["ex2_linear_forecast"]
    )
    assert check("03.2", {**right, "ex2_verdict": flipped}).right
    # Fitted on raw windows: OLS with an intercept gives the same forecasts, another method.
    split = data.chronological_split(lesson["series"], train=0.6, validation=0.2)
    raw = data.split_windows(split, WINDOW)
    beta, *_ = np.linalg.lstsq(
        np.column_stack([np.ones(len(raw.train.X)), raw.train.X[:, :, 0]]),
        raw.train.y[:, 0],
        rcond=None,
    )
    forecast = np.column_stack([np.ones(len(raw.test.X)), raw.test.X[:, :, 0]]) @ beta
    verdict = metrics.compare_forecasts(lesson["truth"], forecast, lesson["lstm_one"])
    assert check("03.2", {**right, "ex2_linear_forecast": forecast, "ex2_verdict": verdict}).right


def test_linear_wrong(lesson):
    right = linear_answer(lesson)
    scaled_forecast = right["ex2_linear_forecast"]
    no_intercept = (
        lesson["X_test"][:, :, 0]
        @ np.linalg.lstsq(lesson["X_train"][:, :, 0], lesson["y_train"][:, 0], rcond=None)[0]
    )
    assert_wrong(
        "03.2",
        {**right, "ex2_linear_forecast": lesson["scaled"].inverse(no_intercept)},
        "ex2_linear_forecast",
        scaled_forecast,
    )
    naive = lesson["scaled"].inverse(lesson["X_test"][:, -1, 0])
    other = metrics.compare_forecasts(lesson["truth"], naive, lesson["lstm_one"])
    assert_wrong("03.2", {**right, "ex2_verdict": other}, "ex2_verdict")
    absolute = metrics.compare_forecasts(
        lesson["truth"], scaled_forecast, lesson["lstm_one"], loss="absolute"
    )
    assert check("03.2", {**right, "ex2_verdict": absolute}).right  # its own loss, judged as such
    assert_wrong("03.2", {**right, "ex2_verdict": 0.05}, "ex2_verdict")


# ------------------------------------------------------------------ 03.3


def seasonal_mean_answer(ns, k=None):
    series, rows = ns["series"], np.arange(ns["n_train"], ns["n_train"] + ns["n_val"])

    def mean_of(rows, k):
        return np.mean([series[rows - j * PERIOD] for j in range(1, k + 1)], axis=0)

    if k is None:
        rmse = {
            k: metrics.root_mean_squared_error(series[rows], mean_of(rows, k))
            for k in range(1, ns["n_train"] // PERIOD + 1)
        }
        k = min(rmse, key=rmse.get)
    forecast = mean_of(np.arange(ns["n_train"] + ns["n_val"], len(series)), k)
    verdict = metrics.compare_forecasts(ns["truth"], forecast, ns["lstm_one"])
    return {**ns, "ex3_best_k": k, "ex3_forecast": forecast, "ex3_verdict": verdict}


def test_seasonal_mean_right(lesson):
    right = seasonal_mean_answer(lesson)
    assert check("03.3", right).right
    grade("03.3", right)


def test_seasonal_mean_wrong(lesson):
    right = seasonal_mean_answer(lesson)
    other_k = 1 if right["ex3_best_k"] != 1 else 2
    wrong = seasonal_mean_answer(lesson, other_k)  # a K not chosen on the validation part
    text = assert_wrong("03.3", wrong, "ex3_best_k")
    assert "ex3_forecast" not in text  # the forecast does follow its own K
    assert_wrong("03.3", {**right, "ex3_best_k": 99}, "ex3_best_k")
    assert_wrong("03.3", {**right, "ex3_forecast": wrong["ex3_forecast"]}, "ex3_forecast")
    assert_wrong("03.3", {**right, "ex3_verdict": wrong["ex3_verdict"]}, "ex3_verdict")


# ------------------------------------------------------------------ 03.4


def drift_answer(ns, n=40, shrink=0.6):
    x = ns["series"] + 0.02 * np.arange(200)
    rows = np.arange(200 - n, 200)
    naive = x[rows - 1]
    yours = x[rows - 1] + shrink * (x[rows] - x[rows - 1])  # a forecaster better than naive
    verdict = metrics.compare_forecasts(x[rows], yours, naive, names=("changes", "naive"))
    rmse = {
        "naive": metrics.root_mean_squared_error(x[rows], naive),
        "changes": metrics.root_mean_squared_error(x[rows], yours),
    }
    return {**ns, "ex4_rmse": rmse, "ex4_verdict": verdict}


def test_drift_right(lesson):
    right = drift_answer(lesson)
    assert check("03.4", right).right
    grade("03.4", right)
    assert check("03.4", drift_answer(lesson, n=30)).right  # another set of test points


def test_drift_a_forecaster_named_naive_too(lesson):
    right = drift_answer(lesson)
    mine = "naive + predicted change"  # says "naive" too, and comes first
    rmse = {mine: right["ex4_rmse"]["changes"], "naive": right["ex4_rmse"]["naive"]}
    verdict = right["ex4_verdict"]
    verdict = type(verdict)(**{**vars(verdict), "names": (mine, "naive"), "winner": mine})
    assert check("03.4", {**right, "ex4_rmse": rmse, "ex4_verdict": verdict}).right


def test_drift_wrong(lesson):
    right = drift_answer(lesson)
    assert_wrong("03.4", drift_answer(lesson, shrink=2.5), "ex4_verdict")  # loses to naive
    no_drift = {**right, "series": lesson["series"]}
    x = lesson["series"]  # the naive RMSE on the sine without the drift
    rows = np.arange(160, 200)
    rmse = {**right["ex4_rmse"], "naive": metrics.root_mean_squared_error(x[rows], x[rows - 1])}
    assert_wrong("03.4", {**no_drift, "ex4_rmse": rmse}, "ex4_rmse", right["ex4_rmse"]["naive"])
    other_points = drift_answer(lesson, n=30)
    assert_wrong(  # the verdict on 30 points, the RMSEs on 40
        "03.4", {**right, "ex4_verdict": other_points["ex4_verdict"]}, "ex4_rmse"
    )
    made_up = {**right["ex4_rmse"], "changes": 0.5 * right["ex4_rmse"]["changes"]}
    assert_wrong("03.4", {**right, "ex4_rmse": made_up}, "ex4_verdict")
    assert_wrong("03.4", {**right, "ex4_rmse": {"changes": 0.1}}, "ex4_rmse")
