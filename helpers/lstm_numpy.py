r"""An LSTM layer in NumPy, weight for weight the same as ``keras.layers.LSTM``.

The weights use Keras's layout, so ``layer.get_weights()`` loads straight in:

- ``kernel``, shape ``(n_features, 4*units)``: the input weights :math:`W`;
- ``recurrent_kernel``, shape ``(units, 4*units)``: the recurrent weights :math:`U`;
- ``bias``, shape ``(4*units,)``: :math:`b`;

each holding four blocks of ``units`` columns in the gate order **i, f, c, o**
(input gate, forget gate, candidate cell value, output gate). One time step is

.. math::

    z_t &= x_t W + h_{t-1} U + b \\
    i_t &= \sigma(z_t^{(i)}), \quad f_t = \sigma(z_t^{(f)}), \quad
    \tilde c_t = \tanh(z_t^{(c)}), \quad o_t = \sigma(z_t^{(o)}) \\
    c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
    h_t &= o_t \odot \tanh(c_t)

with :math:`\sigma` the logistic sigmoid (Keras's default ``recurrent_activation``)
and :math:`\tilde c_t` the candidate cell value (``c_tilde`` in the code; some texts
write :math:`g_t`).

Functions
---------
lstm_cell
    The equations of one step, one line each (the code the others run).
lstm_step
    One time step from the raw input, checked.
lstm_forward
    A whole sequence; returns ``(outputs, h_last, c_last)`` like
    ``keras.layers.LSTM(units, return_sequences=True, return_state=True)``.
lstm_backward
    Backpropagation through time: gradients of a loss with respect to the
    inputs, the initial states and the three weight arrays.
memory_jacobian
    :math:`\partial c_T / \partial c_0` of one sequence: the full Jacobian and the
    direct memory path :math:`\prod_t \operatorname{diag}(f_t)` beside it.
lstm_param_count
    ``4 * (n_features*units + units**2 + units)``.

Everything is vectorised over the batch and computed in the input's floating
dtype (float32 stays float32, float64 stays float64). This module imports only
NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import _checks

__all__ = [
    "LSTMGates",
    "LSTMGradients",
    "sigmoid",
    "lstm_cell",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "MemoryJacobian",
    "memory_jacobian",
    "lstm_param_count",
]


@dataclass(frozen=True)
class LSTMGates:
    r"""Every gate's activation at every step of a sequence.

    All fields have shape ``(batch, timesteps, units)``.

    Attributes
    ----------
    i : ndarray
        Input gate :math:`i_t`, in (0, 1).
    f : ndarray
        Forget gate :math:`f_t`, in (0, 1).
    c_tilde : ndarray
        Candidate cell value :math:`\tilde c_t`, in (-1, 1). Also readable as ``g``,
        its name before the course settled on :math:`\tilde c_t`.
    o : ndarray
        Output gate :math:`o_t`, in (0, 1).
    c : ndarray
        Cell state :math:`c_t` after the step.
    """

    i: np.ndarray
    f: np.ndarray
    c_tilde: np.ndarray
    o: np.ndarray
    c: np.ndarray

    @property
    def g(self):
        r"""The candidate :math:`\tilde c_t` under its earlier name (the array ``c_tilde``)."""
        return self.c_tilde


@dataclass(frozen=True)
class LSTMGradients:
    """Gradients of a scalar loss with respect to an LSTM's inputs and weights.

    Each field has the shape of the array it is the gradient for.

    Attributes
    ----------
    x : ndarray, shape (batch, timesteps, n_features)
    h0 : ndarray, shape (batch, units)
    c0 : ndarray, shape (batch, units)
    kernel : ndarray, shape (n_features, 4*units)
    recurrent_kernel : ndarray, shape (units, 4*units)
    bias : ndarray, shape (4*units,)
    """

    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray


def sigmoid(z):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, without overflow warnings.

    For very negative ``z`` (below about -88 in float32, -709 in float64)
    :math:`e^{-z}` overflows to infinity and :math:`1 / (1 + \infty) = 0`, which
    is the correctly rounded answer, so the overflow warning is switched off.
    Tiny values keep their full relative precision. Keeps the dtype of ``z``.

    Parameters
    ----------
    z : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``z``

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- checks


def _float_dtype(*arrays):
    """The floating dtype shared by ``arrays`` (float64 for integer inputs)."""
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _as_numeric(name, value):
    return _checks.real_array(value, name)


def _check_weights(kernel, recurrent_kernel, bias, n_features):
    """Validate the three weight arrays against each other and return ``units``."""
    if kernel.ndim != 2 or kernel.shape[1] == 0 or kernel.shape[1] % 4 != 0:
        raise ValueError(
            f"kernel must be 2-D with shape (n_features, 4*units), got shape {kernel.shape}"
        )
    units = kernel.shape[1] // 4
    if kernel.shape[0] != n_features:
        raise ValueError(
            f"kernel must have shape (n_features, 4*units) = ({n_features}, {4 * units}) "
            f"to fit x with {n_features} features, got shape {kernel.shape}"
        )
    if recurrent_kernel.shape != (units, 4 * units):
        raise ValueError(
            f"recurrent_kernel must have shape (units, 4*units) = ({units}, {4 * units}) "
            f"to fit kernel of shape {kernel.shape}, got shape {recurrent_kernel.shape}"
        )
    if bias.shape != (4 * units,):
        raise ValueError(
            f"bias must have shape (4*units,) = ({4 * units},) to fit kernel of shape "
            f"{kernel.shape}, got shape {bias.shape}"
        )
    return units


def _check_lstm_args(x, kernel, recurrent_kernel, bias, h0, c0, *, state_names=("h0", "c0")):
    """Validate once at the public entry point; return arrays in one float dtype."""
    x = _checks.windows(x, "x", allow_empty=True, require_finite=False)
    kernel = _as_numeric("kernel", kernel)
    recurrent_kernel = _as_numeric("recurrent_kernel", recurrent_kernel)
    bias = _as_numeric("bias", bias)
    units = _check_weights(kernel, recurrent_kernel, bias, x.shape[2])
    batch = x.shape[0]
    states = {}
    for key, name, state in zip(("h0", "c0"), state_names, (h0, c0), strict=True):
        if state is None:
            states[key] = None
            continue
        state = _as_numeric(name, state)
        if state.shape != (batch, units):
            raise ValueError(
                f"{name} must have shape (batch, units) = ({batch}, {units}) to fit x of shape "
                f"{x.shape} and kernel of shape {kernel.shape}, got shape {state.shape}"
            )
        states[key] = state
    dtype = _float_dtype(
        x, kernel, recurrent_kernel, bias, *[s for s in states.values() if s is not None]
    )
    h0 = np.zeros((batch, units), dtype) if states["h0"] is None else states["h0"].astype(dtype)
    c0 = np.zeros((batch, units), dtype) if states["c0"] is None else states["c0"].astype(dtype)
    return (
        x.astype(dtype, copy=False),
        kernel.astype(dtype, copy=False),
        recurrent_kernel.astype(dtype, copy=False),
        bias.astype(dtype, copy=False),
        h0,
        c0,
    )


# --------------------------------------------------------------------------- forward


def lstm_cell(xw_t, h_prev, c_prev, U):
    r"""The LSTM's equations for one step, from the input projection :math:`x_t W + b`.

    The code every other function here runs: :func:`lstm_step` and the time
    loop of :func:`lstm_forward` call it, with ``xw_t`` computed for all steps
    at once. No checks: pass arrays that fit (``lstm_step`` checks them).

    Parameters
    ----------
    xw_t : ndarray, shape (batch, 4*units)
        :math:`x_t W + b`, the input part of the pre-activations.
    h_prev, c_prev : ndarray, shape (batch, units)
    U : ndarray, shape (units, 4*units)
        The recurrent kernel.

    Returns
    -------
    h, c : ndarray, shape (batch, units)
    gates : tuple (i, f, c_tilde, o) of ndarray, each shape (batch, units)

    Examples
    --------
    A forget gate of :math:`\sigma(0) = 0.5` halves the old cell state when the input gate is shut:

    >>> U = np.zeros((1, 4))
    >>> xw = np.array([[-50.0, 0.0, 0.0, 50.0]])      # i shut, f = 0.5, c_tilde = 0, o open
    >>> h, c, (i, f, c_tilde, o) = lstm_cell(xw, np.zeros((1, 1)), np.ones((1, 1)), U)
    >>> c, bool(np.allclose(h, np.tanh(0.5)))
    (array([[0.5]]), True)
    """
    n = h_prev.shape[-1]
    z = xw_t + h_prev @ U  # (batch, 4*units)   pre-activations of the four gates
    i = sigmoid(z[:, 0 * n : 1 * n])  # (batch, units)   input gate
    f = sigmoid(z[:, 1 * n : 2 * n])  # (batch, units)   forget gate
    c_tilde = np.tanh(z[:, 2 * n : 3 * n])  # (batch, units)   candidate cell value
    o = sigmoid(z[:, 3 * n : 4 * n])  # (batch, units)   output gate
    c = f * c_prev + i * c_tilde  # (batch, units)   new cell state
    h = o * np.tanh(c)  # (batch, units)   new hidden state
    return h, c, (i, f, c_tilde, o)


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    r"""Advance an LSTM by one time step.

    Parameters
    ----------
    x_t : array-like, shape (batch, n_features)
        Inputs at this step.
    h_prev, c_prev : array-like, shape (batch, units)
        Hidden state and cell state after the previous step.
    kernel : array-like, shape (n_features, 4*units)
    recurrent_kernel : array-like, shape (units, 4*units)
    bias : array-like, shape (4*units,)
        Keras's weights, gate order i, f, c, o.

    Returns
    -------
    h : ndarray, shape (batch, units)
        New hidden state (the layer's output at this step).
    c : ndarray, shape (batch, units)
        New cell state.
    gates : tuple of four ndarrays, each shape (batch, units)
        ``(i, f, c_tilde, o)``: input gate, forget gate, candidate, output gate.

    Raises
    ------
    ValueError
        If a shape does not fit the others.
    TypeError
        If an argument is not numeric.

    Examples
    --------
    With all weights zero every gate is :math:`\sigma(0) = 0.5` and the candidate is 0:

    >>> W, U, b = np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)
    >>> x_t, h_prev, c_prev = np.ones((1, 3)), np.zeros((1, 2)), np.ones((1, 2))
    >>> h, c, (i, f, c_tilde, o) = lstm_step(x_t, h_prev, c_prev, W, U, b)
    >>> i, c_tilde, c
    (array([[0.5, 0.5]]), array([[0., 0.]]), array([[0.5, 0.5]]))
    """
    x_t = _as_numeric("x_t", x_t)
    if x_t.ndim != 2:
        raise ValueError(f"x_t must be 2-D with shape (batch, n_features), got shape {x_t.shape}")
    if h_prev is None or c_prev is None:
        raise TypeError("h_prev and c_prev must be arrays of shape (batch, units), got None")
    x, W, U, b, h_prev, c_prev = _check_lstm_args(
        x_t[:, None, :],
        kernel,
        recurrent_kernel,
        bias,
        h_prev,
        c_prev,
        state_names=("h_prev", "c_prev"),
    )
    return lstm_cell(x[:, 0] @ W + b, h_prev, c_prev, U)


def _forward(x, W, U, b, h0, c0, *, keep_gates=True):
    """The forward pass on checked arrays; returns outputs and, if asked, every gate."""
    batch, steps, _ = x.shape
    n = h0.shape[1]
    # Time-major, so the slice for step t is one contiguous block.
    xw = x.transpose(1, 0, 2) @ W + b  # (steps, batch, 4*units)   input projection, all steps
    hs = np.empty((steps, batch, n), x.dtype)  # (steps, batch, units)
    names = ("i", "f", "c_tilde", "o", "c")
    gates = {k: np.empty((steps, batch, n), x.dtype) for k in names} if keep_gates else None
    h, c = h0, c0  # (batch, units) each
    for t in range(steps):
        h, c, (i, f, c_tilde, o) = lstm_cell(xw[t], h, c, U)
        hs[t] = h
        if keep_gates:
            for name, value in zip(names, (i, f, c_tilde, o, c), strict=True):
                gates[name][t] = value
    outputs = np.ascontiguousarray(hs.transpose(1, 0, 2))  # (batch, steps, units)
    if not keep_gates:
        return outputs, h, c, None
    batch_first = {k: np.ascontiguousarray(v.transpose(1, 0, 2)) for k, v in gates.items()}
    return outputs, h, c, LSTMGates(**batch_first)


def lstm_forward(x, kernel, recurrent_kernel, bias, *, h0=None, c0=None, return_gates=False):
    """Run an LSTM over whole sequences, exactly as ``keras.layers.LSTM`` does.

    Parameters
    ----------
    x : array-like, shape (batch, timesteps, n_features)
        Input windows, batch first as Keras wants them.
    kernel : array-like, shape (n_features, 4*units)
    recurrent_kernel : array-like, shape (units, 4*units)
    bias : array-like, shape (4*units,)
        The weights in the order ``keras.layers.LSTM(...).get_weights()`` returns them.
    h0, c0 : array-like, shape (batch, units), optional
        Initial hidden and cell state; zeros when None (as in Keras).
    return_gates : bool
        Also return every gate's activation at every step.

    Returns
    -------
    outputs : ndarray, shape (batch, timesteps, units)
        The hidden state after every step (Keras's ``return_sequences=True`` output).
    h_last : ndarray, shape (batch, units)
        The hidden state after the last step (equal to ``outputs[:, -1]``).
    c_last : ndarray, shape (batch, units)
        The cell state after the last step.
    gates : LSTMGates
        Only when ``return_gates=True``: fields ``i, f, c_tilde, o, c``, each
        shape (batch, timesteps, units).

    Raises
    ------
    ValueError
        If ``x`` is not 3-D or has no time steps, the weight shapes do not fit
        ``x`` or each other, or ``h0`` / ``c0`` are not (batch, units).
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The input projection :math:`x_t W + b` is computed for every step in one
    matrix product before the time loop; only :math:`h_{t-1} U` is inside it.
    The computation runs in the floating dtype the inputs share (float64 for
    integer inputs). Inputs are never modified.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(5, 7, 3))                    # 5 windows, 7 steps, 3 features
    >>> W, U, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), np.zeros(8)   # 2 units
    >>> outputs, h_last, c_last = lstm_forward(x, W, U, b)
    >>> outputs.shape, h_last.shape, c_last.shape
    ((5, 7, 2), (5, 2), (5, 2))
    >>> bool(np.array_equal(outputs[:, -1], h_last))
    True
    """
    x, W, U, b, h0, c0 = _check_lstm_args(x, kernel, recurrent_kernel, bias, h0, c0)
    hs, h, c, gates = _forward(x, W, U, b, h0, c0, keep_gates=return_gates)
    return (hs, h, c, gates) if return_gates else (hs, h, c)


# --------------------------------------------------------------------------- backward


def lstm_backward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    d_outputs,
    *,
    h0=None,
    c0=None,
    d_h_last=None,
    d_c_last=None,
):
    r"""Backpropagation through time for :func:`lstm_forward`.

    Given the gradient of a scalar loss :math:`L` with respect to the layer's
    outputs, return its gradient with respect to everything the outputs depend
    on. The forward pass is recomputed inside, so only the forward's arguments
    are needed.

    Parameters
    ----------
    x, kernel, recurrent_kernel, bias, h0, c0
        As for :func:`lstm_forward`.
    d_outputs : array-like, shape (batch, timesteps, units), or None
        :math:`\partial L / \partial h_t` for every step, from the layers above;
        None means zeros (a loss that reads only the last state).
    d_h_last : array-like, shape (batch, units), optional
        Extra :math:`\partial L / \partial h_T` flowing into the last hidden state
        (e.g. from a Dense head on ``h_last``).
    d_c_last : array-like, shape (batch, units), optional
        :math:`\partial L / \partial c_T`, when the loss reads the last cell state.

    Returns
    -------
    LSTMGradients
        Fields ``x, h0, c0, kernel, recurrent_kernel, bias``, each shaped like
        the array it is the gradient for.

    Raises
    ------
    ValueError
        As :func:`lstm_forward`, and if an upstream gradient has the wrong shape.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    Going backwards from :math:`t = T`, with :math:`\delta h` the gradient
    arriving at :math:`h_t` and :math:`\delta c` the one arriving at :math:`c_t`:

    .. math::

        \delta c &\mathrel{+}= \delta h \odot o_t \odot (1 - \tanh^2 c_t) \\
        \delta z &= [\delta c\, \tilde c_t\, i_t(1-i_t),\;
                      \delta c\, c_{t-1} f_t(1-f_t),\;
                      \delta c\, i_t (1-\tilde c_t^2),\;
                      \delta h \tanh(c_t)\, o_t(1-o_t)] \\
        \delta h_{t-1} &= \delta z\, U^\top, \qquad \delta c_{t-1} = \delta c \odot f_t

    and the weight gradients are sums over steps and batch, computed after the
    loop in one product each:
    :math:`\partial L/\partial W = \sum_t x_t^\top \delta z_t`,
    :math:`\partial L/\partial U = \sum_t h_{t-1}^\top \delta z_t`,
    :math:`\partial L/\partial b = \sum_t \delta z_t` and
    :math:`\partial L/\partial x_t = \delta z_t W^\top`.

    Examples
    --------
    The gradient of :math:`L = \sum_t \sum_j h_{t,j}` with respect to the bias,
    against a central finite difference:

    >>> rng = np.random.default_rng(1)
    >>> x, W = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 8))
    >>> U, b = rng.normal(size=(2, 8)), rng.normal(size=8)
    >>> grads = lstm_backward(x, W, U, b, np.ones((2, 4, 2)))
    >>> e = np.zeros(8); e[5] = 1e-6
    >>> loss = lambda bias: lstm_forward(x, W, U, bias)[0].sum()
    >>> numeric = (loss(b + e) - loss(b - e)) / 2e-6
    >>> bool(abs(grads.bias[5] - numeric) < 1e-8)
    True
    """
    x, W, U, b, h0, c0 = _check_lstm_args(x, kernel, recurrent_kernel, bias, h0, c0)
    batch, steps, _ = x.shape
    n = h0.shape[1]
    upstream = {}
    for name, value, shape in (
        ("d_outputs", d_outputs, (batch, steps, n)),
        ("d_h_last", d_h_last, (batch, n)),
        ("d_c_last", d_c_last, (batch, n)),
    ):
        if value is None:
            upstream[name] = np.zeros(shape, x.dtype)
            continue
        value = _as_numeric(name, value)
        if value.shape != shape:
            raise ValueError(
                f"{name} must have shape {shape} to match the outputs of x of shape {x.shape} "
                f"with {n} units, got shape {value.shape}"
            )
        upstream[name] = value.astype(x.dtype, copy=False)

    hs, _, _, gates = _forward(x, W, U, b, h0, c0)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)  # (batch, steps, units)
    c_prev = np.concatenate([c0[:, None], gates.c[:, :-1]], axis=1)  # (batch, steps, units)

    dz = np.empty((batch, steps, 4 * n), x.dtype)  # (batch, steps, 4*units)
    dh_next = upstream["d_h_last"]  # (batch, units)   dL/dh_t arriving from step t+1
    dc_next = upstream["d_c_last"]  # (batch, units)   dL/dc_t arriving from step t+1
    for t in reversed(range(steps)):
        i, f, o = gates.i[:, t], gates.f[:, t], gates.o[:, t]  # (batch, units) each
        c_tilde, c = gates.c_tilde[:, t], gates.c[:, t]  # (batch, units) each
        tanh_c = np.tanh(c)  # (batch, units)
        dh = upstream["d_outputs"][:, t] + dh_next  # (batch, units)   dL/dh_t
        dc = dc_next + dh * o * (1 - tanh_c**2)  # (batch, units)   dL/dc_t
        dz[:, t, 0 * n : 1 * n] = dc * c_tilde * i * (1 - i)  # dL/dz_i
        dz[:, t, 1 * n : 2 * n] = dc * c_prev[:, t] * f * (1 - f)  # dL/dz_f
        dz[:, t, 2 * n : 3 * n] = dc * i * (1 - c_tilde**2)  # dL/dz_c
        dz[:, t, 3 * n : 4 * n] = dh * tanh_c * o * (1 - o)  # dL/dz_o
        dh_next = dz[:, t] @ U.T  # (batch, units)   dL/dh_{t-1}
        dc_next = dc * f  # (batch, units)   dL/dc_{t-1}

    return LSTMGradients(
        x=dz @ W.T,  # (batch, steps, n_features)
        h0=dh_next,  # (batch, units)
        c0=dc_next,  # (batch, units)
        kernel=np.einsum("btf,btk->fk", x, dz),  # (n_features, 4*units)
        recurrent_kernel=np.einsum("btu,btk->uk", h_prev, dz),  # (units, 4*units)
        bias=dz.sum(axis=(0, 1)),  # (4*units,)
    )


# --------------------------------------------------------------------------- memory


@dataclass(frozen=True)
class MemoryJacobian:
    r"""How the last cell state of a sequence depends on its first, all paths and the direct one.

    Attributes
    ----------
    full : ndarray, shape (units, units)
        :math:`\partial c_T / \partial c_0` with :math:`h_0` held fixed; row ``j``
        holds :math:`\partial c_T^{(j)} / \partial c_0`. Every path counts: the memory
        path and the paths through the later hidden states and the gates they feed.
    direct : ndarray, shape (units, units)
        The memory path alone, :math:`\prod_{t=1}^{T} \operatorname{diag}(f_t)`: what
        :math:`c_t = f_t \odot c_{t-1} + \dots` gives with the gates held fixed.
    """

    full: np.ndarray
    direct: np.ndarray


def memory_jacobian(x, kernel, recurrent_kernel, bias, *, h0=None, c0=None):
    r"""The Jacobian of the last cell state with respect to the first, for one sequence.

    The cell state :math:`c_0` the sequence starts from reaches :math:`c_T` along
    the memory path, one factor :math:`\operatorname{diag}(f_t)` per step, and
    through every later :math:`h_t = o_t \odot \tanh(c_t)` and the gates it
    feeds. :attr:`MemoryJacobian.full` counts all of them (by :func:`lstm_backward`
    on one copy of the sequence per unit, row ``j`` seeded with
    :math:`\partial L/\partial c_T = e_j`), :attr:`MemoryJacobian.direct` only the first.
    With one step, or with a zero recurrent kernel, the two are equal.

    Parameters
    ----------
    x : array-like, shape (1, timesteps, n_features)
        One sequence.
    kernel, recurrent_kernel, bias
        As for :func:`lstm_forward`.
    h0, c0 : array-like, shape (1, units), optional
        The state the sequence starts from (zeros when None); :math:`h_0` is held
        fixed, :math:`c_0` is what the Jacobian differentiates by.

    Returns
    -------
    MemoryJacobian
        ``full`` and ``direct``, each ``(units, units)``.

    Raises
    ------
    ValueError
        If ``x`` holds more than one sequence, or as :func:`lstm_forward`.
    TypeError
        If an argument is not numeric.

    Examples
    --------
    With a zero recurrent kernel the gates cannot see :math:`c_0`, so the memory
    path is the only one:

    >>> rng = np.random.default_rng(0)
    >>> x, W, b = rng.normal(size=(1, 6, 2)), rng.normal(size=(2, 12)), rng.normal(size=12)
    >>> jac = memory_jacobian(x, W, np.zeros((3, 12)), b)
    >>> jac.full.shape, bool(np.allclose(jac.full, jac.direct, rtol=0, atol=1e-15))
    ((3, 3), True)
    """
    x, W, U, b, h0, c0 = _check_lstm_args(x, kernel, recurrent_kernel, bias, h0, c0)
    if x.shape[0] != 1:
        raise ValueError(
            f"x must hold one sequence, shape (1, timesteps, n_features), got shape {x.shape}"
        )
    units = U.shape[0]
    copies = np.repeat(x, units, axis=0)  # (units, timesteps, n_features)
    full = lstm_backward(
        copies,
        W,
        U,
        b,
        None,
        h0=np.repeat(h0, units, axis=0),
        c0=np.repeat(c0, units, axis=0),
        d_c_last=np.eye(units, dtype=x.dtype),  # row j: dL/dc_T = e_j
    ).c0  # (units, units)   row j: dc_T[j] / dc_0
    f = _forward(x, W, U, b, h0, c0)[3].f[0]  # (timesteps, units)
    return MemoryJacobian(full=full, direct=np.diag(np.prod(f, axis=0)))


# --------------------------------------------------------------------------- size


def lstm_param_count(n_features, units):
    """Number of trainable weights in ``keras.layers.LSTM(units)`` on ``n_features`` inputs.

    Four gates, each with an input weight matrix ``(n_features, units)``, a
    recurrent matrix ``(units, units)`` and a bias ``(units,)``:
    ``4 * (n_features*units + units**2 + units)``.

    Parameters
    ----------
    n_features : int
        Number of input features per time step, at least 1.
    units : int
        Size of the hidden state, at least 1.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is smaller than 1.

    Examples
    --------
    >>> lstm_param_count(1, 16)
    1152
    """
    n_features = _checks.integer(n_features, "n_features")
    units = _checks.integer(units, "units")
    return 4 * (n_features * units + units**2 + units)
