"""Tests for helpers.probabilistic: the quantile loss and head, Monte Carlo dropout."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from helpers import intervals, models, probabilistic
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402

LEVELS = (0.1, 0.5, 0.9)


# --------------------------------------------------------------------------- quantile loss


@pytest.mark.parametrize("tiled", [False, True], ids=["(n, 1)", "(n, J)"])
def test_quantile_loss_is_the_mean_pinball_loss_over_levels(tiled):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, 1))
    y_pred = rng.normal(size=(40, 3))
    y_true = np.repeat(y, 3, axis=1) if tiled else y
    per_window = keras.ops.convert_to_numpy(probabilistic.quantile_loss(LEVELS)(y_true, y_pred))
    assert per_window.shape == (40,)
    by_hand = np.mean(
        [intervals.pinball_loss(y[:, 0], y_pred[:, j], quantile=q) for j, q in enumerate(LEVELS)]
    )
    assert per_window.mean() == pytest.approx(by_hand, rel=1e-6)


@pytest.mark.parametrize(
    "bad",
    [(0.5, 0.1), (0.1, 0.1), (0.0, 0.5), (0.5, 1.0), (0.1, float("nan")), ()],
)
def test_quantile_loss_refuses_bad_levels(bad):
    with pytest.raises(ValueError, match="quantile"):
        probabilistic.quantile_loss(bad)


@pytest.mark.parametrize("bad", [(True,), ("0.5",)])
def test_quantile_loss_refuses_a_level_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match="every quantile in .* must be a number in \\(0, 1\\)"):
        probabilistic.quantile_loss(bad)


@pytest.mark.parametrize("bad", [0.5, "0.1,0.9", None])
def test_quantile_loss_refuses_a_level_that_is_not_a_sequence(bad):
    with pytest.raises(TypeError, match="quantiles must be a sequence"):
        probabilistic.quantile_loss(bad)


# --------------------------------------------------------------------------- quantile head


def test_quantile_forecaster_has_one_output_per_level_and_the_course_contract():
    model = probabilistic.build_quantile_forecaster(6, 2, quantiles=(0.05, 0.5, 0.95), units=3)
    assert model.input_shape == (None, 6, 2) and model.output_shape == (None, 3)
    assert models.head(model).units == 3
    assert [layer.units for layer in models.recurrent_layers(model)] == [3]
    assert model.loss.__name__ == "quantile_loss"


def test_trained_head_learns_the_quantiles_of_the_noise():
    # Inputs carry no information, the target is N(0, 1): the best forecast of each level is
    # the constant z_q, so the trained outputs must land near the normal quantiles.
    import helpers

    helpers.set_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1024, 3, 1))
    y = rng.normal(size=1024)
    model = probabilistic.build_quantile_forecaster(
        3, quantiles=LEVELS, units=4, learning_rate=0.05
    )
    probabilistic.train_quantiles(model, X, y, epochs=30, batch_size=128)
    learned = models.predict(model, X).mean(axis=0)  # (3,)
    np.testing.assert_allclose(learned, stats.norm.ppf(LEVELS), atol=0.2)


def test_train_quantiles_repeats_the_target_and_uses_validation():
    model = probabilistic.build_quantile_forecaster(4, units=2)
    X, y = np.zeros((10, 4, 1)), np.ones((10, 1))
    history = probabilistic.train_quantiles(
        model, X, y, validation_data=(X[:4], y[:4, 0]), epochs=2, patience=1
    )
    assert {"loss", "val_loss"} <= set(history.history)


def test_train_quantiles_refuses_several_targets_per_window():
    model = probabilistic.build_quantile_forecaster(4, units=2)
    with pytest.raises(ValueError, match=r"y_train must hold one target per window.*\(10, 2\)"):
        probabilistic.train_quantiles(model, np.zeros((10, 4, 1)), np.zeros((10, 2)), epochs=1)
    with pytest.raises(ValueError, match="y_val"):
        probabilistic.train_quantiles(
            model,
            np.zeros((10, 4, 1)),
            np.zeros(10),
            validation_data=(np.zeros((3, 4, 1)), np.zeros((3, 2))),
            epochs=1,
        )


# --------------------------------------------------------------------------- MC dropout


def test_mc_dropout_draws_differ_and_average_to_the_deterministic_forecast():
    # The Dropout sits right before the linear head, and Keras scales kept units by
    # 1 / (1 - rate): the mean of the draws is the dropout-off forecast, in expectation.
    model = models.build_forecaster(5, units=8, dropout=0.3, horizon=2, seed=1)
    X = np.random.default_rng(1).normal(size=(4, 5, 1))
    draws = probabilistic.mc_dropout_samples(model, X, n_samples=4000)  # (S, 4, 2)
    assert draws.shape == (4000, 4, 2)
    assert np.all(draws.std(axis=0) > 0)
    mean, sd = draws.mean(axis=0), draws.std(axis=0)
    assert np.all(np.abs(mean - models.predict(model, X)) < 4 * sd / np.sqrt(4000))


def test_mc_dropout_leaves_inputs_and_deterministic_prediction_alone():
    model = models.build_forecaster(5, units=4, dropout=0.5, seed=2)
    X = np.random.default_rng(2).normal(size=(3, 5, 1))
    copy = X.copy()
    before = models.predict(model, X)
    probabilistic.mc_dropout_samples(model, X, n_samples=5)
    np.testing.assert_array_equal(X, copy)
    np.testing.assert_array_equal(models.predict(model, X), before)


def test_mc_dropout_refuses_a_model_without_dropout():
    model = models.build_forecaster(5, units=4)
    with pytest.raises(ValueError, match="model has no dropout"):
        probabilistic.mc_dropout_samples(model, np.zeros((2, 5, 1)))


def test_mc_dropout_accepts_recurrent_dropout_inside_the_lstm():
    model = keras.Sequential(
        [keras.Input((5, 1)), keras.layers.LSTM(4, recurrent_dropout=0.5), keras.layers.Dense(1)]
    )
    draws = probabilistic.mc_dropout_samples(model, np.ones((2, 5, 1)), n_samples=20)
    assert draws.shape == (20, 2, 1) and np.all(draws.std(axis=0) > 0)


@pytest.mark.parametrize(("bad", "error"), [(1, ValueError), (0, ValueError), (2.5, TypeError)])
def test_mc_dropout_refuses_too_few_draws(bad, error):
    model = models.build_forecaster(5, units=4, dropout=0.2)
    with pytest.raises(error, match="n_samples"):
        probabilistic.mc_dropout_samples(model, np.zeros((2, 5, 1)), n_samples=bad)


def test_mc_dropout_refuses_windows_that_do_not_fit():
    model = models.build_forecaster(5, units=4, dropout=0.2)
    with pytest.raises(ValueError, match="window=5"):
        probabilistic.mc_dropout_samples(model, np.zeros((2, 6, 1)))
