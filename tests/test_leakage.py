"""Tests for helpers.leakage: the pipelines of lesson 02's leakage experiment, and its runs.

What the lesson relies on:
- the honest scaler sees only training rows, the leaky one every row; the random split
  has the chronological split's numbers of windows, drawn by the order given;
- the chronological windows are the course's split rule (``data.split_windows``);
- at one origin every pipeline starts from the same weights, the chronological ones
  forecast the same test windows and the random ones the same random windows, and every
  forecast, truth and naive value is in the target's units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data, leakage

HONEST = leakage.Pipeline("train", "chronological")
RANDOM = leakage.Pipeline("train", "random")
WHOLE = leakage.Pipeline("whole", "chronological")
BOTH = leakage.Pipeline("whole", "random")


def _trend(n=60, seed=0):
    """A rising, seasonal series: its test rows lie above its training rows."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 6) + rng.normal(0, 1, n)
    return pd.DataFrame({"y": values}, index=pd.date_range("2000-01", periods=n, freq="MS"))


# --------------------------------------------------------------------------- origins


def test_origins_end_the_series_in_consecutive_blocks():
    ends = leakage.origin_ends(144, fold=12, n_origins=7, window=12)
    assert ends == [72, 84, 96, 108, 120, 132, 144]
    # each origin tests its last `fold` rows: together, the last 7 blocks, none shared
    tested = [set(range(end - 12, end)) for end in ends]
    assert set().union(*tested) == set(range(144 - 7 * 12, 144))
    assert sum(len(block) for block in tested) == 7 * 12


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_rows=144, fold=12, n_origins=11, window=12), "n_origins=11 leaves"),
        (dict(n_rows=144, fold=2, n_origins=1, window=12, horizon=3), "fold must hold"),
        (dict(n_rows=144, fold=0, n_origins=1, window=12), "fold must be"),
    ],
)
def test_origins_refuse_what_leaves_no_training_window(kwargs, message):
    with pytest.raises(ValueError, match=message):
        leakage.origin_ends(**kwargs)


# --------------------------------------------------------------------------- pipelines


def test_pipeline_checks_name_the_argument():
    frame = _trend()
    with pytest.raises(ValueError, match=r"pipeline.scaler must be one of"):
        leakage.pipeline_windows(frame, ("test", "random"), target="y", window=4, fold=6)
    with pytest.raises(ValueError, match=r"pipeline.split must be one of"):
        leakage.pipeline_windows(frame, ("train", "shuffled"), target="y", window=4, fold=6)
    with pytest.raises(TypeError, match="Pipeline"):
        leakage.pipeline_windows(frame, "honest", target="y", window=4, fold=6)
    with pytest.raises(ValueError, match="needs order="):
        leakage.pipeline_windows(frame, RANDOM, target="y", window=4, fold=6)
    with pytest.raises(ValueError, match="permutation"):
        leakage.pipeline_windows(frame, RANDOM, target="y", window=4, fold=6, order=[0, 0, 1])


def test_honest_scaler_sees_training_rows_only_and_the_leaky_one_every_row():
    frame = _trend()
    honest = leakage.pipeline_windows(frame, HONEST, target="y", window=4, fold=6)
    whole = leakage.pipeline_windows(frame, WHOLE, target="y", window=4, fold=6)
    train_rows = frame["y"].iloc[: len(frame) - 12]
    assert honest.scaler.data_max_[0] == train_rows.max()
    assert whole.scaler.data_max_[0] == frame["y"].max()
    assert honest.y[honest.test].max() > 1  # the test rows lie above the training range
    assert np.isclose(whole.y.max(), 1.0) and np.isclose(whole.y.min(), 0.0)


def test_chronological_windows_follow_the_course_split_rule():
    frame = _trend()
    w = leakage.pipeline_windows(frame, HONEST, target="y", window=4, fold=6)
    scaled = w.scaler.transform(frame)
    rule = data.split_windows(scaled, 4, validation_size=6, test_size=6)
    for mine, theirs in zip(
        (w.train, w.validation, w.test), (rule.train, rule.validation, rule.test), strict=True
    ):
        np.testing.assert_array_equal(w.X[mine], theirs.X)
        np.testing.assert_array_equal(w.y[mine], theirs.y)


def test_random_split_keeps_the_numbers_and_follows_the_order():
    frame = _trend()
    chrono = leakage.pipeline_windows(frame, HONEST, target="y", window=4, fold=6)
    order = np.random.default_rng(3).permutation(len(chrono.X))
    rand = leakage.pipeline_windows(frame, RANDOM, target="y", window=4, fold=6, order=order)
    sizes = [len(p) for p in (rand.train, rand.validation, rand.test)]
    assert sizes == [len(p) for p in (chrono.train, chrono.validation, chrono.test)]
    np.testing.assert_array_equal(np.concatenate([rand.train, rand.validation, rand.test]), order)
    assert rand.test.min() < chrono.test.min()  # some random test windows lie in the past


def test_to_units_gives_back_the_series():
    frame = _trend()
    for pipeline in (HONEST, WHOLE):
        w = leakage.pipeline_windows(frame, pipeline, target="y", window=4, fold=6)
        np.testing.assert_allclose(w.to_units(w.y[:, 0]), frame["y"].to_numpy()[4:])


def test_several_columns_scale_each_and_undo_the_target():
    frame = _trend().assign(x=lambda f: -f["y"] / 10)
    w = leakage.pipeline_windows(frame, WHOLE, target="x", window=4, fold=6)
    assert w.X.shape[2] == 2 and w.target == 1
    np.testing.assert_allclose(w.to_units(w.y[:, 0]), frame["x"].to_numpy()[4:])


# --------------------------------------------------------------------------- runs


@pytest.fixture(scope="module")
def runs():
    pipelines = {"honest": HONEST, "random": RANDOM, "whole": WHOLE, "both": BOTH}
    return leakage.run_pipelines(
        _trend(),
        pipelines,
        target="y",
        window=4,
        fold=6,
        n_origins=2,
        seed=0,
        units=3,
        epochs=30,
        patience=3,
    )


def test_runs_keep_one_fit_per_pipeline_and_origin(runs):
    assert sorted(runs.histories) == sorted(
        (name, origin, 0) for name in runs.pipelines for origin in (0, 1)
    )
    assert len(runs.forecasts) == 4 * 2 * 6  # pipelines x origins x test windows (horizon 1)
    assert runs.seeds[0] != runs.seeds[1]  # a new seed at each origin


def test_at_one_origin_every_pipeline_starts_alike():
    # The same pipeline under two names must give the same forecasts to the last bit:
    # the same initial weights, the same order of the windows, the same random split.
    twice = {"a": RANDOM, "b": RANDOM, "c": HONEST}
    runs = leakage.run_pipelines(
        _trend(), twice, target="y", window=4, fold=6, n_origins=2, seed=5, units=2, epochs=20,
        patience=2,
    )  # fmt: skip
    a, b, c = (runs.points(name) for name in "abc")
    np.testing.assert_array_equal(a["forecast"], b["forecast"])
    np.testing.assert_array_equal(a["first_target"], b["first_target"])
    assert not np.array_equal(a["forecast"], c["forecast"])


def test_runs_pair_the_pipelines_on_their_test_points(runs):
    same = ["origin", "first_target", "truth", "baseline"]
    honest, whole = runs.points("honest"), runs.points("whole")
    random_, both = runs.points("random"), runs.points("both")
    pd.testing.assert_frame_equal(honest[same], whole[same], check_exact=False)
    pd.testing.assert_frame_equal(random_[same], both[same], check_exact=False)
    # chronological: each origin tests its last 6 rows, so the two origins test 12 rows
    assert honest["first_target"].tolist() == list(range(48, 54)) + list(range(54, 60))
    assert not np.array_equal(random_["first_target"], honest["first_target"])


def test_runs_report_truth_and_naive_in_units(runs):
    y = _trend()["y"].to_numpy()
    f = runs.forecasts
    np.testing.assert_allclose(f["truth"], y[f["first_target"]])
    np.testing.assert_allclose(f["baseline"], y[f["first_target"] - 1])  # season=1: naive
    assert np.isfinite(f["forecast"]).all()


def test_scores_are_the_rmse_of_each_pipeline_and_origin(runs):
    table = runs.scores()
    p = runs.points("both")
    one = p[p["origin"] == 1]
    lstm = np.sqrt(np.mean((one["forecast"] - one["truth"]) ** 2))
    naive = np.sqrt(np.mean((one["baseline"] - one["truth"]) ** 2))
    assert np.isclose(table.loc[("both", 1), "LSTM"], lstm)
    assert np.isclose(table.loc[("both", 1), "rel. RMSE"], lstm / naive)


def test_points_refuse_an_unknown_pipeline(runs):
    with pytest.raises(ValueError, match="pipeline must be one of"):
        runs.points("shuffled")


def test_run_refuses_an_empty_mapping():
    with pytest.raises(ValueError, match="non-empty dict"):
        leakage.run_pipelines(
            _trend(), {}, target="y", window=4, fold=6, n_origins=1, seed=0, epochs=1
        )


def test_the_seasonal_naive_baseline_repeats_the_value_one_season_back():
    frame = _trend()
    runs = leakage.run_pipelines(
        frame, {"honest": HONEST}, target="y", window=6, horizon=8, fold=8, n_origins=1,
        seed=0, season=6, units=2, epochs=2, patience=1,
    )  # fmt: skip
    f = runs.forecasts
    y = frame["y"].to_numpy()
    last_input = f["first_target"] - 1
    # leads 1-6 repeat the value 6 steps before the target, leads 7-8 the value 12 before
    back = np.where(f["lead"] <= 6, 6, 12)
    np.testing.assert_allclose(f["baseline"], y[last_input + f["lead"] - back])
    np.testing.assert_allclose(f["truth"], y[last_input + f["lead"]])


def test_run_refuses_a_season_longer_than_the_window():
    with pytest.raises(ValueError, match="season=12 is longer than window=4"):
        leakage.run_pipelines(
            _trend(), {"honest": HONEST}, target="y", window=4, fold=6, n_origins=1, seed=0,
            season=12, epochs=1,
        )  # fmt: skip


def test_members_train_several_seeds_per_pipeline_and_origin():
    runs = leakage.run_pipelines(
        _trend(),
        {"honest": HONEST, "whole": WHOLE},
        target="y",
        window=4,
        fold=6,
        n_origins=1,
        seed=0,
        members=2,
        units=2,
        epochs=3,
        patience=1,
    )
    assert sorted(runs.histories) == [
        ("honest", 0, 0),
        ("honest", 0, 1),
        ("whole", 0, 0),
        ("whole", 0, 1),
    ]
    assert len(runs.forecasts) == 2 * 6  # one (mean) forecast per pipeline and test window
