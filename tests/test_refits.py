"""Tests for helpers.refits: a Refitter trains what a freshly built model trains, reusing one model.

What Refitter promises, and what these tests hold it to:
- each fit gives the weights, losses and forecasts that ``models.train`` gives a model
  freshly built with the same seed, whatever was fitted before (another seed, other
  data of the same shapes, a run cut short by early stopping);
- it keeps one model, so the steps traced for it are reused;
- it refuses a builder that changes the architecture or the optimizer between calls.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import models, refits


def _windows(n, seed, window=5, horizon=2):
    """``n`` windows of a noisy sine and their next ``horizon`` values."""
    rng = np.random.default_rng(seed)
    series = np.sin(np.arange(n + window + horizon) * 0.4) + 0.1 * rng.normal(
        size=n + window + horizon
    )
    X = np.stack([series[i : i + window] for i in range(n)])[:, :, None]  # (n, window, 1)
    y = np.stack([series[i + window : i + window + horizon] for i in range(n)])  # (n, horizon)
    return X, y


def _build(units=3, learning_rate=1e-2):
    return lambda seed: models.build_forecaster(
        5, units=units, horizon=2, learning_rate=learning_rate, seed=seed
    )


OPTIONS = dict(epochs=30, patience=3, batch_size=8)


def _fresh(seed, X, y, validation):
    model = _build()(seed)
    history = models.train(model, X, y, validation_data=validation, seed=seed, **OPTIONS)
    return model, history


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1)])
def test_every_fit_equals_a_freshly_built_model_of_its_seed(order):
    # Data of three sizes (as at three forecast origins), fitted in different orders:
    # whatever came before, each fit is the fresh model's fit.
    refit = refits.Refitter(_build())
    for seed in order:
        X, y = _windows(20 + 10 * seed, seed)
        validation = _windows(12, seed + 10)
        history = refit.fit(seed, X, y, validation_data=validation, **OPTIONS)
        fresh, fresh_history = _fresh(seed, X, y, validation)
        for a, b in zip(refit.model.get_weights(), fresh.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            history.history["val_loss"], fresh_history.history["val_loss"], rtol=1e-6
        )
        assert (history.best_epoch, history.converged) == (
            fresh_history.best_epoch,
            fresh_history.converged,
        )
        np.testing.assert_allclose(
            refit.predict(validation[0]), models.predict(fresh, validation[0]), atol=1e-6
        )


def test_it_keeps_one_model_and_seeds_change_the_fit():
    refit = refits.Refitter(_build())
    X, y = _windows(30, 0)
    refit.fit(0, X, y, epochs=3)
    first_model, first_weights = refit.model, refit.model.get_weights()
    refit.fit(1, X, y, epochs=3)
    assert refit.model is first_model  # the same model, so its traced steps are reused
    assert any(
        not np.allclose(a, b) for a, b in zip(first_weights, refit.model.get_weights(), strict=True)
    )
    refit.fit(0, X, y, epochs=3)  # back to seed 0: the first fit again
    for a, b in zip(first_weights, refit.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_refuses_a_builder_that_changes_the_architecture_or_the_optimizer():
    X, y = _windows(20, 0)
    growing = refits.Refitter(lambda seed: _build(units=2 + seed)(seed))
    growing.fit(0, X, y, epochs=1)
    with pytest.raises(ValueError, match="same architecture"):
        growing.fit(1, X, y, epochs=1)
    faster = refits.Refitter(lambda seed: _build(learning_rate=1e-2 * (1 + seed))(seed))
    faster.fit(0, X, y, epochs=1)
    with pytest.raises(ValueError, match="same optimizer settings"):
        faster.fit(1, X, y, epochs=1)


def test_refuses_bad_arguments():
    with pytest.raises(TypeError, match="build must be"):
        refits.Refitter("not a function")
    refit = refits.Refitter(_build())
    with pytest.raises(ValueError, match="call fit first"):
        refit.predict(np.zeros((1, 5, 1)))
    X, y = _windows(10, 0)
    with pytest.raises(ValueError, match="seed must be"):
        refit.fit(-1, X, y, epochs=1)
    with pytest.raises(TypeError, match="build\\(seed\\) must be a keras.Model"):
        refits.Refitter(lambda seed: None).fit(0, X, y, epochs=1)
