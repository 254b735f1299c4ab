"""Windows as the flat tables that SHAP's and LIME's model-agnostic explainers take.

SHAP's ``KernelExplainer`` and LIME's ``LimeTabularExplainer`` take a 2-D table, one row
per sample and one column per feature; a forecaster takes windows
``(n_samples, n_timesteps, n_features)``. This module is the glue, and
:mod:`helpers.explainers` (which re-exports every name) calls the explainers through it:

- :func:`flatten_windows` / :func:`unflatten_windows`: windows to rows and back,
  cell ``(t, j)`` in column ``t * n_features + j`` (``X.reshape(n, -1)``);
  :func:`cell_names` names those columns (``"price lag 3"``).
- :class:`FlatPredict`: the model's output for rows of flattened windows, the
  predict function SHAP and LIME call, counting its calls and rows (and, asked to,
  keeping them: the windows an explainer makes up can be looked at). It is a
  regression output (one number per row): use LIME's ``mode="regression"``; a
  Keras forecaster has no ``predict_proba``.
- :func:`as_list_input`: the same model taking a list of one array, as
  ``shap.GradientExplainer`` calls it (Keras 3 warns about a plain model).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers import _checks
from helpers._keras import (  # keras and tf: TensorFlow imported quietly first
    check_model,
    check_output_index,
    input_dtype,
    keras,
    output_function,
    tf,
)

__all__ = ["flatten_windows", "unflatten_windows", "cell_names", "FlatPredict", "as_list_input"]


def _check_array(name, values, ndim):
    array = _checks.real_array(values, name)
    if array.ndim != ndim:
        shape = "(n_samples, n_timesteps, n_features)" if ndim == 3 else "(n_samples, n_cells)"
        raise ValueError(f"{name} must be {ndim}-D {shape}, got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} holds no rows (shape {array.shape})")
    return array


def flatten_windows(X):
    """Windows as rows of a table: cell ``(t, j)`` goes to column ``t * n_features + j``.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_timesteps, n_features)
        Not modified.

    Returns
    -------
    ndarray, shape (n_samples, n_timesteps * n_features)
        A copy, in ``X``'s dtype.

    Raises
    ------
    TypeError
        If ``X`` does not hold real numbers.
    ValueError
        If ``X`` is not 3-D or holds no window.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(2, 3, 2)  # 2 windows, 3 steps, 2 features
    >>> flatten_windows(X)[0]
    array([0., 1., 2., 3., 4., 5.])
    >>> bool(np.array_equal(unflatten_windows(flatten_windows(X), window=3, n_features=2), X))
    True
    """
    X = _check_array("X", X, 3)
    return X.reshape(len(X), -1).copy()


def unflatten_windows(flat, *, window, n_features):
    """Rows of :func:`flatten_windows` back to windows ``(n_samples, window, n_features)``.

    Parameters
    ----------
    flat : array-like, shape (n_samples, window * n_features)
        Rows of flattened windows, or attributions per column (SHAP values, LIME weights).
    window, n_features : int

    Returns
    -------
    ndarray, shape (n_samples, window, n_features)
        A copy.

    Raises
    ------
    TypeError
        If ``flat`` does not hold real numbers or a size is not an integer.
    ValueError
        If ``flat`` is not 2-D with ``window * n_features`` columns.

    Examples
    --------
    >>> unflatten_windows(np.arange(6.0)[None], window=3, n_features=2)[0]
    array([[0., 1.],
           [2., 3.],
           [4., 5.]])
    """
    window = _checks.integer(window, "window")
    n_features = _checks.integer(n_features, "n_features")
    flat = _check_array("flat", flat, 2)
    if flat.shape[1] != window * n_features:
        raise ValueError(
            f"flat must have window * n_features = {window} * {n_features} = "
            f"{window * n_features} columns, got shape {flat.shape}"
        )
    return flat.reshape(len(flat), window, n_features).copy()


def cell_names(feature_names, window):
    """Names of the columns of :func:`flatten_windows`: ``"<feature> lag <k>"``.

    Lag 1 is the last (most recent) step of the window, as in
    :func:`helpers.sensitivity.rank_cells`.

    Parameters
    ----------
    feature_names : sequence of str
        One name per feature.
    window : int

    Returns
    -------
    list of str, length ``window * len(feature_names)``

    Raises
    ------
    TypeError
        If ``feature_names`` is not a list of names or ``window`` not an integer.

    Examples
    --------
    >>> cell_names(["price", "volume"], 2)
    ['price lag 2', 'volume lag 2', 'price lag 1', 'volume lag 1']
    """
    if isinstance(feature_names, str) or not isinstance(feature_names, Sequence):
        raise TypeError(
            f"feature_names must be a list of names, got {type(feature_names).__name__}"
        )
    window = _checks.integer(window, "window")
    return [f"{name} lag {window - t}" for t in range(window) for name in feature_names]


class FlatPredict:
    """The model's forecast for rows of flattened windows: the function SHAP and LIME call.

    ``predict(flat)`` reshapes the rows ``(m, window * n_features)`` to windows,
    runs the model once on all of them (``training=False``, in one traced graph)
    and returns output ``output_index`` of each, a 1-D float64 array ``(m,)``.
    That is a regression output: LIME needs ``mode="regression"`` for it (a
    Keras forecaster has no ``predict_proba``, and its output is no probability).

    Attributes
    ----------
    calls : int
        Times the function was called.
    rows : int
        Rows (windows) it evaluated in all.

    Parameters
    ----------
    model : keras.Model
        Input ``(batch, window, n_features)``.
    output_index : int, default 0
        Which output per window (e.g. the horizon step).
    keep_rows : bool, default False
        Keep a copy of every row it is called on, for :meth:`kept_rows`: the windows
        an explainer made up. A Kernel SHAP explanation of one window at SHAP's default
        budget is about ``2100 * n_background`` rows, so keep them for a few windows only.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If ``output_index`` is outside the model's outputs, or a call gets rows
        of the wrong width.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.array([[2.0], [-1.0]])])
    >>> predict = FlatPredict(model)
    >>> predict(np.array([[3.0, 4.0], [1.0, 0.0]]))
    array([2., 2.])
    >>> predict.calls, predict.rows
    (1, 2)
    >>> kept = FlatPredict(model, keep_rows=True)
    >>> _ = kept(np.array([[3.0, 4.0]])); _ = kept(np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> kept.kept_rows()
    array([[3., 4.],
           [1., 0.],
           [0., 1.]])
    """

    def __init__(self, model, *, output_index=0, keep_rows=False):
        check_model(model)
        self.model = model
        _, self.window, self.n_features = model.input_shape
        self.output_index = check_output_index(model, output_index)
        self.dtype = input_dtype(model)
        self._forward = output_function(model, self.output_index)  # (m, window, F) -> (m,)
        self.keep_rows = _checks.boolean(keep_rows, "keep_rows")
        self._kept = []
        self.calls = 0
        self.rows = 0

    def __call__(self, flat):
        flat = np.asarray(flat)
        width = self.window * self.n_features
        if flat.ndim != 2 or flat.shape[1] != width:
            raise ValueError(
                f"rows must have shape (n, window * n_features) = (n, {width}), got {flat.shape}"
            )
        self.calls += 1
        self.rows += len(flat)
        if self.keep_rows:
            self._kept.append(flat.astype(np.float64))
        windows = flat.reshape(len(flat), self.window, self.n_features).astype(self.dtype)
        return self._forward(tf.constant(windows)).numpy().astype(np.float64)

    def kept_rows(self):
        """Every row the function was called on, in order: ``(rows, window * n_features)``.

        Raises
        ------
        ValueError
            If it was made without ``keep_rows=True``.
        """
        if not self.keep_rows:
            raise ValueError("kept_rows needs FlatPredict(..., keep_rows=True)")
        width = self.window * self.n_features
        return np.concatenate(self._kept) if self._kept else np.empty((0, width))


def as_list_input(model):
    """The same model, taking its window as a list of one array.

    ``shap.GradientExplainer`` calls a TensorFlow model with a list of inputs
    (``model([x])``), as Keras 2 models accepted. A Keras 3 model built on one
    input warns that the structure does not match; this wrapper declares the
    list, shares the model's layers and weights, and computes the same output.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    keras.Model
        Input ``[(batch, window, n_features)]``, output as ``model``'s.

    Raises
    ------
    TypeError
        If ``model`` is not a built Keras model.

    Examples
    --------
    >>> model = keras.Sequential([keras.Input((2, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(1)])
    >>> wrapped = as_list_input(model)
    >>> x = np.ones((3, 2, 1), dtype="float32")
    >>> bool(np.allclose(wrapped([x]), model(x)))
    True
    """
    check_model(model)
    inputs = keras.Input(model.input_shape[1:], dtype=input_dtype(model), name="window")
    return keras.Model([inputs], model(inputs), name=f"{model.name}_list_input")
