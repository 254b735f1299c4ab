"""Tests for helpers.walk_forward: origins, folds, the refit loop and its verdicts.

The forecasters it refits (persistence, climatology, the ridges, the Keras ones) are tested
in test_fold_forecasters.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import TimeSeriesSplit

from helpers import metrics
from helpers import walk_forward as wf


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2020-01-01", periods=n, freq="D")
    t = np.arange(n)
    return pd.DataFrame(
        {"y": 10 + 5 * np.sin(2 * np.pi * t / 30) + rng.normal(0, 0.5, n), "x": rng.normal(size=n)},
        index=days,
    )


# --------------------------------------------------------------------------- origins


def test_origins_cover_the_test_part_in_nearly_equal_blocks():
    origins = wf.expanding_origins(1461, test_size=292, n_origins=5)
    blocks = np.diff([*origins, 1461])
    assert origins[0] == 1461 - 292 and blocks.sum() == 292
    assert blocks.max() - blocks.min() <= 1 and np.all(np.diff(origins) > 0)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_origins_are_the_first_rows_of_numpys_array_split_of_the_test_part(draw):
    # np.array_split cuts L items into K runs, the first L % K of them one item longer:
    # the same "as equal as integers allow, earlier blocks get the extra rows".
    n_rows = draw.draw(st.integers(2, 2000), label="n_rows")
    test_size = draw.draw(st.integers(1, n_rows - 1), label="test_size")
    n_origins = draw.draw(st.integers(1, min(test_size, 50)), label="n_origins")
    blocks = np.array_split(np.arange(n_rows)[n_rows - test_size :], n_origins)
    origins = wf.expanding_origins(n_rows, test_size=test_size, n_origins=n_origins)
    np.testing.assert_array_equal(origins, [block[0] for block in blocks])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_equal_blocks_are_scikit_learns_time_series_split(draw):
    # TimeSeriesSplit(n_splits=K, test_size=b) tests K blocks of b rows that end the series
    # and trains on every row before each block. When K divides the test part, that is
    # walk-forward's split with b = test_size / K: its train ends are our origins. (With a
    # remainder sklearn has no equivalent: its blocks are all the same length.)
    n_origins = draw.draw(st.integers(2, 12), label="n_origins")
    block = draw.draw(st.integers(1, 40), label="block")
    test_size = n_origins * block
    n_rows = test_size + draw.draw(st.integers(1, 500), label="rows before the test part")
    origins = wf.expanding_origins(n_rows, test_size=test_size, n_origins=n_origins)
    folds = list(TimeSeriesSplit(n_splits=n_origins, test_size=block).split(np.zeros(n_rows)))
    stops = [*origins[1:], n_rows]
    for (train, test), origin, stop in zip(folds, origins, stops, strict=True):
        np.testing.assert_array_equal(train, np.arange(origin))
        np.testing.assert_array_equal(test, np.arange(origin, stop))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (
            {"test_size": 100},
            ValueError,
            "test_size must be below n_rows=100 .*, got test_size=100",
        ),
        ({"n_origins": 30}, ValueError, "n_origins=30 blocks need"),
        ({"n_origins": 0}, ValueError, "n_origins must be a positive integer"),
        ({"test_size": 2.5}, TypeError, "test_size must be a positive integer, got float"),
    ],
)
def test_origins_refuse_bad_sizes(kwargs, error, words):
    args = {"test_size": 20, "n_origins": 5, **kwargs}
    with pytest.raises(error, match=words):
        wf.expanding_origins(100, **args)


# --------------------------------------------------------------------------- folds


def test_fold_follows_the_one_split_rule_and_scales_on_training_rows_only():
    frame = _frame()
    fold = wf.make_fold(frame, 100, 110, window=5, horizon=2, target="y", validation_size=10)
    # Training targets lie before the validation rows, validation targets before the origin.
    train_last = fold.train.first_target[-1] + 1  # the last training window's last target
    assert train_last < 90
    assert fold.validation.first_target[0] == 90 and fold.validation.first_target[-1] + 1 < 100
    np.testing.assert_array_equal(fold.target_rows[:, 0], np.arange(100, 109))
    np.testing.assert_array_equal(fold.target_rows[:, 1], np.arange(101, 110))
    # The scaler saw the 90 training rows only.
    np.testing.assert_allclose(fold.scaled.scaler.mean_, frame.iloc[:90].mean().to_numpy())
    assert len(fold.history) == 100 and fold.history.index[-1] == frame.index[99]
    assert (fold.window, fold.n_features, fold.horizon) == (5, 2, 2)


def test_fold_holds_no_test_target():
    frame = _frame()
    spoiled = frame.copy()
    spoiled.iloc[100:, 0] = 1e6  # only the block's rows change...
    a = wf.make_fold(frame, 100, 110, window=5, target="y", validation_size=10)
    b = wf.make_fold(spoiled, 100, 110, window=5, target="y", validation_size=10)
    # ... so the training and validation windows, and the scaling, are untouched.
    np.testing.assert_array_equal(a.train.X, b.train.X)
    np.testing.assert_array_equal(a.validation.y, b.validation.y)
    np.testing.assert_array_equal(a.scaled.scaler.mean_, b.scaled.scaler.mean_)
    assert not hasattr(a, "y_test")


def test_inverse_undoes_the_scaling_of_the_target():
    frame = _frame()
    fold = wf.make_fold(frame, 100, 110, window=5, target="y", features=["x", "y"])
    np.testing.assert_allclose(
        fold.inverse(fold.train.y), frame["y"].to_numpy()[fold.train.first_target][:, None]
    )


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"origin": 110, "stop": 100}, ValueError, "origin < stop"),
        (
            {"target": "z"},
            ValueError,
            r"^target has unknown column 'z': expected one of \['y', 'x'\]$",
        ),
        ({"target": None}, TypeError, "^target must be a column name"),
        ({"features": ["x", "w"]}, ValueError, "^features has unknown column 'w'"),
        ({"features": [0]}, ValueError, "^features has unknown column 0"),  # names, not positions
        ({"features": []}, ValueError, "^features must name at least one column"),
        ({"origin": 100.0}, TypeError, "^origin must be a positive integer, got float"),
        ({"validation_size": -1}, ValueError, "validation_size must be a non-negative integer"),
        ({"window": 100}, ValueError, "holds no window"),
    ],
)
def test_fold_refuses_bad_arguments(change, error, words):
    args = {"origin": 100, "stop": 110, "window": 5, "target": "y", **change}
    origin, stop = args.pop("origin"), args.pop("stop")
    with pytest.raises(error, match=words):
        wf.make_fold(_frame(), origin, stop, **args)


# --------------------------------------------------------------------------- the loop


def test_every_forecaster_is_scored_at_every_origin_with_the_packages_metrics():
    frame = _frame()
    origins = wf.expanding_origins(len(frame), test_size=20, n_origins=4)
    result = wf.walk_forward(
        frame,
        {"persistence": wf.persistence, "ridge": wf.ridge},
        origins=origins,
        window=6,
        target="y",
        validation_size=10,
    )
    assert result.origins == tuple(origins)
    seen = result.scores.groupby("model")["origin"].apply(tuple)
    assert all(s == tuple(origins) for s in seen) and len(seen) == 2
    assert result.y_true.shape == (20, 1) and result.forecasts["ridge"].shape == (20, 1)
    # The persistence row of origin 1 equals the package's MASE on that block.
    o, stop = origins[0], origins[1]
    y = frame["y"].to_numpy()
    expected = metrics.mean_absolute_scaled_error(y[o:stop], y[o - 1 : stop - 1], y_train=y[:o])
    got = result.scores.query("model == 'persistence' and origin == @o")["MASE"].item()
    assert got == pytest.approx(expected)
    summary = result.summary()
    assert list(summary.columns) == ["MASE mean", "MASE std", "RMSE mean", "RMSE std"]
    assert summary["MASE mean"].is_monotonic_increasing


def test_walk_forward_leaves_the_frame_alone():
    frame = _frame()
    before = frame.copy()
    wf.walk_forward(frame, {"p": wf.persistence}, origins=[100, 110], window=5, target="y")
    pd.testing.assert_frame_equal(frame, before)


def test_a_forecaster_that_peeks_is_impossible_and_a_wrong_shape_is_named():
    def wrong(fold):
        return np.zeros(len(fold.test_X))  # (n,) instead of (n, horizon)

    with pytest.raises(
        ValueError,
        match=r"^the block's targets \(n_test, horizon\) and the forecast of "
        r"forecasters\['wrong'\] at origin 100 must have the same shape, "
        r"got \(20, 1\) and \(20,\)$",
    ):
        wf.walk_forward(_frame(), {"wrong": wrong}, origins=[100], window=5, target="y")

    def nan(fold):
        return np.full((len(fold.test_X), 1), np.nan)

    with pytest.raises(
        ValueError,
        match=r"^the forecast of forecasters\['nan'\] at origin 100 must contain only finite",
    ):
        wf.walk_forward(_frame(), {"nan": nan}, origins=[100], window=5, target="y")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"forecasters": {}}, ValueError, "^forecasters must hold at least one function f"),
        ({"forecasters": [wf.persistence]}, TypeError, "^forecasters must be a mapping of names"),
        ({"forecasters": {"a": 3}}, TypeError, r"^forecasters\['a'\] must be callable as f"),
        ({"origins": [110, 100]}, ValueError, "increase strictly"),
        ({"origins": [200]}, ValueError, "stay below"),
        ({"origins": "100"}, TypeError, "^origins must be a sequence of integers, got str"),
        ({"origins": []}, ValueError, "^origins must hold at least one integer"),
        ({"origins": [100, 105.5]}, TypeError, r"^origins\[1\] must be a positive integer"),
        ({"m": 0}, ValueError, "m must be a positive integer"),
    ],
)
def test_walk_forward_refuses_bad_arguments(kwargs, error, words):
    args = {"forecasters": {"p": wf.persistence}, "origins": [100], **kwargs}
    with pytest.raises(error, match=words):
        wf.walk_forward(_frame(), args.pop("forecasters"), window=5, target="y", **args)


# --------------------------------------------------------------------------- verdicts


def test_compare_is_the_paired_rule_on_the_same_points_and_per_origin_its_block_means():
    frame = _frame()
    result = wf.walk_forward(
        frame,
        {"persistence": wf.persistence, "ridge": wf.ridge},
        origins=[90, 100, 110],
        window=5,
        horizon=2,
        target="y",
    )
    verdict = result.compare("ridge", "persistence", lead=2, loss="absolute")
    expected = metrics.compare_forecasts(
        result.y_true[:, 1],
        result.forecasts["ridge"][:, 1],
        result.forecasts["persistence"][:, 1],
        h=2,
        loss="absolute",
        names=("ridge", "persistence"),
    )
    assert verdict == expected
    within = result.per_origin("ridge", "persistence", lead=2, loss="absolute")
    d = np.abs(result.y_true[:, 1] - result.forecasts["ridge"][:, 1]) - np.abs(
        result.y_true[:, 1] - result.forecasts["persistence"][:, 1]
    )
    assert list(within.index) == [90, 100, 110]
    np.testing.assert_allclose(
        within.to_numpy(), [d[result.origin == o].mean() for o in (90, 100, 110)]
    )
    # the blocks are the same size here, so the overall mean is the mean of the block means
    np.testing.assert_allclose(verdict.mean_loss_difference, within.mean())
    table = wf.comparison_table(
        result, {"ridge - persistence": verdict}, origin_labels=["a", "b", "c"]
    )
    assert list(table.columns) == ["mean difference", "low", "high", "p", "verdict", "a", "b", "c"]
    assert table.loc["ridge - persistence", "p"] == verdict.p_value
    with pytest.raises(ValueError, match="'lstm' is not a forecaster of this result"):
        result.compare("lstm", "ridge")
    with pytest.raises(ValueError, match="lead must be at most the horizon 2, got 3"):
        result.compare("ridge", "persistence", lead=3)
    with pytest.raises(ValueError, match="origin_labels must hold one label per origin"):
        wf.comparison_table(result, {"x": verdict}, origin_labels=["a"])
    with pytest.raises(TypeError, match="must be what WalkForwardResult.compare returns"):
        wf.comparison_table(result, {"x": 0.5})


# ------------------------------------------------------------ rolling origin


def _naive(y_train, horizon):
    return np.repeat(y_train[-1], horizon)


def test_rolling_origin_by_hand():
    y = np.array([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])
    scores = wf.rolling_origin_evaluation(y, {"naive": _naive}, initial=3, horizon=2, step=1)
    assert scores["origin"].tolist() == [3, 4]
    # origin 3: forecast 4, 4 of 7, 11 -> MAE (3 + 7) / 2 = 5; in-sample lag-1 MAE (1 + 2)/2
    # origin 4: forecast 7, 7 of 11, 16 -> MAE (4 + 9) / 2 = 6.5; in-sample (1 + 2 + 3)/3 = 2
    np.testing.assert_allclose(scores["MAE"], [5.0, 6.5])
    np.testing.assert_allclose(scores["MASE"], [5.0 / 1.5, 6.5 / 2.0])
    assert list(scores.columns) == ["origin", "model", "MASE", "RMSSE", "MAE", "RMSE", "sMAPE"]


def test_rolling_origin_forecasters_see_only_the_past():
    seen = []

    def spy(y_train, horizon):
        seen.append(y_train.copy())
        return np.zeros(horizon) + 1.0

    y = np.arange(1.0, 21.0)
    scores = wf.rolling_origin_evaluation(
        y, {"spy": spy, "naive": _naive}, initial=10, horizon=3, step=4, m=2
    )
    assert [len(s) for s in seen] == [10, 14]  # origins 10, 14 (18 + 3 > 20)
    for s in seen:
        np.testing.assert_array_equal(s, y[: len(s)])
    assert isinstance(scores, pd.DataFrame) and len(scores) == 4
    assert set(scores["model"]) == {"spy", "naive"}


def test_rolling_origin_rejects_bad_input():
    y = np.arange(10.0)
    with pytest.raises(ValueError, match=r"initial \+ horizon must be at most len\(y\)=10"):
        wf.rolling_origin_evaluation(y, {"n": _naive}, initial=8, horizon=3)
    with pytest.raises(ValueError, match=r"initial must be larger than m=12, got 8"):
        wf.rolling_origin_evaluation(y, {"n": _naive}, initial=8, horizon=1, m=12)
    with pytest.raises(TypeError, match=r"forecasters\['n'\] must be callable"):
        wf.rolling_origin_evaluation(y, {"n": 3}, initial=5, horizon=1)
    with pytest.raises(TypeError, match=r"forecasters must be a mapping of names to functions"):
        wf.rolling_origin_evaluation(y, [_naive], initial=5, horizon=1)
    with pytest.raises(ValueError, match=r"forecasters\['bad'\] must return shape \(2,\)"):
        wf.rolling_origin_evaluation(y, {"bad": lambda tr, h: np.zeros(3)}, initial=5, horizon=2)
    with pytest.raises(ValueError, match=r"step must be a positive integer, got 0"):
        wf.rolling_origin_evaluation(y, {"n": _naive}, initial=5, horizon=1, step=0)
