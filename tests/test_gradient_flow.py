"""Tests for helpers.gradient_flow: gradient sizes over time steps, the LSTM memory's decay,
and the two ways the lesson reads a curve (a geometric fit, a half-life)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers import gradient_flow as gf
from helpers import lstm_numpy as ln
from helpers._keras import keras, tf


def _layer(kind, units=4, steps=12, features=1, **kwargs):
    layer = getattr(keras.layers, kind)(units, **kwargs)
    layer.build((None, steps, features))
    return layer


def _sequence(steps=12, features=1, seed=0):
    return np.random.default_rng(seed).normal(size=(steps, features))


# --------------------------------------------------------------------------- input_gradient_norms


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_input_gradient_norms_equal_the_full_jacobian_of_one_sequence(kind):
    keras.utils.set_random_seed(1)
    layer = _layer(kind, units=4, steps=12, features=2)
    x = _sequence(12, 2, seed=1)
    # reference: the whole Jacobian dh_T / dx of ONE sequence, from tape.jacobian
    x_var = tf.constant(x[None], dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x_var)
        h_last = layer(x_var)[0]  # (units,)
    jacobian = tape.jacobian(h_last, x_var).numpy()[:, 0]  # (units, steps, features)
    expected = np.linalg.norm(jacobian, axis=(0, 2))[::-1]  # indexed by k = T - 1 - t
    np.testing.assert_allclose(gf.input_gradient_norms(layer, x), expected, rtol=1e-5)


def test_input_gradient_norms_of_an_lstm_equal_the_numpy_backward_pass():
    keras.utils.set_random_seed(2)
    layer = _layer("LSTM", units=5, steps=20)
    x = _sequence(20, seed=2)
    W, U, b = (w.astype("float64") for w in layer.get_weights())
    rows = ln.lstm_backward(np.repeat(x[None], 5, axis=0), W, U, b, None, d_h_last=np.eye(5)).x
    expected = np.linalg.norm(rows, axis=(0, 2))[::-1]
    np.testing.assert_allclose(gf.input_gradient_norms(layer, x[:, 0]), expected, rtol=1e-4)


def test_input_gradient_norms_refuse_what_they_cannot_measure():
    with pytest.raises(TypeError, match="layer must be a Keras recurrent layer.* got Dense"):
        gf.input_gradient_norms(keras.layers.Dense(3), _sequence())
    with pytest.raises(ValueError, match="layer must be built first"):
        gf.input_gradient_norms(keras.layers.LSTM(3), _sequence())
    with pytest.raises(ValueError, match="layer must return only its last output"):
        gf.input_gradient_norms(_layer("LSTM", return_sequences=True), _sequence())
    with pytest.raises(ValueError, match="layer must return only its last output"):
        gf.input_gradient_norms(_layer("GRU", return_state=True), _sequence())
    with pytest.raises(ValueError, match=r"sequence must be one sequence.* got shape \(1, 12, 1\)"):
        gf.input_gradient_norms(_layer("LSTM"), _sequence()[None])


# --------------------------------------------------------------------------- with_recurrent_scale


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_with_recurrent_scale_changes_only_the_recurrent_kernel(kind):
    layer = _layer(kind, units=3, features=2)
    scaled = gf.with_recurrent_scale(layer, -2.5)
    assert type(scaled) is type(layer) and scaled is not layer
    assert scaled.get_config()["units"] == 3
    (W, U, b), (W2, U2, b2) = layer.get_weights(), scaled.get_weights()
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, b)
    np.testing.assert_allclose(U2, -2.5 * U, rtol=1e-6)
    np.testing.assert_array_equal(layer.get_weights()[1], U)  # the original is untouched


def test_with_recurrent_scale_refuses_a_layer_without_three_weights():
    layer = _layer("LSTM", use_bias=False)
    with pytest.raises(ValueError, match="three weight arrays .* got 2"):
        gf.with_recurrent_scale(layer, 2.0)
    with pytest.raises(TypeError, match="scale"):
        gf.with_recurrent_scale(_layer("LSTM"), "2")


# --------------------------------------------------------------------------- memory_decay


def _weights(units=3, features=1, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    return (
        scale * rng.normal(size=(features, 4 * units)),
        scale * rng.normal(size=(units, 4 * units)),
        scale * rng.normal(size=4 * units),
    )


def test_memory_decay_direct_curve_is_the_product_of_the_forget_gates():
    W, U, b = _weights(seed=3)
    x = np.sin(0.3 * np.arange(50.0))
    decay = gf.memory_decay(x, W, U, b, max_k=6, skip=10, every=3)
    f = ln.lstm_forward(x[None, :, None], W, U, b, return_gates=True)[3].f[0]  # (50, units)
    for k in range(1, 7):
        # the forget gates of steps end-k+1 .. end, their product per unit, RMS over units
        rms = [np.sqrt(np.mean(np.prod(f[e - k + 1 : e + 1], axis=0) ** 2)) for e in decay.ends]
        assert math.isclose(decay.direct[k], np.mean(rms), rel_tol=1e-12)
    assert decay.direct[0] == decay.full[0] == 1
    np.testing.assert_array_equal(decay.ends, np.arange(16, 50, 3))
    assert math.isclose(decay.mean_forget, f[10:].mean(), rel_tol=1e-12)


def test_memory_decay_full_curve_averages_the_memory_jacobians():
    W, U, b = _weights(seed=4)
    x = np.cos(0.2 * np.arange(30.0))
    decay = gf.memory_decay(x, W, U, b, max_k=4, skip=5, every=7)
    outputs, _, _, gates = ln.lstm_forward(x[None, :, None], W, U, b, return_gates=True)
    k = 3
    norms = []
    for end in decay.ends:
        start = end - k
        jac = ln.memory_jacobian(
            x[None, start + 1 : end + 1, None],
            W,
            U,
            b,
            h0=outputs[:, start],
            c0=gates.c[:, start],
        )
        norms.append(np.linalg.norm(jac.full) / math.sqrt(3))
    assert math.isclose(decay.full[k], np.mean(norms), rel_tol=1e-12)
    # with U the gates see the past states: over 3 steps the full Jacobian is not the direct path
    assert abs(decay.full[k] - decay.direct[k]) > 1e-4


def test_memory_decay_refuses_a_sequence_without_an_end_point():
    W, U, b = _weights()
    with pytest.raises(ValueError, match=r"more than skip \+ max_k = 40 steps.* got 40"):
        gf.memory_decay(np.zeros(40), W, U, b, max_k=10, skip=30)
    with pytest.raises(ValueError, match="max_k must be a positive integer"):
        gf.memory_decay(np.zeros(40), W, U, b, max_k=0)


# --------------------------------------------------------------------------- geometric_fit


@settings(max_examples=40, deadline=None)
@given(
    factor=st.floats(0.3, 1.5),
    scale=st.floats(1e-3, 1e3),
    n=st.integers(5, 80),
    first=st.integers(0, 3),
)
def test_geometric_fit_recovers_an_exact_geometric_curve(factor, scale, n, first):
    fit = gf.geometric_fit(scale * factor ** np.arange(n), first=first)
    assert math.isclose(fit.factor, factor, rel_tol=1e-9)
    assert math.isclose(fit.scale, scale, rel_tol=1e-8)
    assert math.isclose(fit.spread, 1.0, abs_tol=1e-9)
    assert math.isclose(fit.r_squared, 1.0, abs_tol=1e-9) or math.isclose(factor, 1.0, rel_tol=1e-6)
    assert (fit.first, fit.last) == (first, n - 1)


def test_geometric_fit_is_least_squares_on_the_log_and_reports_the_worst_point():
    rng = np.random.default_rng(7)
    norms = 0.9 ** np.arange(40) * np.exp(0.1 * rng.normal(size=40))
    fit = gf.geometric_fit(norms, first=2, last=30)
    reference = stats.linregress(np.arange(2, 31), np.log(norms[2:31]))
    assert math.isclose(fit.factor, math.exp(reference.slope), rel_tol=1e-10)
    assert math.isclose(fit.scale, math.exp(reference.intercept), rel_tol=1e-10)
    residuals = np.log(norms[2:31]) - (reference.intercept + reference.slope * np.arange(2, 31))
    assert math.isclose(fit.spread, math.exp(np.abs(residuals).max()), rel_tol=1e-9)
    assert fit.spread > 1.1  # the noise is seen
    assert math.isclose(fit.r_squared, reference.rvalue**2, rel_tol=1e-9)


def test_geometric_fit_r_squared_is_low_for_a_curve_that_is_not_geometric():
    wave = np.exp(np.sin(np.arange(60) / 4.0))  # up and down, no trend
    assert gf.geometric_fit(wave).r_squared < 0.2
    assert gf.geometric_fit(np.full(10, 2.0)).r_squared == 1.0  # a flat line is fitted exactly


def test_geometric_fit_refuses_a_bad_range_or_a_zero():
    with pytest.raises(ValueError, match=r"first < last < len\(norms\) = 5, got first=3, last=3"):
        gf.geometric_fit(np.ones(5), first=3, last=3)
    with pytest.raises(ValueError, match="norms must be positive from k = 1 to 4"):
        gf.geometric_fit(np.array([1.0, 0.5, 0.0, 0.1, 0.1]))
    with pytest.raises(ValueError, match="norms must be 1-D"):
        gf.geometric_fit(np.ones((3, 3)))


# --------------------------------------------------------------------------- half_life


@settings(max_examples=40, deadline=None)
@given(factor=st.floats(0.05, 0.98))
def test_half_life_of_a_geometric_decay_is_log_half_over_log_factor(factor):
    kept = factor ** np.arange(80.0)
    assert math.isclose(gf.half_life(kept), math.log(0.5) / math.log(factor), rel_tol=1e-9)


def test_half_life_interpolates_between_the_two_steps_around_the_crossing():
    # 0.8 after one step, 0.4 after two: the log falls by log 2 over that step and
    # crosses log(1/2) at log(0.8 / 0.5) / log 2 of the way
    kept = np.array([1.0, 0.8, 0.4, 0.1])
    assert math.isclose(gf.half_life(kept), 1 + math.log(1.6) / math.log(2), rel_tol=1e-12)
    assert gf.half_life(np.array([1.0, 0.5, 0.2])) == 2 - 1 + math.log(1.0) / math.log(2.5)


def test_half_life_refuses_a_curve_that_never_halves_or_starts_below_half():
    with pytest.raises(ValueError, match="never falls below 1/2 in its 3 entries"):
        gf.half_life(np.array([1.0, 0.9, 0.8]))
    with pytest.raises(ValueError, match="must start at 1/2 or above"):
        gf.half_life(np.array([0.4, 0.2]))
    with pytest.raises(ValueError, match="positive shares"):
        gf.half_life(np.array([1.0, 0.0]))
