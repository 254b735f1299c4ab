"""Tests for helpers.models: build, train, recursive forecast, save / load / export."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import helpers
from helpers import models, probabilistic
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402


def _n_params(cell, n_in, units):
    """Parameters of one recurrent layer, by the textbook formula for each cell."""
    if cell == "lstm":  # 4 gates, each W (n_in, u), U (u, u), b (u,)
        return 4 * (n_in * units + units * units + units)
    if cell == "gru":  # 3 gates; Keras's default reset_after=True keeps two biases per gate
        return 3 * (n_in * units + units * units + 2 * units)
    return n_in * units + units * units + units  # SimpleRNN


def _linear_model(coefficients, bias=0.0):
    """A model whose forecast is sum(coefficients * window) + bias, exactly."""
    window = len(coefficients)
    model = keras.Sequential(
        [keras.Input((window, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    model.set_weights([np.asarray(coefficients, dtype="float32")[:, None], np.array([bias])])
    return model


# --------------------------------------------------------------------------- build


@pytest.mark.parametrize(
    "cell, layers, dropout, horizon, n_features",
    [
        (c, n, d, h, f)
        for (c, n, d), h, f in zip(
            itertools.product(["lstm", "gru", "rnn"], [1, 2], [0.0, 0.3]),
            itertools.cycle([1, 5, 20]),
            itertools.cycle([1, 3]),
            strict=False,
        )
    ],
)
def test_build_shapes_and_parameter_count(cell, layers, dropout, horizon, n_features):
    window, units = 7, 5
    model = models.build_forecaster(
        window,
        n_features,
        units=units,
        layers=layers,
        dropout=dropout,
        horizon=horizon,
        cell=cell,
    )
    assert model.input_shape == (None, window, n_features)
    assert model.output_shape == (None, horizon)
    X = np.random.default_rng(0).normal(size=(4, window, n_features))
    assert model.predict(X, verbose=0).shape == (4, horizon)
    expected = _n_params(cell, n_features, units)
    expected += (layers - 1) * _n_params(cell, units, units)
    expected += (units + 1) * horizon  # the Dense head
    assert model.count_params() == expected
    recurrent = [layer for layer in model.layers if isinstance(layer, models.CELLS[cell])]
    assert len(recurrent) == layers
    assert [layer.return_sequences for layer in recurrent] == [True] * (layers - 1) + [False]
    n_dropout = sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    assert n_dropout == (layers if dropout > 0 else 0)


def test_build_is_compiled_with_adam_mse_and_chosen_learning_rate():
    model = models.build_forecaster(4, units=2, learning_rate=0.01)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert model.loss == "mse"


def test_build_activation_and_default_tanh():
    assert models.build_forecaster(4, units=2).layers[0].activation is keras.activations.tanh
    relu = models.build_forecaster(4, units=2, activation="relu")
    assert relu.layers[0].activation is keras.activations.relu


def test_build_dtype_float64():
    model = models.build_forecaster(4, units=3, dtype="float64")
    out = model(np.ones((2, 4, 1)))
    assert keras.backend.standardize_dtype(out.dtype) == "float64"
    assert all(w.dtype == "float64" for w in model.weights)


def test_build_is_reproducible_with_set_seed():
    helpers.set_seed(3)
    a = models.build_forecaster(6, units=4).get_weights()
    helpers.set_seed(3)
    b = models.build_forecaster(6, units=4).get_weights()
    helpers.set_seed(4)
    c = models.build_forecaster(6, units=4).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"window": 0}, ValueError, "window must be a positive integer, got 0"),
        ({"window": 2.5}, TypeError, "window must be a positive integer, got float 2.5"),
        ({"window": True}, TypeError, "window must be a positive integer, got bool True"),
        ({"n_features": 0}, ValueError, "n_features"),
        ({"units": -1}, ValueError, "units must be a positive integer, got -1"),
        ({"layers": 0}, ValueError, "layers"),
        ({"horizon": 0}, ValueError, "horizon must be a positive integer, got 0"),
        ({"dropout": 1.0}, ValueError, "dropout must be a number in [0, 1), got 1.0"),
        ({"dropout": -0.1}, ValueError, "dropout"),
        ({"learning_rate": 0}, ValueError, "learning_rate must be a positive number, got 0"),
        ({"cell": "lstmm"}, ValueError, "cell must be one of 'lstm', 'gru', 'rnn', got 'lstmm'"),
        ({"activation": "rleu"}, ValueError, "activation must be"),
        ({"dtype": "int32"}, ValueError, "dtype must be a floating dtype"),
    ],
)
def test_build_rejects_bad_arguments(kwargs, error, words):
    arguments = {"window": 5, **kwargs}
    window = arguments.pop("window")
    with pytest.raises(error) as info:
        models.build_forecaster(window, **arguments)
    assert words in str(info.value)


# --------------------------------------------------------------------------- train


def _toy_data(n=64, window=5, horizon=1, seed=0):
    """Windows of a sine; target = the next `horizon` values."""
    series = np.sin(np.arange(n + window + horizon) * 0.3)
    rng = np.random.default_rng(seed)
    series = series + 0.01 * rng.normal(size=series.size)
    X = np.stack([series[i : i + window] for i in range(n)])[:, :, None]
    y = np.stack([series[i + window : i + window + horizon] for i in range(n)])
    return X, y


def test_train_reduces_loss_and_leaves_inputs_alone():
    helpers.set_seed(0)
    X, y = _toy_data()
    X_before, y_before = X.copy(), y.copy()
    model = models.build_forecaster(5, units=8, learning_rate=0.02)
    before = model.evaluate(X, y, verbose=0)[0]
    history = models.train(model, X, y, epochs=15, batch_size=16)
    assert len(history.history["loss"]) == 15
    assert model.evaluate(X, y, verbose=0)[0] < 0.5 * before
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_train_repeats_exactly_after_set_seed():
    X, y = _toy_data(n=40)
    runs = []
    for _ in range(2):
        helpers.set_seed(11)
        model = models.build_forecaster(5, units=3)
        history = models.train(model, X, y, validation_data=(X[:8], y[:8]), epochs=3)
        runs.append((model.get_weights(), history.history["val_loss"]))
    assert runs[0][1] == runs[1][1]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0], strict=True))


def test_train_float64_model():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2, dtype="float64")
    history = models.train(model, X.astype("float32"), y, epochs=2)
    assert np.isfinite(history.history["loss"]).all()


def test_train_early_stopping_restores_best_weights():
    helpers.set_seed(1)
    X, y = _toy_data(n=48, horizon=2)
    # A validation target the model cannot fit: val_loss soon stops improving.
    X_val, y_val = X[:16], np.random.default_rng(2).normal(size=(16, 2)) * 5
    model = models.build_forecaster(5, units=4, horizon=2, learning_rate=0.05)
    history = models.train(model, X, y, validation_data=(X_val, y_val), epochs=200, patience=3)
    val = history.history["val_loss"]
    assert len(val) < 200  # stopped early
    best = int(np.argmin(val))
    assert len(val) == best + 1 + 3  # exactly `patience` epochs after the best one
    # The restored weights are those of the best epoch, not of the last one.
    assert model.evaluate(X_val, y_val, verbose=0)[0] == pytest.approx(val[best], rel=1e-4)


def test_train_without_validation_has_no_early_stopping():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    history = models.train(model, X, y, epochs=4, patience=0)
    assert len(history.history["loss"]) == 4
    assert "val_loss" not in history.history


def test_train_accepts_1d_target_for_one_step_model():
    X, y = _toy_data(n=16)
    history = models.train(models.build_forecaster(5, units=2), X, y[:, 0], epochs=1)
    assert len(history.history["loss"]) == 1


def test_train_is_quiet_by_default_and_verbose_shows_progress(capsys):
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    models.train(model, X, y, epochs=2)
    assert capsys.readouterr().out == ""
    models.train(model, X, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out


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
        models.train(
            arguments.pop("model"),
            arguments.pop("X_train"),
            arguments.pop("y_train"),
            **arguments,
        )
    assert words in str(info.value)
    # Arguments are checked before any training: the weights are untouched.
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True))


def test_predict_equals_keras_predict_and_validates():
    helpers.set_seed(0)
    model = models.build_forecaster(6, 2, units=4, horizon=3)
    X = np.random.default_rng(1).normal(size=(7, 6, 2))
    X_before = X.copy()
    result = models.predict(model, X)
    assert isinstance(result, np.ndarray) and result.shape == (7, 3)
    np.testing.assert_allclose(result, model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(X, X_before)
    with pytest.raises(ValueError, match="X has 1 features, the model expects n_features=2"):
        models.predict(model, X[:, :, :1])
    with pytest.raises(ValueError, match="X must be 3-D"):
        models.predict(model, X[0])


def test_predict_on_many_models_prints_no_retracing_warning(capsys, caplog):
    X = np.zeros((3, 4, 1))
    for units in range(1, 8):
        models.predict(models.build_forecaster(4, units=units), X[: 1 + units % 3])
    captured = capsys.readouterr()
    assert "retracing" not in captured.out + captured.err + caplog.text


# --------------------------------------------------------------------------- recursive


def test_recursive_copy_last_value_is_flat():
    model = _linear_model([0.0, 0.0, 0.0, 1.0])
    window = np.array([0.5, -2.0, 3.0, 7.25])
    forecast = models.recursive_forecast(model, window, 6)
    assert forecast.shape == (6,)
    np.testing.assert_array_equal(forecast, np.full(6, 7.25))
    np.testing.assert_array_equal(window, [0.5, -2.0, 3.0, 7.25])  # input untouched


def test_recursive_follows_a_known_recurrence_exactly():
    # x[t] = x[t-1] + x[t-2] + 1: integers, exact in float32 for these sizes.
    model = _linear_model([0.0, 1.0, 1.0], bias=1.0)
    steps = 15
    expected = [3, 1, 2]
    for _ in range(steps):
        expected.append(expected[-1] + expected[-2] + 1)
    forecast = models.recursive_forecast(model, [3.0, 1.0, 2.0], steps)
    np.testing.assert_array_equal(forecast, expected[3:])


def test_recursive_traced_and_eager_paths_agree_and_stay_quiet(capsys, caplog):
    # Short forecasts run eagerly, long ones through one traced graph: same numbers,
    # and no retracing warning however often it is called.
    helpers.set_seed(0)
    model = models.build_forecaster(6, units=4)
    windows = np.random.default_rng(2).normal(size=(3, 6))
    long = models.recursive_forecast(model, windows, models._TRACE_FROM_STEPS + 2)
    for _ in range(6):
        models.recursive_forecast(model, windows, models._TRACE_FROM_STEPS)
    # Eager, step by step: the first steps of the long forecast, fed back by hand.
    x = windows.astype("float32")
    for k in range(3):
        y = models.predict(model, x[:, :, None])[:, 0]
        np.testing.assert_allclose(long[:, k], y, rtol=1e-5, atol=1e-6)
        x = np.concatenate([x[:, 1:], y[:, None]], axis=1)
    short = models.recursive_forecast(model, windows, models._TRACE_FROM_STEPS - 1)
    np.testing.assert_allclose(short, long[:, : models._TRACE_FROM_STEPS - 1], rtol=1e-5)
    captured = capsys.readouterr()
    assert "retracing" not in captured.out + captured.err + caplog.text


def test_recursive_batch_equals_one_window_at_a_time():
    helpers.set_seed(0)
    model = models.build_forecaster(6, units=4)
    windows = np.random.default_rng(1).normal(size=(5, 6))
    batch = models.recursive_forecast(model, windows, 4)
    assert batch.shape == (5, 4)
    batch3d = models.recursive_forecast(model, windows[:, :, None], 4)
    np.testing.assert_array_equal(batch, batch3d)
    for row, window in zip(batch, windows, strict=True):
        np.testing.assert_allclose(row, models.recursive_forecast(model, window, 4), rtol=1e-5)


def test_recursive_first_step_is_the_model_prediction():
    helpers.set_seed(0)
    model = models.build_forecaster(6, units=4)
    windows = np.random.default_rng(1).normal(size=(3, 6))
    one = models.recursive_forecast(model, windows, 1)
    direct = model.predict(windows[:, :, None], verbose=0)
    np.testing.assert_allclose(one, direct, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "model_kwargs, window_values, steps, error, words",
    [
        ({}, np.zeros(5), 0, ValueError, "steps must be a positive integer, got 0"),
        ({}, np.zeros(4), 3, ValueError, "window=5 values per window, got 4"),
        ({}, np.zeros((2, 5, 2)), 3, ValueError, "must have shape (window,)"),
        ({}, np.full(5, np.nan), 3, ValueError, "NaN"),
        ({"horizon": 3}, np.zeros(5), 3, ValueError, "one-step model"),
        ({"n_features": 2}, np.zeros((1, 5, 2)), 3, ValueError, "n_features=1"),
    ],
)
def test_recursive_rejects_bad_arguments(model_kwargs, window_values, steps, error, words):
    model = models.build_forecaster(5, units=2, **model_kwargs)
    with pytest.raises(error) as info:
        models.recursive_forecast(model, window_values, steps)
    assert words in str(info.value)


# --------------------------------------------------------------------------- save / load / export


def _trained_model():
    helpers.set_seed(0)
    X, y = _toy_data(n=32, horizon=2)
    model = models.build_forecaster(5, units=4, layers=2, dropout=0.1, horizon=2, cell="gru")
    models.train(model, X, y, epochs=2)
    return model, X


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    model, X = _trained_model()
    path = models.save_model(model, tmp_path / "model.keras")
    assert path.is_file()
    loaded = models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.count_params() == model.count_params()
    assert loaded.loss == "mse"  # reloaded compiled, ready to train further
    models.train(loaded, X, model.predict(X, verbose=0), epochs=1)


def test_export_for_serving_is_loadable_without_keras_classes(tmp_path):
    model, X = _trained_model()
    directory = models.export_for_serving(model, tmp_path / "served")
    assert (directory / "saved_model.pb").is_file()
    expected = model.predict(X, verbose=0)
    served = tf.saved_model.load(str(directory))
    np.testing.assert_allclose(served.serve(X.astype("float32")).numpy(), expected, rtol=1e-6)
    layer = keras.layers.TFSMLayer(str(directory), call_endpoint="serve")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(X.astype("float32"))), expected, rtol=1e-6
    )


def test_export_prints_and_logs_nothing(tmp_path, capsys, caplog):
    # A Jupyter kernel lets INFO records through; export must stay quiet even then.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("INFO")
    try:
        with caplog.at_level("INFO"):
            models.export_for_serving(models.build_forecaster(3, units=2), tmp_path / "quiet")
    finally:
        logger.setLevel(level)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Assets written" not in captured.err + caplog.text
    assert tf.get_logger().level == level  # the logger is left as it was


def test_save_rejects_bare_folder_name_and_load_checks_path(tmp_path):
    model = models.build_forecaster(3, units=2)
    with pytest.raises(ValueError, match=r"path must end in '\.keras'.*got 'lstm_model'"):
        models.save_model(model, tmp_path / "lstm_model")
    with pytest.raises(FileNotFoundError, match="folder of path does not exist"):
        models.save_model(model, tmp_path / "missing" / "m.keras")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        models.save_model(model, 3)
    with pytest.raises(FileNotFoundError, match="no saved model at path"):
        models.load_model(tmp_path / "absent.keras")
    with pytest.raises(ValueError, match=r"path must be a '\.keras' file"):
        models.load_model(tmp_path / "model.h5")
    with pytest.raises(ValueError, match="directory is a folder for a SavedModel"):
        models.export_for_serving(model, tmp_path / "model.keras")
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        models.export_for_serving(model, tmp_path / "a_file")


def test_load_model_uses_safe_mode(tmp_path):
    # A Lambda layer stores Python bytecode; safe mode must refuse to run it.
    model = keras.Sequential(
        [keras.Input((3, 1)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Flatten()]
    )
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        models.load_model(path)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_seed_fixes_initial_weights_without_the_global_seed(cell):
    kwargs = dict(units=4, layers=2, dropout=0.1, horizon=2, cell=cell)
    helpers.set_seed(1)
    a = models.build_forecaster(6, 2, seed=123, **kwargs).get_weights()
    helpers.set_seed(2)  # a different global seed must not matter
    b = models.build_forecaster(6, 2, seed=123, **kwargs).get_weights()
    c = models.build_forecaster(6, 2, seed=124, **kwargs).get_weights()
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    kernels = [w for w in a if w.ndim == 2 and np.any(w)]  # not the zero biases
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(a, c, strict=True) if wa.ndim == 2)
    # Each layer draws its own weights: no two kernels of one shape are equal.
    for i, wi in enumerate(kernels):
        for wj in kernels[i + 1 :]:
            assert wi.shape != wj.shape or not np.array_equal(wi, wj)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_seed_is_refused(bad):
    error = ValueError if bad == -1 else TypeError
    with pytest.raises(error, match="seed must be"):
        models.build_forecaster(5, seed=bad)


# --------------------------------------------------------------------------- the contract


@pytest.mark.parametrize(
    ("cell", "layer"), [("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "SimpleRNN")]
)
def test_recurrent_layers_and_head_of_every_forecaster(cell, layer):
    model = models.build_forecaster(6, 2, units=3, layers=2, dropout=0.1, horizon=4, cell=cell)
    found = models.recurrent_layers(model)
    assert [type(r).__name__ for r in found] == [layer, layer]
    assert found[0].return_sequences and not found[1].return_sequences
    top = models.head(model)
    assert top is model.layers[-1]
    assert top.get_weights()[0].shape == (3, 4)  # kernel (units, horizon)
    if cell == "lstm":
        kernel, recurrent_kernel, bias = found[0].get_weights()
        assert kernel.shape == (2, 12) and recurrent_kernel.shape == (3, 12) and bias.shape == (12,)


def test_the_contract_holds_for_any_model_of_that_shape():
    keras = models.keras
    model = keras.Sequential(
        [
            keras.Input((5, 1)),
            keras.layers.Bidirectional(keras.layers.LSTM(2)),
            keras.layers.Dense(3),
            keras.layers.Dense(1),
        ]
    )
    assert isinstance(models.recurrent_layers(model)[0], keras.layers.Bidirectional)
    assert models.head(model) is model.layers[-1]


def test_the_contract_refuses_models_that_break_it():
    keras = models.keras
    dense_only = keras.Sequential(
        [keras.Input((5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    with pytest.raises(ValueError, match="model has no recurrent layer"):
        models.recurrent_layers(dense_only)
    no_head = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(2)])
    with pytest.raises(ValueError, match="must end in a Dense head, its last layer is LSTM"):
        models.head(no_head)
    for accessor in (models.recurrent_layers, models.head):
        with pytest.raises(TypeError, match="model must be a keras.Model"):
            accessor("model")


# --------------------------------------------------------------------------- attention


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
    history = models.train(model, X, y, epochs=15, batch_size=16)
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
    from helpers import sensitivity as sens

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


# --------------------------------------------------------------------------- lesson 06 options


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_bidirectional_doubles_the_recurrent_parameters_and_reads_both_ways(cell):
    window, n_features, units = 6, 3, 4
    model = models.build_forecaster(
        window, n_features, units=units, cell=cell, bidirectional=True, seed=1, learning_rate=0.05
    )
    (layer,) = models.recurrent_layers(model)
    assert isinstance(layer, keras.layers.Bidirectional)
    assert layer.forward_layer.go_backwards is False
    assert layer.backward_layer.go_backwards is True
    assert model.count_params() == 2 * _n_params(cell, n_features, units) + (2 * units + 1)
    # The two directions start from different weights (each has its own seed).
    forward, backward = layer.forward_layer.get_weights(), layer.backward_layer.get_weights()
    assert not np.allclose(forward[0], backward[0])
    # Reversing the window changes the forecast: the backward copy is not a mirror.
    X = np.random.default_rng(0).normal(size=(5, window, n_features))
    assert not np.allclose(models.predict(model, X), models.predict(model, X[:, ::-1]))


def test_stacked_bidirectional_passes_sequences_between_layers():
    model = models.build_forecaster(5, 2, units=3, layers=2, bidirectional=True, horizon=4)
    first, second = models.recurrent_layers(model)
    assert first.forward_layer.return_sequences and first.backward_layer.return_sequences
    assert not second.forward_layer.return_sequences
    assert model.output_shape == (None, 4)
    assert models.head(model).kernel.shape == (2 * 3, 4)


def test_recurrent_dropout_is_set_on_every_layer_and_only_acts_in_training():
    model = models.build_forecaster(5, 2, units=4, layers=2, recurrent_dropout=0.5, seed=3)
    assert [layer.recurrent_dropout for layer in models.recurrent_layers(model)] == [0.5, 0.5]
    X = np.random.default_rng(1).normal(size=(8, 5, 2)).astype("float32")
    np.testing.assert_array_equal(model(X, training=False), model(X, training=False))
    assert not np.allclose(model(X, training=True), model(X, training=False))


def test_recurrent_dropout_is_seeded_by_seed():
    X = np.random.default_rng(2).normal(size=(8, 5, 1)).astype("float32")
    a = models.build_forecaster(5, units=4, recurrent_dropout=0.5, seed=7)
    b = models.build_forecaster(5, units=4, recurrent_dropout=0.5, seed=7)
    np.testing.assert_allclose(a(X, training=True), b(X, training=True))


def test_new_options_leave_the_default_model_unchanged():
    plain = models.build_forecaster(5, 2, units=3, seed=4)
    same = models.build_forecaster(
        5, 2, units=3, seed=4, recurrent_dropout=0.0, bidirectional=False
    )
    for w1, w2 in zip(plain.get_weights(), same.get_weights(), strict=True):
        np.testing.assert_array_equal(w1, w2)
    assert [type(layer) for layer in plain.layers] == [type(layer) for layer in same.layers]


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


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"recurrent_dropout": 1.0}, ValueError, r"recurrent_dropout must be a number in \[0, 1\)"),
        ({"recurrent_dropout": -0.1}, ValueError, r"recurrent_dropout must be a number in \["),
        ({"recurrent_dropout": "0.2"}, TypeError, "recurrent_dropout must be a number in"),
        ({"bidirectional": "yes"}, TypeError, "bidirectional must be True or False"),
        ({"bidirectional": 1}, TypeError, "bidirectional must be True or False"),
    ],
)
def test_new_options_refuse_bad_values(kwargs, error, words):
    with pytest.raises(error, match=words):
        models.build_forecaster(5, **kwargs)


# ------------------------------------------------------------- train equals model.fit


def _fit_as_keras_does(model, X, y, validation_data, epochs, batch_size, patience, shuffle):
    """The reference: keras's own model.fit on the pipeline train() documents."""
    callbacks = []
    if validation_data is not None and patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=patience, restore_best_weights=True
            )
        )
    dtype = model.inputs[0].dtype  # train() casts to the model's input dtype too
    train_set = tf.data.Dataset.from_tensor_slices((X.astype(dtype), y.astype(dtype)))
    if shuffle:
        train_set = train_set.shuffle(len(X), reshuffle_each_iteration=True)
    if validation_data is not None:
        validation_data = tf.data.Dataset.from_tensor_slices(
            tuple(part.astype(dtype) for part in validation_data)
        ).batch(batch_size)
    return model.fit(
        train_set.batch(batch_size),
        validation_data=validation_data,
        epochs=epochs,
        shuffle=False,
        callbacks=callbacks,
        verbose=0,
    )


def _two_trainings(trainer, build, *, n_features=1, horizon=1, shuffle=True, patience=1):
    """Train one model twice in a row after set_seed; return what each run leaves."""
    helpers.set_seed(5)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(45, 6, n_features))  # 45 = one batch of 32 and one of 13
    y = X[:, -horizon:, 0] * 0.5 + 0.1 * rng.normal(size=(45, horizon))
    X_val = rng.normal(size=(40, 6, n_features))  # two validation batches: 32 and 8
    y_val = -X_val[:, -horizon:, 0] * 0.5  # the opposite sign: val_loss gets worse, so it stops
    model = build(6, n_features, horizon)
    runs = []
    for epochs in (12, 9):
        history = trainer(model, X, y, (X_val, y_val), epochs, 32, patience, shuffle)
        runs.append({**history.history, "params": history.params, "epoch": history.epoch})
        runs.append(model.get_metrics_result())  # what the model's own metrics hold afterwards
    optimizer_state = [v.numpy() for v in model.optimizer.variables]
    return runs, model.get_weights(), optimizer_state


def _assert_identical(ours, keras_fit):
    """What two _two_trainings runs leave is the same to the last bit."""
    assert ours[0] == keras_fit[0]  # every epoch's loss, mae, val_loss, val_mae; params; metrics
    for mine, theirs in zip(ours[1:], keras_fit[1:], strict=True):  # weights, optimizer
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_array_equal(a, b)


def _train(model, X, y, validation_data, epochs, batch_size, patience, shuffle):
    return models.train(
        model,
        X,
        y,
        validation_data=validation_data,
        epochs=epochs,
        batch_size=batch_size,
        patience=patience,
        shuffle=shuffle,
    )


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
    ),
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


@pytest.mark.parametrize("kind", list(FORECASTERS))
def test_train_gives_model_fit_bit_for_bit(kind):
    # train() runs the epochs in its own loop (helpers.models._fit_quietly): every loss,
    # weight and optimizer variable must equal keras's model.fit on the same data, over
    # two trainings of one model (the second reuses the traced steps), with early
    # stopping firing and putting the best weights back.
    ours = _two_trainings(_train, FORECASTERS[kind], **SHAPES.get(kind, {}))
    keras_fit = _two_trainings(_fit_as_keras_does, FORECASTERS[kind], **SHAPES.get(kind, {}))
    _assert_identical(ours, keras_fit)
    assert len(ours[0][0]["loss"]) < 12, "early stopping never fired"


@pytest.mark.parametrize("patience, shuffle", [(None, True), (3, False)])
def test_train_gives_model_fit_bit_for_bit_without_early_stopping_or_shuffle(patience, shuffle):
    build = FORECASTERS["lstm"]
    ours = _two_trainings(_train, build, shuffle=shuffle, patience=patience)
    keras_fit = _two_trainings(_fit_as_keras_does, build, shuffle=shuffle, patience=patience)
    _assert_identical(ours, keras_fit)


def test_train_verbose_runs_model_fit_with_the_same_numbers(capsys):
    X, y = _toy_data(n=40)
    runs = []
    for verbose in (0, 2):
        helpers.set_seed(3)
        model = models.build_forecaster(5, units=3, seed=3)
        history = models.train(
            model, X, y, validation_data=(X[:8], y[:8]), epochs=4, verbose=verbose
        )
        runs.append((history.history, model.get_weights()))
    assert "Epoch 4/4" in capsys.readouterr().out  # the verbose run went through model.fit
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_train_after_compiling_again_with_the_same_optimizer_equals_model_fit():
    # compile() keeps the optimizer object it is given but makes a new loss tracker: the
    # steps traced before it must not be reused, or the loss and metrics go stale.
    def compiling_before_the_second(trainer):
        calls = []

        def run(model, *arguments):
            if calls:
                model.compile(optimizer=model.optimizer, loss="mae", metrics=["mse"])
            calls.append(model)
            return trainer(model, *arguments)

        return run

    build = FORECASTERS["lstm"]
    ours = _two_trainings(compiling_before_the_second(_train), build)
    keras_fit = _two_trainings(compiling_before_the_second(_fit_as_keras_does), build)
    assert "mse" in ours[0][2]  # the second training reports the new compile's metric
    _assert_identical(ours, keras_fit)


def test_train_after_compiling_again_uses_the_new_optimizer():
    X, y = _toy_data(n=32)
    model = models.build_forecaster(5, units=3, seed=0)
    models.train(model, X, y, epochs=2)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    before = model.get_weights()
    models.train(model, X, y, epochs=2)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # learning rate 0: nothing moves


def test_train_history_is_returned_and_set_on_the_model():
    X, y = _toy_data(n=16)
    model = models.build_forecaster(5, units=2)
    history = models.train(model, X, y, epochs=3)
    assert model.history is history
    assert history.epoch == [0, 1, 2]


def test_train_refuses_a_model_that_was_not_compiled():
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="must be compiled before training"):
        models.train(model, np.zeros((8, 5, 1)), np.zeros((8, 1)), epochs=1)
