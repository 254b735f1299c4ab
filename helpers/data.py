"""Loading, splitting, scaling and windowing time series.

NumPy, pandas and scikit-learn only: this module never imports TensorFlow, so it
imports and tests fast.

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

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "Split",
    "ScaledSplit",
    "make_windows",
    "chronological_split",
    "scale_split",
    "noisy_sine",
    "known_drivers",
    "check_window_fits",
]


# --------------------------------------------------------------------------- validation


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _check_fraction(value, name: str, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {value!r}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1):
        bound = "0 <= {n} < 1" if allow_zero else "0 < {n} < 1"
        raise ValueError(f"{name} must satisfy {bound.format(n=name)}, got {value}")
    return float(value)


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
    try:
        array = raw.astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must hold numbers, got dtype {raw.dtype}: {error}") from None
    return array, columns


def _resolve_columns(spec, columns: list, name: str) -> list[int]:
    """Turn one column label/position or a list of them into positions."""
    items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    if not items:
        raise ValueError(
            f"{name} must name at least one column, got an empty {type(spec).__name__}"
        )
    positions = []
    for item in items:
        if isinstance(item, bool):
            pass  # True == 1 in Python; a bool is never a column
        elif item in columns:  # a label (for arrays the labels are the positions)
            positions.append(columns.index(item))
            continue
        elif isinstance(item, numbers.Integral) and 0 <= item < len(columns):
            positions.append(int(item))
            continue
        raise ValueError(
            f"{name} has unknown column {item!r}: expected one of {columns} "
            f"or a position 0..{len(columns) - 1}"
        )
    return positions


# --------------------------------------------------------------------------- windows


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
        Fresh arrays, not views: writing into them leaves ``values`` intact.

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
    window = _check_positive_int(window, "window")
    horizon = _check_positive_int(horizon, "horizon")
    array, columns = _as_2d(values)
    length = array.shape[0]

    bad = ~np.isfinite(array)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"values contain {int(bad.sum())} NaN or infinite entries (first at row {row}, "
            f"column {columns[col]!r}): fill or drop them before making windows"
        )

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
        else _resolve_columns(feature_columns, columns, "feature_columns")
    )
    if target_columns is None:
        targets = list(range(len(columns)))
        single = len(columns) == 1
    else:
        targets = _resolve_columns(target_columns, columns, "target_columns")
        single = not isinstance(target_columns, (list, tuple))

    # sliding_window_view puts the window axis last: (time - w + 1, features, w).
    X = sliding_window_view(array[:, features], window, axis=0)[:n]  # (n, n_features, window)
    X = X.transpose(0, 2, 1).copy()  # (n, window, n_features), a fresh C-ordered array
    future = array[window:, targets]  # (time - window, n_targets)
    y = sliding_window_view(future, horizon, axis=0)[:n]  # (n, n_targets, horizon)
    y = y.transpose(0, 2, 1).copy()  # (n, horizon, n_targets)
    if single:
        y = y[:, :, 0].copy()  # (n, horizon)
    return X, y


# --------------------------------------------------------------------------- splitting


@dataclass(frozen=True)
class Split:
    """Three consecutive parts of one series, oldest first.

    Attributes
    ----------
    train, validation, test : ndarray or DataFrame
        The same type as the data that was split; ``validation`` may be empty.
    """

    train: Any
    validation: Any
    test: Any

    @property
    def lengths(self) -> tuple[int, int, int]:
        """``(len(train), len(validation), len(test))``."""
        return len(self.train), len(self.validation), len(self.test)


def _split_sizes(n_obs: int, train: float, validation: float) -> tuple[int, int, int]:
    """Rows in train, validation and test; the same arithmetic everywhere in this module."""
    # The tiny epsilon keeps 0.7 * 10 = 7.000000000000001 and 0.1 * 30 = 3.0000000000000004
    # from depending on the float's last bit.
    n_train = int(np.floor(n_obs * train + 1e-9))
    n_val = int(np.floor(n_obs * validation + 1e-9))
    return n_train, n_val, n_obs - n_train - n_val


def chronological_split(data, *, train=0.7, validation=0.15):
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
    train = _check_fraction(train, "train", allow_zero=False)
    validation = _check_fraction(validation, "validation", allow_zero=True)
    if train + validation >= 1:
        raise ValueError(
            f"train + validation must be below 1 to leave a test part, got "
            f"train={train} + validation={validation} = {train + validation}"
        )
    if not hasattr(data, "__len__"):
        raise TypeError(f"data must be an array, Series or DataFrame, got {type(data).__name__}")
    n_obs = len(data)
    n_train, n_val, n_test = _split_sizes(n_obs, train, validation)
    empty = [
        name
        for name, size, wanted in (
            ("train", n_train, True),
            ("validation", n_val, validation > 0),
            ("test", n_test, True),
        )
        if wanted and size < 1
    ]
    if empty:
        raise ValueError(
            f"data has {n_obs} rows: the {' and '.join(empty)} part(s) would be empty with "
            f"train={train}, validation={validation}; use a longer series or other fractions"
        )
    cuts = (slice(0, n_train), slice(n_train, n_train + n_val), slice(n_train + n_val, n_obs))
    if isinstance(data, (pd.DataFrame, pd.Series)):
        parts = [data.iloc[cut].copy() for cut in cuts]
    else:
        array = np.asarray(data)
        parts = [array[cut].copy() for cut in cuts]
    return Split(*parts)


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
        position = _resolve_columns(column, self.columns, "column")[0]
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


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


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
    n = _check_positive_int(n, "n")
    if not (isinstance(period, numbers.Real) and period > 0):
        raise ValueError(f"period must be a positive number, got {period!r}")
    if not (isinstance(noise, numbers.Real) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    rng = _rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def known_drivers(
    n=1500,
    *,
    indicator_lag=5,
    noise=0.1,
    seed=0,
    price_ar=0.9,
    indicator_ar=0.8,
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
    price_ar, indicator_ar : float
        AR(1) coefficients :math:`a_p, a_d` (absolute value below 1).
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
    n = _check_positive_int(n, "n")
    lag = _check_positive_int(indicator_lag, "indicator_lag")
    if not (isinstance(noise, numbers.Real) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    for name, value in (("price_ar", price_ar), ("indicator_ar", indicator_ar)):
        if not (isinstance(value, numbers.Real) and abs(value) < 1):
            raise ValueError(f"{name} must be a number with absolute value below 1, got {value!r}")
    rng = _rng(seed)
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
    n_obs, *, window, horizon=1, train=0.7, validation=0.15, seasonal_period=None, min_samples=5
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
    train, validation : float
        Fractions as in :func:`chronological_split`.
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
    n_obs = _check_positive_int(n_obs, "n_obs")
    window = _check_positive_int(window, "WINDOW")
    horizon = _check_positive_int(horizon, "HORIZON")
    min_samples = _check_positive_int(min_samples, "min_samples")
    train = _check_fraction(train, "train", allow_zero=False)
    validation = _check_fraction(validation, "validation", allow_zero=True)
    n_train, _, _ = _split_sizes(n_obs, train, validation)
    samples = max(n_train - window - horizon + 1, 0)
    if samples < min_samples:
        raise ValueError(
            f"WINDOW={window} and HORIZON={horizon} leave {samples} training samples "
            f"from the {n_train} training rows (train={train} of {n_obs} rows); need at least "
            f"{min_samples}: make WINDOW + HORIZON at most {n_train - min_samples + 1}, "
            "or use a longer series"
        )
    if seasonal_period is not None:
        period = _check_positive_int(seasonal_period, "SEASONAL_PERIOD")
        if period > n_train:
            raise ValueError(
                f"SEASONAL_PERIOD={period} is longer than the {n_train} training rows "
                f"(train={train} of {n_obs} rows): set SEASONAL_PERIOD to at most {n_train} "
                "(or None), or use a longer series"
            )
    return samples
