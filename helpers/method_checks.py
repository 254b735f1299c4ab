"""Checks of an explanation method itself: does it depend on the weights, and what does it cost?

- :func:`randomize_weights`: the same architecture with fresh or shuffled weights,
  for the model-randomisation sanity check (Adebayo et al., 2018): an explanation
  that does not change when the weights are scrambled explains nothing.
- :func:`count_passes`: how many windows a method sends through the model's forward
  and backward passes, measured by counting them (:class:`PassCount`).
- :func:`best_seconds`: what a method costs in wall-clock time, the best of a few
  repeated calls (the steady cost, once its functions are traced).

Both work on any method of :mod:`helpers.sensitivity` or :mod:`helpers.explainers`
and are re-exported by :mod:`helpers.sensitivity`, where lessons 05 and 08 call them.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from helpers import _checks
from helpers._keras import check_window_model, input_dtype, keras, tf

__all__ = ["randomize_weights", "PassCount", "count_passes", "best_seconds"]


# --------------------------------------------------------------------------- randomisation


def randomize_weights(model, *, method="reinitialize", seed=0, layers=None):
    """A copy of ``model`` with the same architecture and randomised weights.

    The model-randomisation sanity check (Adebayo et al., 2018): an explanation
    that hardly changes when the trained weights are replaced by random ones
    describes the architecture or the input, not what the model learned.

    Parameters
    ----------
    model : keras.Model
        Left unchanged.
    method : {"reinitialize", "shuffle"}, default "reinitialize"
        ``"reinitialize"``: fresh weights from each layer's own initialisers,
        seeded; ``"shuffle"``: each weight tensor's trained values permuted at
        random (same values, same distribution, structure destroyed).
    seed : int, default 0
        Same seed, same weights.
    layers : sequence of str, optional
        Names of the layers to randomise; the others keep the trained weights
        (for the cascading version of the check). None randomises all.

    Returns
    -------
    keras.Model
        A new, uncompiled model with the same layers and input/output shapes.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``seed`` is not an integer.
    ValueError
        If ``method`` is unknown, ``seed`` is negative, or ``layers`` names a layer
        the model lacks.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2),
    ...                           keras.layers.Dense(1)])
    >>> fresh = randomize_weights(model, seed=1)
    >>> fresh.input_shape == model.input_shape, fresh.count_params() == model.count_params()
    (True, True)
    >>> bool(np.array_equal(randomize_weights(model, seed=1).get_weights()[0],
    ...                     fresh.get_weights()[0]))
    True
    """
    check_window_model(model)
    if method not in ("reinitialize", "shuffle"):
        raise ValueError(f"method must be 'reinitialize' or 'shuffle', got {method!r}")
    seed = _checks.seed(seed)
    names = [layer.name for layer in model.layers]
    if layers is None:
        chosen = set(names)
    else:
        if isinstance(layers, str) or not isinstance(layers, Sequence):
            raise TypeError(f"layers must be a list of layer names, got {type(layers).__name__}")
        unknown = [name for name in layers if name not in names]
        if unknown:
            raise ValueError(f"layers must name layers of the model {names}, got {unknown}")
        chosen = set(layers)

    counter = iter(range(10**6))

    def seeded_clone(layer):
        config = layer.get_config()
        if method == "reinitialize":
            for key, spec in config.items():
                if key.endswith("_initializer") and isinstance(spec, dict):
                    inner = dict(spec.get("config") or {})
                    if "seed" in inner:
                        inner["seed"] = int(seed) * 1000 + next(counter)
                        config[key] = {**spec, "config": inner}
        return layer.__class__.from_config(config)

    clone = keras.models.clone_model(model, clone_function=seeded_clone)
    rng = np.random.default_rng(int(seed))
    for old, new in zip(model.layers, clone.layers, strict=True):
        weights = old.get_weights()
        if old.name in chosen and method == "shuffle":
            weights = [rng.permutation(w.ravel()).reshape(w.shape) for w in weights]
        if old.name not in chosen or method == "shuffle":
            new.set_weights(weights)
    return clone


# --------------------------------------------------------------------------- cost


@dataclasses.dataclass(frozen=True)
class PassCount:
    """Windows a method sent through a model, as counted by :func:`count_passes`.

    Attributes
    ----------
    forward : int
        Windows through a forward pass (summed over all calls of the model).
    backward : int
        Windows whose input gradient was computed (a backward pass through the model).
    calls : int
        Forward calls of the model; each call takes a batch of windows.
    """

    forward: int
    backward: int
    calls: int


class _PassCounter(keras.layers.Layer):
    """Identity layer that counts the windows going forward and the gradients coming back.

    ``counts`` holds (forward windows, backward windows, forward calls). The updates
    are TensorFlow variable assignments, so they happen in eager mode and inside a
    traced ``tf.function`` alike; the backward count is made by the identity's own
    gradient, which TensorFlow runs once per backward pass through it.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.counts = tf.Variable(tf.zeros(3, tf.int64), trainable=False)

    def call(self, x):
        counts = self.counts
        n = tf.cast(tf.shape(x)[0], tf.int64)
        zero, one = tf.constant(0, tf.int64), tf.constant(1, tf.int64)
        counts.assign_add(tf.stack([n, zero, one]))

        @tf.custom_gradient
        def identity(value):
            def gradient(upstream):
                counts.assign_add(tf.stack([zero, tf.cast(tf.shape(upstream)[0], tf.int64), zero]))
                return tf.identity(upstream)

            return tf.identity(value), gradient

        return identity(x)


def count_passes(method, model, x, **kwargs):
    """Count the windows ``method(model, x, **kwargs)`` sends forward and backward.

    The model is wrapped, not changed: an identity layer in front of it adds each
    call's batch size to a forward counter and, when a gradient with respect to the
    input flows back through it, that gradient's batch size to a backward counter.
    The wrapped model computes exactly what ``model`` computes, so ``method`` runs
    as usual; its result is discarded. The counts are of windows, not of calls, so
    they do not depend on how a method splits its work into batches (``calls`` does).

    Parameters
    ----------
    method : callable
        ``method(model, x, **kwargs)``, e.g. :func:`helpers.sensitivity.saliency` or
        :func:`helpers.sensitivity.integrated_gradients`.
    model : keras.Model
        Input ``(batch, timesteps, features)``. Left unchanged.
    x : array-like, shape (n_samples, n_timesteps, n_features)
    **kwargs
        Passed on to ``method``.

    Returns
    -------
    PassCount
        ``forward`` and ``backward`` windows and forward ``calls``.

    Raises
    ------
    TypeError
        If ``method`` is not callable or ``model`` is not a Keras model.
    ValueError
        If ``model`` has no known 3-D input shape.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2),
    ...                           keras.layers.Dense(1)])
    >>> from helpers.sensitivity import (integrated_gradients, perturbation_sensitivity,
    ...                                  saliency)
    >>> x = np.zeros((5, 3, 2))
    >>> count_passes(saliency, model, x)
    PassCount(forward=5, backward=5, calls=1)
    >>> count_passes(integrated_gradients, model, x, steps=4)  # (4 + 1) * 5 windows
    PassCount(forward=25, backward=25, calls=1)
    >>> count_passes(perturbation_sensitivity, model, x, unit="feature")  # (1 + 2) * 5
    PassCount(forward=15, backward=0, calls=2)
    """
    if not isinstance(method, Callable):
        raise TypeError(f"method must be callable, got {type(method).__name__} {method!r}")
    check_window_model(model)
    inputs = keras.Input(shape=model.input_shape[1:], dtype=input_dtype(model))
    counter = _PassCounter(dtype=input_dtype(model))
    wrapped = keras.Model(inputs, model(counter(inputs)))
    method(wrapped, x, **kwargs)
    forward, backward, calls = (int(v) for v in counter.counts.numpy())
    return PassCount(forward=forward, backward=backward, calls=calls)


# --------------------------------------------------------------------------- time


def best_seconds(method, *args, repeats=3, **kwargs):
    """The shortest wall-clock time of ``repeats`` calls of ``method(*args, **kwargs)``.

    The best of a few calls is the usual estimate of what a computation costs
    (Python's ``timeit`` reports it too): slower calls were slowed by something else
    on the machine. Call the method once before timing it, so that tracing its
    TensorFlow functions is not counted. The result is discarded.

    Parameters
    ----------
    method : callable
    *args, **kwargs
        Passed on to ``method``.
    repeats : int, default 3
        Calls timed, at least 1.

    Returns
    -------
    float
        Seconds.

    Raises
    ------
    TypeError
        If ``method`` is not callable or ``repeats`` not an integer.
    ValueError
        If ``repeats`` is below 1.

    Examples
    --------
    >>> best_seconds(time.sleep, 0.01, repeats=2) >= 0.01
    True
    """
    if not isinstance(method, Callable):
        raise TypeError(f"method must be callable, got {type(method).__name__} {method!r}")
    repeats = _checks.integer(repeats, "repeats")
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        method(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best
