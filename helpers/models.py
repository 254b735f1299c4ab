"""Build, train, forecast with, save and export the lessons' recurrent forecasters.

One small family of models serves every lesson::

    keras.Input((window, n_features))
      -> `layers` recurrent layers (LSTM, GRU or SimpleRNN; all but the last return sequences)
      -> optional Dropout after each recurrent layer
      -> Dense(horizon)                       # the direct multi-output head

Windows ``X`` are ``(n_samples, window, n_features)`` and targets ``y`` are
``(n_samples, horizon)``, as :func:`helpers.data.make_windows` makes them.

TensorFlow is imported through :func:`helpers._tf.import_tensorflow` so its
start-up log lines stay out of notebook outputs.
"""

from __future__ import annotations

import logging
import os
import warnings
import weakref
from pathlib import Path

import numpy as np

from helpers import _checks
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402  (after TensorFlow, which must be imported quietly first)

__all__ = [
    "CELLS",
    "recurrent_layers",
    "head",
    "build_forecaster",
    "train",
    "predict",
    "recursive_forecast",
    "save_model",
    "load_model",
    "export_for_serving",
]

#: Cell names accepted by :func:`build_forecaster` and the Keras layer each builds.
CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}


# --------------------------------------------------------------------------- checks


def _check_model(model):
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    try:
        model.input_shape  # noqa: B018  (a model built without an Input has no shape yet)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            "model must be built with a known input shape, e.g. with keras.Input(...)"
        ) from error


def _input_dtype(model):
    """The dtype the model's input expects (Keras's float type when it does not say)."""
    inputs = getattr(model, "inputs", None)
    return inputs[0].dtype if inputs else keras.backend.floatx()


def _check_windows(name, X, model):
    """Return ``X`` as a float array shaped ``(n, window, n_features)`` the model accepts."""
    _, window, n_features = model.input_shape
    return _checks.windows(X, name, timesteps=window, features=n_features)


def _check_targets(name, y, n_samples, model):
    """Return ``y`` shaped like the model's output ``(n, horizon)``."""
    y = _checks.real_array(y, name)
    out = tuple(model.output_shape[1:])
    if y.ndim == 1 and out == (1,):
        y = y.reshape(-1, 1)
    if y.shape[1:] != out:
        raise ValueError(
            f"{name} must have shape (n_samples, {', '.join(map(str, out))}) to match the "
            f"model's output (horizon={out[0]}), got shape {y.shape}"
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {y.shape[0]} rows but the windows have {n_samples}: "
            "pass the (X, y) pair made together"
        )
    _checks.finite(y, name, fix="fill or drop them first")
    return y


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
    _check_model(model)
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
    _check_model(model)
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
    dtype = _check_dtype(dtype)
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


def _check_dtype(dtype):
    """A floating dtype name such as ``"float64"``, or None for Keras's default."""
    if dtype is None:
        return None
    try:
        dtype = keras.backend.standardize_dtype(dtype)
    except (ValueError, TypeError) as error:
        raise ValueError(f"dtype must be a floating dtype name, got {dtype!r}") from error
    if "float" not in dtype:
        raise ValueError(f"dtype must be a floating dtype such as 'float64', got {dtype!r}")
    return dtype


def _initializers(seed, offset):
    """Keras's default initialisers for layer ``offset``, each seeded from ``seed`` (None: {})."""
    if seed is None:
        return {}
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=seed + 3 * offset),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=seed + 3 * offset + 1),
    }


# --------------------------------------------------------------------------- train


def train(
    model,
    X_train,
    y_train,
    *,
    validation_data=None,
    epochs=100,
    batch_size=32,
    patience=10,
    shuffle=True,
    verbose=0,
):
    """Fit ``model`` on windows, stopping early on the validation loss.

    With ``validation_data``, training stops once the validation loss has not
    improved for ``patience`` epochs, and the weights of the best epoch are put
    back (``EarlyStopping(restore_best_weights=True)``). Shuffling the windows
    is fine: each window is an independent sample and the split into
    train / validation / test is already chronological.

    Parameters
    ----------
    model : keras.Model
        A compiled model such as :func:`build_forecaster` returns, input
        ``(batch, window, n_features)``, output ``(batch, horizon)``.
    X_train : array-like, shape (n_samples, window, n_features)
    y_train : array-like, shape (n_samples, horizon)
        ``(n_samples,)`` is accepted when ``horizon`` is 1.
    validation_data : tuple (X_val, y_val), optional
        Shapes as for the training pair. None: no validation, no early stopping.
    epochs : int, default 100
        Most epochs to run.
    batch_size : int, default 32
    patience : int or None, default 10
        Epochs without improvement of ``val_loss`` before stopping; None
        switches early stopping off.
    shuffle : bool, default True
        Shuffle the order of the windows each epoch.
    verbose : {0, 1, 2}, default 0
        0 is silent (for stored notebook outputs); 1 shows a live progress bar,
        2 one line per epoch, for a reader running the lesson live.

    Returns
    -------
    keras.callbacks.History
        ``history.history["loss"]`` (and ``"val_loss"``, ``"mae"``,
        ``"val_mae"``): one value per epoch run.

    Notes
    -----
    With ``verbose=1`` or ``2``, or under a ``tf.distribute`` strategy, this is
    one ``model.fit`` call on a shuffled ``tf.data`` pipeline. With ``verbose=0``
    the epochs run in a loop of our own that calls the same Keras steps
    (``model.train_step``, ``model.test_step``) on the same batches in the same
    order, with the same ``EarlyStopping``: the losses and weights are the same
    to the last bit (tests/test_models.py compares them with ``model.fit`` on
    LSTM, GRU, SimpleRNN, stacked, dropout, bidirectional, attention, quantile
    and float64 forecasters), and what is left out is fit's bookkeeping per
    epoch, which on a few hundred windows costs more than the training;
    benchmarks/README.md has the measurements.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or an option has the wrong type.
    ValueError
        If the arrays' shapes do not match each other or the model, contain
        NaN, or an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.zeros((8, 5, 1)), np.zeros((8, 1))
    >>> history = train(build_forecaster(5, units=2), X, y, epochs=2)
    >>> len(history.history["loss"])
    2
    """
    _check_model(model)
    X_train = _check_windows("X_train", X_train, model)
    y_train = _check_targets("y_train", y_train, len(X_train), model)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val), got "
                f"{type(validation_data).__name__}"
                + (
                    f" of length {len(validation_data)}"
                    if hasattr(validation_data, "__len__")
                    else ""
                )
            )
        X_val = _check_windows("X_val (validation_data[0])", validation_data[0], model)
        y_val = _check_targets("y_val (validation_data[1])", validation_data[1], len(X_val), model)
        validation_data = (X_val, y_val)
    epochs = _checks.integer(epochs, "epochs")
    batch_size = _checks.integer(batch_size, "batch_size")
    if patience is not None:
        patience = _checks.integer(patience, "patience", minimum=0)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")

    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError(
            "model must be compiled before training: call model.compile(optimizer=..., "
            "loss=...) first (build_forecaster returns a compiled model)"
        )

    callbacks = []
    if validation_data is not None and patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=patience, restore_best_weights=True
            )
        )
    # The windows are shuffled by a tf.data shuffle, whose seed comes from the global
    # seed (helpers.set_seed), so runs repeat. (A seed= here would not free it from the
    # global seed: tf.data combines the two.) Keras's own NumPy adapter would build a new
    # pipeline every epoch, which costs more than training on these small sets.
    dtype = _input_dtype(model)
    X_train, y_train = X_train.astype(dtype), y_train.astype(dtype)
    if validation_data is not None:
        validation_data = tuple(part.astype(dtype) for part in validation_data)
    if verbose or tf.distribute.has_strategy() or model._distribute_strategy is not None:
        # model.fit itself, for its progress bar (and for a distribution strategy).
        train_set = tf.data.Dataset.from_tensor_slices((X_train, y_train))
        if shuffle:
            train_set = train_set.shuffle(len(X_train), reshuffle_each_iteration=True)
        if validation_data is not None:
            validation_data = tf.data.Dataset.from_tensor_slices(validation_data).batch(batch_size)
        return model.fit(
            train_set.batch(batch_size),
            validation_data=validation_data,
            epochs=epochs,
            shuffle=False,  # done above; fit cannot shuffle a tf.data.Dataset
            callbacks=callbacks,
            verbose=verbose,
        )
    order = None
    if shuffle:  # the same shuffle, created at the same point, so it draws the same seed
        order = tf.data.Dataset.range(len(X_train))
        order = order.shuffle(len(X_train), reshuffle_each_iteration=True).batch(len(X_train))
    return _fit_quietly(
        model, (X_train, y_train), validation_data, order, epochs, batch_size, callbacks
    )


def _compiled_steps(model, spec):
    """``model.train_step``, ``model.test_step`` and ``model.reset_metrics`` as tf.functions.

    The steps take batches of ``spec``. They are kept on the model and traced again
    when what they were traced with has changed: ``model.compile`` makes a new loss
    tracker every time (and a new optimizer, loss or metrics when given them), so a
    model compiled again gets new steps.
    """
    # Weak references to the objects, compared with `is`: an id() alone could be reused
    # by a new object once the old one is freed, and the objects themselves kept in an
    # attribute would be tracked by Keras as the model's own metrics and saved with it.
    parts = (
        model.optimizer,
        getattr(model, "_compile_loss", None),
        getattr(model, "_compile_metrics", None),
        getattr(model, "_loss_tracker", None),
    )
    settings = (model.run_eagerly, model.jit_compile, spec)
    cached = getattr(model, "_helpers_steps", None)
    if (
        cached is not None
        and all(_alive(ref) is part for ref, part in zip(cached[0], parts, strict=True))
        and cached[1] == settings
    ):
        return cached[2]
    # Create the optimizer's, loss's and metrics' variables now, as Keras does before
    # fit under a distribution strategy: a tf.function that creates variables is
    # traced twice, and tracing these steps is what a new model's first training
    # pays most for.
    model._symbolic_build(
        data_batch=tuple(tf.zeros((1, *part.shape[1:]), part.dtype) for part in spec)
    )
    steps = model.train_step, model.test_step
    if not model.run_eagerly:
        steps = tuple(  # autograph off, as in Keras's own step functions (`do_not_convert`)
            tf.function(
                step, input_signature=[spec], jit_compile=model.jit_compile, autograph=False
            )
            for step in steps
        )
        # Zeroing the metrics in one call, not one eager assign per variable.
        steps += (tf.function(model.reset_metrics, autograph=False),)
    else:
        steps += (model.reset_metrics,)
    model._helpers_steps = (
        tuple(None if part is None else weakref.ref(part) for part in parts),
        settings,
        steps,
    )
    return steps


def _alive(ref):
    """The object a weak reference (or None) points to, None once it is gone."""
    return None if ref is None else ref()


def _fit_quietly(model, train_pair, validation_data, order, epochs, batch_size, callbacks):
    """Run what ``model.fit`` runs for :func:`train`, without its per-epoch machinery.

    The same steps (``model.train_step``, ``model.test_step``, traced once for a
    batch dimension of None as fit traces them), on the same batches in the same
    order, with the same callbacks at the start and end of each epoch: losses,
    weights and optimizer state come out bit for bit as fit's with the Keras of
    constraints.txt (``tests/test_models.py`` checks it on the forecasters it
    lists). What is left out is fit's overhead per epoch: a ``tf.data`` pipeline
    of the windows iterated for training and another for validation, a whole
    ``evaluate`` call and eager metric resets, which cost more than the training
    itself on a few hundred windows. The only ``tf.data`` work left is drawing
    each epoch's order from a shuffled range of indices.
    """
    X, y = train_pair
    n = len(X)
    spec = tuple(tf.TensorSpec((None, *part.shape[1:]), part.dtype) for part in train_pair)
    train_step, test_step, reset_metrics = _compiled_steps(model, spec)
    validation_batches = []
    if validation_data is not None:
        X_val, y_val = validation_data
        validation_batches = [
            (tf.constant(X_val[i : i + batch_size]), tf.constant(y_val[i : i + batch_size]))
            for i in range(0, len(X_val), batch_size)
        ]
    history = keras.callbacks.History()
    callback_list = keras.callbacks.CallbackList(
        [*callbacks, history],
        model=model,
        verbose=0,
        epochs=epochs,
        steps=-(-n // batch_size),
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs = None
    for epoch in range(epochs):
        reset_metrics()
        callback_list.on_epoch_begin(epoch)
        if order is None:
            X_epoch, y_epoch = X, y
        else:
            permutation = next(iter(order)).numpy()
            # At the end of every epoch fit opens one more iterator over its shuffled
            # set (keras/src/trainers/epoch_iterator.py), which draws a shuffle that is
            # never used; drawing it here too keeps the later epochs' order fit's.
            iter(order)
            X_epoch, y_epoch = X[permutation], y[permutation]
        for i in range(0, n, batch_size):
            step_logs = train_step(
                (tf.constant(X_epoch[i : i + batch_size]), tf.constant(y_epoch[i : i + batch_size]))
            )
        logs = {name: float(value) for name, value in step_logs.items()}
        if validation_batches:
            reset_metrics()
            for batch in validation_batches:
                step_logs = test_step(batch)
            logs.update({f"val_{name}": float(value) for name, value in step_logs.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    model.optimizer.finalize_variable_values(model.trainable_weights)
    callback_list.on_train_end(logs=logs)
    return history


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
    _check_model(model)
    X = _check_windows("X", X, model)
    return keras.ops.convert_to_numpy(model(X.astype(_input_dtype(model)), training=False))


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
    _check_model(model)
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

    x = np.array(values, dtype=_input_dtype(model))  # (n, window), a copy we may overwrite
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
    _check_model(model)
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
    _check_model(model)
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


# --------------------------------------------------------------------------- attention
#
# An LSTM forecaster with additive attention over its time steps (lesson 08). New code
# in its own section; the functions above are unchanged.

__all__ += ["TemporalAttention", "build_attention_forecaster", "attention_weights"]


@keras.saving.register_keras_serializable(package="helpers")
class TemporalAttention(keras.layers.Layer):
    """Additive attention over the time steps of a sequence of hidden states.

    For hidden states :math:`h_1, \\dots, h_T` (the LSTM's output sequence) the
    layer scores each step, turns the scores into weights with a softmax over
    time, and returns the weighted mean of the states (Bahdanau et al., 2015, in
    the feed-forward form of Raffel & Ellis, 2016, whose query is learned):

    .. math::

        e_t = v^\\top \\tanh(W h_t + b), \\qquad
        \\alpha_t = \\frac{\\exp e_t}{\\sum_{s=1}^{T} \\exp e_s}, \\qquad
        c = \\sum_{t=1}^{T} \\alpha_t h_t .

    Input ``(batch, timesteps, d)``, output ``(batch, d)``; the weights
    :math:`\\alpha` are ``(batch, timesteps)``, non-negative, summing to 1 over
    time (:meth:`attention`, or :func:`attention_weights` on a whole model).

    Parameters
    ----------
    units : int, default 16
        Size of the score's hidden layer (columns of :math:`W`).
    kernel_initializer, score_initializer : str or keras.initializers.Initializer
        Initialisers of :math:`W` and :math:`v` (the bias :math:`b` starts at zero).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).
    """

    def __init__(
        self,
        units=16,
        *,
        kernel_initializer="glorot_uniform",
        score_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = _checks.integer(units, "units")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.score_initializer = keras.initializers.get(score_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        d = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel", shape=(d, self.units), initializer=self.kernel_initializer
        )  # W: (d, units)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.score = self.add_weight(
            name="score", shape=(self.units, 1), initializer=self.score_initializer
        )  # v: (units, 1)

    def attention(self, h):
        """The weights :math:`\\alpha` of states ``h`` (batch, timesteps, d): (batch, timesteps)."""
        hidden = keras.ops.tanh(keras.ops.matmul(h, self.kernel) + self.bias)  # (B, T, units)
        e = keras.ops.squeeze(keras.ops.matmul(hidden, self.score), axis=-1)  # (B, T)
        return keras.ops.softmax(e, axis=-1)  # (B, T), each row sums to 1

    def call(self, h):
        alpha = self.attention(h)  # (B, T)
        return keras.ops.sum(alpha[:, :, None] * h, axis=1)  # (B, T, 1) * (B, T, d) -> (B, d)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "score_initializer": keras.initializers.serialize(self.score_initializer),
        }


def build_attention_forecaster(
    window,
    n_features=1,
    *,
    units=16,
    attention_units=None,
    horizon=1,
    learning_rate=1e-3,
    dtype=None,
    name=None,
    seed=None,
):
    """Build and compile an LSTM forecaster that attends over its window's time steps.

    ``keras.Input((window, n_features))``, an ``LSTM(units, return_sequences=True)``
    whose hidden states :math:`h_1, \\dots, h_T` go to a :class:`TemporalAttention`
    layer (additive attention, a learned query), whose context vector
    :math:`c = \\sum_t \\alpha_t h_t` feeds a ``Dense(horizon)`` head. Compiled
    like :func:`build_forecaster`: Adam, mean squared error, metric mean
    absolute error. :func:`recurrent_layers` and :func:`head` find its LSTM and
    its head; :func:`attention_weights` returns :math:`\\alpha` per window.

    Parameters
    ----------
    window : int
        Time steps per input window.
    n_features : int, default 1
        Values per time step.
    units : int, default 16
        Size of the LSTM's hidden state.
    attention_units : int, optional
        Size of the attention score's hidden layer; ``units`` when None.
    horizon : int, default 1
        Values predicted at once: the output is ``(batch, horizon)``.
    learning_rate : float, default 1e-3
        Adam's step size, > 0.
    dtype : str, optional
        Floating dtype of every layer; None uses Keras's default (``float32``).
    name : str, optional
        Model name; ``"attention_forecaster"`` when None.
    seed : int, optional
        Seeds this model's initial weights alone; None draws them from the
        global Keras seed that :func:`helpers.set_seed` sets.

    Returns
    -------
    keras.Model
        A compiled ``keras.Sequential``; input ``(batch, window, n_features)``,
        output ``(batch, horizon)``.

    Raises
    ------
    TypeError
        If an integer or number argument has the wrong type.
    ValueError
        If a size is < 1, ``learning_rate`` <= 0 or ``dtype`` is not a float type.

    Examples
    --------
    >>> model = build_attention_forecaster(10, 3, units=4, seed=0)
    >>> model.input_shape, model.output_shape
    ((None, 10, 3), (None, 1))
    >>> [type(layer).__name__ for layer in model.layers]
    ['LSTM', 'TemporalAttention', 'Dense']
    """
    window = _checks.integer(window, "window")
    n_features = _checks.integer(n_features, "n_features")
    units = _checks.integer(units, "units")
    attention_units = units if attention_units is None else attention_units
    attention_units = _checks.integer(attention_units, "attention_units")
    horizon = _checks.integer(horizon, "horizon")
    learning_rate = _checks.real(learning_rate, "learning_rate", low=0, low_open=True)
    dtype = _check_dtype(dtype)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {type(name).__name__}")
    if seed is not None:
        seed = _checks.seed(seed)

    def init(kind, offset):  # Keras's default initialisers, seeded from `seed` when given
        if seed is None:
            return kind
        return {
            "glorot_uniform": keras.initializers.GlorotUniform,
            "orthogonal": keras.initializers.Orthogonal,
        }[kind](seed=seed + offset)

    model = keras.Sequential(
        [
            keras.Input((window, n_features), dtype=dtype, name="window"),
            keras.layers.LSTM(
                units,
                return_sequences=True,  # (batch, window, units): every step's state
                kernel_initializer=init("glorot_uniform", 1),
                recurrent_initializer=init("orthogonal", 2),
                dtype=dtype,
                name="lstm_1",
            ),
            TemporalAttention(
                attention_units,
                kernel_initializer=init("glorot_uniform", 3),
                score_initializer=init("glorot_uniform", 4),
                dtype=dtype,
                name="attention",
            ),  # (batch, units)
            keras.layers.Dense(
                horizon, kernel_initializer=init("glorot_uniform", 0), dtype=dtype, name="head"
            ),
        ],
        name=name or "attention_forecaster",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mse",
        metrics=["mae"],
    )
    return model


def _attention_layer(model):
    found = [layer for layer in model.layers if isinstance(layer, TemporalAttention)]
    if len(found) != 1:
        names = [f"{layer.name} ({type(layer).__name__})" for layer in model.layers]
        what = "no attention layer" if not found else f"{len(found)} attention layers"
        raise ValueError(
            f"model must have exactly one TemporalAttention layer, it has {what}: layers "
            f"{names}; build it with build_attention_forecaster"
        )
    return found[0]


def attention_weights(model, X):
    """The attention each window puts on each of its time steps.

    .. math:: \\alpha_{i,t} = \\operatorname{softmax}_t\\big(v^\\top \\tanh(W h_{i,t} + b)\\big)

    One forward pass up to the attention layer (``training=False``), so the
    same windows always give the same weights.

    Parameters
    ----------
    model : keras.Model
        A model with one :class:`TemporalAttention` layer, such as
        :func:`build_attention_forecaster` returns (also after
        :func:`load_model`).
    X : array-like, shape (n_samples, window, n_features)
        Not modified.

    Returns
    -------
    ndarray of float64, shape (n_samples, window)
        Column ``t`` is time step ``t`` of the window (lag ``window - t``: the
        last column is the most recent value); every entry >= 0, every row sums to 1.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``X`` does not hold real numbers.
    ValueError
        If the model has no attention layer (or several), or ``X`` is not 3-D,
        does not match the model's window or features, is empty or holds NaN.

    Examples
    --------
    >>> model = build_attention_forecaster(6, 2, units=3, seed=0)
    >>> alpha = attention_weights(model, np.zeros((4, 6, 2)))
    >>> alpha.shape, bool(np.allclose(alpha.sum(axis=1), 1.0))
    ((4, 6), True)
    >>> attention_weights(build_forecaster(6, 2, units=3), np.zeros((4, 6, 2)))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: model must have exactly one TemporalAttention layer, it has no attention layer: ...
    """
    _check_model(model)
    layer = _attention_layer(model)
    X = _check_windows("X", X, model)
    states = keras.Model(model.inputs[0], layer.input)  # window -> (batch, window, units)
    h = states(X.astype(_input_dtype(model)), training=False)
    return keras.ops.convert_to_numpy(layer.attention(h)).astype(np.float64)
