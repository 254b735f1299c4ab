"""helpers.method_checks: weight randomisation and pass counts, on any explanation method."""

import numpy as np
import pytest

import helpers  # noqa: F401  (quiet TensorFlow first)
from helpers import method_checks
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


def test_sensitivity_re_exports_the_method_checks():
    assert sens.randomize_weights is method_checks.randomize_weights
    assert sens.count_passes is method_checks.count_passes
    assert sens.PassCount is method_checks.PassCount
    assert sens.best_seconds is method_checks.best_seconds


def test_best_seconds_is_the_shortest_of_the_timed_calls(monkeypatch):
    ticks = iter([0.0, 5.0, 10.0, 12.0, 20.0, 23.0])  # calls of 5, 2 and 3 seconds
    monkeypatch.setattr(method_checks.time, "perf_counter", lambda: next(ticks))
    calls = []
    seconds = method_checks.best_seconds(lambda a, *, b: calls.append((a, b)), 1, b=2)
    assert seconds == 2.0
    assert calls == [(1, 2)] * 3  # arguments passed on, three calls by default


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: method_checks.best_seconds(3), TypeError, "method must be callable"),
        (lambda: method_checks.best_seconds(print, repeats=0), ValueError, "repeats"),
        (lambda: method_checks.best_seconds(print, repeats=1.5), TypeError, "repeats"),
    ],
)
def test_best_seconds_refuses_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_randomize_weights_keeps_the_architecture_and_leaves_the_model_alone(lstm):
    before = [w.copy() for w in lstm.get_weights()]
    fresh = sens.randomize_weights(lstm, seed=3)
    again = sens.randomize_weights(lstm, seed=3)
    other = sens.randomize_weights(lstm, seed=4)
    for w, b in zip(lstm.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)
    assert fresh is not lstm and fresh.input_shape == lstm.input_shape
    assert fresh.output_shape == lstm.output_shape
    assert [w.shape for w in fresh.get_weights()] == [w.shape for w in before]
    for w, a in zip(fresh.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(w, a)
    assert not np.allclose(fresh.get_weights()[0], other.get_weights()[0])
    assert not np.allclose(fresh.get_weights()[0], before[0])
    x = _windows(4)
    assert not np.allclose(sens.saliency(fresh, x), sens.saliency(lstm, x))


def test_shuffled_weights_are_a_permutation_and_layers_can_be_kept(lstm):
    shuffled = sens.randomize_weights(lstm, method="shuffle", seed=0)
    for w, s in zip(lstm.get_weights(), shuffled.get_weights(), strict=True):
        np.testing.assert_array_equal(np.sort(w.ravel()), np.sort(s.ravel()))
    assert not np.array_equal(lstm.get_weights()[0], shuffled.get_weights()[0])
    dense = lstm.layers[-1].name
    top_only = sens.randomize_weights(lstm, layers=[dense], seed=0)
    for old, new in zip(lstm.layers, top_only.layers, strict=True):
        same = all(
            np.array_equal(a, b) for a, b in zip(old.get_weights(), new.get_weights(), strict=True)
        )
        assert same == (old.name != dense)
    with pytest.raises(ValueError, match="layers must name layers"):
        sens.randomize_weights(lstm, layers=["nope"])
    with pytest.raises(ValueError, match="method must be"):
        sens.randomize_weights(lstm, method="zero")


def _per_window_loop(model, x):
    """Saliency one window at a time, written out: n calls, n forward, n backward windows."""
    tf = sens.tf
    grads = []
    for window in np.asarray(x, dtype="float32"):
        v = tf.constant(window[None])
        with tf.GradientTape() as tape:
            tape.watch(v)
            y = model(v, training=False)[:, 0]
        grads.append(tape.gradient(y, v).numpy()[0])
    return np.stack(grads)


def _forward_only(model, x):
    return model(np.asarray(x, dtype="float32"), training=False)


@pytest.mark.parametrize("n", [1, 7])
def test_count_passes_counts_windows_by_the_methods_definitions(lstm, n):
    x = _windows(n)
    cells = T * F
    expected = {  # (method, kwargs): (forward windows, backward windows), from the definitions
        (sens.saliency, ()): (n, n),
        (sens.gradient_times_input, ()): (n, n),
        (sens.integrated_gradients, (("steps", 5),)): (6 * n, 6 * n),
        (sens.smoothgrad, (("samples", 3),)): (3 * n, 3 * n),
        (sens.perturbation_sensitivity, ()): ((cells + 1) * n, 0),
        (sens.perturbation_sensitivity, (("unit", "timestep"),)): ((T + 1) * n, 0),
        (sens.perturbation_sensitivity, (("unit", "feature"),)): ((F + 1) * n, 0),
        (_per_window_loop, ()): (n, n),
        (_forward_only, ()): (n, 0),
    }
    for (method, kwargs), (forward, backward) in expected.items():
        count = sens.count_passes(method, lstm, x, **dict(kwargs))
        assert (count.forward, count.backward) == (forward, backward), (method, kwargs)
    assert sens.count_passes(_per_window_loop, lstm, x).calls == n
    assert sens.count_passes(sens.saliency, lstm, x).calls == 1


def test_count_passes_windows_do_not_depend_on_batching_but_calls_do(lstm):
    x = _windows(6)
    for batch_size in (1, 4, 7, 4096):
        count = sens.count_passes(
            sens.integrated_gradients, lstm, x, steps=3, batch_size=batch_size
        )
        assert (count.forward, count.backward) == (24, 24)
        assert count.calls == -(-24 // batch_size)  # ceil: 4 copies of 6 windows in batches


def test_count_passes_leaves_model_and_results_alone(lstm):
    x = _windows(4)
    before = [w.copy() for w in lstm.get_weights()]
    results = []

    def remember(model, windows):
        results.append(sens.saliency(model, windows))

    sens.count_passes(remember, lstm, x)
    np.testing.assert_array_equal(results[0], sens.saliency(lstm, x))  # same model, counted
    for old, new in zip(before, lstm.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    with pytest.raises(TypeError, match="method must be callable, got str"):
        sens.count_passes("saliency", lstm, x)
    with pytest.raises(TypeError, match="model must be a keras.Model, got int"):
        sens.count_passes(sens.saliency, 3, x)
