"""Rows in the train, validation and test parts of a chronological split: one arithmetic.

NumPy only, private. :func:`helpers.data.chronological_split`,
:func:`helpers.data.split_windows` and :func:`helpers.lesson_data.check_window_fits`
all count a split's rows here, so a window that the check accepts is a window
the split really holds. Sizes come either as fractions (``train``,
``validation``) or as rows at the end of the series (``test_size``,
``validation_size``)::

    rows [0, n_train)                    train
    rows [n_train, n_train + n_val)      validation
    rows [n_train + n_val, n_obs)        test

Examples
--------
>>> part_sizes(100)                             # the defaults: 70 %, 15 %, the rest
(70, 15, 15)
>>> part_sizes(100, test_size=12, validation_size=6)
(82, 6, 12)
"""

from __future__ import annotations

import numpy as np

from helpers import _checks

__all__ = ["DEFAULT_TRAIN", "DEFAULT_VALIDATION", "part_sizes"]

DEFAULT_TRAIN = 0.7
DEFAULT_VALIDATION = 0.15


def _rows(n_obs: int, share: float) -> int:
    """``floor(n_obs * share)``, as on paper."""
    # A product a hair below an integer (0.29 * 100 = 28.999999999999996) would floor to one
    # row fewer than the arithmetic on paper; the tiny epsilon counts it as the integer.
    return int(np.floor(n_obs * share + 1e-9))


def part_sizes(n_obs, *, train=None, validation=None, validation_size=None, test_size=None):
    """Rows in train, validation and test, from fractions or from row counts.

    With fractions the first ``floor(train * n_obs)`` rows train, the next
    ``floor(validation * n_obs)`` validate and the rest test. With
    ``test_size`` (and optionally ``validation_size``) the later parts are
    counted in rows and training gets every row before them.

    Parameters
    ----------
    n_obs : int
        Rows in the whole series.
    train : float, optional
        Share of rows for training, in (0, 1); default 0.7. Not with ``test_size``.
    validation : float, optional
        Share of rows for validation, in [0, 1); default 0.15.
    validation_size, test_size : int, optional
        The validation and test parts as numbers of rows (``validation_size``
        needs ``test_size``).

    Returns
    -------
    tuple of int
        ``(n_train, n_val, n_test)``; they add up to ``n_obs``, and a part may be
        empty or, with row counts larger than the series, negative: the caller
        says which parts it needs.

    Raises
    ------
    TypeError
        If a share is not a number or a row count not an integer.
    ValueError
        If a share or a row count is out of range, ``train + validation >= 1``,
        or the sizes are given both ways.

    Examples
    --------
    >>> part_sizes(10, train=0.6, validation=0.2)
    (6, 2, 2)
    >>> part_sizes(20, test_size=4, validation=0.1)   # 10 % of all rows, then 4 test rows
    (14, 2, 4)
    """
    if test_size is None:
        if validation_size is not None:
            raise ValueError("validation_size needs test_size too: give both as rows")
        train = DEFAULT_TRAIN if train is None else _checks.fraction(train, "train")
        validation = _validation_share(validation)
        if train + validation >= 1:
            raise ValueError(
                f"train + validation must be below 1 to leave a test part, got "
                f"train={train} + validation={validation} = {train + validation}"
            )
        n_train, n_val = _rows(n_obs, train), _rows(n_obs, validation)
        return n_train, n_val, n_obs - n_train - n_val
    if train is not None:
        raise ValueError(
            "give either train (a fraction) or test_size (rows), not both: with test_size the "
            "training part is every row before the validation and test parts"
        )
    n_test = _checks.integer(test_size, "test_size", minimum=0)
    if validation_size is not None:
        n_val = _checks.integer(validation_size, "validation_size", minimum=0)
    else:
        n_val = _rows(n_obs, _validation_share(validation))
    return n_obs - n_val - n_test, n_val, n_test


def _validation_share(validation) -> float:
    if validation is None:
        return DEFAULT_VALIDATION
    return _checks.fraction(validation, "validation", allow_zero=True)
