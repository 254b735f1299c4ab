"""Train a forecaster until early stopping fires, and say whether it did.

:func:`train` does what ``model.fit`` does with an ``EarlyStopping`` callback, in a
short loop over Keras's public pieces:

1. each epoch, the windows in an order drawn from a seeded NumPy generator;
2. ``model.train_step`` on each batch (traced once per model as a ``tf.function``);
3. ``model.test_step`` on the validation windows;
4. Keras's own ``EarlyStopping`` and ``History`` at the end of each epoch.

Why not ``model.fit``? On the lessons' few hundred windows, fit's bookkeeping per
epoch (a ``tf.data`` pipeline for training, another for validation, an
``evaluate`` call) costs more than the training itself; ``benchmarks/README.md``
has the measurements. The loop trains the same model as fit (tests/test_training.py
compares them to a stated tolerance) and the same model twice on a rerun.

Whether a fit may be judged is part of its result: :class:`TrainingHistory`
says if early stopping fired before the epoch cap (``history.converged``), and
:func:`assert_converged` is the one-line check a lesson makes before it draws a
verdict from a model.
"""

from __future__ import annotations

import json
import os
import weakref

import numpy as np

from helpers import _checks
from helpers._keras import (  # TensorFlow imported quietly first
    check_model,
    check_windows,
    input_dtype,
    keras,
    tf,
)

__all__ = ["TrainingHistory", "train", "assert_converged", "FIT_LOG_VARIABLE"]

#: When this environment variable names a file, every :func:`train` call appends one JSON
#: line to it (``benchmarks/run.py`` counts each lesson's converged fits this way).
FIT_LOG_VARIABLE = "HELPERS_FIT_LOG"


class TrainingHistory(keras.callbacks.History):
    """Keras's ``History`` plus what early stopping did.

    ``history.history`` holds the losses per epoch as with ``model.fit``. The extra
    attributes answer the question a verdict needs: was the model trained until its
    validation loss stopped improving, or cut off by the epoch cap?

    Attributes
    ----------
    max_epochs : int
        The cap passed to :func:`train`.
    epochs_run : int
        Epochs actually run.
    best_epoch : int or None
        The epoch (counted from 1) whose weights were kept; None without validation.
    converged : bool
        True when early stopping fired before the cap: the validation loss went
        ``patience`` epochs without improving. False when the cap ended training
        (the model might still have improved) or there was no early stopping.
    """

    def __init__(self, *, max_epochs):
        super().__init__()
        self.max_epochs = max_epochs
        self.epochs_run = 0
        self.best_epoch = None
        self.converged = False

    def record(self, stopper):
        """Read what happened off the epochs run and the ``EarlyStopping`` (or None) used."""
        self.epochs_run = len(self.epoch)
        if stopper is not None and stopper.best_epoch is not None:
            self.best_epoch = stopper.best_epoch + 1  # counted from 1, as Keras prints it
            self.converged = stopper.stopped_epoch > 0

    def summary(self):
        """One line for a lesson's output: epochs run, the epoch kept, converged or capped."""
        if self.best_epoch is None:
            return f"{self.epochs_run} of {self.max_epochs} epochs, no early stopping"
        verdict = "early stopping fired" if self.converged else "stopped by the epoch cap"
        return (
            f"{self.epochs_run} of {self.max_epochs} epochs, best epoch {self.best_epoch}: "
            f"{verdict}"
        )


def train(
    model,
    X_train,
    y_train,
    *,
    validation_data=None,
    epochs=100,
    batch_size=32,
    patience=10,
    min_delta=0.0,
    shuffle=True,
    seed=None,
    verbose=0,
):
    """Fit ``model`` on windows, stopping early on the validation loss.

    With ``validation_data``, training stops once the validation loss has not
    improved for ``patience`` epochs, and the weights of the best epoch are put
    back (Keras's ``EarlyStopping(restore_best_weights=True)``). Shuffling the
    windows is fine: each window is an independent sample and the split into
    train / validation / test is already chronological.

    Parameters
    ----------
    model : keras.Model
        A compiled model such as :func:`helpers.models.build_forecaster` returns,
        input ``(batch, window, n_features)``, output ``(batch, horizon)``.
    X_train : array-like, shape (n_samples, window, n_features)
    y_train : array-like, shape (n_samples, horizon)
        ``(n_samples,)`` is accepted when ``horizon`` is 1.
    validation_data : tuple (X_val, y_val), optional
        Shapes as for the training pair. None: no validation, no early stopping.
    epochs : int, default 100
        Most epochs to run (the cap).
    batch_size : int, default 32
    patience : int or None, default 10
        Epochs without improvement of ``val_loss`` before stopping; None
        switches early stopping off.
    min_delta : float, default 0.0
        The least fall of ``val_loss`` (in the loss's units) that counts as an
        improvement. A small positive value stops a fit whose validation loss
        creeps down by amounts that change no forecast.
    shuffle : bool, default True
        Shuffle the order of the windows each epoch.
    seed : int or numpy.random.Generator, optional
        Draws each epoch's order. None draws a seed from NumPy's global generator,
        which :func:`helpers.set_seed` seeds, so a lesson run twice trains the same
        model. (The initial weights come from the model's own seed.)
    verbose : {0, 1, 2}, default 0
        0 is silent (for stored notebook outputs); 1 shows a live progress bar,
        2 one line per epoch, for a reader running the lesson live. The model
        trained is the same whatever ``verbose`` is.

    Returns
    -------
    TrainingHistory
        A ``keras.callbacks.History``: ``history.history["loss"]`` (and
        ``"val_loss"``, ``"mae"``, ``"val_mae"``), one value per epoch run; plus
        ``converged``, ``best_epoch``, ``epochs_run`` and ``max_epochs``.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or an option has the wrong type.
    ValueError
        If the arrays' shapes do not match each other or the model, contain
        NaN, the model is not compiled, or an option is out of range.

    Notes
    -----
    Under a ``tf.distribute`` strategy use ``model.fit``: this loop runs on one device.

    Examples
    --------
    >>> from helpers.models import build_forecaster
    >>> X, y = np.zeros((8, 5, 1)), np.zeros((8, 1))
    >>> history = train(build_forecaster(5, units=2), X, y, epochs=2, seed=0)
    >>> len(history.history["loss"]), history.converged
    (2, False)
    """
    check_model(model)
    X_train = check_windows("X_train", X_train, model)
    y_train = _check_targets("y_train", y_train, len(X_train), model)
    validation_data = _check_validation(validation_data, model)
    epochs = _checks.integer(epochs, "epochs")
    batch_size = _checks.integer(batch_size, "batch_size")
    if patience is not None:
        patience = _checks.integer(patience, "patience", minimum=0)
    min_delta = _checks.real(min_delta, "min_delta", low=0)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    rng = _order_generator(seed)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError(
            "model must be compiled before training: call model.compile(optimizer=..., "
            "loss=...) first (build_forecaster returns a compiled model)"
        )

    dtype = input_dtype(model)
    train_pair = (X_train.astype(dtype), y_train.astype(dtype))
    if validation_data is not None:
        validation_data = tuple(part.astype(dtype) for part in validation_data)
    stopper = None
    if validation_data is not None and patience is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, min_delta=min_delta, restore_best_weights=True
        )
    history = TrainingHistory(max_epochs=epochs)
    _run_epochs(
        model,
        train_pair,
        validation_data,
        rng if shuffle else None,
        epochs,
        batch_size,
        stopper,
        history,
        verbose,
    )
    history.record(stopper)
    _log_fit(history)
    return history


def assert_converged(*histories, what="the model"):
    """Raise unless every history's early stopping fired before its epoch cap.

    The check a lesson makes before it judges a model: a fit cut off by the
    cap might still have improved, so comparing it with anything says little.

    Parameters
    ----------
    *histories : TrainingHistory
        As :func:`train` returns them.
    what : str, default "the model"
        Named in the message.

    Raises
    ------
    AssertionError
        Naming how many fits hit the cap and what to change.
    TypeError
        If an argument is not a :class:`TrainingHistory`.

    Examples
    --------
    >>> from helpers.models import build_forecaster
    >>> X, y = np.zeros((8, 5, 1)), np.zeros((8, 1))
    >>> capped = train(build_forecaster(5, units=2), X, y, validation_data=(X, y),
    ...                epochs=1, seed=0)
    >>> assert_converged(capped, what="the tiny LSTM")
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 1 fits of the tiny LSTM stopped at the epoch cap (1 epochs) before \
early stopping fired: raise epochs (or the learning rate) until it fires
    """
    for history in histories:
        if not isinstance(history, TrainingHistory):
            raise TypeError(
                "assert_converged takes what helpers.training.train returns, got "
                f"{type(history).__name__}"
            )
    capped = [h for h in histories if not h.converged]
    if capped:
        caps = sorted({h.max_epochs for h in capped})
        raise AssertionError(
            f"{len(capped)} of {len(histories)} fits of {what} stopped at the epoch cap "
            f"({', '.join(map(str, caps))} epochs) before early stopping fired: raise "
            "epochs (or the learning rate) until it fires"
        )


# --------------------------------------------------------------------------- checks


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


def _check_validation(validation_data, model):
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        length = f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else ""
        raise ValueError(
            "validation_data must be a tuple (X_val, y_val), got "
            f"{type(validation_data).__name__}{length}"
        )
    X_val = check_windows("X_val (validation_data[0])", validation_data[0], model)
    y_val = _check_targets("y_val (validation_data[1])", validation_data[1], len(X_val), model)
    return X_val, y_val


def _order_generator(seed):
    """The generator of each epoch's order; None draws its seed from NumPy's global state."""
    if seed is None:
        seed = int(np.random.randint(2**31 - 1))  # noqa: NPY002  (what set_seed seeds)
    return _checks.rng(seed)


# --------------------------------------------------------------------------- the loop

# Per model: the objects its steps were traced with, and the traced steps. Weak keys, so
# the cache never keeps a model alive; nothing is stored on the model itself.
_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _traced_steps(model, train_pair):
    """``model.train_step`` and ``model.test_step`` as tf.functions for batches like ``train_pair``.

    Traced once per model and traced again when the model was compiled again:
    ``compile`` makes a new loss tracker every time (it is the first of
    ``model.metrics``), and a new optimizer when given one.
    """
    spec = tuple(tf.TensorSpec((None, *part.shape[1:]), part.dtype) for part in train_pair)
    parts = (model.optimizer, *model.metrics)
    settings = (model.run_eagerly, model.jit_compile, spec)
    cached = _STEPS.get(model)
    if cached is not None:
        refs, cached_settings, steps = cached
        if cached_settings == settings and len(refs) == len(parts):
            if all(ref() is part for ref, part in zip(refs, parts, strict=True)):
                return steps
    # Create every variable before tracing: a tf.function that creates variables on its
    # first call is traced twice, and tracing is what a new model's first fit pays most for.
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    # The compiled loss and metrics build their variables on first use. Feed them one row
    # and a zero forecast, without calling the model: a call would draw dropout masks and
    # so move the model's random streams.
    x, y = (part[:1] for part in train_pair)
    y_pred = np.zeros((1, *model.output_shape[1:]), dtype=y.dtype)
    model.compute_loss(x, y, y_pred)
    model.compute_metrics(x, y, y_pred, sample_weight=None)
    # The steps reach the model through a weak reference: the cache must not keep it alive.
    ref = weakref.ref(model)

    def _per_model_train_step(batch):
        return ref().train_step(batch)

    def _per_model_test_step(batch):
        return ref().test_step(batch)

    def _per_model_reset_metrics():
        ref().reset_metrics()

    steps = _per_model_train_step, _per_model_test_step
    if not model.run_eagerly:
        steps = tuple(  # autograph off, as Keras traces its own step functions
            tf.function(
                step, input_signature=[spec], jit_compile=model.jit_compile, autograph=False
            )
            for step in steps
        )
    steps += (
        tf.function(_per_model_reset_metrics, autograph=False),
    )  # one call, not one per variable
    _STEPS[model] = (tuple(weakref.ref(part) for part in parts), settings, steps)
    return steps


def _run_epochs(
    model, train_pair, validation_data, rng, epochs, batch_size, stopper, history, verbose
):
    X, y = train_pair
    n = len(X)
    train_step, test_step, reset_metrics = _traced_steps(model, train_pair)
    validation_batches = []
    if validation_data is not None:
        X_val, y_val = validation_data
        validation_batches = [
            (tf.constant(X_val[i : i + batch_size]), tf.constant(y_val[i : i + batch_size]))
            for i in range(0, len(X_val), batch_size)
        ]
    callbacks = keras.callbacks.CallbackList(
        [callback for callback in (stopper, history) if callback is not None],
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=-(-n // batch_size),
    )
    callbacks.on_train_begin()
    logs = None
    for epoch in range(epochs):
        reset_metrics()
        callbacks.on_epoch_begin(epoch)
        order = np.arange(n) if rng is None else rng.permutation(n)
        for batch, start in enumerate(range(0, n, batch_size)):
            rows = order[start : start + batch_size]
            step_logs = train_step((tf.constant(X[rows]), tf.constant(y[rows])))
            if verbose:
                callbacks.on_train_batch_end(batch, _floats(step_logs))
        logs = _floats(step_logs)
        if validation_batches:
            reset_metrics()
            for validation_batch in validation_batches:
                step_logs = test_step(validation_batch)
            logs.update({f"val_{name}": value for name, value in _floats(step_logs).items()})
        callbacks.on_epoch_end(epoch, logs)
        if stopper is not None and stopper.stopped_epoch > 0:  # early stopping fired
            break
    model.optimizer.finalize_variable_values(model.trainable_variables)
    callbacks.on_train_end(logs=logs)


def _floats(step_logs):
    return {name: float(value) for name, value in step_logs.items()}


def _log_fit(history):
    """Append one JSON line about this fit to the file ``$HELPERS_FIT_LOG`` names, if any."""
    path = os.environ.get(FIT_LOG_VARIABLE)
    if not path:
        return
    record = {
        "epochs_run": history.epochs_run,
        "max_epochs": history.max_epochs,
        "best_epoch": history.best_epoch,
        "converged": history.converged,
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
