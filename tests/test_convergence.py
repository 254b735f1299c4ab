"""Tests for helpers.convergence: strict on a lesson's data, a clear line on a reader's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers import convergence, models


def _fit(epochs, patience):
    # Training pulls the forecast towards +1 while the validation targets are -1, so the
    # validation loss rises from the first epoch on: early stopping fires after patience + 1.
    X = np.linspace(-1, 1, 40).reshape(8, 5, 1)
    model = models.build_forecaster(5, units=2, seed=0, learning_rate=0.05)
    return models.train(
        model,
        X,
        np.ones((8, 1)),
        validation_data=(X, -np.ones((8, 1))),
        epochs=epochs,
        patience=patience,
        seed=0,
    )


def test_converged_fits_pass_and_are_counted():
    done = _fit(epochs=200, patience=0)
    assert done.converged
    line = convergence.require_converged(done, done, what="the tiny LSTM")
    assert line.startswith("the tiny LSTM: 2 of 2 fits converged (early stopping fired after")


def test_a_capped_fit_fails_strictly_and_is_named_otherwise():
    done, capped = _fit(epochs=200, patience=0), _fit(epochs=1, patience=5)
    assert not capped.converged
    with pytest.raises(AssertionError, match="1 of 2 fits of the tiny LSTM stopped at the epoch"):
        convergence.require_converged(done, capped, what="the tiny LSTM")
    line = convergence.require_converged(done, capped, what="the tiny LSTM", strict=False)
    assert "1 of 2 fits converged" in line and "1 stopped at the epoch cap (1)" in line
    assert "raise EPOCHS" in line


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one training history"):
        convergence.require_converged(what="nothing")
    with pytest.raises(TypeError, match="takes what helpers.models.train returns"):
        convergence.require_converged({"loss": [1.0]}, what="a dict")
    fit = SimpleNamespace(converged=True, epochs_run=3, max_epochs=9)
    with pytest.raises(TypeError, match="^what must be a str"):
        convergence.require_converged(fit, what=3)
    with pytest.raises(TypeError, match="^strict must be True or False"):
        convergence.require_converged(fit, what="x", strict="yes")
