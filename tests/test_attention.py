"""Tests for helpers.attention: the attention layer, its forecaster and its weights."""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers import models
from helpers import sensitivity as sens
from helpers._keras import keras


def _attention_layer(model):
    return next(layer for layer in model.layers if isinstance(layer, models.TemporalAttention))


def _attention_model(**kwargs):
    return models.build_attention_forecaster(6, 2, units=4, seed=0, **kwargs)


def test_attention_forecaster_has_the_forecaster_contract():
    model = _attention_model(horizon=3)
    assert model.input_shape == (None, 6, 2) and model.output_shape == (None, 3)
    assert [type(layer) for layer in models.recurrent_layers(model)] == [keras.layers.LSTM]
    assert models.recurrent_layers(model)[0].return_sequences  # attention reads every state
    assert models.head(model).units == 3
    assert model.loss == "mse" and model.optimizer.__class__.__name__ == "Adam"
    attention = [layer for layer in model.layers if isinstance(layer, models.TemporalAttention)]
    assert len(attention) == 1 and attention[0].units == 4


def test_attention_units_and_learning_rate_are_used():
    model = models.build_attention_forecaster(5, units=3, attention_units=7, learning_rate=0.05)
    attention = _attention_layer(model)
    assert attention.kernel.shape == (3, 7) and attention.score.shape == (7, 1)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)


def test_attention_weights_are_a_distribution_over_time_steps_and_deterministic():
    model = _attention_model()
    X = np.random.default_rng(0).standard_normal((9, 6, 2))
    before = X.copy()
    alpha = models.attention_weights(model, X)
    assert alpha.shape == (9, 6) and alpha.dtype == np.float64
    assert np.all(alpha >= 0)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(alpha, models.attention_weights(model, X))
    np.testing.assert_array_equal(X, before)


def test_attention_weights_follow_the_equations():
    # alpha = softmax_t(v . tanh(W h_t + b)), c = sum_t alpha_t h_t, y = head(c)
    model = _attention_model()
    X = np.random.default_rng(1).standard_normal((4, 6, 2)).astype("float32")
    lstm = models.recurrent_layers(model)[0]
    attention = _attention_layer(model)
    h = keras.ops.convert_to_numpy(lstm(X))  # (4, 6, units)
    W, b, v = attention.get_weights()  # kernel (units, a), bias (a,), score (a, 1)
    e = np.tanh(h @ W + b) @ v[:, 0]  # (4, 6)
    alpha = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(models.attention_weights(model, X), alpha, rtol=1e-5, atol=1e-6)
    kernel, bias = models.head(model).get_weights()
    context = (alpha[:, :, None] * h).sum(axis=1)  # (4, units)
    np.testing.assert_allclose(
        models.predict(model, X), context @ kernel + bias, rtol=1e-4, atol=1e-5
    )


def test_zero_score_gives_uniform_attention():
    model = _attention_model()
    attention = _attention_layer(model)
    attention.score.assign(np.zeros(attention.score.shape))
    alpha = models.attention_weights(model, np.ones((3, 6, 2)))
    np.testing.assert_allclose(alpha, 1 / 6, rtol=1e-6)


def test_attention_forecaster_trains():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 6, 2))
    y = X[:, -2, :1] - X[:, -1, 1:]  # (64, 1)
    model = _attention_model(learning_rate=0.05)
    history = models.train(model, X, y, epochs=40, batch_size=16, seed=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_attention_seed_fixes_weights_without_the_global_seed():
    helpers.set_seed(1)
    a = _attention_model().get_weights()
    helpers.set_seed(2)
    b = _attention_model().get_weights()
    c = models.build_attention_forecaster(6, 2, units=4, seed=1).get_weights()
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(a, c, strict=True) if wa.ndim == 2)


def test_attention_model_round_trips_through_a_keras_file(tmp_path):
    model = _attention_model(horizon=2)
    X = np.random.default_rng(2).standard_normal((5, 6, 2))
    path = models.save_model(model, tmp_path / "attention.keras")
    loaded = models.load_model(path)  # safe_mode=True: the layer is registered, not pickled
    assert isinstance(
        _attention_layer(loaded),
        models.TemporalAttention,
    )
    np.testing.assert_allclose(models.predict(loaded, X), models.predict(model, X), rtol=1e-6)
    np.testing.assert_allclose(
        models.attention_weights(loaded, X), models.attention_weights(model, X), rtol=1e-6
    )
    assert keras.saving.get_registered_object("helpers>TemporalAttention") is (
        models.TemporalAttention
    )


def test_attention_model_survives_weight_randomisation():

    model = _attention_model()
    X = np.random.default_rng(3).standard_normal((4, 6, 2))
    fresh = sens.randomize_weights(model, seed=5)
    assert isinstance(_attention_layer(fresh), models.TemporalAttention)
    alpha = models.attention_weights(fresh, X)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-6)
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(model.get_weights(), fresh.get_weights(), strict=True)
        if a.ndim == 2  # the kernels; biases start from constants (zeros, forget-gate ones)
    ]
    assert len(changed) == 5 and all(changed)  # LSTM W, U; attention W, v; head


def test_attention_weights_refuse_a_model_without_attention():
    with pytest.raises(ValueError, match="no attention layer.*build_attention_forecaster"):
        models.attention_weights(models.build_forecaster(6, 2, units=3), np.zeros((2, 6, 2)))
    with pytest.raises(TypeError, match="keras.Model"):
        models.attention_weights("model", np.zeros((2, 6, 2)))


@pytest.mark.parametrize(
    ("X", "error", "words"),
    [
        (np.zeros((2, 6)), ValueError, "3-D"),
        (np.zeros((2, 5, 2)), ValueError, "5 time steps.*window=6"),
        (np.zeros((2, 6, 3)), ValueError, "3 features.*n_features=2"),
        (np.zeros((0, 6, 2)), ValueError, "no windows"),
        (np.full((1, 6, 2), np.nan), ValueError, "NaN"),
        (np.array([[["a"] * 2] * 6]), TypeError, "real numbers"),
    ],
)
def test_attention_weights_refuse_wrong_windows(X, error, words):
    with pytest.raises(error, match=words):
        models.attention_weights(_attention_model(), X)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"window": 0}, ValueError, "window must be a positive integer"),
        ({"units": 2.5}, TypeError, "units must be a positive integer, got float"),
        ({"attention_units": 0}, ValueError, "attention_units must be a positive integer"),
        ({"horizon": -1}, ValueError, "horizon"),
        ({"learning_rate": 0}, ValueError, "learning_rate"),
        ({"dtype": "int32"}, ValueError, "floating dtype"),
        ({"seed": -1}, ValueError, "seed"),
        ({"name": 3}, TypeError, "name must be a str"),
    ],
)
def test_attention_forecaster_rejects_bad_arguments(kwargs, error, words):
    args = {"window": 6, **kwargs}
    with pytest.raises(error, match=words):
        models.build_attention_forecaster(args.pop("window"), **args)


def test_attention_layer_rejects_a_bad_size_and_non_sequence_input():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        models.TemporalAttention(0)
    with pytest.raises(ValueError, match="ndim"):
        models.TemporalAttention(3)(keras.Input((4,)))
