"""Tests for helpers.models: build, recursive forecast, save / load / export, the contract.

Training is tested in tests/test_training.py, the attention forecaster in
tests/test_attention.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import helpers
from helpers import models
from helpers._keras import keras, tf


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


def _toy_data(n=64, window=5, horizon=1, seed=0):
    """Windows of a sine; target = the next `horizon` values."""
    series = np.sin(np.arange(n + window + horizon) * 0.3)
    rng = np.random.default_rng(seed)
    series = series + 0.01 * rng.normal(size=series.size)
    X = np.stack([series[i : i + window] for i in range(n)])[:, :, None]
    y = np.stack([series[i + window : i + window + horizon] for i in range(n)])
    return X, y


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
