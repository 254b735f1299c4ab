"""Tests for helpers.training: train() is model.fit with early stopping, and says if it fired.

What train() promises, and what these tests hold it to:
- without shuffling, the same model as ``model.fit(..., shuffle=False)`` with the same
  EarlyStopping, to 1e-6 in every loss and weight, for every kind of forecaster the
  lessons train (it calls the same Keras steps on the same batches);
- with shuffling (its own order, from a seeded NumPy generator, not Keras's), a model
  as good as fit's on a lesson-sized forecaster, within a stated tolerance;
- bit-identical to itself on a rerun with the same seed, whatever ``verbose`` is;
- ``history.converged`` exactly when early stopping fired before the epoch cap.
"""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np
import pytest

import helpers
from helpers import data, metrics, models, probabilistic, training
from helpers._keras import keras


def _toy_data(n=64, window=5, horizon=1, seed=0):
    """Windows of a sine; target = the next `horizon` values."""
    series = np.sin(np.arange(n + window + horizon) * 0.3)
    rng = np.random.default_rng(seed)
    series = series + 0.01 * rng.normal(size=series.size)
    X = np.stack([series[i : i + window] for i in range(n)])[:, :, None]
    y = np.stack([series[i + window : i + window + horizon] for i in range(n)])
    return X, y


def _weights_equal(a, b, atol=0.0):
    for u, v in zip(a, b, strict=True):
        np.testing.assert_allclose(u, v, rtol=0, atol=atol)


# --------------------------------------------------------------------------- basics


def test_train_reduces_loss_and_leaves_inputs_alone():
    X, y = _toy_data()
    X_before, y_before = X.copy(), y.copy()
    model = models.build_forecaster(5, units=8, learning_rate=0.02, seed=0)
    before = model.evaluate(X, y, verbose=0)[0]
    history = training.train(model, X, y, epochs=15, batch_size=16, seed=0)
    assert len(history.history["loss"]) == 15
    assert model.evaluate(X, y, verbose=0)[0] < 0.5 * before
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_models_train_is_training_train():
    # The lessons call models.train: the re-export must be the function itself.
    assert models.train is training.train
    assert models.assert_converged is training.assert_converged


def test_train_repeats_exactly_after_set_seed_and_with_the_same_seed():
    X, y = _toy_data(n=40)
    runs = []
    for seed in (None, None, 4, 4):
        helpers.set_seed(11)
        model = models.build_forecaster(5, units=3, dropout=0.2)
        history = training.train(model, X, y, validation_data=(X[:8], y[:8]), epochs=3, seed=seed)
        runs.append((model.get_weights(), history.history))
    for first, second in (runs[:2], runs[2:]):
        assert first[1] == second[1]
        _weights_equal(first[0], second[0])
    assert runs[0][1] != runs[2][1]  # another order, another model


def test_the_order_seed_changes_the_model_and_a_generator_is_accepted():
    X, y = _toy_data(n=40)
    losses = []
    for seed in (0, 1, np.random.default_rng(0)):
        model = models.build_forecaster(5, units=3, seed=0)
        losses.append(training.train(model, X, y, epochs=2, seed=seed).history["loss"])
    assert losses[0] != losses[1]
    assert losses[0] == losses[2]  # a Generator seeded with 0 draws what seed=0 draws


def test_train_float64_model():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2, dtype="float64")
    history = training.train(model, X.astype("float32"), y, epochs=2)
    assert np.isfinite(history.history["loss"]).all()


def test_train_without_validation_has_no_early_stopping():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    history = training.train(model, X, y, epochs=4, patience=0)
    assert len(history.history["loss"]) == 4
    assert "val_loss" not in history.history
    assert not history.converged and history.best_epoch is None
    assert history.summary() == "4 of 4 epochs, no early stopping"


def test_train_accepts_1d_target_for_one_step_model():
    X, y = _toy_data(n=16)
    history = training.train(models.build_forecaster(5, units=2), X, y[:, 0], epochs=1)
    assert len(history.history["loss"]) == 1


def test_train_history_is_returned_and_set_on_the_model():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    history = training.train(model, X, y, epochs=3)
    assert isinstance(history, keras.callbacks.History)
    assert model.history is history
    assert history.epoch == [0, 1, 2]


def test_a_trained_model_is_not_kept_alive_by_the_cache_of_traced_steps():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    training.train(model, X, y, epochs=1)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


# --------------------------------------------------------------------------- convergence


def _unlearnable_validation(n=48, horizon=2):
    X, y = _toy_data(n=n, horizon=horizon)
    # A validation target the model cannot fit: val_loss soon stops improving.
    X_val, y_val = X[:16], np.random.default_rng(2).normal(size=(16, horizon)) * 5
    return X, y, X_val, y_val


def test_early_stopping_restores_best_weights_and_reports_convergence():
    X, y, X_val, y_val = _unlearnable_validation()
    model = models.build_forecaster(5, units=4, horizon=2, learning_rate=0.05, seed=1)
    history = training.train(
        model, X, y, validation_data=(X_val, y_val), epochs=200, patience=3, seed=0
    )
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == best + 1 + 3 < 200  # exactly `patience` epochs after the best one
    assert history.converged
    assert history.best_epoch == best + 1 and history.epochs_run == len(val)
    assert history.max_epochs == 200
    assert "early stopping fired" in history.summary()
    # The restored weights are those of the best epoch, not of the last one.
    assert model.evaluate(X_val, y_val, verbose=0)[0] == pytest.approx(val[best], rel=1e-4)
    training.assert_converged(history)  # does not raise


def test_a_fit_cut_off_by_the_cap_is_not_converged_and_the_check_says_so():
    X, y = _toy_data(n=64)
    model = models.build_forecaster(5, units=8, learning_rate=0.01, seed=0)
    # Validation on the training rows keeps improving for more than 3 epochs.
    history = training.train(model, X, y, validation_data=(X, y), epochs=3, seed=0)
    assert history.epochs_run == 3 and not history.converged
    assert history.best_epoch == 3
    assert "stopped by the epoch cap" in history.summary()
    with pytest.raises(AssertionError, match=r"1 of 2 fits of the LSTM stopped at the epoch cap"):
        X2, y2, X_val, y_val = _unlearnable_validation(horizon=1)
        converged = training.train(
            models.build_forecaster(5, units=4, learning_rate=0.05, seed=1),
            X2, y2, validation_data=(X_val, y_val), epochs=200, patience=3, seed=0,
        )  # fmt: skip
        assert converged.converged
        training.assert_converged(converged, history, what="the LSTM")


def test_assert_converged_refuses_what_is_not_a_training_history():
    with pytest.raises(TypeError, match="what helpers.training.train returns, got History"):
        training.assert_converged(keras.callbacks.History())


def test_every_fit_is_logged_when_the_variable_names_a_file(tmp_path, monkeypatch):
    log = tmp_path / "fits.jsonl"
    monkeypatch.setenv(training.FIT_LOG_VARIABLE, str(log))
    X, y, X_val, y_val = _unlearnable_validation(horizon=1)
    model = models.build_forecaster(5, units=4, learning_rate=0.05, seed=1)
    training.train(model, X, y, validation_data=(X_val, y_val), epochs=200, patience=3)
    training.train(model, X, y, epochs=2)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["converged"] for r in records] == [True, False]
    assert records[1] == {"epochs_run": 2, "max_epochs": 2, "best_epoch": None, "converged": False}
    monkeypatch.delenv(training.FIT_LOG_VARIABLE)
    training.train(model, X, y, epochs=1)
    assert len(log.read_text().splitlines()) == 2  # nothing written without the variable


# --------------------------------------------------------------------------- the same as fit

FORECASTERS = {
    "lstm": lambda w, f, h: models.build_forecaster(
        w, f, units=4, horizon=h, seed=1, learning_rate=0.05
    ),
    "gru, 2 features, horizon 2": lambda w, f, h: models.build_forecaster(
        w, f, units=4, horizon=h, cell="gru", seed=1, learning_rate=0.05
    ),
    "stacked, dropout and recurrent dropout": lambda w, f, h: models.build_forecaster(
        w,
        f,
        units=4,
        horizon=h,
        layers=2,
        dropout=0.2,
        recurrent_dropout=0.2,
        seed=1,
        learning_rate=0.05,
    ),  # fmt: skip
    "bidirectional": lambda w, f, h: models.build_forecaster(
        w, f, units=4, horizon=h, bidirectional=True, seed=1, learning_rate=0.05
    ),
    "attention": lambda w, f, h: models.build_attention_forecaster(
        w, f, units=4, horizon=h, seed=1, learning_rate=0.05
    ),
    "simple rnn": lambda w, f, h: models.build_forecaster(
        w, f, units=4, horizon=h, cell="rnn", seed=1, learning_rate=0.05
    ),
    "float64 lstm": lambda w, f, h: models.build_forecaster(
        w, f, units=4, horizon=h, dtype="float64", seed=1, learning_rate=0.05
    ),
    "quantile head, pinball loss": lambda w, f, h: probabilistic.build_quantile_forecaster(
        w, f, units=4, seed=1, learning_rate=0.05
    ),
}
SHAPES = {  # the data each kind is trained on, where it is not one feature and one step
    "gru, 2 features, horizon 2": {"n_features": 2, "horizon": 2},
    "quantile head, pinball loss": {"horizon": 3},  # one column per quantile level
}
#: How close train() and model.fit must be without shuffling, in every loss and weight.
FIT_TOLERANCE = 1e-6


def _with_fit(model, X, y, validation_data, epochs, patience):
    stop = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    return model.fit(
        X, y, validation_data=validation_data, epochs=epochs, batch_size=32, shuffle=False,
        callbacks=[stop], verbose=0,
    )  # fmt: skip


def _with_train(model, X, y, validation_data, epochs, patience):
    return training.train(
        model, X, y, validation_data=validation_data, epochs=epochs, batch_size=32,
        patience=patience, shuffle=False,
    )  # fmt: skip


def _two_trainings(trainer, build, *, n_features=1, horizon=1, recompile=None):
    """Train one model twice in a row after set_seed; return what the runs leave."""
    helpers.set_seed(5)
    rng = np.random.default_rng(5)
    dtype = "float64" if "float64" in str(build(6, n_features, horizon).dtype_policy) else "float32"
    X = rng.normal(size=(45, 6, n_features)).astype(dtype)  # batches of 32 and 13
    y = (X[:, -horizon:, 0] * 0.5 + 0.1 * rng.normal(size=(45, horizon))).astype(dtype)
    X_val = rng.normal(size=(40, 6, n_features)).astype(dtype)  # two batches: 32 and 8
    y_val = (-X_val[:, -horizon:, 0] * 0.5).astype(dtype)  # val_loss gets worse: it stops
    helpers.set_seed(5)
    model = build(6, n_features, horizon)
    runs = []
    for epochs in (12, 9):
        history = trainer(model, X, y, (X_val, y_val), epochs, 1)
        runs.append((history.history, history.epoch, model.get_metrics_result()))
        if recompile is not None:
            recompile(model)
    return runs, model.get_weights(), [v.numpy() for v in model.optimizer.variables]


def _assert_close(ours, fits):
    for (mine, my_epochs, my_metrics), (theirs, their_epochs, their_metrics) in zip(
        ours[0], fits[0], strict=True
    ):
        assert my_epochs == their_epochs and mine.keys() == theirs.keys()
        for key in mine:
            np.testing.assert_allclose(mine[key], theirs[key], rtol=0, atol=FIT_TOLERANCE)
        assert my_metrics.keys() == their_metrics.keys()
    _weights_equal(ours[1], fits[1], atol=FIT_TOLERANCE)
    _weights_equal(ours[2], fits[2], atol=FIT_TOLERANCE)  # the optimizer's state too


@pytest.mark.parametrize("kind", list(FORECASTERS))
def test_without_shuffling_train_gives_the_model_fit_gives(kind):
    # Two trainings of one model (the second reuses the traced steps), early stopping
    # firing and putting the best weights back: the same losses, weights and optimizer
    # state as keras's model.fit on the same batches, to FIT_TOLERANCE.
    ours = _two_trainings(_with_train, FORECASTERS[kind], **SHAPES.get(kind, {}))
    fits = _two_trainings(_with_fit, FORECASTERS[kind], **SHAPES.get(kind, {}))
    _assert_close(ours, fits)
    assert len(ours[0][0][1]) < 12, "early stopping never fired"


def test_compiling_again_with_the_same_optimizer_gives_new_steps_as_fit_does():
    # compile() keeps the optimizer it is given but makes a new loss tracker: steps traced
    # before it must not be reused, or the loss and metrics would go stale.
    def recompile(model):
        model.compile(optimizer=model.optimizer, loss="mae", metrics=["mse"])

    ours = _two_trainings(_with_train, FORECASTERS["lstm"], recompile=recompile)
    fits = _two_trainings(_with_fit, FORECASTERS["lstm"], recompile=recompile)
    _assert_close(ours, fits)


def test_train_after_compiling_again_uses_the_new_optimizer():
    X, y = _toy_data(n=32)
    model = models.build_forecaster(5, units=3, seed=0)
    training.train(model, X, y, epochs=2)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    before = model.get_weights()
    training.train(model, X, y, epochs=2)
    _weights_equal(before, model.get_weights())  # learning rate 0: nothing moves


@pytest.mark.slow
def test_with_shuffling_train_is_as_good_as_fit_on_a_lesson_sized_forecaster():
    # train() draws its own order (a seeded NumPy generator), so it cannot match fit's
    # batches; it must train as good a model. Lesson 03's forecaster, three seeds each (fit
    # capped at 100 epochs: at seed 0 its validation loss creeps down for hundreds): the
    # mean test RMSEs agree within 10 %, and each run is far better than a flat forecast.
    series = data.noisy_sine(400, period=25.0, noise=0.1, seed=0)
    X, y = data.make_windows(series, 20)
    parts = {"train": slice(0, 250), "val": slice(250, 310), "test": slice(310, None)}
    X_train, y_train = X[parts["train"]], y[parts["train"]]
    validation = (X[parts["val"]], y[parts["val"]])
    X_test, y_test = X[parts["test"]], y[parts["test"]]
    scores = {"train": [], "fit": []}
    for seed in (0, 1, 2):
        for way in scores:
            helpers.set_seed(seed)
            model = models.build_forecaster(20, units=16, seed=seed)
            if way == "train":
                history = training.train(
                    model, X_train, y_train, validation_data=validation, epochs=100
                )
                assert history.converged
            else:
                stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
                model.fit(X_train, y_train, validation_data=validation, epochs=100,
                          batch_size=32, callbacks=[stop], verbose=0)  # fmt: skip
            prediction = models.predict(model, X_test)
            scores[way].append(metrics.root_mean_squared_error(y_test, prediction))
    ours, theirs = np.mean(scores["train"]), np.mean(scores["fit"])
    assert abs(ours - theirs) < 0.10 * theirs, scores
    assert max(scores["train"]) < 0.5 * np.std(y_test)


# --------------------------------------------------------------------------- verbose


def test_train_is_quiet_by_default_and_verbose_shows_progress_without_changing_numbers(capsys):
    X, y = _toy_data(n=40)
    runs = []
    for verbose in (0, 1, 2):
        model = models.build_forecaster(5, units=3, seed=3)
        history = training.train(
            model, X, y, validation_data=(X[:8], y[:8]), epochs=4, verbose=verbose, seed=3
        )
        runs.append((history.history, model.get_weights()))
        out = capsys.readouterr().out
        if verbose:
            assert "Epoch 4/4" in out
        else:
            assert out == ""
    for history, weights in runs[1:]:
        assert history == runs[0][0]
        _weights_equal(weights, runs[0][1])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change, error, words",
    [
        ({"X_train": np.zeros((8, 5))}, ValueError, "X_train must be 3-D"),
        ({"X_train": np.zeros((8, 6, 1))}, ValueError, "window=5"),
        (
            {"X_train": np.zeros((8, 5, 2))},
            ValueError,
            "2 features, the model expects n_features=1",
        ),
        ({"X_train": np.zeros((0, 5, 1)), "y_train": np.zeros((0, 1))}, ValueError, "no windows"),
        ({"X_train": np.full((8, 5, 1), np.nan)}, ValueError, "NaN"),
        ({"X_train": np.full((8, 5, 1), "a")}, TypeError, "real numbers"),
        ({"y_train": np.zeros((7, 1))}, ValueError, "y_train has 7 rows but the windows have 8"),
        ({"y_train": np.zeros((8, 3))}, ValueError, "horizon=1"),
        ({"validation_data": np.zeros((8, 5, 1))}, ValueError, "validation_data must be a tuple"),
        ({"validation_data": (np.zeros((4, 5, 2)), np.zeros((4, 1)))}, ValueError, "X_val"),
        ({"validation_data": (np.zeros((4, 5, 1)), np.zeros((3, 1)))}, ValueError, "y_val"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer, got 0"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"patience": -1}, ValueError, "patience must be a non-negative integer, got -1"),
        ({"verbose": 3}, ValueError, "verbose must be 0, 1 or 2, got 3"),
        ({"shuffle": 1}, TypeError, "shuffle must be True or False"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer or a numpy Generator"),
        ({"seed": 1.5}, TypeError, "seed must be a non-negative integer or a numpy Generator"),
        ({"model": "lstm"}, TypeError, "model must be a keras.Model"),
    ],
)
def test_train_rejects_bad_arguments(change, error, words):
    model = models.build_forecaster(5, units=2)
    weights = model.get_weights()
    arguments = {
        "model": model,
        "X_train": np.zeros((8, 5, 1)),
        "y_train": np.zeros((8, 1)),
        **change,
    }
    with pytest.raises(error) as info:
        training.train(
            arguments.pop("model"),
            arguments.pop("X_train"),
            arguments.pop("y_train"),
            **arguments,
        )
    assert words in str(info.value)
    # Arguments are checked before any training: the weights are untouched.
    _weights_equal(weights, model.get_weights())


def test_train_refuses_a_model_that_was_not_compiled():
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="must be compiled before training"):
        training.train(model, np.zeros((8, 5, 1)), np.zeros((8, 1)), epochs=1)
