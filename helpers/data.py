"""Windows, splits and scaling: the leak-free path from a series to a model's arrays.

NumPy, pandas and scikit-learn only: this module never imports TensorFlow, so it
imports and tests fast. Argument checks live in ``helpers._checks``, the rows
of each part of a split in ``helpers._split_sizes``.

The leak-free path every lesson follows::

    df = data.load_dataset("airline")                       # (time, features) DataFrame
    split = data.chronological_split(df, train=0.7, validation=0.15)
    scaled = data.scale_split(split)                        # scaler fitted on train only
    X_train, y_train = data.make_windows(scaled.train, 12)  # (n, 12, 1), (n, 1)
    ...
    forecast_raw = scaled.inverse(forecast_scaled)          # back to passengers

Canonical shapes: windows ``X`` are ``(n_samples, n_timesteps, n_features)``;
targets ``y`` are ``(n_samples, horizon)`` for one target or
``(n_samples, horizon, n_targets)`` for several.

The lessons reach the whole data path through this one module, so it also
re-exports what lives next door:

- :mod:`helpers.csv_loading`: :func:`load_series`, :func:`find_gaps`;
- :mod:`helpers.generators`: :func:`noisy_sine`, :func:`known_drivers`;
- :mod:`helpers.lesson_data`: :func:`load_dataset`, :func:`list_datasets`,
  :func:`datasets_folder`, :func:`check_window_fits`, :func:`load_lesson_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from helpers import _checks
from helpers._split_sizes import part_sizes

# Re-exported: the lessons call these as data.*.
from helpers.csv_loading import find_gaps, load_series
from helpers.generators import known_drivers, noisy_sine
from helpers.lesson_data import (
    check_window_fits,
    datasets_folder,
    list_datasets,
    load_dataset,
    load_lesson_data,
)

__all__ = [
    "Split",
    "ScaledSplit",
    "Windows",
    "WindowSplit",
    "make_windows",
    "chronological_split",
    "split_windows",
    "scale_split",
    # re-exported
    "load_series",
    "find_gaps",
    "noisy_sine",
    "known_drivers",
    "check_window_fits",
    "load_dataset",
    "load_lesson_data",
    "list_datasets",
    "datasets_folder",
]


# --------------------------------------------------------------------------- validation


def _as_2d(values, name: str = "values") -> tuple[np.ndarray, list]:
    """Return ``(array (time, features) float, column labels)`` without mutating ``values``."""
    if isinstance(values, pd.DataFrame):
        columns = list(values.columns)
        raw = values.to_numpy()
    elif isinstance(values, pd.Series):
        columns = [values.name if values.name is not None else 0]
        raw = values.to_numpy()[:, None]
    else:
        raw = np.asarray(values)
        if raw.ndim == 1:
            raw = raw[:, None]
        columns = list(range(raw.shape[1])) if raw.ndim == 2 else []
    if raw.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (time,) or 2-D (time, features), got shape {np.shape(values)}"
        )
    return _checks.real_array(raw, name).astype(float), columns


# --------------------------------------------------------------------------- windows


def _columns(array, positions):
    """``array[:, positions]``, as a view when the positions are a run of neighbours."""
    first = positions[0]
    if list(positions) == list(range(first, first + len(positions))):
        return array[:, first : first + len(positions)]  # a slice: no copy
    return array[:, positions]  # fancy indexing copies


def make_windows(values, window, *, horizon=1, target_columns=None, feature_columns=None):
    """Cut a series into overlapping input windows and the values that follow them.

    Sample ``i`` has inputs ``values[i : i + window]`` and targets
    ``values[i + window : i + window + horizon]``, for every ``i`` from 0 to
    ``n - 1`` with ``n = len(values) - window - horizon + 1``: no window is lost.

    Parameters
    ----------
    values : array-like or DataFrame, shape (time,) or (time, features)
        The series, oldest first. Not modified.
    window : int
        Number of past time steps in each input window (``n_timesteps``).
    horizon : int, default 1
        Number of future steps to predict.
    target_columns : int, str, list or tuple, optional
        Column(s) to predict. One label or position gives ``y`` of shape
        ``(n, horizon)``; a list or tuple (even of length 1) gives
        ``(n, horizon, n_targets)``. None: the single column of a 1-D or
        one-column input (``(n, horizon)``), or every column of a
        multi-column input (``(n, horizon, n_features)``). Names work for
        DataFrames, positions for everything.
    feature_columns : int, str, list or tuple, optional
        Column(s) the inputs ``X`` hold; default all columns.

    Returns
    -------
    X : ndarray of float, shape (n, window, n_features)
    y : ndarray of float, shape (n, horizon) or (n, horizon, n_targets)
        Read-only views of one private copy of the series: the overlapping
        windows share memory, so a million points in windows of 50 take 8 MB
        instead of 400 MB, and nothing is copied per window. Neither writing
        into them (NumPy refuses) nor changing ``values`` later can make the
        windows and the series disagree. Call ``X.copy()`` for a writable array.

    Raises
    ------
    TypeError
        If ``window`` or ``horizon`` is not an integer, or ``values`` is not numeric.
    ValueError
        If ``values`` is not 1-D or 2-D, contains NaN or infinity, is too short
        for one window plus horizon, or a column is unknown.

    Examples
    --------
    >>> X, y = make_windows(np.arange(6.0), 3)
    >>> X.shape, y.shape
    ((3, 3, 1), (3, 1))
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y[:, 0]
    array([3., 4., 5.])
    >>> two = np.column_stack([np.arange(6.0), 10 * np.arange(6.0)])   # (time, 2)
    >>> X, y = make_windows(two, 2, horizon=2, target_columns=1)
    >>> X.shape, y.shape, y[0]
    ((3, 2, 2), (3, 2), array([20., 30.]))
    """
    window = _checks.integer(window, "window")
    horizon = _checks.integer(horizon, "horizon")
    array, columns = _as_2d(values)
    length = array.shape[0]

    _checks.finite(array, "values", columns=columns, fix="fill or drop them before making windows")

    n = length - window - horizon + 1
    if n < 1:
        raise ValueError(
            f"values has {length} time steps, too few for window={window} plus "
            f"horizon={horizon} (needs at least {window + horizon}): "
            "reduce window or horizon, or use a longer series"
        )

    features = (
        list(range(len(columns)))
        if feature_columns is None
        else _checks.column_positions(feature_columns, columns, "feature_columns")
    )
    if target_columns is None:
        targets = list(range(len(columns)))
        single = len(columns) == 1
    else:
        targets = _checks.column_positions(target_columns, columns, "target_columns")
        single = not isinstance(target_columns, (list, tuple))

    # `array` is already a private float copy of `values` (see _as_2d), so the
    # windows below are views of memory nobody else holds. sliding_window_view
    # returns read-only views and puts the window axis last: (time - w + 1, features, w).
    inputs = _columns(array, features)  # (time, n_features)
    X = sliding_window_view(inputs, window, axis=0)[:n]  # (n, n_features, window)
    X = X.transpose(0, 2, 1)  # (n, window, n_features)
    future = _columns(array, targets)[window:]  # (time - window, n_targets)
    y = sliding_window_view(future, horizon, axis=0)[:n]  # (n, n_targets, horizon)
    y = y.transpose(0, 2, 1)  # (n, horizon, n_targets)
    if single:
        y = y[:, :, 0]  # (n, horizon)
    return X, y


# --------------------------------------------------------------------------- splitting


class _ThreeParts:
    """Train, validation and test, oldest first: the shape every split of this module has."""

    @property
    def lengths(self) -> tuple[int, int, int]:
        """Rows (of a Split) or windows (of a WindowSplit) in train, validation and test."""
        return len(self.train), len(self.validation), len(self.test)


@dataclass(frozen=True)
class Split(_ThreeParts):
    """Three consecutive parts of one series, oldest first.

    Attributes
    ----------
    train, validation, test : ndarray or DataFrame
        The same type as the data that was split; ``validation`` may be empty.
    """

    train: Any
    validation: Any
    test: Any


def chronological_split(data, *, train=None, validation=None, validation_size=None, test_size=None):
    """Split a series into train, validation and test parts in time order, without shuffling.

    The first ``floor(train * len)`` rows train, the next
    ``floor(validation * len)`` validate, the rest test.

    Parameters
    ----------
    data : ndarray, Series or DataFrame, shape (time,) or (time, features)
        Oldest first. Not modified.
    train : float, default 0.7
        Fraction of rows for training, ``0 < train < 1``.
    validation : float, default 0.15
        Fraction of rows for validation, ``0 <= validation < 1``; 0 for no validation part.
    test_size, validation_size : int, optional
        The test (and validation) part as a number of rows, the last rows of the
        series; training gets the rows before them (``train`` is then not given).
        ``test_size=12`` holds out the last year of a monthly series.

    Returns
    -------
    Split
        ``.train``, ``.validation``, ``.test`` of the same type as ``data``
        (arrays are copies).

    Raises
    ------
    TypeError
        If ``data`` has no length or a fraction is not a number.
    ValueError
        If the fractions leave no test rows, or a part would be empty.

    Examples
    --------
    >>> parts = chronological_split(np.arange(10), train=0.6, validation=0.2)
    >>> parts.train, parts.validation, parts.test
    (array([0, 1, 2, 3, 4, 5]), array([6, 7]), array([8, 9]))
    >>> parts.lengths
    (6, 2, 2)
    """
    sizes = dict(
        train=train, validation=validation, validation_size=validation_size, test_size=test_size
    )
    if not hasattr(data, "__len__"):
        part_sizes(0, **sizes)  # the sizes' own errors first
        raise TypeError(f"data must be an array, Series or DataFrame, got {type(data).__name__}")
    n_obs = len(data)
    n_train, n_val, n_test = part_sizes(n_obs, **sizes)
    wants_validation = bool(validation_size) or (validation_size is None and validation != 0)
    empty = [
        name
        for name, size, wanted in (
            ("train", n_train, True),
            ("validation", n_val, wants_validation),
            ("test", n_test, True),
        )
        if wanted and size < 1
    ]
    if empty:
        given = ", ".join(f"{k}={v}" for k, v in sizes.items() if v is not None) or "the defaults"
        raise ValueError(
            f"data has {n_obs} rows: the {' and '.join(empty)} part(s) would be empty with "
            f"{given}; use a longer series or other sizes"
        )
    cuts = (slice(0, n_train), slice(n_train, n_train + n_val), slice(n_train + n_val, n_obs))
    if isinstance(data, (pd.DataFrame, pd.Series)):
        parts = [data.iloc[cut].copy() for cut in cuts]
    else:
        array = np.asarray(data)
        parts = [array[cut].copy() for cut in cuts]
    return Split(*parts)


@dataclass(frozen=True)
class Windows:
    """The windows of one part of a series.

    Unpacks as ``X, y = part``.

    Attributes
    ----------
    X : ndarray of float, shape (n, window, n_features)
    y : ndarray of float, shape (n, horizon) or (n, horizon, n_targets)
    first_target : ndarray of int, shape (n,)
        The row of the series that holds each window's first target.
    """

    X: np.ndarray
    y: np.ndarray
    first_target: np.ndarray

    def __iter__(self):
        return iter((self.X, self.y))

    def __len__(self) -> int:
        return len(self.X)


@dataclass(frozen=True)
class WindowSplit(_ThreeParts):
    """Windows of a series split into train, validation and test by one rule.

    A window belongs to the part that holds its **first target**; all its
    targets lie in that part, and its inputs may reach back into earlier parts
    (never forward into a later one). See :func:`split_windows`.

    Attributes
    ----------
    train, validation, test : Windows
        Each unpacks as ``X, y``; ``validation`` may hold no windows.
    rows : tuple of int
        Rows of the series in train, validation and test.
    """

    train: Windows
    validation: Windows
    test: Windows
    rows: tuple


def split_windows(
    values,
    window,
    *,
    horizon=1,
    train=None,
    validation=None,
    validation_size=None,
    test_size=None,
    target_columns=None,
    feature_columns=None,
):
    """Cut a series into windows and split them into train, validation and test.

    The one rule of the course: a window belongs to the part that holds its
    first target, all of its ``horizon`` targets lie inside that part, and its
    inputs may reach back into earlier parts. So the first validation window
    reads the last ``window`` training rows, and no window of an earlier part
    sees a target of a later one. Every target row of a part (but the first
    ``window`` of the series and the last ``horizon - 1`` of each part) is
    forecast exactly once.

    Parameters
    ----------
    values : array-like, DataFrame, Split or ScaledSplit
        The whole series, shape ``(time,)`` or ``(time, features)``, oldest
        first; or a split from :func:`chronological_split` /
        :func:`scale_split`, whose parts are joined again and whose part
        lengths are kept (then give no sizes here). Not modified.
    window, horizon : int
        Past steps per window and steps forecast, as in :func:`make_windows`.
    train, validation : float, optional
        Fractions of rows, as in :func:`chronological_split` (defaults 0.7 and 0.15).
    test_size, validation_size : int, optional
        The test (and validation) part as a number of rows, the last rows of
        the series; training gets the rows before them. ``test_size=HORIZON``
        forecasts exactly the last ``HORIZON`` rows.
    target_columns, feature_columns
        As in :func:`make_windows`.

    Returns
    -------
    WindowSplit
        ``.train``, ``.validation``, ``.test`` (each unpacks as ``X, y``, shapes
        as :func:`make_windows`) and ``.rows``, the rows in each part.

    Raises
    ------
    ValueError
        If a non-empty part is too short to hold one window's targets, the
        training part holds no window, sizes are given twice, or the sizes do
        not fit the series.

    Examples
    --------
    >>> parts = split_windows(np.arange(10.0), 3, train=0.6, validation=0.2)
    >>> parts.rows, parts.lengths
    ((6, 2, 2), (3, 2, 2))
    >>> X_val, y_val = parts.validation
    >>> X_val[:, :, 0], y_val[:, 0]          # inputs reach back into the training rows
    (array([[3., 4., 5.],
           [4., 5., 6.]]), array([6., 7.]))
    >>> split_windows(np.arange(10.0), 3, test_size=1, validation_size=0).test.first_target
    array([9])
    """
    series, rows = _series_and_rows(
        values,
        train=train,
        validation=validation,
        validation_size=validation_size,
        test_size=test_size,
    )
    window = _checks.integer(window, "window")
    horizon = _checks.integer(horizon, "horizon")
    n_train, n_val, n_test = rows
    if n_train < 1 or n_test < 1:
        raise ValueError(
            f"the series has {sum(rows)} rows: {n_train} for training and {n_test} for testing "
            "is not a split; use a longer series or smaller validation/test parts"
        )
    X, y = make_windows(
        series,
        window,
        horizon=horizon,
        target_columns=target_columns,
        feature_columns=feature_columns,
    )
    return WindowSplit(*_part_windows(X, y, rows, window, horizon), rows=rows)


def _series_and_rows(values, **sizes):
    """The whole series and its rows per part, from a series and sizes or from a split."""
    if not isinstance(values, (Split, ScaledSplit)):
        if not hasattr(values, "__len__"):
            raise TypeError(
                f"values must be an array, Series, DataFrame or Split, got {type(values).__name__}"
            )
        return values, part_sizes(len(values), **sizes)
    if any(size is not None for size in sizes.values()):
        raise ValueError(
            "values is already a split: its part lengths are used, so give no train, "
            "validation, validation_size or test_size"
        )
    pieces = [values.train, values.validation, values.test]
    rows = tuple(len(piece) for piece in pieces)
    if isinstance(values, ScaledSplit):
        return pd.DataFrame(np.vstack(pieces), columns=values.columns), rows
    if isinstance(pieces[0], (pd.DataFrame, pd.Series)):
        return pd.concat(pieces), rows
    return np.concatenate([np.asarray(piece) for piece in pieces]), rows


def _part_windows(X, y, rows, window, horizon):
    """Each part's windows: those whose first target lies in the part, all targets inside it."""
    starts = np.cumsum((0,) + rows)  # (4,) first row of each part, then the end
    parts = []
    for name, begin, end in zip(
        ("train", "validation", "test"), starts[:-1], starts[1:], strict=True
    ):
        # Sample i forecasts rows i + window .. i + window + horizon - 1.
        first = max(begin - window, 0)
        last = end - horizon - window  # the last sample whose targets end inside the part
        if end > begin and last < first:
            raise ValueError(
                f"the {name} part ({end - begin} rows, starting at row {begin}) holds no window "
                f"with window={window} and horizon={horizon}: a window needs {window} earlier rows "
                f"and {horizon} target rows inside the part; make the part longer, or WINDOW or "
                "HORIZON shorter"
            )
        cut = slice(first, max(last + 1, first))  # contiguous samples: views, no copies
        parts.append(Windows(X[cut], y[cut], np.arange(cut.start, cut.stop) + window))
    return parts


# --------------------------------------------------------------------------- scaling


@dataclass(frozen=True)
class ScaledSplit:
    """A split scaled by a scikit-learn scaler fitted on its training part only.

    Attributes
    ----------
    train, validation, test : ndarray of float, shape (time, features)
    scaler : scikit-learn transformer
        Fitted on ``train`` only; use it (or :meth:`inverse`) to undo the scaling.
    columns : list
        Column labels (names for DataFrames, positions otherwise).
    """

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    scaler: Any
    columns: list

    def inverse(self, values, *, column=0):
        """Map scaled values of one column back to raw units.

        Parameters
        ----------
        values : array-like of float, any shape
            Scaled values of one column, e.g. predictions of shape ``(n, horizon)``.
        column : int or str, default 0
            The column's position or label in :attr:`columns`.

        Returns
        -------
        ndarray of float, the same shape as ``values``

        Raises
        ------
        ValueError
            If ``column`` is unknown.

        Notes
        -----
        Works for column-wise scalers (standard, min-max, robust, max-abs), which
        are all this module builds: the other columns are filled with zeros
        and ignored.
        """
        position = _checks.column_positions(column, self.columns, "column")[0]
        values = np.asarray(values, dtype=float)
        flat = np.zeros((values.size, len(self.columns)))  # (m, features)
        flat[:, position] = values.ravel()
        return self.scaler.inverse_transform(flat)[:, position].reshape(values.shape)


def _make_scaler(kind: str, scaler):
    from sklearn.base import clone
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    if scaler is not None:
        if not (hasattr(scaler, "fit") and hasattr(scaler, "transform")):
            raise TypeError(
                "scaler must be a scikit-learn transformer with fit/transform, "
                f"got {type(scaler).__name__}"
            )
        return clone(scaler)  # unfitted copy: the caller's object is left as it was
    kinds = {"standard": StandardScaler, "minmax": MinMaxScaler}
    if kind not in kinds:
        raise ValueError(f"kind must be 'standard' or 'minmax', got {kind!r}")
    return kinds[kind]()


def scale_split(split, *, kind="standard", scaler=None):
    """Scale every part of a split with a scaler fitted on the training part only.

    Fitting on the training part is what keeps the test part unseen: its
    mean, minimum and maximum must not leak into the inputs.

    - standard: :math:`z = (x - \\mu_{train}) / \\sigma_{train}`
    - minmax: :math:`z = (x - \\min_{train}) / (\\max_{train} - \\min_{train})`

    Parameters
    ----------
    split : Split
        From :func:`chronological_split`; parts 1-D ``(time,)`` or 2-D ``(time, features)``.
    kind : {"standard", "minmax"}, default "standard"
    scaler : scikit-learn transformer, optional
        Your own (e.g. ``RobustScaler()``); an unfitted clone is used and
        ``kind`` is ignored. The object you pass is not modified.

    Returns
    -------
    ScaledSplit
        Parts as float arrays of shape ``(time, features)``, the fitted scaler,
        the column labels, and ``.inverse(values, column=...)``.

    Raises
    ------
    TypeError
        If ``split`` is not a Split or ``scaler`` is not a transformer.
    ValueError
        If ``kind`` is unknown or the parts' columns differ.

    Examples
    --------
    >>> parts = chronological_split(np.array([0.0, 2, 4, 6, 8, 10, 12, 14, 16, 18]))
    >>> scaled = scale_split(parts, kind="minmax")        # min 0, max 12 from train only
    >>> scaled.train.shape, scaled.test.ravel()
    ((7, 1), array([1.33333333, 1.5       ]))
    >>> scaled.inverse(scaled.test.ravel())
    array([16., 18.])
    """
    if not isinstance(split, Split):
        raise TypeError(
            f"split must be a Split from chronological_split, got {type(split).__name__}"
        )
    parts = []
    for name in ("train", "validation", "test"):
        array, columns = _as_2d(getattr(split, name), name=f"split.{name}")
        parts.append((array, columns))
    columns = parts[0][1]
    for (array, _), name in zip(parts[1:], ("validation", "test"), strict=True):
        if len(array) and array.shape[1] != len(columns):
            raise ValueError(
                f"split.{name} has {array.shape[1]} columns, split.train has {len(columns)}"
            )
    fitted = _make_scaler(kind, scaler).fit(parts[0][0])
    scaled = [
        fitted.transform(array) if len(array) else np.empty((0, len(columns))) for array, _ in parts
    ]
    return ScaledSplit(
        *[np.asarray(s, dtype=float) for s in scaled], scaler=fitted, columns=columns
    )
