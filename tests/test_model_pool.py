"""Tests for helpers.model_pool: a reused model trains exactly as a fresh build would.

What the pool promises, and what these tests hold it to:
- a model handed back by the pool, trained, ends with the same weights, to the last
  bit, as the fresh build of the same arguments trained the same way; also with
  dropout and recurrent dropout, whose random streams are part of the copied state;
- one model per architecture: the seed and the step size change the state only;
- snapshot and restore resume a fit exactly where it paused, so a warm start through
  a shared model is the warm start of a model of its own.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import model_pool, models


def _data(n=48, window=6, seed=0):
    rng = np.random.default_rng(seed)
    series = np.sin(np.arange(n + window) * 0.4) + 0.1 * rng.normal(size=n + window)
    X = np.stack([series[i : i + window] for i in range(n)])[:, :, None]
    return X.astype("float32"), series[window:, None].astype("float32")


def _fit(model, X, y, seed=0):
    return models.train(
        model,
        X[:36],
        y[:36],
        validation_data=(X[36:], y[36:]),
        epochs=4,
        batch_size=8,
        patience=None,
        seed=seed,
    )


def _assert_same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize(
    "options",
    [
        {"units": 3},
        {"units": 3, "layers": 2, "dropout": 0.2, "recurrent_dropout": 0.2},
        {"units": 3, "cell": "gru", "bidirectional": True},
    ],
    ids=["lstm", "stacked-dropout", "bidirectional-gru"],
)
def test_a_pooled_model_trains_exactly_as_a_fresh_build(options):
    X, y = _data()
    pool = model_pool.ModelPool(models.build_forecaster)
    first = pool(6, 1, seed=1, learning_rate=0.01, **options)
    _fit(first, X, y)  # the pool's model is now trained and traced
    again = pool(6, 1, seed=2, learning_rate=0.005, **options)
    assert again is first and pool.architectures == 1 and pool.builds == 2
    fresh = models.build_forecaster(6, 1, seed=2, learning_rate=0.005, **options)
    _assert_same_weights(again, fresh)  # the state of a new build, before training ...
    assert int(again.optimizer.iterations.numpy()) == 0
    np.testing.assert_allclose(float(again.optimizer.learning_rate.numpy()), 0.005)
    history_pooled, history_fresh = _fit(again, X, y, seed=3), _fit(fresh, X, y, seed=3)
    _assert_same_weights(again, fresh)  # ... and after it
    assert history_pooled.history["loss"] == history_fresh.history["loss"]


def test_the_architecture_decides_which_model_is_reused():
    pool = model_pool.ModelPool(models.build_forecaster)
    a = pool(5, units=2, seed=0)
    assert pool(5, units=2, seed=9) is a
    assert pool(5, units=3, seed=0) is not a
    assert pool(5, units=2, horizon=2, seed=0) is not a
    assert pool(6, units=2, seed=0) is not a
    assert pool.architectures == 4


def test_snapshot_and_restore_resume_a_fit_exactly():
    X, y = _data()
    alone = models.build_forecaster(6, units=3, seed=4, learning_rate=0.01)
    _fit(alone, X, y, seed=5)
    _fit(alone, X, y, seed=6)  # one model, trained twice in a row
    shared = models.build_forecaster(6, units=3, seed=4, learning_rate=0.01)
    _fit(shared, X, y, seed=5)
    paused = model_pool.snapshot(shared)
    model_pool.copy_state(models.build_forecaster(6, units=3, seed=8), shared)  # another fit
    _fit(shared, X, y, seed=7)
    model_pool.restore(shared, paused)  # back to the first fit's end, optimizer included
    _fit(shared, X, y, seed=6)
    _assert_same_weights(alone, shared)


def test_snapshot_is_a_copy():
    model = models.build_forecaster(5, units=2, seed=0)
    saved = model_pool.snapshot(model)
    before = [a.copy() for a in saved]
    model.set_weights([w + 1 for w in model.get_weights()])
    for a, b in zip(saved, before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments_are_refused():
    a = models.build_forecaster(5, units=2, seed=0)
    b = models.build_forecaster(5, units=3, seed=0)
    with pytest.raises(ValueError, match="same shapes.*same architecture"):
        model_pool.copy_state(a, b)
    with pytest.raises(ValueError, match="^saved and the model must hold variables"):
        model_pool.restore(b, model_pool.snapshot(a))
    with pytest.raises(TypeError, match="^saved must be the list snapshot"):
        model_pool.restore(a, tuple(model_pool.snapshot(a)))
    with pytest.raises(TypeError, match="^target must be a keras.Model, got int"):
        model_pool.copy_state(a, 3)
    with pytest.raises(TypeError, match=r"^build must be callable as build\(\*args"):
        model_pool.ModelPool(3)
    with pytest.raises(TypeError, match="^state_options must be a tuple of option names"):
        model_pool.ModelPool(models.build_forecaster, state_options="seed")
