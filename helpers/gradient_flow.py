r"""How far back a gradient reaches through a recurrent layer, measured.

Lesson 01 measures vanishing and exploding gradients with these:

- :func:`input_gradient_norms`: :math:`\lVert \partial h_T / \partial x_{T-k} \rVert` of a
  Keras recurrent layer for every :math:`k`, in one backward pass (TensorFlow);
- :func:`with_recurrent_scale`: a copy of a layer whose recurrent kernel :math:`U` is
  multiplied by a number, the rest unchanged;
- :func:`memory_decay`: how much of an LSTM's cell state reaches the cell state
  :math:`k` steps later, by every path and by the forget gates alone, averaged
  over end points (NumPy, through :func:`helpers.lstm_numpy.memory_jacobian`);
- :func:`geometric_fit`: the factor per step of a straight line through the
  logarithm of a curve, and how far the curve strays from it;
- :func:`half_life`: after how many steps half is left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from helpers import _checks
from helpers import lstm_numpy as ln
from helpers._keras import keras, tf  # TensorFlow imported quietly first

__all__ = [
    "input_gradient_norms",
    "with_recurrent_scale",
    "MemoryDecay",
    "memory_decay",
    "GeometricFit",
    "geometric_fit",
    "half_life",
]


def _sequence(values, name="sequence"):
    """One sequence as a float array ``(timesteps, n_features)``; ``(timesteps,)``: one feature."""
    array = _checks.finite_array(values, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be one sequence, (timesteps,) or (timesteps, n_features), "
            f"got shape {array.shape}"
        )
    return array


def _recurrent_layer(layer):
    """A built Keras recurrent layer with weights ``[kernel, recurrent_kernel, bias]``."""
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError(
            "layer must be a Keras recurrent layer such as keras.layers.LSTM(16), "
            f"got {type(layer).__name__}"
        )
    if not layer.built:
        raise ValueError(
            f"layer must be built first, e.g. layer.build((None, timesteps, n_features)), "
            f"got an unbuilt {type(layer).__name__}"
        )
    return layer


# --------------------------------------------------------------------------- Keras layers


def input_gradient_norms(layer, sequence):
    r"""The size of :math:`\partial h_T / \partial x_{T-k}` for every :math:`k`, by a GradientTape.

    ``units`` identical copies of the sequence go through the layer as one batch;
    copy ``j`` contributes its unit ``j`` of :math:`h_T` to the sum that is
    differentiated, so the gradient of copy ``j`` is row ``j`` of the Jacobian
    :math:`\partial h_T / \partial x_t`, and one backward pass gives all of it.

    Parameters
    ----------
    layer : keras.layers.Layer
        A built recurrent layer (``LSTM``, ``GRU``, ``SimpleRNN``) that returns
        only its last output ``(batch, units)`` (the default ``return_sequences=False``).
    sequence : array-like, shape (timesteps,) or (timesteps, n_features)

    Returns
    -------
    ndarray, shape (timesteps,)
        Entry ``k`` is the Frobenius norm of :math:`\partial h_T / \partial x_{T-k}`
        (``units`` by ``n_features``), for ``k = 0, ..., timesteps - 1``.

    Raises
    ------
    TypeError
        If ``layer`` is not a Keras recurrent layer.
    ValueError
        If ``layer`` is not built or returns more than its last output, or the
        sequence is not one finite sequence.

    Examples
    --------
    A plain RNN with a zero recurrent kernel forgets everything at once: only
    the last input reaches :math:`h_T`.

    >>> rnn = keras.layers.SimpleRNN(3)
    >>> rnn.build((None, 5, 1))
    >>> W, U, b = rnn.get_weights()
    >>> rnn.set_weights([W, 0 * U, b])
    >>> norms = input_gradient_norms(rnn, np.linspace(-1, 1, 5))
    >>> norms.shape, bool(norms[0] > 0), bool(np.all(norms[1:] == 0))
    ((5,), True, True)
    """
    layer = _recurrent_layer(layer)
    x = _sequence(sequence)
    units = layer.units
    if layer.return_sequences or layer.return_state:
        raise ValueError(
            "layer must return only its last output (batch, units): build it with "
            "return_sequences=False and return_state=False"
        )
    copies = tf.constant(np.repeat(x[None], units, axis=0), dtype=layer.compute_dtype)
    with tf.GradientTape() as tape:
        tape.watch(copies)
        h_last = layer(copies)  # (units, units): every row saw the same sequence
        picked = tf.reduce_sum(tf.linalg.diag_part(h_last))  # copy j contributes h_T[j]
    rows = tape.gradient(picked, copies).numpy()  # (units, timesteps, n_features)
    return np.linalg.norm(rows.astype(np.float64), axis=(0, 2))[::-1].copy()


def with_recurrent_scale(layer, scale):
    """A new layer like ``layer`` whose recurrent kernel is multiplied by ``scale``.

    The same class and configuration, the same input kernel and bias: only
    :math:`U` changes, so its spectral norm is ``scale`` times the original's.

    Parameters
    ----------
    layer : keras.layers.Layer
        A built recurrent layer whose weights are ``[kernel, recurrent_kernel, bias]``.
    scale : float

    Returns
    -------
    keras.layers.Layer
        Built, with weights ``[kernel, scale * recurrent_kernel, bias]``.

    Examples
    --------
    >>> lstm = keras.layers.LSTM(4)
    >>> lstm.build((None, 10, 2))
    >>> doubled = with_recurrent_scale(lstm, 2.0)
    >>> U, U2 = lstm.get_weights()[1], doubled.get_weights()[1]
    >>> bool(np.allclose(U2, 2 * U))
    True
    >>> float(np.linalg.norm(U2, 2) / np.linalg.norm(U, 2))  # doctest: +NUMBER
    2.0
    """
    layer = _recurrent_layer(layer)
    scale = _checks.real(scale, "scale")
    weights = layer.get_weights()
    if len(weights) != 3:
        raise ValueError(
            "layer must hold three weight arrays [kernel, recurrent_kernel, bias], "
            f"got {len(weights)}"
        )
    kernel, recurrent_kernel, bias = weights
    copy = layer.__class__.from_config(layer.get_config())
    copy.build((None, None, kernel.shape[0]))
    copy.set_weights([kernel, scale * recurrent_kernel, bias])
    return copy


# --------------------------------------------------------------------------- the LSTM's memory


@dataclass(frozen=True)
class MemoryDecay:
    r"""How much of an LSTM's cell state reaches the cell state :math:`k` steps later.

    Each curve is the root-mean-square gain :math:`\lVert J_k \rVert_F / \sqrt{\text{units}}`
    of a Jacobian :math:`J_k = \partial c_T / \partial c_{T-k}`, averaged over the end
    points ``ends``: by how much a random nudge of :math:`c_{T-k}` is scaled, on
    average, by the time it reaches :math:`c_T`. Entry 0 is 1 (the identity).

    Attributes
    ----------
    k : ndarray, shape (max_k + 1,)
        Steps back, 0 to ``max_k``.
    full : ndarray, shape (max_k + 1,)
        Every path (:attr:`helpers.lstm_numpy.MemoryJacobian.full`).
    direct : ndarray, shape (max_k + 1,)
        The forget gates alone: the root mean square over units of
        :math:`f_{T-k+1} \cdots f_T`.
    mean_forget : float
        The forget gate's mean over units and over the steps from ``skip`` on.
    ends : ndarray of int
        The end points :math:`T` averaged over (indices into the sequence).
    """

    k: np.ndarray
    full: np.ndarray
    direct: np.ndarray
    mean_forget: float
    ends: np.ndarray


def memory_decay(sequence, kernel, recurrent_kernel, bias, *, max_k=30, skip=30, every=5):
    r"""How fast an LSTM's cell state fades along a sequence, by every path and by the forget gates.

    The LSTM runs once over the sequence from a zero state. For each end point
    :math:`T` and each :math:`k \le` ``max_k``, :func:`helpers.lstm_numpy.memory_jacobian`
    restarts it from the state it had at step :math:`T - k` and gives
    :math:`\partial c_T / \partial c_{T-k}` (with :math:`h_{T-k}` held fixed) and the
    direct path :math:`\prod \operatorname{diag}(f_t)`. End points start where every
    start state lies at least ``skip`` steps into the sequence, past the start-up
    from the zero state, and follow every ``every`` steps.

    Parameters
    ----------
    sequence : array-like, shape (timesteps,) or (timesteps, n_features)
    kernel, recurrent_kernel, bias
        The LSTM's weights in Keras's layout (see :mod:`helpers.lstm_numpy`).
    max_k : int, default 30
        The furthest step back.
    skip : int, default 30
        Steps of start-up left out.
    every : int, default 5
        Steps between end points.

    Returns
    -------
    MemoryDecay

    Raises
    ------
    ValueError
        If the sequence holds no end point (fewer than ``skip + max_k + 1`` steps),
        or as :func:`helpers.lstm_numpy.lstm_forward`.
    TypeError
        If an argument is not numeric.

    Examples
    --------
    With a zero recurrent kernel and a forget-gate bias of 50 (input gate shut
    by -50) every gate is saturated: the cell keeps its state, all of it, by the
    memory path alone.

    >>> W, U = np.zeros((1, 8)), np.zeros((2, 8))
    >>> b = np.array([-50.0, -50.0, 50.0, 50.0, 0.0, 0.0, 0.0, 0.0])
    >>> decay = memory_decay(np.sin(np.arange(40.0)), W, U, b, max_k=5, skip=10)
    >>> decay.k, decay.full.round(12), decay.direct.round(12)
    (array([0, 1, 2, 3, 4, 5]), array([1., 1., 1., 1., 1., 1.]), array([1., 1., 1., 1., 1., 1.]))
    """
    x = _sequence(sequence)
    max_k = _checks.integer(max_k, "max_k")
    skip = _checks.integer(skip, "skip", minimum=0)
    every = _checks.integer(every, "every")
    ends = np.arange(skip + max_k, len(x), every)
    if ends.size == 0:
        raise ValueError(
            f"sequence must hold more than skip + max_k = {skip + max_k} steps to give one "
            f"end point, got {len(x)}: lower max_k or skip, or pass a longer sequence"
        )
    outputs, _, _, gates = ln.lstm_forward(
        x[None], kernel, recurrent_kernel, bias, return_gates=True
    )  # outputs (1, timesteps, units); gates.c (1, timesteps, units)
    h, c = outputs[0], gates.c[0]  # (timesteps, units): the state after each step
    units = h.shape[1]
    full, direct = np.ones(max_k + 1), np.ones(max_k + 1)
    for k in range(1, max_k + 1):
        gains = np.empty((len(ends), 2))
        for row, end in enumerate(ends):
            start = end - k  # the state after step `start` is the one nudged
            jac = ln.memory_jacobian(
                x[None, start + 1 : end + 1],
                kernel,
                recurrent_kernel,
                bias,
                h0=h[None, start],
                c0=c[None, start],
            )
            gains[row] = np.linalg.norm(jac.full), np.linalg.norm(jac.direct)
        full[k], direct[k] = gains.mean(axis=0) / math.sqrt(units)
    return MemoryDecay(
        k=np.arange(max_k + 1),
        full=full,
        direct=direct,
        mean_forget=float(gates.f[0, skip:].mean()),
        ends=ends,
    )


# --------------------------------------------------------------------------- reading a curve


@dataclass(frozen=True)
class GeometricFit:
    """A straight line through ``log(norms[k])`` over ``first <= k <= last``.

    The fitted curve is ``scale * factor**k``.

    Attributes
    ----------
    scale : float
        The fitted value at ``k = 0``.
    factor : float
        The factor per step: the curve is multiplied by about ``factor`` each step
        back (below 1 it fades, above 1 it grows).
    first, last : int
        The range of ``k`` fitted.
    spread : float
        The largest factor (at least 1) by which the curve strays from the line
        inside that range: near 1, one factor per step describes the curve there.
    r_squared : float
        The share of the variance of ``log(norms[k])`` in the range that the line
        explains: 1 for an exact geometric curve (a flat one included), near 0 for
        one the line misses.
    """

    scale: float
    factor: float
    first: int
    last: int
    spread: float
    r_squared: float


def geometric_fit(norms, *, first=1, last=None):
    """Fit ``norms[k] = a * factor**k`` by least squares on the logarithm, over a range of ``k``.

    Parameters
    ----------
    norms : array-like, shape (n,)
        Positive values indexed by ``k = 0, 1, ...`` (e.g. :func:`input_gradient_norms`).
    first : int, default 1
        First ``k`` of the fit.
    last : int, optional
        Last ``k`` of the fit (included); None is the last entry.

    Returns
    -------
    GeometricFit

    Raises
    ------
    ValueError
        If a value in the range is not positive and finite, or the range does
        not hold two points inside ``norms``.

    Examples
    --------
    >>> fit = geometric_fit(3 * 0.5 ** np.arange(10.0))
    >>> round(fit.scale, 12), round(fit.factor, 12), fit.first, fit.last
    (3.0, 0.5, 1, 9)
    >>> round(fit.spread, 12), round(fit.r_squared, 12)
    (1.0, 1.0)
    """
    norms = _checks.finite_array(norms, "norms")
    if norms.ndim != 1:
        raise ValueError(f"norms must be 1-D, indexed by k, got shape {norms.shape}")
    first = _checks.integer(first, "first", minimum=0)
    last = len(norms) - 1 if last is None else _checks.integer(last, "last", minimum=0)
    if not first < last < len(norms):
        raise ValueError(
            f"first and last must satisfy first < last < len(norms) = {len(norms)}, "
            f"got first={first}, last={last}"
        )
    k = np.arange(first, last + 1)
    part = norms[first : last + 1]
    if np.any(part <= 0):
        raise ValueError(f"norms must be positive from k = {first} to {last}, got {part.min()}")
    log_part = np.log(part)
    slope, intercept = np.polyfit(k, log_part, 1)
    residuals = log_part - (intercept + slope * k)
    total = np.sum((log_part - log_part.mean()) ** 2)
    return GeometricFit(
        scale=float(np.exp(intercept)),
        factor=float(np.exp(slope)),
        first=first,
        last=last,
        spread=float(np.exp(np.abs(residuals).max())),
        r_squared=float(1 - np.sum(residuals**2) / total) if total > 0 else 1.0,
    )


def half_life(kept):
    """After how many steps half is left: where ``kept`` first falls below 1/2.

    Between the two whole steps around the crossing, the logarithm of ``kept``
    is interpolated linearly (exact for a geometric decay).

    Parameters
    ----------
    kept : array-like, shape (n,)
        The share left after ``k = 0, 1, ...`` steps, positive, at least 1/2 at ``k = 0``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``kept`` never falls below 1/2, starts below it, or is not positive.

    Examples
    --------
    A geometric decay by 0.75 per step halves after log(1/2) / log(0.75) steps:

    >>> round(half_life(0.75 ** np.arange(10.0)), 6), round(float(np.log(0.5) / np.log(0.75)), 6)
    (2.409421, 2.409421)
    """
    kept = _checks.finite_array(kept, "kept")
    if kept.ndim != 1 or np.any(kept <= 0):
        raise ValueError("kept must be a 1-D array of positive shares, indexed by k")
    if kept[0] < 0.5:
        raise ValueError(f"kept must start at 1/2 or above (k = 0), got {kept[0]:.3g}")
    below = np.flatnonzero(kept < 0.5)
    if below.size == 0:
        raise ValueError(
            f"kept never falls below 1/2 in its {len(kept)} entries (lowest {kept.min():.3g}): "
            "measure further back"
        )
    k = int(below[0])
    return (k - 1) + math.log(kept[k - 1] / 0.5) / math.log(kept[k - 1] / kept[k])
