"""An LSTM forecaster with additive attention over its time steps (lesson 08).

:class:`TemporalAttention` scores each hidden state of the LSTM's output sequence,
turns the scores into weights with a softmax over time and returns the weighted mean
of the states; :func:`build_attention_forecaster` puts it between an LSTM and the
``Dense`` head; :func:`attention_weights` reads the weights of every window.
Re-exported by :mod:`helpers.models`.
"""

from __future__ import annotations

import numpy as np

from helpers import _checks
from helpers._keras import (  # TensorFlow imported quietly first
    check_dtype,
    check_model,
    check_windows,
    input_dtype,
    keras,
)

__all__ = ["TemporalAttention", "build_attention_forecaster", "attention_weights"]


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
    like :func:`helpers.models.build_forecaster`: Adam, mean squared error, metric mean
    absolute error. :func:`helpers.models.recurrent_layers` and
    :func:`helpers.models.head` find its LSTM and its head; :func:`attention_weights`
    returns :math:`\\alpha` per window.

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
    dtype = check_dtype(dtype)
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
    >>> from helpers.models import build_forecaster
    >>> attention_weights(build_forecaster(6, 2, units=3), np.zeros((4, 6, 2)))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: model must have exactly one TemporalAttention layer, it has no attention layer: ...
    """
    check_model(model)
    layer = _attention_layer(model)
    X = check_windows("X", X, model)
    states = keras.Model(model.inputs[0], layer.input)  # window -> (batch, window, units)
    h = states(X.astype(input_dtype(model)), training=False)
    return keras.ops.convert_to_numpy(layer.attention(h)).astype(np.float64)
