"""Build, forecast with, save and export the lessons' recurrent forecasters.

One small family of models serves every lesson::

    keras.Input((window, n_features))
      -> `layers` recurrent layers (LSTM, GRU or SimpleRNN; all but the last return sequences)
      -> optional Dropout after each recurrent layer
      -> Dense(horizon)                       # the direct multi-output head

Windows ``X`` are ``(n_samples, window, n_features)`` and targets ``y`` are
``(n_samples, horizon)``, as :func:`helpers.data.make_windows` makes them.

Training lives in :mod:`helpers.training` and the attention forecaster of lesson 08
in :mod:`helpers.attention`; both are re-exported here (``models.train``,
``models.build_attention_forecaster``, ...), where the lessons call them.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np

from helpers import _checks
from helpers._keras import (  # TensorFlow imported quietly first
    check_dtype,
    check_model,
    check_windows,
    input_dtype,
    keras,
    tf,
)
from helpers.attention import TemporalAttention, attention_weights, build_attention_forecaster
from helpers.training import TrainingHistory, assert_converged, train

__all__ = [
    "CELLS",
    "recurrent_layers",
    "head",
    "build_forecaster",
    "predict",
    "recursive_forecast",
    "save_model",
    "load_model",
    "export_for_serving",
    # re-exported from helpers.training and helpers.attention
    "train",
    "TrainingHistory",
    "assert_converged",
    "TemporalAttention",
    "build_attention_forecaster",
    "attention_weights",
]

#: Cell names accepted by :func:`build_forecaster` and the Keras layer each builds.
CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}


# --------------------------------------------------------------------------- checks


def _check_path(name, path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


# --------------------------------------------------------------------------- the contract


def recurrent_layers(model):
    """The recurrent layers of a forecaster, first to last.

    The forecaster's contract, stated once: a model built here (or any
    ``keras.Model`` of the same shape) reads its window with one or more
    recurrent layers (``LSTM``, ``GRU``, ``SimpleRNN``, possibly wrapped in
    ``Bidirectional``) and ends in a ``Dense`` head. Lessons reach the layers
    through this function and :func:`head`, never through layer names or
    positions.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    list of keras.layers.Layer
        Each has ``get_weights()``; an ``LSTM``'s are ``kernel (n_features,
        4*units)``, ``recurrent_kernel (units, 4*units)``, ``bias (4*units,)``.

    Raises
    ------
    TypeError
        If ``model`` is not a built keras.Model.
    ValueError
        If the model has no recurrent layer.
    """
    check_model(model)
    found = [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
    ]
    if not found:
        names = [layer.name for layer in model.layers]
        raise ValueError(f"model has no recurrent layer (LSTM, GRU or SimpleRNN): layers {names}")
    return found


def head(model):
    """The forecaster's output layer: its last ``Dense`` layer, ``kernel (units, horizon)``.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    keras.layers.Dense

    Raises
    ------
    TypeError
        If ``model`` is not a built keras.Model.
    ValueError
        If the model does not end in a Dense layer.
    """
    check_model(model)
    last = model.layers[-1] if model.layers else None
    if not isinstance(last, keras.layers.Dense):
        name = type(last).__name__ if last is not None else "nothing"
        raise ValueError(f"model must end in a Dense head, its last layer is {name}")
    return last


# --------------------------------------------------------------------------- build


def build_forecaster(
    window,
    n_features=1,
    *,
    units=32,
    layers=1,
    dropout=0.0,
    horizon=1,
    cell="lstm",
    activation="tanh",
    learning_rate=1e-3,
    dtype=None,
    name=None,
    seed=None,
    recurrent_dropout=0.0,
    bidirectional=False,
):
    """Build and compile a recurrent forecaster with a direct multi-output head.

    ``keras.Input((window, n_features))``, then ``layers`` recurrent layers of
    ``units`` each (all but the last return the whole sequence, so the next one
    can read it), a ``Dropout(dropout)`` after each when ``dropout > 0``, and a
    ``Dense(horizon)`` head that predicts the next ``horizon`` values at once.
    Compiled with Adam and the mean squared error (metric: mean absolute error).
    Initial weights come from the global Keras seed (``helpers.set_seed``).

    Parameters
    ----------
    window : int
        Time steps per input window (``n_timesteps``).
    n_features : int, default 1
        Values per time step.
    units : int, default 32
        Size of the hidden state of each recurrent layer.
    layers : int, default 1
        Number of stacked recurrent layers.
    dropout : float in [0, 1), default 0.0
        Rate of the ``Dropout`` layer after each recurrent layer (none when 0).
    horizon : int, default 1
        Number of future values predicted at once: the output is ``(batch, horizon)``.
    cell : {"lstm", "gru", "rnn"}, default "lstm"
        ``keras.layers.LSTM``, ``GRU`` or ``SimpleRNN``.
    activation : str or callable, default "tanh"
        Activation of the recurrent cell's values (the gates keep their sigmoid).
        ``"tanh"`` keeps the state bounded and lets Keras use the cuDNN kernel
        on a GPU; ``"relu"`` is allowed so a lesson can compare.
    learning_rate : float, default 1e-3
        Adam's step size, > 0.
    dtype : str, optional
        Floating dtype of every layer, e.g. ``"float64"`` to compare with NumPy
        to many digits; None uses Keras's default (``float32``).
    name : str, optional
        Model name; ``"<cell>_forecaster"`` when None.
    seed : int, optional
        Seeds the initial weights (and dropout) of this model alone, with the
        same initialisers Keras uses by default; None draws them from the
        global Keras seed that :func:`helpers.set_seed` sets.
    recurrent_dropout : float in [0, 1), default 0.0
        Fraction of the hidden state's units dropped inside each recurrent layer at
        every training step (the cell's own ``recurrent_dropout``). Keras then runs the
        step-by-step loop: on a GPU the fast cuDNN kernel is switched off.
    bidirectional : bool, default False
        Wrap each recurrent layer in ``keras.layers.Bidirectional``: one copy reads the
        window forwards, one backwards, and their states are concatenated (twice the
        parameters, ``2 * units`` values per step).

    Returns
    -------
    keras.Model
        A compiled ``keras.Sequential``; input ``(batch, window, n_features)``,
        output ``(batch, horizon)``.

    Raises
    ------
    TypeError
        If an integer or number argument has the wrong type, or ``bidirectional``
        is not a bool.
    ValueError
        If ``window``, ``n_features``, ``units``, ``layers`` or ``horizon`` is
        < 1, ``dropout`` or ``recurrent_dropout`` is outside [0, 1),
        ``learning_rate`` <= 0, or ``cell``,
        ``activation`` or ``dtype`` is unknown.

    Examples
    --------
    >>> model = build_forecaster(10, units=8, horizon=3)
    >>> model.input_shape, model.output_shape
    ((None, 10, 1), (None, 3))
    >>> build_forecaster(10, cell="transformer")
    Traceback (most recent call last):
    ...
    ValueError: cell must be one of 'lstm', 'gru', 'rnn', got 'transformer'
    """
    window = _checks.integer(window, "window")
    n_features = _checks.integer(n_features, "n_features")
    units = _checks.integer(units, "units")
    layers = _checks.integer(layers, "layers")
    horizon = _checks.integer(horizon, "horizon")
    dropout = _checks.real(dropout, "dropout", low=0, high=1, high_open=True)
    recurrent_dropout = _checks.real(
        recurrent_dropout, "recurrent_dropout", low=0, high=1, high_open=True
    )
    learning_rate = _checks.real(learning_rate, "learning_rate", low=0, low_open=True)
    layer_class = _check_cell(cell)
    _check_activation(activation)
    dtype = check_dtype(dtype)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {type(name).__name__}")
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}")
    seed = None if seed is None else _checks.seed(seed)

    def recurrent(i, offset, **direction):  # layer i; `offset` picks its initialisers' seeds
        # Recurrent-dropout masks: seeds beyond every initialiser's and Dropout layer's.
        masks = {"seed": seed + 3 * (2 * layers + offset)} if seed is not None else {}
        return layer_class(
            units,
            activation=activation,
            return_sequences=i < layers,  # all but the last hand the next one a sequence
            recurrent_dropout=recurrent_dropout,
            dtype=dtype,
            name=f"{cell.lower()}_{i}" + ("_backward" if direction else ""),
            **_initializers(seed, offset),
            **(masks if recurrent_dropout > 0 else {}),
            **direction,
        )

    stack = [keras.Input((window, n_features), dtype=dtype, name="window")]
    for i in range(1, layers + 1):
        if bidirectional:  # the backward copy's seeds come after the forward layers'
            backward = recurrent(i, layers + i, go_backwards=True)
            stack.append(
                keras.layers.Bidirectional(
                    recurrent(i, i), backward_layer=backward, dtype=dtype, name=f"bi_{i}"
                )
            )
        else:
            stack.append(recurrent(i, i))
        if dropout > 0:
            dropout_seed = {} if seed is None else {"seed": seed + 3 * i + 2}
            stack.append(
                keras.layers.Dropout(dropout, dtype=dtype, name=f"dropout_{i}", **dropout_seed)
            )
    head_init = {k: v for k, v in _initializers(seed, 0).items() if k == "kernel_initializer"}
    stack.append(keras.layers.Dense(horizon, dtype=dtype, name="head", **head_init))
    model = keras.Sequential(stack, name=name or f"{cell.lower()}_forecaster")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mse",
        metrics=["mae"],
    )
    return model


def _check_cell(cell):
    """The Keras layer class for a cell name."""
    if not isinstance(cell, str) or cell.lower() not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(map(repr, CELLS))}, got {cell!r}")
    return CELLS[cell.lower()]


def _check_activation(activation):
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"activation must be a Keras activation name such as 'tanh' or 'relu', "
            f"or a callable, got {activation!r}"
        ) from error


def _initializers(seed, offset):
    """Keras's default initialisers for layer ``offset``, each seeded from ``seed`` (None: {})."""
    if seed is None:
        return {}
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=seed + 3 * offset),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=seed + 3 * offset + 1),
    }


# --------------------------------------------------------------------------- forecast


def predict(model, X):
    """Predict every window of ``X`` in one forward pass and return a NumPy array.

    Equivalent to ``model.predict(X, verbose=0)`` for the small arrays of these
    lessons, but it calls the model directly: no progress bar, no batching, and
    no ``tf.function`` traced per model and per batch shape (``model.predict``
    on many freshly built models makes TensorFlow print a retracing warning).
    For very large ``X`` use ``model.predict(X, batch_size=...)``.

    Parameters
    ----------
    model : keras.Model
        Input ``(batch, window, n_features)``.
    X : array-like, shape (n_samples, window, n_features)
        Not modified.

    Returns
    -------
    numpy.ndarray
        The model's output, shape ``(n_samples, horizon)`` for a forecaster from
        :func:`build_forecaster`.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``X`` does not hold real numbers.
    ValueError
        If ``X`` is not 3-D, does not match the model's window or features, or
        contains NaN.

    Examples
    --------
    >>> import numpy as np
    >>> predict(build_forecaster(4, units=2, horizon=3), np.zeros((5, 4, 1))).shape
    (5, 3)
    """
    check_model(model)
    X = check_windows("X", X, model)
    return keras.ops.convert_to_numpy(model(X.astype(input_dtype(model)), training=False))


def _one_step_function(model, steps):
    """``x -> model(x)`` for the feedback loop: traced once when it pays, eager otherwise.

    A graph traced once runs each later step several times faster than an eager
    call. Tracing costs about as much as ten eager steps, so short forecasts
    stay eager. With ``steps >= 10`` every trace is followed by at least nine
    calls that reuse it, which also keeps TensorFlow's "frequent retracing"
    warning (5 traces among its last 10 calls) from firing when a notebook calls
    this function many times.
    """
    if steps < _TRACE_FROM_STEPS:
        return lambda x: model(x, training=False)
    return tf.function(lambda x: model(x, training=False))


_TRACE_FROM_STEPS = 10


def recursive_forecast(model, window_values, steps):
    """Forecast ``steps`` values ahead with a one-step model, feeding each prediction back.

    .. math:: \\hat y_{t+k} = f(x_{t+k-w}, \\dots, x_{t+k-1}),
              \\quad x_{t+j} := \\hat y_{t+j} \\text{ for } j \\ge 0

    The window slides one step at a time: its oldest value drops out and the
    newest prediction is appended. Errors therefore compound with the horizon,
    unlike a direct multi-output head (``build_forecaster(horizon=h)``).

    Parameters
    ----------
    model : keras.Model
        Univariate one-step model: input ``(batch, window, 1)``, output ``(batch, 1)``.
    window_values : array-like, shape (window,) or (n, window) or (n, window, 1)
        The last ``window`` observed values (in the units the model was trained
        on), or a batch of ``n`` such windows forecast together. Not modified.
    steps : int
        Number of values to forecast, >= 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(steps,)`` for one window, ``(n, steps)`` for a batch.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``steps`` not an integer.
    ValueError
        If the model is not univariate one-step, the windows' length differs
        from the model's window, they contain NaN, or ``steps`` < 1.

    Examples
    --------
    A linear model that copies the last value of its window forecasts a flat line:

    >>> import numpy as np
    >>> copy_last = keras.Sequential([keras.Input((3, 1)), keras.layers.Flatten(),
    ...                               keras.layers.Dense(1)])
    >>> copy_last.set_weights([np.array([[0.0], [0.0], [1.0]]), np.zeros(1)])
    >>> recursive_forecast(copy_last, [1.0, 2.0, 5.0], 4)
    array([5., 5., 5., 5.], dtype=float32)
    """
    check_model(model)
    steps = _checks.integer(steps, "steps")
    _, window, n_features = model.input_shape
    if n_features != 1:
        raise ValueError(
            "recursive_forecast feeds predictions back into a univariate window: the model "
            f"must have n_features=1, got input shape {model.input_shape}"
        )
    if tuple(model.output_shape[1:]) != (1,):
        raise ValueError(
            "recursive_forecast needs a one-step model with output shape (batch, 1), got "
            f"{model.output_shape}; a model with horizon > 1 already forecasts directly"
        )
    values = _checks.real_array(window_values, "window_values")
    single = values.ndim == 1
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    elif single:
        values = values[np.newaxis, :]
    elif values.ndim != 2:
        raise ValueError(
            "window_values must have shape (window,), (n, window) or (n, window, 1), "
            f"got shape {np.shape(window_values)}"
        )
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"window_values is empty (shape {np.shape(window_values)})")
    if window is not None and values.shape[1] != window:
        raise ValueError(
            f"window_values must hold the model's window={window} values per window, "
            f"got {values.shape[1]} (shape {np.shape(window_values)})"
        )
    _checks.finite(values, "window_values")

    x = np.array(values, dtype=input_dtype(model))  # (n, window), a copy we may overwrite
    forecasts = np.empty((x.shape[0], steps), dtype=x.dtype)  # (n, steps)
    step = _one_step_function(model, steps)
    for k in range(steps):
        y_hat = keras.ops.convert_to_numpy(step(x[:, :, np.newaxis]))  # (n, 1)
        forecasts[:, k] = y_hat[:, 0]
        x = np.concatenate([x[:, 1:], y_hat.astype(x.dtype)], axis=1)  # slide: drop oldest
    return forecasts[0] if single else forecasts


# --------------------------------------------------------------------------- save / load


def save_model(model, path):
    """Save a model, its weights and optimiser state in the native ``.keras`` format.

    Parameters
    ----------
    model : keras.Model
    path : str or os.PathLike
        File name ending in ``.keras``; its folder must exist.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``path`` not a path.
    ValueError
        If ``path`` does not end in ``.keras`` (Keras 3 no longer saves to a
        bare folder name; use :func:`export_for_serving` for a SavedModel).
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    check_model(model)
    path = _check_path("path", path)
    if path.suffix != ".keras":
        raise ValueError(
            f"path must end in '.keras' (the native Keras format), got {str(path.name)!r}; "
            "use export_for_serving(model, directory) for a TensorFlow SavedModel"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder of path does not exist: {str(path.parent)!r}")
    with warnings.catch_warnings():
        # Keras 3.15 copies TensorFlow variables with np.array(variable); on NumPy >= 2
        # that raises a DeprecationWarning inside Keras (tf.Variable.__array__ has no
        # `copy` keyword). Harmless, upstream's to fix, and not the reader's concern.
        warnings.filterwarnings(
            "ignore",
            message=r"__array__ implementation doesn't accept a copy keyword",
            category=DeprecationWarning,
        )
        model.save(path)
    return path


def load_model(path):
    """Load a model saved by :func:`save_model`, with Keras's ``safe_mode=True``.

    Safe mode refuses to run Python code stored in the file (e.g. a ``Lambda``
    layer's bytecode), so loading a file from elsewhere cannot execute it.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.keras`` file.

    Returns
    -------
    keras.Model
        The model, compiled as it was saved.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If ``path`` does not end in ``.keras``.
    """
    path = _check_path("path", path)
    if path.suffix != ".keras":
        raise ValueError(f"path must be a '.keras' file, got {str(path.name)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at path {str(path)!r}")
    return keras.saving.load_model(path, safe_mode=True)


def export_for_serving(model, directory):
    """Export the model's inference function as a TensorFlow SavedModel folder.

    The folder can be served by TensorFlow Serving, or loaded back without
    Keras's Python classes by ``tf.saved_model.load(directory).serve(X)`` or
    ``keras.layers.TFSMLayer(directory, call_endpoint="serve")``. It holds the
    forward pass only (no optimiser, no training).

    Parameters
    ----------
    model : keras.Model
    directory : str or os.PathLike
        Folder to write (created; files of an earlier export are overwritten).

    Returns
    -------
    pathlib.Path
        ``directory``.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``directory`` not a path.
    ValueError
        If ``directory`` ends in ``.keras`` or is an existing file.
    """
    check_model(model)
    directory = _check_path("directory", directory)
    if directory.suffix == ".keras":
        raise ValueError(
            f"directory is a folder for a SavedModel, got a '.keras' name {str(directory)!r}; "
            "use save_model(model, path) for the native format"
        )
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"directory must be a folder, but {str(directory)!r} is a file")
    # tf.saved_model.save logs "Assets written to: <full path>" at INFO level, which a
    # Jupyter kernel (root logger at INFO) prints twice; keep it out of lesson outputs.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        model.export(str(directory), format="tf_saved_model", verbose=False)
    finally:
        logger.setLevel(level)
    return directory
