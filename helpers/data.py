"""Loading, splitting, scaling and windowing time series.

NumPy, pandas and scikit-learn only: this module never imports TensorFlow, so it
imports and tests fast. The CSV loader it re-exports (:func:`load_series`,
:func:`find_gaps`) lives in :mod:`helpers.csv_loading`; argument checks in
``helpers._checks``.

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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from helpers import _checks
from helpers._paths import checkout
from helpers.csv_loading import find_gaps, load_series  # re-exported: lessons call data.*

__all__ = [
    "Split",
    "ScaledSplit",
    "Windows",
    "WindowSplit",
    "make_windows",
    "chronological_split",
    "split_windows",
    "scale_split",
    "noisy_sine",
    "known_drivers",
    "check_window_fits",
    "load_series",
    "find_gaps",
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


def _split_sizes(n_obs: int, train: float, validation: float) -> tuple[int, int, int]:
    """Rows in train, validation and test; the same arithmetic everywhere in this module."""
    # The tiny epsilon keeps 0.7 * 10 = 7.000000000000001 and 0.1 * 30 = 3.0000000000000004
    # from depending on the float's last bit.
    n_train = int(np.floor(n_obs * train + 1e-9))
    n_val = int(np.floor(n_obs * validation + 1e-9))
    return n_train, n_val, n_obs - n_train - n_val


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
        _part_sizes(0, **sizes)  # the sizes' own errors first
        raise TypeError(f"data must be an array, Series or DataFrame, got {type(data).__name__}")
    n_obs = len(data)
    n_train, n_val, n_test = _part_sizes(n_obs, **sizes)
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


def _part_sizes(n_obs, *, train, validation, validation_size, test_size):
    """Rows in train, validation and test, from fractions or from row counts.

    With ``test_size`` (and optionally ``validation_size``) the later parts are
    counted in rows and training gets every row before them; otherwise the
    fractions ``train`` and ``validation`` apply as in :func:`chronological_split`.
    """
    if test_size is None:
        if validation_size is not None:
            raise ValueError("validation_size needs test_size too: give both as rows")
        train = 0.7 if train is None else _checks.fraction(train, "train")
        validation = (
            0.15
            if validation is None
            else _checks.fraction(validation, "validation", allow_zero=True)
        )
        if train + validation >= 1:
            raise ValueError(
                f"train + validation must be below 1 to leave a test part, got "
                f"train={train} + validation={validation} = {train + validation}"
            )
        return _split_sizes(n_obs, train, validation)
    if train is not None:
        raise ValueError(
            "give either train (a fraction) or test_size (rows), not both: with test_size the "
            "training part is every row before the validation and test parts"
        )
    n_test = _checks.integer(test_size, "test_size", minimum=0)
    if validation_size is not None:
        n_val = _checks.integer(validation_size, "validation_size", minimum=0)
    else:
        validation = (
            0.15
            if validation is None
            else _checks.fraction(validation, "validation", allow_zero=True)
        )
        n_val = int(np.floor(n_obs * validation + 1e-9))
    return n_obs - n_val - n_test, n_val, n_test


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
        return values, _part_sizes(len(values), **sizes)
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


# --------------------------------------------------------------------------- generated series


def noisy_sine(n=200, *, period=25.0, noise=0.1, seed=0):
    """A sine wave with Gaussian noise: :math:`x_t = \\sin(2\\pi t / P) + \\sigma\\,\\varepsilon_t`.

    Parameters
    ----------
    n : int, default 200
        Number of time steps.
    period : float, default 25.0
        Steps per full cycle, :math:`P > 0`.
    noise : float, default 0.1
        Standard deviation :math:`\\sigma \\ge 0` of the noise.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> x = noisy_sine(50, period=10.0, noise=0.0)
    >>> x.shape, bool(np.allclose(x[:10], x[10:20]))
    ((50,), True)
    """
    n = _checks.integer(n, "n")
    period = _checks.real(period, "period", low=0, low_open=True)
    noise = _checks.real(noise, "noise", low=0)
    rng = _checks.rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def known_drivers(
    n=1500,
    *,
    indicator_lag=5,
    noise=0.1,
    seed=0,
    price_ar=0.9,
    indicator_ar=0.5,
    price_weight=1.0,
    indicator_weight=0.8,
    start="2020-01-01",
):
    """A daily multivariate series whose target depends on known inputs at known lags.

    .. math::

        p_t &= a_p\\, p_{t-1} + \\varepsilon_t  \\qquad\\text{(price, mean-reverting)}\\\\
        v_t &\\sim \\text{LogNormal}(0, 0.5)  \\qquad\\text{(volume, irrelevant)}\\\\
        d_t &= a_d\\, d_{t-1} + \\eta_t  \\qquad\\text{(indicator)}\\\\
        y_t &= w_p\\,(p_{t-1} - p_{t-2}) + w_d\\, d_{t-L} + \\sigma\\,\\xi_t

    With features ``[price, volume, indicator]`` windowed up to ``t-1`` and
    target ``y_t``, the true drivers are price at the last two steps and the
    indicator ``L = indicator_lag`` steps back; volume carries no signal.
    A burn-in of 100 steps is generated and dropped so the AR parts start
    from their stationary distribution.

    Parameters
    ----------
    n : int, default 1500
        Number of days.
    indicator_lag : int, default 5
        :math:`L \\ge 1`.
    noise : float, default 0.1
        :math:`\\sigma`, standard deviation of the target's own noise.
    seed : int or numpy.random.Generator, default 0
    price_ar : float, default 0.9
        AR(1) coefficient :math:`a_p` (absolute value below 1).
    indicator_ar : float, default 0.5
        AR(1) coefficient :math:`a_d` (absolute value below 1). Kept moderate so
        that the indicator's neighbouring lags are not near-copies of lag ``L``:
        with a persistent indicator (e.g. 0.8) a model can spread lag ``L``'s
        weight over lags ``L - 1`` and ``L + 1`` and fit almost as well, which
        blurs the ground truth a sensitivity map is checked against.
    price_weight, indicator_weight : float
        :math:`w_p, w_d`.
    start : str, default "2020-01-01"
        First date of the daily index.

    Returns
    -------
    DataFrame, shape (n, 4)
        Columns ``["price", "volume", "indicator", "target"]``, daily DatetimeIndex.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> df = known_drivers(300, indicator_lag=3, noise=0.0)
    >>> list(df.columns), df.shape
    (['price', 'volume', 'indicator', 'target'], (300, 4))
    >>> p, d = df["price"].to_numpy(), df["indicator"].to_numpy()
    >>> bool(np.allclose(df["target"].to_numpy()[3:], (p[2:-1] - p[1:-2]) + 0.8 * d[:-3]))
    True
    """
    n = _checks.integer(n, "n")
    lag = _checks.integer(indicator_lag, "indicator_lag")
    noise = _checks.real(noise, "noise", low=0)
    for name, value in (("price_ar", price_ar), ("indicator_ar", indicator_ar)):
        _checks.real(value, name, low=-1, high=1, low_open=True, high_open=True)
    rng = _checks.rng(seed)
    burn = 100 + lag
    total = n + burn
    price_shock = rng.standard_normal(total)
    volume = rng.lognormal(mean=0.0, sigma=0.5, size=total)
    indicator_shock = rng.standard_normal(total)
    target_noise = rng.standard_normal(total)

    price = np.zeros(total)
    indicator = np.zeros(total)
    for t in range(1, total):
        price[t] = price_ar * price[t - 1] + price_shock[t]
        indicator[t] = indicator_ar * indicator[t - 1] + indicator_shock[t]
    target = np.zeros(total)
    t = np.arange(max(2, lag), total)
    target[t] = (
        price_weight * (price[t - 1] - price[t - 2])
        + indicator_weight * indicator[t - lag]
        + noise * target_noise[t]
    )
    index = pd.date_range(start, periods=n, freq="D", name="date")
    keep = slice(burn, total)
    return pd.DataFrame(
        {
            "price": price[keep],
            "volume": volume[keep],
            "indicator": indicator[keep],
            "target": target[keep],
        },
        index=index,
    )


# --------------------------------------------------------------------------- checks


def check_window_fits(
    n_obs,
    *,
    window,
    horizon=1,
    train=None,
    validation=None,
    validation_size=None,
    test_size=None,
    seasonal_period=None,
    min_samples=5,
):
    """Refuse, before any training, a window that the training part cannot hold.

    The training part of a chronological split has ``floor(train * n_obs)``
    rows and yields ``floor(train * n_obs) - window - horizon + 1`` samples.

    Parameters
    ----------
    n_obs : int
        Rows in the whole series.
    window, horizon : int
        The lesson's WINDOW and HORIZON.
    train, validation : float, optional
        Fractions as in :func:`chronological_split` (defaults 0.7 and 0.15).
    test_size, validation_size : int, optional
        Rows, as in :func:`chronological_split`.
    seasonal_period : int, optional
        The lesson's SEASONAL_PERIOD; must fit in the training part.
    min_samples : int, default 5
        Fewest training samples (windows) accepted.

    Returns
    -------
    int
        The number of training samples.

    Raises
    ------
    ValueError
        Naming the parameter to change (WINDOW, HORIZON, SEASONAL_PERIOD) and the numbers.

    Examples
    --------
    >>> check_window_fits(144, window=12, horizon=1)      # airline: 100 training rows
    88
    >>> check_window_fits(144, window=100, horizon=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: WINDOW=100 and HORIZON=1 leave 0 training samples ...
    """
    n_obs = _checks.integer(n_obs, "n_obs")
    window = _checks.integer(window, "WINDOW")
    horizon = _checks.integer(horizon, "HORIZON")
    min_samples = _checks.integer(min_samples, "min_samples")
    sizes = dict(
        train=train, validation=validation, validation_size=validation_size, test_size=test_size
    )
    n_train, _, _ = _part_sizes(n_obs, **sizes)
    given = ", ".join(f"{k}={v}" for k, v in sizes.items() if v is not None) or "train=0.7"
    samples = max(n_train - window - horizon + 1, 0)
    if samples < min_samples:
        raise ValueError(
            f"WINDOW={window} and HORIZON={horizon} leave {samples} training samples "
            f"from the {n_train} training rows ({given} of {n_obs} rows); need at least "
            f"{min_samples}: make WINDOW + HORIZON at most {n_train - min_samples + 1}, "
            "or use a longer series"
        )
    if seasonal_period is not None:
        period = _checks.integer(seasonal_period, "SEASONAL_PERIOD")
        if period > n_train:
            raise ValueError(
                f"SEASONAL_PERIOD={period} is longer than the {n_train} training rows "
                f"({given} of {n_obs} rows): set SEASONAL_PERIOD to at most {n_train} "
                "(or None), or use a longer series"
            )
    return samples


# --------------------------------------------------------------------------- shipped datasets


@dataclass(frozen=True)
class _Dataset:
    file: str
    time_column: str
    description: str


_DATASETS = {
    "airline": _Dataset(
        "airline.csv",
        "month",
        "monthly international airline passengers (thousands), 1949-1960: trend and season",
    ),
    "co2": _Dataset(
        "co2.csv",
        "date",
        "weekly CO2 at Mauna Loa (ppm), 1958-2001, with 59 missing weeks kept as NaN",
    ),
    "sunspots": _Dataset(
        "sunspots.csv", "year", "yearly mean sunspot number, 1700-2008: an 11-year cycle"
    ),
    "seattle_weather": _Dataset(
        "seattle_weather.csv",
        "date",
        "daily Seattle weather 2012-2015: precipitation (mm), temp_max, temp_min (C), wind (m/s)",
    ),
}


def datasets_folder() -> Path:
    """The ``datasets/`` folder shipped next to the ``helpers`` package.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the folder is missing (e.g. ``helpers`` was installed without the repository).
    """
    folder = checkout() / "datasets"
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the datasets/ folder was not found next to the helpers package (looked in "
            f"{folder}); install the course from a full copy of the repository with "
            "`pip install -e .` so the CSV files come with it"
        )
    return folder


def list_datasets():
    """Names of the datasets shipped in ``datasets/``, for :func:`load_dataset`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_datasets()
    ['airline', 'co2', 'seattle_weather', 'sunspots']
    """
    return sorted(_DATASETS)


def load_dataset(name, *, fill="keep"):
    """Load a shipped dataset by name, as :func:`load_series` would.

    ==================  =========  ==========================================================
    name                rows       columns
    ==================  =========  ==========================================================
    "airline"           144        passengers (monthly, 1949-01 to 1960-12)
    "co2"               2284       co2 (weekly, 1958-03-29 to 2001-12-29, 59 NaN)
    "sunspots"          309        sunspots (yearly, 1700 to 2008)
    "seattle_weather"   1461       precipitation, temp_max, temp_min, wind (daily, 2012-2015)
    ==================  =========  ==========================================================

    Provenance and licences: ``datasets/README.md``.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.
    fill : {"keep", "interpolate", "ffill", "drop"}, default "keep"
        Missing values (only ``co2`` has any) are kept as NaN by default, so you
        can see them and choose a fix; see :func:`load_series`.

    Returns
    -------
    DataFrame, shape (time, n_columns)
        Float columns, sorted DatetimeIndex.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    FileNotFoundError
        If the ``datasets/`` folder is missing.

    Examples
    --------
    >>> airline = load_dataset("airline")
    >>> airline.shape, airline.index.freqstr, float(airline["passengers"].iloc[0])
    ((144, 1), 'MS', 112.0)
    """
    if name not in _DATASETS:
        raise ValueError(f"name must be one of {list_datasets()}, got {name!r}")
    info = _DATASETS[name]
    return load_series(datasets_folder() / info.file, time_column=info.time_column, fill=fill)


# --------------------------------------------------------------------------- a lesson's data


def load_lesson_data(
    data_path,
    *,
    default,
    time_column=None,
    columns=None,
    window=None,
    horizon=1,
    seasonal_period=None,
    **sizes,
):
    """The lesson's own series, or the reader's CSV when ``data_path`` is set.

    Every lesson's "use your own data" switch in one call: with
    ``data_path=None`` it returns ``default`` (a shipped dataset's name or a
    series the lesson generated), otherwise it loads the CSV with
    :func:`load_series`, which refuses every fault with its message. With
    ``window`` it then checks, before anything trains, that the training part
    holds enough windows (:func:`check_window_fits`).

    Parameters
    ----------
    data_path : str, Path or None
        The lesson's ``DATA_PATH``.
    default : str, DataFrame, Series or ndarray
        A name from :func:`list_datasets`, or the lesson's generated series
        (a 1-D array becomes one column named after ``columns[0]``, or ``"y"``).
    time_column : str, optional
        The CSV's time column (``TIME_COLUMN``); needed when ``data_path`` is set.
    columns : list of str, optional
        Columns to keep (inputs and target); default all.
    window, horizon, seasonal_period : int, optional
        ``WINDOW``, ``HORIZON`` and ``SEASONAL_PERIOD``, checked against the
        training part when ``window`` is given.
    **sizes
        ``train``, ``validation``, ``test_size``, ``validation_size``, as in
        :func:`chronological_split`, for that check.

    Returns
    -------
    DataFrame, shape (time, n_columns)

    Raises
    ------
    ValueError
        If the CSV is refused, a column is missing, or the window does not fit.

    Examples
    --------
    >>> frame = load_lesson_data(None, default=noisy_sine(50, seed=0), columns=["sine"], window=5)
    >>> frame.shape, list(frame.columns)
    ((50, 1), ['sine'])
    """
    if data_path is not None:
        if time_column is None:
            raise ValueError(
                "TIME_COLUMN must name the CSV's timestamp column when DATA_PATH is set, got None"
            )
        frame = load_series(data_path, time_column=time_column, value_columns=columns)
    else:
        frame = _default_frame(default, columns)
    if window is not None:
        check_window_fits(
            len(frame), window=window, horizon=horizon, seasonal_period=seasonal_period, **sizes
        )
    return frame


def _default_frame(default, columns):
    if isinstance(default, str):
        frame = load_dataset(default)
    elif isinstance(default, pd.DataFrame):
        frame = default
    elif isinstance(default, pd.Series):
        frame = default.to_frame()
    else:
        array = np.asarray(default)
        if array.ndim != 1:
            raise ValueError(
                "default must be a dataset name, a DataFrame or a 1-D series, "
                f"got shape {array.shape}"
            )
        frame = pd.DataFrame({(columns or ["y"])[0]: array})
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"columns {missing} are not in the lesson's own data, which has {list(frame.columns)}: "
            "set DATA_PATH to use other columns"
        )
    return frame[list(columns)]
