"""Every argument check of the package, in one place and one wording.

NumPy only. Each public entry point of ``helpers`` validates its arguments
with these functions once, then computes; no module keeps its own copy. One
fault gets one exception type and one message everywhere:

- a value of the wrong *type* (``2.5`` for an integer, a string for a
  number, ``True`` for a count) is a ``TypeError``;
- a value of the right type but out of range (``0`` for a window, ``-1``
  for a seed) is a ``ValueError``;
- the message names the argument, says what was expected and what was
  received: ``window must be a positive integer, got 0``.

Booleans are never numbers here: ``True == 1`` in Python, but ``window=True``
is a mistake, not a window of one step.

Examples
--------
>>> integer(12, "window")
12
>>> integer(0, "window")
Traceback (most recent call last):
...
ValueError: window must be a positive integer, got 0
>>> rng(-1)
Traceback (most recent call last):
...
ValueError: seed must be a non-negative integer or a numpy Generator, got -1
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "is_integer",
    "integer",
    "integers",
    "real",
    "fraction",
    "probability",
    "boolean",
    "function",
    "named_functions",
    "seed",
    "rng",
    "real_array",
    "finite",
    "finite_array",
    "same_shape",
    "series",
    "forecast_pair",
    "windows",
    "dataframe",
    "column_name",
    "column_positions",
]


# --------------------------------------------------------------------------- scalars


def is_integer(value) -> bool:
    """True for an int or NumPy integer, False for a bool (``True == 1``, but not a count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _integer_requirement(minimum) -> str:
    if minimum is None:
        return "an integer"
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return f"an integer >= {minimum}"


def integer(value, name: str, *, minimum: int | None = 1, what: str | None = None) -> int:
    """``value`` as an int, at least ``minimum`` (None: any integer).

    Parameters
    ----------
    value : object
    name : str
        The argument's name, as the caller wrote it.
    minimum : int or None, default 1
        1: a positive integer; 0: a non-negative integer; None: any integer.
    what : str, optional
        The requirement in words, when it says more than the minimum
        (``"a non-negative integer or a numpy Generator"``).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer (a bool is not).
    ValueError
        If ``value`` is below ``minimum``.

    Examples
    --------
    >>> integer(3, "m", minimum=2)
    3
    >>> integer(2.5, "window")
    Traceback (most recent call last):
    ...
    TypeError: window must be a positive integer, got float 2.5
    """
    requirement = what or _integer_requirement(minimum)
    if not is_integer(value):
        raise TypeError(f"{name} must be {requirement}, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {requirement}, got {value}")
    return int(value)


def _real_requirement(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return "a finite number"
    if high is None:
        if low == 0:
            return "a positive number" if low_open else "a non-negative number"
        return f"a number {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"a number {'<' if high_open else '<='} {high:g}"
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    return f"a number in {left}{low:g}, {high:g}{right}"


def real(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """``value`` as a finite float inside the interval from ``low`` to ``high``.

    Parameters
    ----------
    value : object
    name : str
    low, high : float, optional
        Bounds; None means unbounded on that side.
    low_open, high_open : bool, default False
        Exclude the bound itself (``low_open=True, low=0``: a positive number).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a bool is not).
    ValueError
        If ``value`` is NaN, infinite or outside the interval.

    Examples
    --------
    >>> real(0.5, "dropout", low=0, high=1, high_open=True)
    0.5
    >>> real(-0.1, "noise", low=0)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a non-negative number, got -0.1
    """
    requirement = _real_requirement(low, high, low_open, high_open)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {requirement}, got {type(value).__name__} {value!r}")
    number = float(value)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if not np.isfinite(number) or too_low or too_high:
        raise ValueError(f"{name} must be {requirement}, got {value}")
    return number


def fraction(value, name: str, *, allow_zero: bool = False) -> float:
    """A share of rows: a number in (0, 1), or in [0, 1) with ``allow_zero``.

    Examples
    --------
    >>> fraction(0.7, "train")
    0.7
    >>> fraction(1.2, "train")
    Traceback (most recent call last):
    ...
    ValueError: train must be a number in (0, 1), got 1.2
    """
    return real(value, name, low=0, high=1, low_open=not allow_zero, high_open=True)


def probability(value, name: str) -> float:
    """A probability level strictly between 0 and 1: a coverage or a quantile.

    Examples
    --------
    >>> probability(0.9, "coverage")
    0.9
    >>> probability(80, "coverage")
    Traceback (most recent call last):
    ...
    ValueError: coverage must be a number in (0, 1), got 80
    """
    return real(value, name, low=0, high=1, low_open=True, high_open=True)


def integers(values, name: str, *, minimum: int | None = 1) -> list[int]:
    """A non-empty sequence of integers (a list, a tuple or a 1-D array), each at least ``minimum``.

    Raises
    ------
    TypeError
        If ``values`` is not a sequence (a string is not) or an item is not an integer.
    ValueError
        If ``values`` is empty or an item is below ``minimum``; the message names the item.

    Examples
    --------
    >>> integers(np.array([80, 90]), "origins")
    [80, 90]
    >>> integers([80, 0], "origins")
    Traceback (most recent call last):
    ...
    ValueError: origins[1] must be a positive integer, got 0
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(
            f"{name} must be a sequence of integers, got {type(values).__name__} {values!r}"
        )
    items = [integer(value, f"{name}[{i}]", minimum=minimum) for i, value in enumerate(values)]
    if not items:
        raise ValueError(
            f"{name} must hold at least one integer, got an empty {type(values).__name__}"
        )
    return items


def boolean(value, name: str) -> bool:
    """``True`` or ``False`` (NumPy's bools too); ``1``, ``"yes"`` or ``None`` are not.

    Examples
    --------
    >>> boolean(np.True_, "warm_start")
    True
    >>> boolean(1, "warm_start")
    Traceback (most recent call last):
    ...
    TypeError: warm_start must be True or False, got int 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


# --------------------------------------------------------------------------- callables


def function(value, name: str, *, call: str):
    """Something callable; ``call`` says how it will be called (``"f(fold)"``).

    Examples
    --------
    >>> function(3, "build", call="build(window, n_features, horizon=...)")
    Traceback (most recent call last):
    ...
    TypeError: build must be callable as build(window, n_features, horizon=...), got int 3
    """
    if not callable(value):
        raise TypeError(f"{name} must be callable as {call}, got {type(value).__name__} {value!r}")
    return value


def named_functions(value, name: str, *, call: str) -> Mapping:
    """A non-empty mapping of names to functions callable as ``call``, in its own order.

    Raises
    ------
    TypeError
        If ``value`` is not a mapping or an item is not callable (the message names it).
    ValueError
        If the mapping is empty.

    Examples
    --------
    >>> named_functions({"naive": abs, "drift": 3}, "forecasters", call="f(fold)")
    Traceback (most recent call last):
    ...
    TypeError: forecasters['drift'] must be callable as f(fold), got int 3
    """
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping of names to functions {call}, got {type(value).__name__}"
        )
    if not value:
        raise ValueError(
            f"{name} must hold at least one function {call}, got an empty {type(value).__name__}"
        )
    for key, item in value.items():
        function(item, f"{name}[{key!r}]", call=call)
    return value


# --------------------------------------------------------------------------- randomness

_SEED = "a non-negative integer"
_SEED_OR_GENERATOR = "a non-negative integer or a numpy Generator"


def seed(value, name: str = "seed") -> int:
    """A seed for a library that wants an int (Python, Keras): a non-negative integer.

    Examples
    --------
    >>> seed(7)
    7
    >>> seed(True)
    Traceback (most recent call last):
    ...
    TypeError: seed must be a non-negative integer, got bool True
    """
    return integer(value, name, minimum=0, what=_SEED)


def rng(value, name: str = "seed") -> np.random.Generator:
    """A NumPy generator from a seed: a Generator is used as it is, an int seeds a new one.

    Library functions take ``seed=`` and draw from ``rng(seed)``: the same
    seed gives the same numbers, and a Generator passed in lets several calls
    share one stream. Nothing global is seeded.

    Examples
    --------
    >>> bool(rng(3).integers(10) == np.random.default_rng(3).integers(10))
    True
    >>> generator = np.random.default_rng(0)
    >>> rng(generator) is generator
    True
    """
    if isinstance(value, np.random.Generator):
        return value
    return np.random.default_rng(integer(value, name, minimum=0, what=_SEED_OR_GENERATOR))


# --------------------------------------------------------------------------- arrays


def _is_real_dtype(dtype) -> bool:
    return np.issubdtype(dtype, np.number) and not np.issubdtype(dtype, np.complexfloating)


def real_array(values, name: str) -> np.ndarray:
    """``values`` as an ndarray of real numbers (not copied when it already is one).

    Python lists of numbers (``None`` read as NaN) and numeric pandas objects
    are accepted; text, booleans and complex numbers are not.

    Raises
    ------
    TypeError
        If the values are not real numbers.

    Examples
    --------
    >>> real_array([1, 2.5], "y").dtype
    dtype('float64')
    >>> real_array(["a"], "y")
    Traceback (most recent call last):
    ...
    TypeError: y must hold real numbers, got dtype <U1
    """
    try:
        array = np.asarray(values)
    except ValueError as error:  # nested lists of different lengths
        raise ValueError(
            f"{name} must be a rectangular array, got rows of different lengths"
        ) from error
    if array.dtype == object:
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            pass
    if not _is_real_dtype(array.dtype):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def finite(array: np.ndarray, name: str, *, columns=None, fix: str = "") -> None:
    """Refuse NaN and infinities, saying how many and where the first one is.

    Parameters
    ----------
    array : ndarray
    name : str
    columns : list, optional
        Labels of a 2-D array's columns, to name the first bad one.
    fix : str, optional
        What to do, appended to the message (``"fill or drop them first"``).

    Raises
    ------
    ValueError

    Examples
    --------
    >>> finite(np.array([1.0, np.nan]), "y_pred")
    Traceback (most recent call last):
    ...
    ValueError: y_pred must contain only finite values, got 1 NaN or inf (the first at index 1)
    """
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    first = [int(i) for i in np.argwhere(bad)[0]]
    if columns is not None and len(first) == 2:
        where = f"row {first[0]}, column {columns[first[1]]!r}"
    else:
        where = f"index {first[0] if len(first) == 1 else tuple(first)}"
    raise ValueError(
        f"{name} must contain only finite values, got {int(bad.sum())} NaN or inf "
        f"(the first at {where}){f': {fix}' if fix else ''}"
    )


def finite_array(values, name: str) -> np.ndarray:
    """A non-empty array of finite real numbers, any shape, as float.

    Not copied when ``values`` already is a float array: read it, never write to it.

    Raises
    ------
    TypeError
        If the values are not real numbers.
    ValueError
        If there is no value, or a value is NaN or infinite.

    Examples
    --------
    >>> finite_array([[1, 2]], "y_true")
    array([[1., 2.]])
    >>> finite_array([], "y_true")
    Traceback (most recent call last):
    ...
    ValueError: y_true must hold at least one value, got shape (0,)
    """
    array = real_array(values, name).astype(float, copy=False)
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one value, got shape {array.shape}")
    finite(array, name)
    return array


def same_shape(arrays: dict) -> None:
    """Refuse arrays whose shapes differ, naming the first one that differs from the first.

    Parameters
    ----------
    arrays : dict of str to ndarray
        The arguments' names and their arrays, the reference first.

    Raises
    ------
    ValueError

    Examples
    --------
    >>> same_shape({"y_true": np.zeros(3), "y_pred": np.zeros(2)})
    Traceback (most recent call last):
    ...
    ValueError: y_true and y_pred must have the same shape, got (3,) and (2,)
    """
    (first, reference), *others = arrays.items()
    for name, array in others:
        if array.shape != reference.shape:
            raise ValueError(
                f"{first} and {name} must have the same shape, "
                f"got {reference.shape} and {array.shape}"
            )


def series(values, name: str, *, min_length: int = 1, why: str = "") -> np.ndarray:
    """A finite 1-D series ``(n,)`` of at least ``min_length`` values, as a new float array.

    Raises
    ------
    TypeError
        If the values are not real numbers.
    ValueError
        If the series is not 1-D, too short (``why`` says why it must be
        longer) or holds NaN or inf.

    Examples
    --------
    >>> series([1, 2, 3], "y_train")
    array([1., 2., 3.])
    >>> series([[1.0, 2.0]], "y_train")
    Traceback (most recent call last):
    ...
    ValueError: y_train must be a 1-D series (n,), got shape (1, 2)
    """
    array = np.array(real_array(values, name), dtype=float)  # a copy: the input is never touched
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D series (n,), got shape {array.shape}")
    if array.size < min_length:
        raise ValueError(f"{name} must hold at least {min_length} values{why}, got {array.size}")
    finite(array, name)
    return array


def forecast_pair(y_true, y_pred, *, names=("y_true", "y_pred")):
    """A truth and a forecast of the same points, as float arrays of shape ``(n, k)``.

    Both 1-D ``(n,)`` or both 2-D ``(n, horizon)``; ``(n,)`` against ``(n, 1)`` is
    accepted (a Keras model predicts ``(n, 1)`` for a ``(n,)`` target), any other
    shape difference is an error, never a silent broadcast. NaN and inf are refused.

    Examples
    --------
    >>> truth, forecast = forecast_pair([1.0, 2.0], [[1.5], [2.5]])
    >>> truth.shape, forecast.shape
    ((2, 1), (2, 1))
    >>> forecast_pair([1.0, 2.0], [1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    ValueError: y_true and y_pred must have the same shape, got (2,) and (3,)
    """
    true_name, pred_name = names
    y_true = real_array(y_true, true_name).astype(float, copy=False)
    y_pred = real_array(y_pred, pred_name).astype(float, copy=False)
    for name, array in ((true_name, y_true), (pred_name, y_pred)):
        if array.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1-D (n,) or 2-D (n, horizon), got shape {array.shape}; "
                "score one target at a time"
            )
    if y_true.shape != y_pred.shape:
        n = y_true.shape[0]
        if {y_true.shape, y_pred.shape} == {(n,), (n, 1)}:
            y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        else:
            same_shape({true_name: y_true, pred_name: y_pred})
    if y_true.shape[0] == 0:
        raise ValueError(f"{true_name} and {pred_name} must hold at least one value, got 0")
    finite(y_true, true_name)
    finite(y_pred, pred_name)
    if y_true.ndim == 1:
        y_true, y_pred = y_true[:, None], y_pred[:, None]
    return y_true, y_pred


def windows(
    X, name: str, *, timesteps=None, features=None, allow_empty=False, require_finite=True
) -> np.ndarray:
    """Windows ``(n_samples, n_timesteps, n_features)`` of real numbers, as an ndarray.

    The one check of the course's canonical window shape, used wherever
    windows go into a model (Keras or NumPy).

    Parameters
    ----------
    X : array-like
    name : str
    timesteps, features : int, optional
        What the model expects; None accepts any.
    allow_empty : bool, default False
        Accept zero windows.
    require_finite : bool, default True
        Refuse NaN and infinities.

    Returns
    -------
    ndarray, shape (n_samples, n_timesteps, n_features)
        ``X`` itself when it already is an array (not copied).

    Raises
    ------
    TypeError
        If ``X`` does not hold real numbers.
    ValueError
        If ``X`` is not 3-D, has no time step, does not match ``timesteps``
        or ``features``, holds no window, or holds NaN or inf.

    Examples
    --------
    >>> windows(np.zeros((4, 12, 1)), "X", timesteps=12).shape
    (4, 12, 1)
    >>> windows(np.zeros((4, 12)), "X")
    Traceback (most recent call last):
    ...
    ValueError: X must be 3-D (n_samples, n_timesteps, n_features), got shape (4, 12); \
for a single window add a leading axis: X[None]
    """
    array = real_array(X, name)
    if array.ndim != 3:
        raise ValueError(
            f"{name} must be 3-D (n_samples, n_timesteps, n_features), got shape {array.shape}; "
            f"for a single window add a leading axis: {name.split()[0]}[None]"
        )
    n, steps, width = array.shape
    if steps == 0:
        raise ValueError(f"{name} must have at least one time step, got shape {array.shape}")
    if timesteps is not None and steps != timesteps:
        raise ValueError(
            f"{name} has {steps} time steps per window, the model expects window={timesteps}: "
            f"build the model with window={steps} or re-window the data"
        )
    if features is not None and width != features:
        raise ValueError(f"{name} has {width} features, the model expects n_features={features}")
    if n == 0 and not allow_empty:
        raise ValueError(f"{name} holds no windows (shape {array.shape})")
    if require_finite:
        finite(array, name, fix="fill or drop them first")
    return array


# --------------------------------------------------------------------------- columns


def dataframe(value, name: str):
    """A pandas DataFrame (pandas is imported only when this check runs).

    Examples
    --------
    >>> dataframe([1.0, 2.0], "frame")
    Traceback (most recent call last):
    ...
    TypeError: frame must be a pandas DataFrame, got list
    """
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(value).__name__}")
    return value


def column_name(value, name: str) -> str:
    """A column's name: a non-empty string.

    Examples
    --------
    >>> column_name(None, "time_column")
    Traceback (most recent call last):
    ...
    TypeError: time_column must be a column name (a non-empty str), got None
    """
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a column name (a non-empty str), got {value!r}")
    return value


def column_positions(spec, labels: list, name: str, *, positions: bool = True) -> list[int]:
    """Positions of one column or a list of columns, each a label or a position.

    A label is looked up first (for plain arrays the labels *are* the
    positions), then an integer position ``0 .. len(labels) - 1``.

    Parameters
    ----------
    spec : label, int, or list / tuple of them
    labels : list
        The columns' labels, in order.
    name : str
    positions : bool, default True
        Accept positions; False: labels only (a DataFrame's column names).

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        If ``spec`` is empty or names a column that is neither a label nor a
        position (a bool never is).

    Examples
    --------
    >>> column_positions(["b", 0], ["a", "b"], "feature_columns")
    [1, 0]
    >>> column_positions("c", ["a", "b"], "target_columns")
    Traceback (most recent call last):
    ...
    ValueError: target_columns has unknown column 'c': expected one of ['a', 'b'] or a position 0..1
    """
    items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    if not items:
        raise ValueError(
            f"{name} must name at least one column, got an empty {type(spec).__name__}"
        )
    return [_column_position(item, list(labels), name, positions) for item in items]


def _column_position(item, labels: list, name: str, positions: bool) -> int:
    if not isinstance(item, (bool, np.bool_)):  # True == 1 in Python; a bool is never a column
        if item in labels:
            return labels.index(item)
        if positions and is_integer(item) and 0 <= item < len(labels):
            return int(item)
    if not positions:
        expected = f"one of {labels}"
    elif labels == list(range(len(labels))):
        expected = f"a position 0..{len(labels) - 1}"
    else:
        expected = f"one of {labels} or a position 0..{len(labels) - 1}"
    raise ValueError(f"{name} has unknown column {item!r}: expected {expected}")
