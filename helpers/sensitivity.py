"""Gradient sensitivity of a Keras forecaster, written on ``tf.GradientTape``.

For a model :math:`f` taking windows ``x`` of shape ``(batch, timesteps, features)``
and one chosen output :math:`f_k` (``output_index=k``):

- :func:`saliency`: :math:`\\partial f_k / \\partial x_{t,j}` for every input value,
  the whole batch in one forward and one backward pass.
- :func:`gradient_times_input`: :math:`x_{t,j}\\, \\partial f_k / \\partial x_{t,j}`.
- :func:`integrated_gradients`: :math:`(x - x')_{t,j}` times the mean of
  :math:`\\partial f_k / \\partial x_{t,j}` along the straight path from a baseline
  :math:`x'` to :math:`x`, by the trapezoid rule, with :func:`completeness_gap` to check it and
  :func:`path_outputs` to look at the path.
- :func:`smoothgrad`: saliency averaged over noisy copies of the input.
- :func:`perturbation_sensitivity`: hide (occlude) or nudge one cell, one time step or
  one feature at a time and watch the prediction; forward passes only.
- :func:`rank_features`, :func:`rank_timesteps`, :func:`rank_cells`,
  :func:`rank_correlation`, :func:`window_rank_correlations`, :func:`window_top_overlap`,
  :func:`to_raw_units`:
  rankings, comparisons and raw units of maps; NumPy only, they live in
  :mod:`helpers.attributions` and are re-exported here.
- :func:`randomize_weights`: the same architecture with fresh or shuffled weights,
  for the model-randomisation sanity check, :func:`count_passes`: how many windows
  a method sends through the model's forward and backward passes, and
  :func:`best_seconds`: what it costs in time; they live in
  :mod:`helpers.method_checks` and are re-exported here.

Every method calls the model with ``training=False`` and assumes, as every
forecaster in this collection does, that the model treats the windows of a
batch independently (no layer mixes samples at inference); then the gradient
of the batch's summed output is each window's own gradient, which is why one
backward pass serves the whole batch. Results are float64 NumPy arrays
computed in the model's own dtype.
"""

from __future__ import annotations

import numpy as np

from helpers import _checks
from helpers._keras import (  # TensorFlow imported quietly first
    check_output_index,
    check_window_model,
    input_dtype,
    keras,  # noqa: F401  (the doctests build small Keras models with it)
    output_function,
    tf,
)
from helpers.attributions import (  # re-exported: sens.rank_features
    rank_cells,
    rank_correlation,
    rank_features,
    rank_timesteps,
    to_raw_units,
    window_rank_correlations,
    window_top_overlap,
)
from helpers.method_checks import (  # re-exported: sens.count_passes
    PassCount,
    best_seconds,
    count_passes,
    randomize_weights,
)

__all__ = [
    "saliency",
    "gradient_times_input",
    "integrated_gradients",
    "completeness_gap",
    "path_outputs",
    "smoothgrad",
    "perturbation_sensitivity",
    "rank_features",
    "rank_timesteps",
    "rank_cells",
    "rank_correlation",
    "window_rank_correlations",
    "window_top_overlap",
    "to_raw_units",
    "randomize_weights",
    "PassCount",
    "count_passes",
    "best_seconds",
]

#: Windows evaluated per call of the model by the methods that build many copies.
DEFAULT_BATCH_SIZE = 4096

# --------------------------------------------------------------------------- checks


def _check_x(model, x, name="x"):
    """Return ``x`` as an array of the model's dtype, shape ``(n, timesteps, features)``."""
    _, timesteps, features = model.input_shape
    array = _checks.windows(x, name, timesteps=timesteps, features=features)
    return np.array(array, dtype=input_dtype(model))  # a copy: the caller's array is untouched


def _check_call(model, x, output_index):
    """The check every method starts with: a model, its windows and the output to explain.

    Returns ``x`` (a copy in the model's dtype, ``(n, timesteps, features)``) and
    the output index counted from 0.
    """
    check_window_model(model)
    return _check_x(model, x), check_output_index(model, output_index)


def _check_baseline(baseline, x, name="baseline"):
    """Broadcast ``baseline`` (None, scalar, (T, F) or (n, T, F)) to ``x``'s shape."""
    if baseline is None:
        return np.zeros_like(x)
    array = _checks.real_array(baseline, name)
    if (
        array.ndim not in (0, 2, 3)
        or (array.ndim and array.shape[-2:] != x.shape[1:])
        or (array.ndim == 3 and array.shape[0] not in (1, x.shape[0]))
    ):
        raise ValueError(
            f"{name} must be None, a number, one window of shape {x.shape[1:]} or one per "
            f"window of shape {x.shape}, got shape {array.shape}"
        )
    _checks.finite(array, name)
    return np.broadcast_to(array, x.shape).astype(x.dtype)


# --------------------------------------------------------------------------- compiled passes


def _forward(model, x, index, batch_size=None):
    """f_k(x) for windows ``x`` (n, T, F), in chunks of ``batch_size`` windows: (n,)."""
    fn = output_function(model, index)
    step = len(x) if batch_size is None else batch_size
    return np.concatenate(
        [fn(tf.constant(x[i : i + step])).numpy() for i in range(0, len(x), step)]
    )


def _gradient(model, x, index):
    """(f_k(x), d f_k / dx) for windows ``x`` (n, T, F) in one pass: (n,), (n, T, F)."""
    y, g = output_function(model, index, gradient=True)(tf.constant(x))
    return y.numpy(), g.numpy()


# --------------------------------------------------------------------------- gradients


def saliency(model, x, *, output_index=0):
    """Signed gradient of one output with respect to every input value.

    .. math:: S_{i,t,j} = \\frac{\\partial f_k(x_i)}{\\partial x_{i,t,j}}

    The whole batch takes one forward and one backward pass (the model is called
    with ``training=False``). The magnitude says how strongly the prediction
    reacts to a small change of that value, the sign in which direction; both
    are in output units per input unit, i.e. the units the model was trained on.

    Parameters
    ----------
    model : keras.Model
        Input ``(batch, timesteps, features)``; output ``(batch, horizon)`` (any
        output shape is flattened per window).
    x : array-like, shape (n_samples, n_timesteps, n_features)
    output_index : int, default 0
        Which output per window to explain, e.g. the horizon step; negative
        values count from the end.

    Returns
    -------
    ndarray of float64, shape (n_samples, n_timesteps, n_features)

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``x`` is not numeric.
    ValueError
        If ``x`` is not 3-D, does not match the model's input shape, is empty or
        holds NaN, or ``output_index`` is out of range.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((3, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.array([[1.0], [2.0], [3.0]])])
    >>> saliency(model, np.zeros((2, 3, 1)))[:, :, 0]
    array([[1., 2., 3.],
           [1., 2., 3.]])
    """
    x, index = _check_call(model, x, output_index)
    return _gradient(model, x, index)[1].astype(np.float64)


def gradient_times_input(model, x, *, output_index=0):
    """Gradient times input, :math:`x_{i,t,j}\\, \\partial f_k(x_i) / \\partial x_{i,t,j}`.

    A first-order estimate of how much each value contributes to the prediction
    relative to an all-zero input (the training mean, in standardised units).
    Costs what :func:`saliency` costs: one forward and one backward pass.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    output_index : int, default 0

    Returns
    -------
    ndarray of float64, shape (n_samples, n_timesteps, n_features)
        In output units.

    Raises
    ------
    TypeError, ValueError
        As for :func:`saliency`.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.array([[2.0], [-1.0]])])
    >>> gradient_times_input(model, np.array([[[3.0], [4.0]]]))[0, :, 0]
    array([ 6., -4.])
    """
    x, index = _check_call(model, x, output_index)
    return (x * _gradient(model, x, index)[1]).astype(np.float64)


def _chunks(n, copies, batch_size):
    """Yield runs of <= batch_size (copy, sample) pairs as (copy, first, last + 1) segments.

    The ``copies * n`` modified windows (one copy per interpolation step, noise draw
    or perturbed unit, of each of the n windows) are ordered copy-major; each chunk is
    a run of them, split where the copy index changes.
    """
    total = copies * n
    for start in range(0, total, batch_size):
        stop = min(start + batch_size, total)
        k = start
        segments = []
        while k < stop:
            c, s0 = divmod(k, n)
            s1 = min(n, s0 + (stop - k))
            segments.append((c, s0, s1))
            k += s1 - s0
        yield segments


def _evaluate_copies(n, copies, batch_size, build, evaluate):
    """Evaluate modified copies of every window, ``batch_size`` windows per model call.

    ``build(c, s0, s1)`` returns copy ``c`` of windows ``s0:s1``, shape (s1 - s0, T, F);
    ``evaluate(batch)`` returns one result per window of the batch. Yields
    ``(c, s0, s1, results for copy c of windows s0:s1)``.
    """
    for segments in _chunks(n, copies, batch_size):
        results = evaluate(np.concatenate([build(c, s0, s1) for c, s0, s1 in segments]))
        k = 0
        for c, s0, s1 in segments:
            yield c, s0, s1, results[k : k + s1 - s0]
            k += s1 - s0


def integrated_gradients(
    model, x, *, baseline=None, steps=64, output_index=0, batch_size=DEFAULT_BATCH_SIZE
):
    """Integrated gradients along the straight line from a baseline to each window.

    .. math::

        IG_{i,t,j} = (x - x')_{i,t,j} \\int_0^1
        \\frac{\\partial f_k(x' + \\alpha (x - x'))}{\\partial x_{t,j}}\\, d\\alpha
        \\approx (x - x')_{i,t,j}\\, \\frac{1}{m} \\sum_{s=0}^{m} w_s\\,
        \\frac{\\partial f_k(x' + \\tfrac{s}{m} (x - x'))}{\\partial x_{t,j}}

    with the trapezoid weights :math:`w_0 = w_m = 1/2`, otherwise 1, and
    :math:`m` = ``steps``. The attributions add up to the change of the output,
    :math:`\\sum_{t,j} IG_{i,t,j} = f_k(x_i) - f_k(x'_i)` ("completeness"), up to
    the error of the quadrature: see :func:`completeness_gap`.

    Cost: ``(steps + 1) * n_samples`` windows through one forward and one backward
    pass each, evaluated ``batch_size`` windows at a time.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    baseline : None, float or array-like, optional
        The reference input :math:`x'`: None means zeros (the training mean when
        the inputs are standardised); a number; one window ``(n_timesteps,
        n_features)`` for every sample; or one per sample, shaped like ``x``.
    steps : int, default 64
        Number of intervals :math:`m` of the trapezoid rule (``steps + 1`` gradients).
    output_index : int, default 0
    batch_size : int, default 4096
        Interpolated windows per forward/backward pass (memory versus speed).

    Returns
    -------
    ndarray of float64, shape (n_samples, n_timesteps, n_features)
        In output units.

    Raises
    ------
    TypeError, ValueError
        As for :func:`saliency`; also if ``steps`` or ``batch_size`` is not a
        positive integer or ``baseline`` has the wrong shape.

    Examples
    --------
    On a linear model the attributions are exactly :math:`w \\cdot (x - x')`:

    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1)])
    >>> model.set_weights([np.array([[2.0], [-1.0]]), np.array([5.0])])
    >>> integrated_gradients(model, np.array([[[3.0], [4.0]]]), steps=4)[0, :, 0]
    array([ 6., -4.])
    """
    x, index = _check_call(model, x, output_index)
    baseline = _check_baseline(baseline, x)
    steps = _checks.integer(steps, "steps")
    batch_size = _checks.integer(batch_size, "batch_size")
    n = len(x)
    alphas = np.linspace(0.0, 1.0, steps + 1)  # (steps + 1,)
    weights = np.ones(steps + 1)
    weights[[0, -1]] = 0.5  # trapezoid rule
    delta = x - baseline  # (n, T, F)
    total = np.zeros(x.shape)  # sum_s w_s * gradient at alpha_s, (n, T, F)
    for a, s0, s1, grads in _evaluate_copies(
        n,
        steps + 1,
        batch_size,
        lambda a, s0, s1: baseline[s0:s1] + alphas[a] * delta[s0:s1],  # on the path
        lambda batch: _gradient(model, batch.astype(x.dtype), index)[1],
    ):
        total[s0:s1] += weights[a] * grads
    return delta.astype(np.float64) * total / steps


def completeness_gap(model, x, attributions, *, baseline=None, output_index=0):
    """Each window's completeness gap, :math:`\\sum_{t,j} A_{i,t,j} - (f_k(x_i) - f_k(x'_i))`.

    Integrated gradients computed exactly would give a gap of zero; the
    trapezoid rule leaves a gap that shrinks as ``steps`` grows (quickly where
    the model is smooth along the path, slowly where it saturates). Pass the
    same ``baseline`` and ``output_index`` used for the attributions.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    attributions : array-like, shape (n_samples, n_timesteps, n_features)
        E.g. from :func:`integrated_gradients`.
    baseline : None, float or array-like, optional
        As for :func:`integrated_gradients`.
    output_index : int, default 0

    Returns
    -------
    ndarray of float64, shape (n_samples,)
        In output units; compare it with ``f(x) - f(baseline)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`integrated_gradients`, or if ``attributions`` is not shaped like ``x``.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1)])
    >>> model.set_weights([np.array([[2.0], [-1.0]]), np.array([5.0])])
    >>> x = np.array([[[3.0], [4.0]]])
    >>> completeness_gap(model, x, integrated_gradients(model, x, steps=2))
    array([0.])
    """
    x, index = _check_call(model, x, output_index)
    baseline = _check_baseline(baseline, x)
    attributions = np.asarray(attributions)
    if attributions.shape != x.shape:
        raise ValueError(
            f"attributions must have the shape of x {x.shape}, got {attributions.shape}"
        )
    change = _forward(model, x, index).astype(np.float64) - _forward(model, baseline, index)
    return attributions.astype(np.float64).sum(axis=(1, 2)) - change


def path_outputs(model, x, *, baseline=None, steps=64, output_index=0):
    """The chosen output along the straight path from the baseline to each window.

    :math:`f_k(x' + \\alpha (x - x'))` for :math:`\\alpha = 0, 1/m, \\dots, 1`. A
    curve that rises early and then stays flat shows saturation: near the
    input itself the gradient is small although the input matters, which is why
    integrated gradients look along the whole path.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    baseline : None, float or array-like, optional
        As for :func:`integrated_gradients`.
    steps : int, default 64
    output_index : int, default 0

    Returns
    -------
    alphas : ndarray, shape (steps + 1,)
    outputs : ndarray of float64, shape (n_samples, steps + 1)

    Raises
    ------
    TypeError, ValueError
        As for :func:`integrated_gradients`.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((1, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1)])
    >>> model.set_weights([np.array([[2.0]]), np.array([1.0])])
    >>> alphas, outputs = path_outputs(model, np.array([[[1.0]]]), steps=2)
    >>> alphas, outputs
    (array([0. , 0.5, 1. ]), array([[1., 2., 3.]]))
    """
    x, index = _check_call(model, x, output_index)
    baseline = _check_baseline(baseline, x)
    steps = _checks.integer(steps, "steps")
    alphas = np.linspace(0.0, 1.0, steps + 1)
    delta = x - baseline  # (n, T, F)
    n = len(x)
    outputs = np.empty((steps + 1, n))
    for a, s0, s1, values in _evaluate_copies(
        n,
        steps + 1,
        DEFAULT_BATCH_SIZE,
        lambda a, s0, s1: baseline[s0:s1] + alphas[a] * delta[s0:s1],
        lambda batch: _forward(model, batch.astype(x.dtype), index),
    ):
        outputs[a, s0:s1] = values
    return alphas, outputs.T


def smoothgrad(
    model, x, *, noise=0.1, samples=32, seed=0, output_index=0, batch_size=DEFAULT_BATCH_SIZE
):
    """SmoothGrad: the saliency averaged over noisy copies of each window.

    .. math::

        SG_{i,t,j} = \\frac{1}{N} \\sum_{s=1}^{N}
        \\frac{\\partial f_k(x_i + \\varepsilon_s)}{\\partial x_{i,t,j}},
        \\qquad \\varepsilon_s \\sim \\mathcal N(0, \\sigma^2 I)

    Averaging removes the sharp, noisy fluctuations of the raw gradient. With
    ``noise=0`` it is exactly :func:`saliency`. Cost: ``samples * n_samples``
    windows through one forward and one backward pass each.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    noise : float, default 0.1
        :math:`\\sigma`, the noise's standard deviation in the units of ``x``
        (0.1 = a tenth of a standard deviation for standardised inputs).
    samples : int, default 32
        :math:`N`, noisy copies per window.
    seed : int or numpy.random.Generator, default 0
    output_index : int, default 0
    batch_size : int, default 4096
        Noisy windows per forward/backward pass.

    Returns
    -------
    ndarray of float64, shape (n_samples, n_timesteps, n_features)

    Raises
    ------
    TypeError, ValueError
        As for :func:`saliency`; also if ``noise`` is negative, ``samples`` or
        ``batch_size`` is not a positive integer, or ``seed`` is invalid.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.array([[2.0], [-1.0]])])
    >>> smoothgrad(model, np.ones((1, 2, 1)), noise=0.5, samples=4)[0, :, 0]
    array([ 2., -1.])
    """
    x, index = _check_call(model, x, output_index)
    noise = _checks.real(noise, "noise", low=0)
    samples = _checks.integer(samples, "samples")
    batch_size = _checks.integer(batch_size, "batch_size")
    rng = _checks.rng(seed)
    total = np.zeros(x.shape)
    for _, s0, s1, grads in _evaluate_copies(
        len(x),
        samples,
        batch_size,
        lambda _, s0, s1: x[s0:s1] + noise * rng.standard_normal(x[s0:s1].shape),
        lambda batch: _gradient(model, batch.astype(x.dtype), index)[1],
    ):
        total[s0:s1] += grads
    return total / samples


# --------------------------------------------------------------------------- perturbation

_UNITS = ("cell", "timestep", "feature")
_MODES = ("occlude", "nudge")


def perturbation_sensitivity(
    model,
    x,
    *,
    unit="cell",
    mode="occlude",
    value=0.0,
    delta=0.1,
    output_index=0,
    batch_size=DEFAULT_BATCH_SIZE,
):
    """Change of the prediction when one input cell, time step or feature is perturbed.

    For each perturbed unit :math:`u` (a set of cells of the window):

    - ``mode="occlude"``: hide the unit by replacing its values with ``value``
      (0 = the training mean for standardised inputs) and return
      :math:`f_k(x) - f_k(x_{u \\leftarrow value})`, what the hidden values
      contributed (positive: they pushed the prediction up).
    - ``mode="nudge"``: add ``delta`` to the unit's values and return the slope
      :math:`(f_k(x + \\delta\\, 1_u) - f_k(x)) / \\delta`; for ``unit="cell"``
      this is a one-sided finite-difference estimate of :func:`saliency`.

    Only forward passes: ``1 + n_units`` per window (``n_units`` = timesteps *
    features, timesteps or features), all batched ``batch_size`` windows at a time.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, n_timesteps, n_features)
    unit : {"cell", "timestep", "feature"}, default "cell"
        Perturb one value, one whole time step (all features) or one whole
        feature (all time steps) at a time.
    mode : {"occlude", "nudge"}, default "occlude"
    value : float, default 0.0
        Replacement value for ``mode="occlude"``.
    delta : float, default 0.1
        Step for ``mode="nudge"``, nonzero.
    output_index : int, default 0
    batch_size : int, default 4096

    Returns
    -------
    ndarray of float64
        Shape ``(n_samples, n_timesteps, n_features)`` for ``unit="cell"``,
        ``(n_samples, n_timesteps)`` for ``"timestep"``, ``(n_samples,
        n_features)`` for ``"feature"``. In output units (occlude) or output
        units per input unit (nudge).

    Raises
    ------
    TypeError, ValueError
        As for :func:`saliency`; also for an unknown ``unit`` or ``mode``, a
        zero ``delta`` or a non-finite ``value``.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.array([[2.0], [-1.0]])])
    >>> perturbation_sensitivity(model, np.array([[[3.0], [4.0]]]))[0, :, 0]
    array([ 6., -4.])
    >>> perturbation_sensitivity(model, np.array([[[3.0], [4.0]]]), unit="feature")
    array([[2.]])
    """
    x, index = _check_call(model, x, output_index)
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    value = _checks.real(value, "value")
    delta = _checks.real(delta, "delta")
    if delta == 0:
        raise ValueError("delta must be nonzero, got 0.0")
    batch_size = _checks.integer(batch_size, "batch_size")
    n, timesteps, features = x.shape
    if unit == "cell":
        masks = np.eye(timesteps * features, dtype=bool).reshape(-1, timesteps, features)
        out_shape = (n, timesteps, features)
    elif unit == "timestep":
        masks = np.repeat(np.eye(timesteps, dtype=bool)[:, :, None], features, axis=2)
        out_shape = (n, timesteps)
    else:
        masks = np.repeat(np.eye(features, dtype=bool)[:, None, :], timesteps, axis=1)
        out_shape = (n, features)
    base = _forward(model, x, index, batch_size).astype(np.float64)  # (n,)

    def build(u, s0, s1):  # windows s0:s1 with unit u hidden or nudged
        if mode == "occlude":
            return np.where(masks[u], value, x[s0:s1])
        return x[s0:s1] + delta * masks[u]

    changed = np.empty((len(masks), n))  # f_k(perturbed), (n_units, n)
    for u, s0, s1, outputs in _evaluate_copies(
        n,
        len(masks),
        batch_size,
        build,
        lambda batch: _forward(model, batch.astype(x.dtype), index),
    ):
        changed[u, s0:s1] = outputs
    effect = base[None] - changed if mode == "occlude" else (changed - base[None]) / delta
    return effect.T.reshape(out_shape)
