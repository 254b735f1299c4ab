"""helpers.attributions: rankings, rank correlation and raw units of attribution maps.

Expectations come from scipy's Spearman correlation, hand-computed means and
scikit-learn's own transforms. No test here needs TensorFlow.
"""

import subprocess
import sys

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from sklearn.preprocessing import QuantileTransformer, StandardScaler

from helpers import attributions


def test_importing_attributions_does_not_import_tensorflow():
    code = (
        "import sys, helpers.attributions; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- rankings


def test_rank_features_orders_by_mean_absolute_value():
    a = np.zeros((3, 4, 3))
    a[:, :, 0] = 0.2
    a[:, :, 1] = -2.0  # large but negative: magnitude counts
    a[0, 0, 2] = 1.2  # mean |.| = 1.2 / 12 = 0.1
    ranking = attributions.rank_features(a, feature_names=["price", "indicator", "volume"])
    assert list(ranking.index) == ["indicator", "price", "volume"]
    np.testing.assert_allclose(ranking["mean_abs"], [2.0, 0.2, 0.1])
    np.testing.assert_allclose(ranking["share"], np.array([2.0, 0.2, 0.1]) / 2.3)
    assert list(ranking["rank"]) == [1, 2, 3]
    assert list(attributions.rank_features(a[0]).index)[0] == "feature 1"  # a 2-D map is accepted


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 4), t=st.integers(1, 6), f=st.integers(1, 4), seed=st.integers(0, 99))
def test_rankings_cover_every_feature_step_and_cell(n, t, f, seed):
    a = np.random.default_rng(seed).normal(size=(n, t, f))
    names = [f"x{j}" for j in range(f)]
    features = attributions.rank_features(a, feature_names=names)
    steps = attributions.rank_timesteps(a)
    cells = attributions.rank_cells(a, feature_names=names)
    assert sorted(features.index) == sorted(names)
    assert sorted(steps.index) == list(range(1, t + 1))
    assert len(cells) == t * f
    for frame in (features, steps, cells):
        assert np.all(np.diff(frame["mean_abs"].to_numpy()) <= 0)
        np.testing.assert_allclose(frame["share"].sum(), 1.0)
    top = cells.iloc[0]
    assert np.isclose(
        np.abs(a[:, top["step"], names.index(top["feature"])]).mean(), cells["mean_abs"].max()
    )
    assert (steps["step"] == t - steps.index).all()


def test_rank_timesteps_of_one_feature_uses_lags():
    a = np.zeros((2, 5, 2))
    a[:, 4, 0] = 1.0  # feature 0, last step = lag 1
    a[:, 0, 1] = 3.0  # feature 1, first step = lag 5
    assert attributions.rank_timesteps(a).index[0] == 5
    assert attributions.rank_timesteps(a, feature=0).index[0] == 1
    assert attributions.rank_timesteps(a, feature="b", feature_names=["a", "b"]).index[0] == 5


def test_rank_correlation_equals_scipy_spearman():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 6, 3)), rng.normal(size=(7, 6, 3))
    expected = scipy.stats.spearmanr(
        np.abs(a).mean(axis=0).ravel(), np.abs(b).mean(axis=0).ravel()
    ).statistic
    assert attributions.rank_correlation(a, b) == pytest.approx(expected)
    assert attributions.rank_correlation(a, 3 * a) == pytest.approx(1.0)
    signed = scipy.stats.spearmanr(a.mean(axis=0).ravel(), b.mean(axis=0).ravel()).statistic
    assert attributions.rank_correlation(a, b, absolute=False) == pytest.approx(signed)


def test_per_window_rank_correlation_equals_scipy_window_by_window():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 5, 2))
    b[0] = -a[0]  # one window explained in the opposite direction
    for absolute in (True, False):
        f = np.abs if absolute else np.asarray
        pairs = zip(a, b, strict=True)
        expected = np.mean(
            [scipy.stats.spearmanr(f(u).ravel(), f(v).ravel()).statistic for u, v in pairs]
        )
        got = attributions.rank_correlation(a, b, per_window=True, absolute=absolute)
        assert got == pytest.approx(expected)
    with pytest.raises(ValueError, match="same windows"):
        attributions.rank_correlation(a, b[:3], per_window=True)


def test_window_rank_correlations_are_scipys_per_window_and_average_to_the_per_window_mean():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(6, 4, 3)), rng.normal(size=(6, 4, 3))
    b[1] = 2 * a[1]  # the same order: 1
    b[2] = -a[2]  # the opposite signs: -1 signed, 1 in magnitude
    for absolute in (True, False):
        f = np.abs if absolute else np.asarray
        expected = [
            scipy.stats.spearmanr(f(u).ravel(), f(v).ravel()).statistic
            for u, v in zip(a, b, strict=True)
        ]
        got = attributions.window_rank_correlations(a, b, absolute=absolute)
        assert got.shape == (6,)
        np.testing.assert_allclose(got, expected)
        assert got.mean() == pytest.approx(
            attributions.rank_correlation(a, b, per_window=True, absolute=absolute)
        )
    assert attributions.window_rank_correlations(a, b, absolute=False)[2] == pytest.approx(-1.0)
    assert attributions.window_rank_correlations(a, b)[2] == pytest.approx(1.0)
    a_before = a.copy()
    attributions.window_rank_correlations(a, b)
    np.testing.assert_array_equal(a, a_before)  # inputs left alone


def test_window_rank_correlations_refuse_different_windows_or_shapes():
    with pytest.raises(ValueError, match="a and b must explain the same windows, got 3 and 2"):
        attributions.window_rank_correlations(np.ones((3, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="same window shape"):
        attributions.window_rank_correlations(np.ones((3, 2, 2)), np.ones((3, 2, 3)))
    with pytest.raises(TypeError):
        attributions.window_rank_correlations(np.array([["a"]]), np.ones((1, 1)))


def test_window_top_overlap_counts_shared_top_cells_window_by_window():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 5, 3))
    assert np.all(attributions.window_top_overlap(a, a, k=4) == 1.0)
    assert np.all(attributions.window_top_overlap(a, -2 * a, k=4) == 1.0)  # |value|, scale-free
    b = rng.normal(size=(20, 5, 3))
    overlap = attributions.window_top_overlap(a, b, k=4)
    expected = [  # by hand: the sets of each window's four largest |cells|
        len(set(np.argsort(-np.abs(u).ravel())[:4]) & set(np.argsort(-np.abs(v).ravel())[:4])) / 4
        for u, v in zip(a, b, strict=True)
    ]
    np.testing.assert_allclose(overlap, expected)
    assert set(np.round(overlap * 4).astype(int)) <= set(range(5))
    # every cell: the whole window is shared, whatever the maps
    assert np.all(attributions.window_top_overlap(a, b, k=15) == 1.0)


def test_window_top_overlap_refusals():
    with pytest.raises(ValueError, match="same windows"):
        attributions.window_top_overlap(np.ones((3, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="at most the 4 cells"):
        attributions.window_top_overlap(np.ones((3, 2, 2)), np.ones((3, 2, 2)), k=5)
    with pytest.raises(TypeError, match="k"):
        attributions.window_top_overlap(np.ones((3, 2, 2)), np.ones((3, 2, 2)), k=1.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: attributions.rank_features(np.zeros((2, 3, 2)), feature_names=["a"]),
            "feature_names",
        ),
        (lambda: attributions.rank_features(np.zeros(4)), "attributions must be 3-D"),
        (
            lambda: attributions.rank_timesteps(np.zeros((1, 3, 2)), feature=2),
            "feature has unknown column 2",
        ),
        (
            lambda: attributions.rank_timesteps(np.zeros((1, 3, 2)), feature="z"),
            "feature has unknown column 'z'",
        ),
        (
            lambda: attributions.rank_correlation(np.zeros((1, 3, 2)), np.zeros((1, 2, 3))),
            "window shape",
        ),
    ],
)
def test_ranking_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- units


def test_raw_unit_attributions_only_take_the_target_scale():
    data = np.array([[0.0, 1.0, 0.0], [2.0, 3.0, 20.0], [4.0, 8.0, 40.0]])
    scaler = StandardScaler().fit(data)
    values = np.ones((2, 4, 2))
    got = attributions.to_raw_units(
        values,
        scaler,
        target_column="y",
        feature_columns=["a", "b"],
        columns=["a", "b", "y"],
        kind="attribution",
    )
    np.testing.assert_allclose(got, np.full(values.shape, data[:, 2].std()))
    grads = attributions.to_raw_units(values, scaler, target_column=2, feature_columns=[1, 0])
    np.testing.assert_allclose(grads[..., 0], data[:, 2].std() / data[:, 1].std())
    np.testing.assert_allclose(grads[..., 1], data[:, 2].std() / data[:, 0].std())
    untouched = attributions.to_raw_units(
        values, scaler, target_column=None, feature_columns=[0, 0]
    )
    np.testing.assert_allclose(untouched, 1 / data[:, 0].std())


def test_raw_units_reject_scalers_that_are_not_per_column_affine():
    data = np.random.default_rng(0).normal(size=(50, 3))
    for scaler in (PCA().fit(data), QuantileTransformer(n_quantiles=20).fit(data)):
        with pytest.raises(ValueError, match="scaler must scale each column"):
            attributions.to_raw_units(np.ones((1, 2, 2)), scaler, target_column=2)
    with pytest.raises(TypeError, match="fitted scikit-learn scaler"):
        attributions.to_raw_units(np.ones((1, 2, 2)), StandardScaler(), target_column=2)
    fitted = StandardScaler().fit(data)
    with pytest.raises(ValueError, match="feature_columns must give one column per feature"):
        attributions.to_raw_units(np.ones((1, 2, 2)), fitted, target_column=2, feature_columns=[0])
    with pytest.raises(ValueError, match="columns=..."):
        attributions.to_raw_units(np.ones((1, 2, 2)), fitted, target_column="y")
    with pytest.raises(ValueError, match="target_column has unknown column"):
        attributions.to_raw_units(np.ones((1, 2, 2)), fitted, target_column=3)
    with pytest.raises(ValueError, match="kind must be"):
        attributions.to_raw_units(np.ones((1, 2, 2)), fitted, target_column=2, kind="raw")
