"""What the exercise-check tests share: does a hint show a reference value?

A hint must never show the value it asks for, in any precision a student would
recognise. ``shown(hints, *values)`` lists every way each value could be printed
that appears in the hints as a number of its own (not inside a longer one): an
empty list means none shows. Printings with fewer than two significant digits
("0.00", "1", "0.5"), and whole numbers under 100 rounded from a fraction ("16" for
15.97), are left out: they are too common in prose (a coverage of 0.8, "the 16
units") to mean a leak.
"""

import re

import numpy as np

_FORMATS = (".2f", ".3f", ".4f", ".6f", ".3g", ".4g", ".6g")


def printings(value) -> set[str]:
    """The ways ``value`` (a number) could appear in a hint, with two or more significant digits.

    >>> sorted(printings(0.25))
    ['0.25', '0.250', '0.2500', '0.250000']
    """
    v = float(value)
    found = {repr(v), *(format(v, f) for f in _FORMATS)}
    return {
        text
        for text in found
        if len(text.replace("-", "").replace(".", "").strip("0")) >= 2
        and ("." in text or "e" in text or v == int(v) or abs(v) >= 100)
    }


def shown(hints, *values) -> list[str]:
    """Each printing of a number in ``values`` (numbers or arrays) that appears in ``hints``.

    ``hints`` is one string or a sequence of them (``CheckResult.hints``).

    >>> shown(["`x` should be near 0.25"], 0.25, [3.0, 7.125])
    ['0.25']
    >>> shown("`x` is not the naive RMSE", 0.25)
    []
    >>> shown("draw the 16 u, not 10.253", 15.97, 0.25)
    []
    """
    text = hints if isinstance(hints, str) else "\n".join(hints)
    numbers = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
    found = {p for v in numbers if np.isfinite(v) for p in printings(v)}
    return sorted(p for p in found if re.search(rf"(?<![\d.]){re.escape(p)}(?!\d)", text))
