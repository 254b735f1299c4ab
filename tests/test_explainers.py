"""Tests for helpers.explainers: SHAP and LIME on window models.

The checks use models whose true attributions are known in closed form: a linear
model f(x) = sum_c w_c x_c + b, for which every Shapley value is w_c (x_c - E[x'_c]).
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import explainers, models
from helpers import sensitivity as sens
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402

WINDOW, FEATURES = 3, 2
W = np.array([[3.0, 0.0], [0.0, -2.0], [1.0, 0.5]])  # (WINDOW, FEATURES) true coefficients


def _linear_model(bias=0.5, horizon=1):
    model = keras.Sequential(
        [
            keras.Input((WINDOW, FEATURES)),
            keras.layers.Flatten(),  # cell (t, j) -> column t * FEATURES + j
            keras.layers.Dense(horizon),
        ]
    )
    kernel = np.repeat(W.reshape(-1, 1), horizon, axis=1) * np.arange(1, horizon + 1)
    model.set_weights([kernel.astype("float32"), np.full(horizon, bias, dtype="float32")])
    return model


def _windows(n, seed):
    return np.random.default_rng(seed).standard_normal((n, WINDOW, FEATURES)).astype("float32")


# ------------------------------------------------------------ budgets and made-up windows


def test_kernel_shap_default_budget_is_shaps_auto():
    shap = pytest.importorskip("shap")
    model = _linear_model()
    x, background = _windows(1, 7), _windows(5, 8)
    n_cells = WINDOW * FEATURES  # 6 players: 2**6 - 2 = 62 coalitions exist
    explainer = shap.KernelExplainer(
        explainers.FlatPredict(model), explainers.flatten_windows(background)
    )
    explainer.shap_values(explainers.flatten_windows(x), nsamples="auto", silent=True)
    assert explainer.nsamples == explainers.kernel_shap_default_samples(n_cells) == 62
    assert explainers.kernel_shap_default_samples(40) == 2 * 40 + 2048
    assert explainers.kernel_shap_default_samples(31) == 2 * 31 + 2048
    auto = explainers.kernel_shap(model, x, background, seed=0)
    np.testing.assert_allclose(
        auto, explainers.kernel_shap(model, x, background, samples=62, seed=0)
    )
    with pytest.raises(TypeError, match="n_cells"):
        explainers.kernel_shap_default_samples(2.5)


def test_share_beyond_counts_pairs_of_cells_further_apart_than_any_real_window():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, WINDOW, FEATURES))
    real[:, :, 1] = real[:, :, 0] + 0.1 * rng.normal(size=(200, WINDOW))  # a copy
    names = ["p", "q"]
    pair = (("p", 1), ("q", 1))
    assert explainers.share_beyond(real, real, *pair, feature_names=names) == 0.0
    shuffled = real.copy()
    shuffled[:, -1, 1] = rng.permutation(real[:, -1, 1])  # the copy taken from other windows
    share = explainers.share_beyond(shuffled, real, *pair, feature_names=names)
    gap = np.abs(real[:, -1, 0] - real[:, -1, 1]).max()
    expected = np.mean(np.abs(shuffled[:, -1, 0] - shuffled[:, -1, 1]) > gap)
    assert share == expected and share > 0.5
    with pytest.raises(ValueError, match="lags 1 to 3"):
        explainers.share_beyond(real, real, ("p", 4), ("q", 1), feature_names=names)
    with pytest.raises(ValueError, match="features"):
        explainers.share_beyond(real, real, ("z", 1), ("q", 1), feature_names=names)
    with pytest.raises(ValueError, match="same window shape"):
        explainers.share_beyond(real[:, 1:], real, *pair, feature_names=names)


# --------------------------------------------------------------------------- SHAP


def test_kernel_shap_recovers_the_shapley_values_of_a_linear_model_and_adds_up():
    model = _linear_model()
    x, background = _windows(4, 3), _windows(10, 4)
    values = explainers.kernel_shap(model, x, background, samples=200, seed=0)
    assert values.shape == x.shape
    expected = W * (x - background.mean(axis=0))  # (4, WINDOW, FEATURES)
    np.testing.assert_allclose(values, expected, atol=1e-4)
    change = models.predict(model, x)[:, 0] - models.predict(model, background)[:, 0].mean()
    np.testing.assert_allclose(values.sum(axis=(1, 2)), change, atol=1e-4)


def test_expected_gradients_of_a_linear_model_with_one_baseline():
    model = _linear_model()
    x, baseline = _windows(3, 5), _windows(1, 6)
    values = explainers.expected_gradients(model, x, baseline, samples=8, seed=0)
    np.testing.assert_allclose(values, W * (x - baseline), rtol=1e-5, atol=1e-5)


def test_expected_gradients_adds_up_only_in_expectation_on_a_nonlinear_model():
    model = models.build_attention_forecaster(WINDOW, FEATURES, units=3, seed=0)
    x, background = _windows(2, 7) * 3, _windows(5, 8)
    change = models.predict(model, x)[:, 0] - models.predict(model, background)[:, 0].mean()
    few = explainers.expected_gradients(model, x, background, samples=4, seed=0)
    many = explainers.expected_gradients(model, x, background, samples=400, seed=0)
    gap = {n: np.abs(v.sum(axis=(1, 2)) - change).mean() for n, v in ((4, few), (400, many))}
    assert gap[400] < gap[4]


def test_shap_helpers_repeat_with_the_seed_and_keep_numpys_global_state():
    model = models.build_attention_forecaster(WINDOW, FEATURES, units=3, seed=0)
    x, background = _windows(2, 9), _windows(6, 10)
    for method in (explainers.kernel_shap, explainers.expected_gradients):
        np.random.seed(123)  # noqa: NPY002  (the state the helpers must leave alone)
        expected_draw = np.random.random()  # noqa: NPY002
        np.random.seed(123)  # noqa: NPY002
        a = method(model, x, background, samples=20, seed=1)
        assert np.random.random() == expected_draw  # noqa: NPY002
        np.testing.assert_array_equal(a, method(model, x, background, samples=20, seed=1))
        assert not np.array_equal(a, method(model, x, background, samples=20, seed=2))


def test_expected_gradients_costs_samples_gradients_per_window():
    model = _linear_model()
    x, background = _windows(3, 11), _windows(4, 12)
    counted = sens.count_passes(
        explainers.expected_gradients, model, x, background=background, samples=10
    )
    # one forward pass of x, then one batch of `samples` gradients per window
    assert counted == sens.PassCount(forward=3 + 3 * 10, backward=3 * 10, calls=1 + 3)


@pytest.mark.parametrize("method", [explainers.kernel_shap, explainers.expected_gradients])
def test_shap_helpers_refuse_bad_input(method):
    model = _linear_model()
    x = _windows(2, 13)
    with pytest.raises(ValueError, match="background has 4 time steps"):
        method(model, x, np.zeros((3, 4, FEATURES)))
    with pytest.raises(ValueError, match="samples must be a positive integer"):
        method(model, x, x, samples=0)
    # One fault, one type everywhere (helpers._checks): a negative seed is a ValueError,
    # a non-integer one a TypeError.
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got -1"):
        method(model, x, x, seed=-1)
    with pytest.raises(TypeError, match="seed must be a non-negative integer, got float 1.5"):
        method(model, x, x, seed=1.5)
    with pytest.raises(ValueError, match="x has 1 features"):
        method(model, np.zeros((2, WINDOW, 1)), x)


def test_kernel_shap_refuses_a_large_background():
    with pytest.raises(ValueError, match="at most 100 windows.*got 101"):
        explainers.kernel_shap(_linear_model(), _windows(1, 0), _windows(101, 1))


@pytest.mark.slow
def test_deep_explainer_fails_on_an_lstm_in_its_own_process_and_gradients_still_work():
    # shap #3605: DeepExplainer cannot take a Keras 3 LSTM apart. Lesson 08 shows this
    # failure; if a shap release fixes it, this test fails and the lesson must change.
    model = models.build_attention_forecaster(WINDOW, FEATURES, units=3, seed=0)
    x = _windows(2, 14)
    message = explainers.deep_explainer_error(model, x, x)
    assert "LookupError: gradient registry has no entry for: shap_" in message
    np.testing.assert_allclose(  # this process's gradients were never touched
        sens.saliency(_linear_model(), x), np.broadcast_to(W, x.shape), rtol=1e-6
    )
    assert np.all(np.isfinite(sens.saliency(model, x)))


@pytest.mark.slow
def test_deep_explainer_error_is_none_where_deep_explainer_works():
    # A model with no recurrent layer is one DeepExplainer can take apart: no error.
    x = _windows(2, 15)
    assert explainers.deep_explainer_error(_linear_model(), x, x) is None


@pytest.mark.slow
def test_deep_explainer_error_says_when_the_child_process_itself_failed(monkeypatch):
    monkeypatch.setattr(explainers, "_DEEP_EXPLAINER_CHILD", "raise SystemExit('no model here')")
    x = _windows(1, 15)
    with pytest.raises(RuntimeError, match="DeepExplainer process failed.*no model here"):
        explainers.deep_explainer_error(_linear_model(), x, x)


# --------------------------------------------------------------------------- LIME


def test_lime_regression_weights_of_a_linear_model_are_its_slopes():
    model = _linear_model()
    training = _windows(400, 16)
    x = _windows(2, 17)
    weights = explainers.lime_weights(model, x, training, samples=500, seed=0, discretize=False)
    assert weights.shape == x.shape
    # LIME fits on standardised columns: a slope w per raw unit is w * std per column.
    std = explainers.flatten_windows(training).std(axis=0).reshape(WINDOW, FEATURES)
    np.testing.assert_allclose(weights / std, np.broadcast_to(W, x.shape), atol=0.1)


def test_lime_weights_repeat_with_the_seed_and_change_without_it():
    model = _linear_model()
    training, x = _windows(100, 18), _windows(2, 19)
    a = explainers.lime_weights(model, x, training, samples=100, seed=3)
    np.testing.assert_array_equal(
        a, explainers.lime_weights(model, x, training, samples=100, seed=3)
    )
    assert not np.array_equal(a, explainers.lime_weights(model, x, training, samples=100, seed=4))


def test_lime_costs_samples_forward_passes_per_window_in_one_call_each():
    model = _linear_model()
    training, x = _windows(50, 20), _windows(3, 21)
    counted = sens.count_passes(explainers.lime_weights, model, x, training=training, samples=40)
    assert counted == sens.PassCount(forward=3 * 40, backward=0, calls=3)


def test_lime_map_reads_a_regression_explanation_and_refuses_others():
    from lime.lime_tabular import LimeTabularExplainer

    model = _linear_model()
    training, x = _windows(60, 22), _windows(1, 23)
    flat = explainers.flatten_windows(training).astype(float)
    row = explainers.flatten_windows(x)[0].astype(float)
    regression = LimeTabularExplainer(flat, mode="regression", random_state=0)
    explanation = regression.explain_instance(
        row, explainers.FlatPredict(model), num_features=4, num_samples=50
    )
    cells = explainers.lime_map(explanation, window=WINDOW, n_features=FEATURES)
    assert cells.shape == (WINDOW, FEATURES)
    assert np.count_nonzero(cells) == 4  # cells left out of the explanation get 0
    for column, weight in explanation.local_exp[1]:
        assert cells.ravel()[column] == weight
    with pytest.raises(TypeError, match="LIME Explanation"):
        explainers.lime_map({1: []}, window=WINDOW, n_features=FEATURES)
    classification = LimeTabularExplainer(flat, mode="classification", random_state=0)
    probabilities = classification.explain_instance(
        row,
        lambda rows: np.column_stack([np.full(len(rows), 0.3), np.full(len(rows), 0.7)]),
        num_samples=20,
    )
    with pytest.raises(ValueError, match="mode='regression'"):
        explainers.lime_map(probabilities, window=WINDOW, n_features=FEATURES)
    with pytest.raises(ValueError, match="outside a window"):
        explainers.lime_map(explanation, window=1, n_features=1)


def test_lime_weights_refuse_bad_options():
    model = _linear_model()
    x = _windows(1, 24)
    with pytest.raises(TypeError, match="discretize must be True or False"):
        explainers.lime_weights(model, x, x, discretize="yes")
    with pytest.raises(ValueError, match="training has 2 time steps"):
        explainers.lime_weights(model, x, np.zeros((5, 2, FEATURES)))
