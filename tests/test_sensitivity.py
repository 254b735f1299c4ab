"""helpers.sensitivity: every method checked against an independent computation.

Expectations come from hand formulas (a linear model's weights), central finite
differences computed with plain forward calls, scipy's Spearman correlation, and
the chain rule applied by composing scikit-learn's own transform/inverse_transform.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import helpers  # noqa: F401  (quiet TensorFlow first)
from helpers import attributions
from helpers import sensitivity as sens
from helpers._keras import keras  # noqa: E402

T, F = 6, 3  # window length and features of the test models


def _random_weights(model, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=scale, size=w.shape) for w in model.get_weights()])
    return model


def _windows(n, seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=(n, T, F)).astype(dtype)


@pytest.fixture(scope="module")
def lstm():
    """A small LSTM with two outputs per window and fixed random weights (float32)."""
    model = keras.Sequential(
        [keras.Input((T, F)), keras.layers.LSTM(5), keras.layers.Dense(2)], name="lstm32"
    )
    return _random_weights(model, 1)


@pytest.fixture(scope="module")
def lstm64():
    """The same architecture in float64, for finite differences."""
    model = keras.Sequential(
        [
            keras.Input((T, F), dtype="float64"),
            keras.layers.LSTM(5, dtype="float64"),
            keras.layers.Dense(2, dtype="float64"),
        ]
    )
    return _random_weights(model, 2)


@pytest.fixture(scope="module")
def linear():
    """f(x) = W^T vec(x) + b with known W (T*F, 2) and b (2,), no activation."""
    model = keras.Sequential([keras.Input((T, F)), keras.layers.Flatten(), keras.layers.Dense(2)])
    rng = np.random.default_rng(3)
    w, b = rng.normal(size=(T * F, 2)), np.array([0.5, -1.0])
    model.set_weights([w, b])
    return model, w.reshape(T, F, 2), b


@pytest.fixture(scope="module")
def trained():
    """A tiny LSTM trained for a few epochs on noisy-sine windows (1 feature)."""
    keras.utils.set_random_seed(0)
    t = np.arange(400)
    series = np.sin(2 * np.pi * t / 25) + 0.1 * np.random.default_rng(0).normal(size=t.size)
    window = 12
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)[..., None]  # (n, 12, 1)
    y = series[window:]
    model = keras.Sequential(
        [keras.Input((window, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    model.fit(X, y, epochs=6, batch_size=32, verbose=0)
    return model, X.astype("float32")


def _central_differences(model, x, output_index, h=1e-5):
    """d f_k / d x by (f(x + h e) - f(x - h e)) / 2h for every cell e, in one forward call."""
    n, t_len, f_len = x.shape
    eye = np.eye(t_len * f_len).reshape(-1, 1, t_len, f_len)  # (cells, 1, T, F)
    shifted = np.concatenate([x[None] + h * eye, x[None] - h * eye])  # (2 cells, n, T, F)
    out = np.asarray(model(shifted.reshape(-1, t_len, f_len), training=False))[:, output_index]
    up, down = out.reshape(2, t_len * f_len, n)
    return ((up - down) / (2 * h)).T.reshape(n, t_len, f_len)


# --------------------------------------------------------------------------- saliency


def test_batched_saliency_equals_a_per_sample_loop(lstm):
    x = _windows(16)
    batched = sens.saliency(lstm, x)
    looped = np.concatenate([sens.saliency(lstm, x[i : i + 1]) for i in range(len(x))])
    assert batched.shape == x.shape
    np.testing.assert_allclose(batched, looped, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("output_index", [0, 1])
def test_saliency_equals_central_finite_differences_in_float64(lstm64, output_index):
    x = _windows(4, seed=5, dtype="float64")
    expected = _central_differences(lstm64, x, output_index)
    got = sens.saliency(lstm64, x, output_index=output_index)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    assert np.abs(got).max() > 1e-3  # the check compares non-trivial gradients


def test_negative_output_index_counts_from_the_end(lstm):
    x = _windows(3)
    np.testing.assert_array_equal(
        sens.saliency(lstm, x, output_index=-1), sens.saliency(lstm, x, output_index=1)
    )


def test_outputs_have_different_gradients(lstm):
    x = _windows(3)
    assert not np.allclose(
        sens.saliency(lstm, x, output_index=0), sens.saliency(lstm, x, output_index=1)
    )


def test_linear_model_saliency_is_the_weights_and_gradient_times_input_is_w_x(linear):
    model, w, _ = linear
    x = _windows(5, seed=1)
    for k in (0, 1):
        np.testing.assert_allclose(
            sens.saliency(model, x, output_index=k),
            np.broadcast_to(w[:, :, k], x.shape),
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            sens.gradient_times_input(model, x, output_index=k),
            x * w[:, :, k],
            rtol=1e-5,
            atol=1e-6,
        )


def test_cached_gradient_follows_new_weights():
    model = keras.Sequential([keras.Input((T, F)), keras.layers.Flatten(), keras.layers.Dense(1)])
    x = _windows(2)
    model.set_weights([np.ones((T * F, 1)), np.zeros(1)])
    np.testing.assert_allclose(sens.saliency(model, x), 1.0)
    model.set_weights([np.full((T * F, 1), -3.0), np.zeros(1)])
    np.testing.assert_allclose(sens.saliency(model, x), -3.0)


# --------------------------------------------------------------------------- integrated gradients


@pytest.mark.parametrize("steps", [1, 7])
def test_linear_model_ig_is_exactly_w_times_x_minus_baseline(linear, steps):
    model, w, _ = linear
    x = _windows(5, seed=2)
    baselines = {
        "zeros": (None, np.zeros_like(x)),
        "number": (0.7, np.full_like(x, 0.7)),
        "one window": (x[0] * 0.3, np.broadcast_to(x[0] * 0.3, x.shape)),
        "per window": (x[::-1] * 0.5, x[::-1] * 0.5),
    }
    for k in (0, 1):
        for given_baseline, baseline in baselines.values():
            got = sens.integrated_gradients(
                model, x, baseline=given_baseline, steps=steps, output_index=k
            )
            np.testing.assert_allclose(got, w[:, :, k] * (x - baseline), rtol=1e-5, atol=1e-5)
            gap = sens.completeness_gap(model, x, got, baseline=given_baseline, output_index=k)
            assert gap.shape == (len(x),)
            np.testing.assert_allclose(gap, 0.0, atol=1e-4)


def test_ig_does_not_depend_on_the_chunk_size(lstm):
    x = _windows(5, seed=3)
    whole = sens.integrated_gradients(lstm, x, steps=9)
    chunked = sens.integrated_gradients(lstm, x, steps=9, batch_size=7)  # chunks split alphas
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-7)


def test_ig_equals_the_trapezoid_rule_written_out(lstm):
    x = _windows(3, seed=4)
    baseline = np.full_like(x, -0.2)
    steps = 5
    grads = [
        sens.saliency(lstm, baseline + a * (x - baseline)) for a in np.linspace(0, 1, steps + 1)
    ]
    average = (0.5 * grads[0] + sum(grads[1:-1]) + 0.5 * grads[-1]) / steps
    expected = (x - baseline) * average
    got = sens.integrated_gradients(lstm, x, baseline=baseline, steps=steps)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_completeness_gap_is_small_on_a_trained_lstm(trained):
    model, X = trained
    x = X[:40]
    fine = sens.integrated_gradients(model, x, steps=64)
    coarse = sens.integrated_gradients(model, x, steps=2)
    change = (
        np.asarray(model(x, training=False))[:, 0]
        - np.asarray(model(np.zeros_like(x), training=False))[:, 0]
    )
    gap_fine = sens.completeness_gap(model, x, fine)
    gap_coarse = sens.completeness_gap(model, x, coarse)
    # the gap is the full sum minus the change, computed here independently of the helper
    np.testing.assert_allclose(gap_fine, fine.sum(axis=(1, 2)) - change, atol=1e-5)
    assert np.abs(change).mean() > 0.1  # the attributions have something to explain
    assert np.abs(gap_fine).max() < 0.01 * np.abs(change).mean()
    assert np.abs(gap_fine).mean() < np.abs(gap_coarse).mean()


def test_path_outputs_are_linear_in_alpha_for_a_linear_model(linear):
    model, w, b = linear
    x = _windows(3, seed=6)
    alphas, outputs = sens.path_outputs(model, x, steps=4, output_index=1)
    np.testing.assert_allclose(alphas, [0, 0.25, 0.5, 0.75, 1.0])
    expected = b[1] + alphas[None, :] * (x * w[:, :, 1]).sum(axis=(1, 2))[:, None]
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- smoothgrad


def test_smoothgrad_without_noise_is_the_saliency(lstm):
    x = _windows(6, seed=7)
    np.testing.assert_allclose(
        sens.smoothgrad(lstm, x, noise=0.0, samples=5),
        sens.saliency(lstm, x),
        rtol=1e-6,
        atol=1e-8,
    )
    tiny = sens.smoothgrad(lstm, x, noise=1e-5, samples=5)
    np.testing.assert_allclose(tiny, sens.saliency(lstm, x), rtol=1e-3, atol=1e-5)


def test_smoothgrad_is_seeded_and_independent_of_chunking(lstm):
    x = _windows(4, seed=8)
    a = sens.smoothgrad(lstm, x, noise=0.5, samples=6, seed=1)
    np.testing.assert_array_equal(a, sens.smoothgrad(lstm, x, noise=0.5, samples=6, seed=1))
    np.testing.assert_allclose(
        sens.smoothgrad(lstm, x, noise=0.5, samples=6, seed=1, batch_size=5),
        a,
        rtol=1e-5,
        atol=1e-7,
    )
    assert not np.allclose(a, sens.smoothgrad(lstm, x, noise=0.5, samples=6, seed=2))
    assert not np.allclose(a, sens.saliency(lstm, x))


def test_smoothgrad_of_a_linear_model_is_its_weights_for_any_noise(linear):
    model, w, _ = linear
    x = _windows(2)
    np.testing.assert_allclose(
        sens.smoothgrad(model, x, noise=2.0, samples=3),
        np.broadcast_to(w[:, :, 0], x.shape),
        rtol=1e-5,
    )


# --------------------------------------------------------------------------- perturbation


def test_occlusion_of_a_linear_model(linear):
    model, w, _ = linear
    x = _windows(4, seed=9)
    wk = w[:, :, 1]
    cells = sens.perturbation_sensitivity(model, x, output_index=1, value=0.25)
    np.testing.assert_allclose(cells, wk * (x - 0.25), rtol=1e-4, atol=1e-5)
    steps = sens.perturbation_sensitivity(model, x, unit="timestep", output_index=1)
    np.testing.assert_allclose(steps, (wk * x).sum(axis=2), rtol=1e-4, atol=1e-5)
    features = sens.perturbation_sensitivity(model, x, unit="feature", output_index=1)
    np.testing.assert_allclose(features, (wk * x).sum(axis=1), rtol=1e-4, atol=1e-5)
    assert cells.shape == x.shape and steps.shape == (4, T) and features.shape == (4, F)


def test_nudge_of_a_linear_model_is_the_slope(linear):
    model, w, _ = linear
    x = _windows(3, seed=10)
    nudged = sens.perturbation_sensitivity(model, x, mode="nudge", delta=0.5)
    np.testing.assert_allclose(nudged, np.broadcast_to(w[:, :, 0], x.shape), rtol=1e-4, atol=1e-5)
    per_feature = sens.perturbation_sensitivity(model, x, mode="nudge", unit="feature", delta=-0.5)
    np.testing.assert_allclose(
        per_feature, np.broadcast_to(w[:, :, 0].sum(axis=0), (3, F)), rtol=1e-4, atol=1e-5
    )


def test_small_nudges_agree_with_saliency_on_an_lstm(lstm64):
    x = _windows(3, seed=11, dtype="float64")
    nudged = sens.perturbation_sensitivity(lstm64, x, mode="nudge", delta=1e-6, output_index=1)
    np.testing.assert_allclose(nudged, sens.saliency(lstm64, x, output_index=1), atol=1e-5)


def test_perturbation_does_not_depend_on_the_chunk_size(lstm):
    x = _windows(5, seed=12)
    whole = sens.perturbation_sensitivity(lstm, x)
    chunked = sens.perturbation_sensitivity(lstm, x, batch_size=4)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- chunk bookkeeping


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 9), steps=st.integers(0, 9), batch_size=st.integers(1, 30))
def test_chunks_visit_every_pair_once_in_order(n, steps, batch_size):
    visited = []
    for segments in sens._chunks(n, steps + 1, batch_size):
        assert 0 < sum(s1 - s0 for _, s0, s1 in segments) <= batch_size
        for a, s0, s1 in segments:
            visited.extend((a, s) for s in range(s0, s1))
    assert visited == [(a, s) for a in range(steps + 1) for s in range(n)]


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize("scaler_class", [StandardScaler, MinMaxScaler])
def test_raw_unit_gradients_follow_the_chain_rule(scaler_class):
    """Compose raw -> scaled -> model -> raw with sklearn and differentiate numerically."""
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(200, F + 1)) * np.array([5.0, 0.01, 300.0, 40.0]) + 7.0
    scaler = scaler_class().fit(raw)  # columns: 3 features, then the target
    model = keras.Sequential(
        [
            keras.Input((T, F), dtype="float64"),
            keras.layers.LSTM(4, dtype="float64"),
            keras.layers.Dense(1, dtype="float64"),
        ]
    )
    _random_weights(model, 4)

    def raw_model(x_raw):  # (n, T, F) raw -> (n,) raw target
        flat = np.concatenate([x_raw.reshape(-1, F), np.zeros((x_raw.size // F, 1))], axis=1)
        x_scaled = scaler.transform(flat)[:, :F].reshape(x_raw.shape)
        y_scaled = np.asarray(model(x_scaled, training=False))[:, 0]
        out = np.zeros((len(y_scaled), F + 1))
        out[:, F] = y_scaled
        return scaler.inverse_transform(out)[:, F]

    x_raw = raw[: 2 * T, :F].reshape(2, T, F)
    flat = np.concatenate([x_raw.reshape(-1, F), np.zeros((2 * T, 1))], axis=1)
    x_scaled = scaler.transform(flat)[:, :F].reshape(x_raw.shape)
    expected = np.zeros(x_raw.shape)
    for t in range(T):
        for j in range(F):
            h = 1e-6 * raw[:, j].std()
            up, down = x_raw.copy(), x_raw.copy()
            up[:, t, j] += h
            down[:, t, j] -= h
            expected[:, t, j] = (raw_model(up) - raw_model(down)) / (2 * h)
    got = sens.to_raw_units(sens.saliency(model, x_scaled), scaler, target_column=F)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


# --------------------------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"x": np.zeros((T, F))}, ValueError, "x must be 3-D"),
        ({"x": np.zeros((2, T + 1, F))}, ValueError, "time steps per window"),
        ({"x": np.zeros((2, T, F + 1))}, ValueError, "features, the model expects n_features=3"),
        ({"x": np.zeros((0, T, F))}, ValueError, "no windows"),
        ({"x": np.full((1, T, F), np.nan)}, ValueError, "NaN"),
        ({"x": np.full((1, T, F), "a")}, TypeError, "real numbers"),
        ({"output_index": 2}, ValueError, r"output_index must be in \[0, 1\]"),
        ({"output_index": -3}, ValueError, "output_index"),
        ({"output_index": 0.5}, TypeError, "output_index must be an integer"),
    ],
)
def test_every_method_validates_x_and_output_index(lstm, kwargs, error, message):
    args = {"x": _windows(2), "output_index": 0, **kwargs}
    for method in (
        sens.saliency,
        sens.gradient_times_input,
        sens.integrated_gradients,
        sens.smoothgrad,
        sens.perturbation_sensitivity,
    ):
        with pytest.raises(error, match=message):
            method(lstm, args["x"], output_index=args["output_index"])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, x: sens.integrated_gradients(m, x, steps=0), ValueError, "steps must be"),
        (lambda m, x: sens.integrated_gradients(m, x, steps=2.0), TypeError, "steps must be"),
        (lambda m, x: sens.integrated_gradients(m, x, batch_size=0), ValueError, "batch_size"),
        (
            lambda m, x: sens.integrated_gradients(m, x, baseline=np.zeros((T, F + 1))),
            ValueError,
            "baseline must be None, a number",
        ),
        (lambda m, x: sens.completeness_gap(m, x, x[:1]), ValueError, "attributions must"),
        (lambda m, x: sens.path_outputs(m, x, steps=-1), ValueError, "steps must be"),
        (
            lambda m, x: sens.smoothgrad(m, x, noise=-0.1),
            ValueError,
            "noise must be a non-negative number, got -0.1",
        ),
        (lambda m, x: sens.smoothgrad(m, x, samples=0), ValueError, "samples must be"),
        (lambda m, x: sens.smoothgrad(m, x, seed=-1), ValueError, "seed must be"),
        (lambda m, x: sens.perturbation_sensitivity(m, x, unit="row"), ValueError, "unit must"),
        (lambda m, x: sens.perturbation_sensitivity(m, x, mode="hide"), ValueError, "mode must"),
        (
            lambda m, x: sens.perturbation_sensitivity(m, x, mode="nudge", delta=0),
            ValueError,
            "delta must be nonzero",
        ),
        (lambda m, x: sens.saliency("model", x), TypeError, "model must be a keras.Model"),
    ],
)
def test_options_are_validated(lstm, call, error, message):
    with pytest.raises(error, match=message):
        call(lstm, _windows(2))


def test_inputs_are_left_unmodified(lstm):
    x = _windows(3)
    baseline = np.full_like(x, 0.3)
    x_copy, baseline_copy = x.copy(), baseline.copy()
    sens.saliency(lstm, x)
    sens.integrated_gradients(lstm, x, baseline=baseline, steps=3)
    sens.smoothgrad(lstm, x, samples=2)
    sens.perturbation_sensitivity(lstm, x, mode="nudge")
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(baseline, baseline_copy)


def test_explaining_many_models_does_not_warn_about_retracing():
    import logging

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        x = _windows(2)
        for seed in range(7):  # a fresh model each time: each is traced once, by design
            model = keras.Sequential(
                [keras.Input((T, F)), keras.layers.LSTM(2), keras.layers.Dense(1)]
            )
            sens.saliency(_random_weights(model, seed), x)
    finally:
        logger.removeHandler(handler)
    assert not [r for r in records if "retracing" in r.getMessage()]


def test_sensitivity_re_exports_the_numpy_rankings():
    for name in attributions.__all__:
        assert getattr(sens, name) is getattr(attributions, name)
        assert name in sens.__all__
