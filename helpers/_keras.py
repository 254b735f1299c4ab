"""What every TensorFlow module of the package shares, on public Keras and TensorFlow API only.

- :func:`check_model`, :func:`input_dtype`, :func:`check_windows`: the one check
  of a model argument and of the windows that go into it;
- :func:`compiled`: one ``tf.function`` per (model, key), traced once and kept
  while the model lives, in a module-level ``weakref.WeakKeyDictionary`` (nothing
  is written onto the model);
- the log filter that keeps TensorFlow's "tf.function retracing" warning quiet
  about those per-model functions, defined once.

TensorFlow is imported through :func:`helpers._tf.import_tensorflow` so that its
start-up log lines stay out of notebook outputs.
"""

from __future__ import annotations

import logging
import weakref

import numpy as np

from helpers import _checks
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402  (after TensorFlow, which must be imported quietly first)

__all__ = [
    "keras",
    "tf",
    "check_model",
    "check_window_model",
    "input_dtype",
    "check_windows",
    "check_dtype",
    "n_outputs",
    "check_output_index",
    "compiled",
    "output_function",
    "PER_MODEL_PREFIX",
]

#: Functions traced per model start with this name, so the log filter below recognises them.
PER_MODEL_PREFIX = "_per_model_"


def check_model(model, name="model"):
    """Refuse anything but a ``keras.Model`` built with a known input shape."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(model).__name__}")
    try:
        model.input_shape  # noqa: B018  (a model built without an Input has no shape yet)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"{name} must be built with a known input shape, e.g. with keras.Input(...)"
        ) from error


def check_window_model(model):
    """A model taking one input of windows ``(batch, timesteps, features)``."""
    check_model(model)  # a built keras.Model with a known input shape
    shape = model.input_shape
    if not (isinstance(shape, tuple) and len(shape) == 3):
        raise ValueError(
            "model must take one input of shape (batch, timesteps, features), "
            f"got input shape {shape}"
        )


def input_dtype(model):
    """The dtype name the model's input expects (Keras's float type when it does not say)."""
    inputs = getattr(model, "inputs", None)
    return keras.backend.standardize_dtype(inputs[0].dtype if inputs else keras.backend.floatx())


def check_windows(name, X, model):
    """Return ``X`` as a float array shaped ``(n, window, n_features)`` the model accepts."""
    _, window, n_features = model.input_shape
    return _checks.windows(X, name, timesteps=window, features=n_features)


def check_dtype(dtype):
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


def n_outputs(model):
    shape = model.output_shape
    if not isinstance(shape, tuple):
        raise ValueError(f"model must have a single output, got output shape {shape}")
    return int(np.prod(shape[1:], dtype=int)) if len(shape) > 1 else 1


def check_output_index(model, output_index):
    output_index = _checks.integer(output_index, "output_index", minimum=None)
    k = n_outputs(model)
    if not -k <= output_index < k:
        raise ValueError(
            f"output_index must be in [0, {k - 1}] for a model with {k} output(s) per "
            f"window (or -{k}..-1 counting from the end), got {output_index}"
        )
    return output_index % k


# One dict of traced functions per model, dropped with the model (weak keys).
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled(model, key, make):
    """The function ``make()`` returned for ``(model, key)``, made on the first call only.

    ``make`` builds a ``tf.function``; keeping it per model means each model traces
    once however often a lesson calls the same helper. Functions that should reach
    the model must hold it through ``weakref.ref(model)``, so the cache never keeps a
    model alive. Name them ``PER_MODEL_PREFIX + ...`` so the retracing warning that
    TensorFlow prints when many models each trace their own copy stays quiet.
    """
    per_model = _COMPILED.setdefault(model, {})
    if key not in per_model:
        per_model[key] = make()
    return per_model[key]


def output_function(model, index, *, gradient=False):
    """``x -> f_index(x)`` (or ``x -> (f_index(x), d f_index / dx)``) as a tf.function, per model.

    ``x`` is a batch of windows ``(batch, timesteps, features)`` in the model's input
    dtype; ``f_index`` is output ``index`` of the flattened output ``(batch,)``,
    computed with ``training=False``. Traced once per model, index and kind, and kept
    by :func:`compiled`; the function reaches the model through a weak reference.
    """

    def make():
        ref = weakref.ref(model)
        _, timesteps, features = model.input_shape
        spec = tf.TensorSpec((None, timesteps, features), input_dtype(model))

        def _per_model_output(x):
            y = ref()(x, training=False)  # (batch, ...)
            return tf.reshape(y, (tf.shape(y)[0], -1))[:, index]  # (batch,)

        if not gradient:
            return tf.function(_per_model_output, input_signature=[spec])

        def _per_model_gradient(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = _per_model_output(x)  # (batch,)
            return y, tape.gradient(y, x)  # (batch,), (batch, timesteps, features)

        return tf.function(_per_model_gradient, input_signature=[spec])

    return compiled(model, ("output", index, gradient), make)


class _PerModelRetracingFilter(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning about per-model functions.

    TensorFlow counts traces per Python function body, so explaining or training five
    models in a row looks to it like a retracing loop. Each of those models has its own
    function, traced once and cached (:func:`compiled`); the warning is wrong about
    them. shap's ``grad_graph`` is the same case (one per explainer). Every other
    function keeps the warning.
    """

    def filter(self, record):
        message = record.getMessage()
        return not (
            "tf.function retracing" in message
            and (PER_MODEL_PREFIX in message or "grad_graph" in message)
        )


logging.getLogger("tensorflow").addFilter(_PerModelRetracingFilter())
