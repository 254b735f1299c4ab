"""Turning attribution maps into rankings, comparing them, and converting them to raw units.

NumPy, pandas and scikit-learn only: this module never imports TensorFlow, so
a map computed once (by :mod:`helpers.sensitivity`, SHAP, LIME or by hand) can
be ranked and compared without loading a model. A map ``A`` has the windows'
shape ``(n_samples, n_timesteps, n_features)``; one 2-D map
``(n_timesteps, n_features)`` is accepted too.

- :func:`rank_features`, :func:`rank_timesteps`, :func:`rank_cells`: the mean
  of :math:`|A|` per feature, per time step (``lag`` 1 = the last step of the
  window) or per cell, most important first.
- :func:`rank_correlation`: Spearman correlation of two maps over their cells
  (:func:`window_rank_correlations` keeps it per window); :func:`window_top_overlap`:
  the share of each window's top cells two maps have in common.
- :func:`to_raw_units`: gradients and attributions from scaled to raw units,
  by the chain rule through a fitted per-column scaler.

:mod:`helpers.sensitivity` re-exports every name here, so ``sens.rank_features``
works as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers import _checks

__all__ = [
    "rank_features",
    "rank_timesteps",
    "rank_cells",
    "rank_correlation",
    "window_rank_correlations",
    "window_top_overlap",
    "to_raw_units",
]

# --------------------------------------------------------------------------- checks


def _check_attributions(attributions, name="attributions"):
    array = _checks.real_array(attributions, name)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.size == 0:
        raise ValueError(
            f"{name} must be 3-D (n_samples, n_timesteps, n_features) or one 2-D map "
            f"(n_timesteps, n_features), got shape {np.asarray(attributions).shape}"
        )
    return array.astype(float)


def _check_names(feature_names, n_features):
    if feature_names is None:
        return [f"feature {j}" for j in range(n_features)]
    if isinstance(feature_names, str) or not isinstance(feature_names, Sequence | pd.Index):
        raise TypeError(
            f"feature_names must be a list of names, got {type(feature_names).__name__}"
        )
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(
            f"feature_names must have one name per feature ({n_features}), got {len(names)}"
        )
    return names


# --------------------------------------------------------------------------- rankings


def _ranked(frame):
    frame["share"] = frame["mean_abs"] / frame["mean_abs"].sum() if frame["mean_abs"].sum() else 0.0
    frame = frame.sort_values("mean_abs", ascending=False, kind="stable")
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame


def rank_features(attributions, *, feature_names=None):
    """Rank the features by mean absolute attribution over windows and time steps.

    Parameters
    ----------
    attributions : array-like, shape (n_samples, n_timesteps, n_features)
        Any map from this module (or one 2-D map ``(n_timesteps, n_features)``).
    feature_names : sequence of str, optional
        One per feature; ``"feature 0"``, ... when None.

    Returns
    -------
    DataFrame
        Indexed by feature name, most important first, with columns
        ``mean_abs`` (mean of :math:`|A|`), ``share`` (its fraction of the
        total) and ``rank`` (1 = most important).

    Raises
    ------
    TypeError, ValueError
        If ``attributions`` is not numeric and 2-D/3-D, or ``feature_names``
        does not name every feature.

    Examples
    --------
    >>> a = np.zeros((2, 3, 2)); a[:, :, 1] = -1.0; a[:, 0, 0] = 0.3
    >>> rank_features(a, feature_names=["volume", "price"])
             mean_abs  share  rank
    feature
    price         1.0   0.90     1
    volume        0.1   0.10     2
    """
    a = _check_attributions(attributions)
    names = _check_names(feature_names, a.shape[2])
    frame = pd.DataFrame(
        {"mean_abs": np.abs(a).mean(axis=(0, 1))}, index=pd.Index(names, name="feature")
    )
    return _ranked(frame)


def rank_timesteps(attributions, *, feature=None, feature_names=None):
    """Rank the time steps of the window by mean absolute attribution.

    A step is labelled by its ``lag``: 1 is the last value in the window (the
    most recent), ``n_timesteps`` the first; ``step`` is its position 0..T-1.

    Parameters
    ----------
    attributions : array-like, shape (n_samples, n_timesteps, n_features)
    feature : int or str, optional
        Rank the steps of one feature only (position, or name from
        ``feature_names``); None averages over all features.
    feature_names : sequence of str, optional

    Returns
    -------
    DataFrame
        Indexed by ``lag``, most important first, columns ``step``,
        ``mean_abs``, ``share``, ``rank``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`rank_features`, or for an unknown ``feature``.

    Examples
    --------
    >>> a = np.zeros((1, 3, 2)); a[0, 2, 0] = 2.0; a[0, 0, 1] = -1.0
    >>> rank_timesteps(a, feature_names=["price", "volume"])
         step  mean_abs  share  rank
    lag
    1       2       1.0  0.667     1
    3       0       0.5  0.333     2
    2       1       0.0  0.000     3
    >>> list(rank_timesteps(a, feature="volume", feature_names=["price", "volume"]).index)
    [3, 2, 1]
    """
    a = _check_attributions(attributions)
    names = _check_names(feature_names, a.shape[2])
    if feature is None:
        values = np.abs(a).mean(axis=(0, 2))
    else:
        values = np.abs(a[:, :, _checks.column_positions(feature, names, "feature")[0]]).mean(
            axis=0
        )
    timesteps = a.shape[1]
    frame = pd.DataFrame(
        {"step": np.arange(timesteps), "mean_abs": values},
        index=pd.Index(timesteps - np.arange(timesteps), name="lag"),
    )
    return _ranked(frame)


def rank_cells(attributions, *, feature_names=None):
    """Rank every (feature, lag) cell of the window by mean absolute attribution.

    Parameters
    ----------
    attributions : array-like, shape (n_samples, n_timesteps, n_features)
    feature_names : sequence of str, optional

    Returns
    -------
    DataFrame
        One row per cell, most important first, columns ``feature``, ``lag``
        (1 = last step of the window), ``step``, ``mean_abs``, ``share``, ``rank``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`rank_features`.

    Examples
    --------
    >>> a = np.zeros((1, 3, 2)); a[0, 2, 0] = 2.0; a[0, 0, 1] = -1.0
    >>> rank_cells(a, feature_names=["price", "volume"]).head(2)
      feature  lag  step  mean_abs     share  rank
    0   price    1     2       2.0  0.666667     1
    1  volume    3     0       1.0  0.333333     2
    """
    a = _check_attributions(attributions)
    names = _check_names(feature_names, a.shape[2])
    _, timesteps, features = a.shape
    step, feat = np.meshgrid(np.arange(timesteps), np.arange(features), indexing="ij")
    frame = pd.DataFrame(
        {
            "feature": np.array(names, dtype=object)[feat.ravel()],
            "lag": timesteps - step.ravel(),
            "step": step.ravel(),
            "mean_abs": np.abs(a).mean(axis=0).ravel(),
        }
    )
    return _ranked(frame).reset_index(drop=True)


def _spearman(u, v):
    """Spearman correlation of two 1-D arrays (average ranks for ties); NaN if one is constant."""
    ru = pd.Series(u).rank().to_numpy()
    rv = pd.Series(v).rank().to_numpy()
    if np.ptp(ru) == 0 or np.ptp(rv) == 0:
        return float("nan")
    return float(np.corrcoef(ru, rv)[0, 1])


def rank_correlation(a, b, *, per_window=False, absolute=True):
    """Spearman rank correlation of two attribution maps over their (time step, feature) cells.

    - ``per_window=False`` (default): each map is first averaged over its windows
      (of :math:`|A|`, or of :math:`A` with ``absolute=False``), giving one value per
      cell; the result is the rank correlation of those two sets of cell values. It
      compares *global* importance; the numbers of windows may differ.
    - ``per_window=True``: the rank correlation of the two maps of each window
      (same windows, same order), averaged over windows, as in the model-
      randomisation test of Adebayo et al. (2018). With ``absolute=False`` the signs
      count too: two explanations of the same window that disagree in direction
      correlate near zero or below.

    The Spearman correlation is the Pearson correlation of the ranks (ties get
    their average rank): 1 means the same order of cells, 0 no relation.

    Parameters
    ----------
    a, b : array-like, shape (n_samples, n_timesteps, n_features) or (n_timesteps, n_features)
        Two maps of the same window shape.
    per_window : bool, default False
    absolute : bool, default True
        Compare :math:`|A|` (importance) or the signed :math:`A`.

    Returns
    -------
    float
        In [-1, 1]; NaN if a compared map is constant.

    Raises
    ------
    TypeError, ValueError
        If a map is not numeric and 2-D/3-D, their window shapes differ, or
        ``per_window=True`` and their numbers of windows differ.

    Examples
    --------
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> rank_correlation(a, a ** 2), rank_correlation(a, -a[::-1, ::-1])
    (1.0, -1.0)
    >>> rank_correlation(a, -a, absolute=False), rank_correlation(a, -a)
    (-1.0, 1.0)
    """
    a = _check_attributions(a, "a")
    b = _check_attributions(b, "b")
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"a and b must have the same window shape, got {a.shape[1:]} and {b.shape[1:]}"
        )
    if absolute:
        a, b = np.abs(a), np.abs(b)
    if not per_window:
        return _spearman(a.mean(axis=0).ravel(), b.mean(axis=0).ravel())
    return float(np.mean(_per_window(a, b, "with per_window=True, a and b")))


def _per_window(a, b, who):
    """Spearman correlation of each window's two maps: (n_samples,)."""
    if len(a) != len(b):
        raise ValueError(f"{who} must explain the same windows, got {len(a)} and {len(b)} windows")
    return np.array([_spearman(u.ravel(), v.ravel()) for u, v in zip(a, b, strict=True)])


def window_rank_correlations(a, b, *, absolute=True):
    """The Spearman rank correlation of two maps of every window, one value per window.

    What ``rank_correlation(a, b, per_window=True)`` averages, kept per window so
    that two comparisons over the same windows can be paired (e.g. trained versus
    random weights against trained versus retrained, window by window).

    Parameters
    ----------
    a, b : array-like, shape (n_samples, n_timesteps, n_features)
        Two maps of the same windows, in the same order (a 2-D map is one window).
    absolute : bool, default True
        Compare :math:`|A|` (importance) or the signed :math:`A`.

    Returns
    -------
    ndarray of float64, shape (n_samples,)
        In [-1, 1]; NaN for a window whose map is constant.

    Raises
    ------
    TypeError, ValueError
        If a map is not numeric and 2-D/3-D, or the maps' shapes differ.

    Examples
    --------
    >>> a = np.array([[[1.0, 2.0], [3.0, 4.0]], [[1.0, -2.0], [3.0, 4.0]]])
    >>> window_rank_correlations(a, a[[0, 0]], absolute=False)
    array([1. , 0.8])
    >>> float(window_rank_correlations(a, a[[0, 0]]).mean()) == rank_correlation(
    ...     a, a[[0, 0]], per_window=True)
    True
    """
    a = _check_attributions(a, "a")
    b = _check_attributions(b, "b")
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"a and b must have the same window shape, got {a.shape[1:]} and {b.shape[1:]}"
        )
    if absolute:
        a, b = np.abs(a), np.abs(b)
    return _per_window(a, b, "a and b")


def window_top_overlap(a, b, *, k=3):
    """The share of each window's ``k`` largest cells (by |value|) that two maps have in common.

    A coarser comparison than :func:`window_rank_correlations`: it asks only whether
    two explanations of the same window point at the same few cells, and ignores the
    order of the many cells that carry little. For the model-randomisation check this
    is the question that matters (does the map still point where it did?), and the
    ranks of the small cells, noise for any model, no longer dilute it. Ties go to
    the cell that comes first in the flattened window.

    Parameters
    ----------
    a, b : array-like, shape (n_samples, n_timesteps, n_features)
        Two maps of the same windows, in the same order (a 2-D map is one window).
    k : int, default 3
        Cells compared per window, at most the cells of a window.

    Returns
    -------
    ndarray of float64, shape (n_samples,)
        In {0, 1/k, ..., 1}.

    Raises
    ------
    TypeError, ValueError
        If a map is not numeric and 2-D/3-D, the maps' shapes differ, or ``k`` is not
        an integer from 1 to the cells of a window.

    Examples
    --------
    >>> a = np.array([[[3.0, 0.1], [-2.0, 1.0]]])  # top 2: cells (0, 0) and (1, 0)
    >>> b = np.array([[[0.5, 0.0], [-4.0, 1.0]]])  # top 2: cells (1, 0) and (1, 1)
    >>> window_top_overlap(a, b, k=2)
    array([0.5])
    """
    a = _check_attributions(a, "a")
    b = _check_attributions(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must explain the same windows, got {a.shape} and {b.shape}")
    k = _checks.integer(k, "k")
    cells = a.shape[1] * a.shape[2]
    if k > cells:
        raise ValueError(f"k must be at most the {cells} cells of a window, got {k}")

    def top(maps):  # (n, k) flat positions of each window's k largest |values|
        return np.argsort(-np.abs(maps.reshape(len(maps), -1)), axis=1, kind="stable")[:, :k]

    return np.array([len(set(u) & set(v)) / k for u, v in zip(top(a), top(b), strict=True)])


# --------------------------------------------------------------------------- units


def _column_position(column, columns, n_columns, name):
    if isinstance(column, str) and columns is None:
        raise ValueError(
            f"{name} is a name ({column!r}) but the scaler has no column names: "
            "pass columns=... (e.g. ScaledSplit.columns) or integer positions"
        )
    labels = list(range(n_columns)) if columns is None else columns
    return _checks.column_positions(column, labels, name)[0]


def _scaler_slopes(scaler):
    """d(scaled)/d(raw) of every column of a fitted per-column affine scaler: (n_columns,)."""
    n_columns = getattr(scaler, "n_features_in_", None)
    if not hasattr(scaler, "transform") or n_columns is None:
        raise TypeError(
            "scaler must be a fitted scikit-learn scaler (with transform and n_features_in_), "
            f"got {type(scaler).__name__}"
        )
    probes = np.vstack([np.zeros(n_columns), np.eye(n_columns), 2 * np.eye(n_columns)])
    names = getattr(scaler, "feature_names_in_", None)
    if names is not None:
        probes = pd.DataFrame(probes, columns=names)
    out = np.asarray(scaler.transform(probes), dtype=float)
    one = out[1 : 1 + n_columns] - out[0]  # (columns, columns)
    two = out[1 + n_columns :] - out[0]
    slopes = np.diag(one).copy()
    if not (
        np.allclose(one, np.diag(slopes), atol=1e-12 * max(1.0, np.abs(one).max()))
        and np.allclose(two, 2 * one, rtol=1e-9)
        and np.all(slopes != 0)
    ):
        raise ValueError(
            "scaler must scale each column by its own affine map (StandardScaler, "
            f"MinMaxScaler, RobustScaler, MaxAbsScaler), got {type(scaler).__name__} that "
            "mixes columns, is not affine or maps a column to a constant"
        )
    return slopes


def to_raw_units(
    values, scaler, *, target_column, feature_columns=None, columns=None, kind="gradient"
):
    """Convert gradients or attributions from scaled units to raw (data) units.

    A model trained on scaled data computes :math:`\\tilde y = f(\\tilde x)` with
    :math:`\\tilde x_j = a_j x_j + b_j` per input column and :math:`\\tilde y = a_y
    y + b_y` for the target. By the chain rule

    .. math::

        \\frac{\\partial y}{\\partial x_j}
        = \\frac{\\partial y}{\\partial \\tilde y}
          \\frac{\\partial \\tilde y}{\\partial \\tilde x_j}
          \\frac{\\partial \\tilde x_j}{\\partial x_j}
        = \\frac{a_j}{a_y}\\, \\frac{\\partial \\tilde y}{\\partial \\tilde x_j}.

    For a ``StandardScaler`` (:math:`a = 1/\\sigma`, ``scale_`` = :math:`\\sigma`)
    the raw gradient is the scaled gradient **divided by the input column's
    scale_ and multiplied by the target's scale_**; for a ``MinMaxScaler``
    (whose ``scale_`` is the multiplier :math:`a`) it is multiplied by the input's
    ``scale_`` and divided by the target's. The slopes :math:`a` are measured from
    ``scaler.transform`` itself, so any per-column affine scikit-learn scaler works.

    Attributions (gradient x input, integrated gradients, occlusion) are already
    "output per contribution": :math:`\\partial \\tilde y/\\partial \\tilde x_j \\cdot
    \\Delta \\tilde x_j = \\partial \\tilde y/\\partial x_j \\cdot \\Delta x_j`, so with
    ``kind="attribution"`` only the target factor :math:`1/a_y` applies and their
    ranking does not change. Raw gradients are "per unit of each input": they
    change with the units a column happens to be recorded in.

    Parameters
    ----------
    values : array-like, shape (..., n_features)
        Gradients (or attributions) with respect to scaled inputs, last axis the
        features, e.g. ``(n_samples, n_timesteps, n_features)``.
    scaler : fitted scikit-learn scaler
        The one that scaled the data, fitted on all columns (features and target),
        e.g. ``ScaledSplit.scaler``.
    target_column : int, str or None
        The target's column in the scaler, or None if the model's output is not
        scaled (raw units already).
    feature_columns : sequence of int or str, optional
        The scaler's column of each feature of ``values``, in order; None means
        columns ``0..n_features-1``.
    columns : sequence of str, optional
        The scaler's column names, to resolve names (e.g. ``ScaledSplit.columns``);
        defaults to ``scaler.feature_names_in_`` when it has them.
    kind : {"gradient", "attribution"}, default "gradient"

    Returns
    -------
    ndarray of float64, the shape of ``values``
        Output units per input unit (gradient) or output units (attribution).

    Raises
    ------
    TypeError
        If ``scaler`` is not a fitted scikit-learn scaler or a column is not an int/str.
    ValueError
        If the scaler is not per-column affine, a column is unknown, the number
        of ``feature_columns`` differs from the last axis of ``values``, or
        ``kind`` is unknown.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> data = np.array([[0.0, 0.0], [2.0, 20.0], [4.0, 40.0]])  # x: sd 1.63, y: sd 16.3
    >>> scaler = StandardScaler().fit(data)
    >>> to_raw_units(np.array([[[1.0]]]), scaler, target_column=1, feature_columns=[0])
    array([[[10.]]])
    """
    if kind not in ("gradient", "attribution"):
        raise ValueError(f"kind must be 'gradient' or 'attribution', got {kind!r}")
    slopes = _scaler_slopes(scaler)
    n_columns = len(slopes)
    if columns is None and getattr(scaler, "feature_names_in_", None) is not None:
        columns = list(scaler.feature_names_in_)
    if columns is not None:
        columns = [str(c) if not isinstance(c, str) else c for c in columns]
        if len(columns) != n_columns:
            raise ValueError(
                f"columns must name the scaler's {n_columns} columns, got {len(columns)}"
            )
    array = _checks.real_array(values, "values")
    if array.ndim == 0:
        raise ValueError("values must have a features axis (last axis), got a scalar")
    n_features = array.shape[-1]
    if feature_columns is None:
        if n_features > n_columns:
            raise ValueError(
                f"values has {n_features} features but the scaler only {n_columns} columns"
            )
        positions = list(range(n_features))
    else:
        if isinstance(feature_columns, str) or not isinstance(feature_columns, Sequence):
            raise TypeError(
                "feature_columns must be a list of positions or names, got "
                f"{type(feature_columns).__name__}"
            )
        if len(feature_columns) != n_features:
            raise ValueError(
                f"feature_columns must give one column per feature ({n_features}), "
                f"got {len(feature_columns)}"
            )
        positions = [
            _column_position(c, columns, n_columns, "feature_columns") for c in feature_columns
        ]
    target_factor = 1.0
    if target_column is not None:
        target_factor = (
            1.0 / slopes[_column_position(target_column, columns, n_columns, "target_column")]
        )
    factor = target_factor * (slopes[positions] if kind == "gradient" else 1.0)
    return array.astype(np.float64) * factor
