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


def test_lstm_dropout_keeps_one_mask_over_all_time_steps():
    # keras-team/keras#19993: Keras 3 draws an LSTM's input-dropout mask once per window and
    # keeps it for every step. With one input feature the mask is one number per window, so
    # a draw either drops the input at every step or keeps it at every step (scaled by 2):
    # two distinct forecasts per window. A mask redrawn at each of the 6 steps would give
    # up to 2 ** 6 of them.
    model = keras.Sequential(
        [keras.Input((6, 1)), keras.layers.LSTM(3, dropout=0.5, seed=0), keras.layers.Dense(1)]
    )
    X = np.random.default_rng(4).normal(size=(2, 6, 1))
    draws = probabilistic.mc_dropout_samples(model, X, n_samples=200)  # (200, 2, 1)
    for window in range(2):
        distinct = np.unique(draws[:, window, 0].round(5))
        assert distinct.size == 2
        dropped = keras.ops.convert_to_numpy(model(np.zeros_like(X[window : window + 1])))
        kept = keras.ops.convert_to_numpy(model(2 * X[window : window + 1]))
        np.testing.assert_allclose(sorted(distinct), sorted([dropped[0, 0], kept[0, 0]]),
                                   atol=1e-4)  # fmt: skip
    # each copy of a window in the batch draws its own mask: both forecasts occur often
    share = np.mean(np.isclose(draws[:, 0, 0], distinct[0], atol=1e-4))
    assert 0.3 < share < 0.7


# --------------------------------------------------------------------------- the noise term


def _draws_with_known_parts(n, horizon, model_sd, noise_sd, rng, n_samples=400):
    """Draws around a centre with sd model_sd per window, and truth = centre + noise."""
    centre = rng.normal(size=(n, horizon))
    draws = centre + model_sd * rng.normal(size=(n_samples, n, horizon))
    y = centre + noise_sd * rng.normal(size=(n, horizon))
    return y, draws


def test_noise_variance_recovers_the_noise_per_step():
    rng = np.random.default_rng(5)
    noise_sd = np.array([1.0, 1.5, 2.0])
    y, draws = _draws_with_known_parts(4000, 3, 0.3, noise_sd, rng)
    estimate = probabilistic.mc_noise_variance(y, draws)
    assert estimate.shape == (3,)
    np.testing.assert_allclose(estimate, noise_sd**2, rtol=0.08)
    one = probabilistic.mc_noise_variance(y[:, 0], draws[:, :, 0])
    assert isinstance(one, float) and one == pytest.approx(estimate[0])


def test_noise_variance_is_clipped_at_zero():
    rng = np.random.default_rng(6)
    y, draws = _draws_with_known_parts(200, 1, 2.0, 0.0, rng)
    assert probabilistic.mc_noise_variance(y, draws)[0] == 0.0


def test_the_interval_with_its_noise_term_covers_and_the_dropout_spread_alone_does_not():
    rng = np.random.default_rng(7)
    y_cal, cal_draws = _draws_with_known_parts(2000, 2, 0.3, 1.0, rng)
    y, draws = _draws_with_known_parts(2000, 2, 0.3, 1.0, rng)
    noise = probabilistic.mc_noise_variance(y_cal, cal_draws)
    with_noise = probabilistic.mc_dropout_interval(draws, coverage=0.8, noise_variance=noise)
    alone = probabilistic.mc_dropout_interval(draws, coverage=0.8)
    assert intervals.interval_coverage(y, *with_noise) == pytest.approx(0.8, abs=0.03)
    assert intervals.interval_coverage(y, *alone) < 0.3


def test_mc_dropout_interval_is_its_formula():
    rng = np.random.default_rng(8)
    draws = rng.normal(size=(50, 7, 2))
    lower, upper = probabilistic.mc_dropout_interval(draws, coverage=0.9, noise_variance=[0.5, 2.0])
    z = stats.norm.ppf(0.95)
    half = z * np.sqrt(draws.var(axis=0) + np.array([0.5, 2.0]))
    np.testing.assert_allclose(upper, draws.mean(axis=0) + half)
    np.testing.assert_allclose(lower, draws.mean(axis=0) - half)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise_variance": -1.0}, "noise_variance must be >= 0"),
        ({"noise_variance": [1.0, 2.0, 3.0]}, "one per step ahead"),
        ({"coverage": 1.5}, "coverage"),
    ],
)
def test_mc_dropout_interval_refuses(kwargs, match):
    options = {"coverage": 0.8, **kwargs}
    with pytest.raises(ValueError, match=match):
        probabilistic.mc_dropout_interval(np.zeros((5, 4, 2)), **options)
    with pytest.raises(ValueError, match="n_samples"):
        probabilistic.mc_dropout_interval(np.zeros(4), coverage=0.8)


def test_mc_noise_variance_refuses_draws_of_other_windows():
    with pytest.raises(ValueError, match="same shape"):
        probabilistic.mc_noise_variance(np.zeros((4, 2)), np.zeros((10, 5, 2)))
