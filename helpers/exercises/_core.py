"""The machinery behind every exercise check: a registry, the three entry points, hints.

A lesson's module (``lesson03.py``, ...) registers one function per exercise::

    @exercise("03.1", results={"ex1_naive_rmse": "the naive forecast's test RMSE"},
              needs=("series", "scores"))
    def _(a):
        if not close(number(a, "ex1_naive_rmse"), a.scores.loc["naive", "RMSE"]):
            yield "`ex1_naive_rmse` is not the naive forecast's test RMSE: ..."

The function receives the notebook's variables as attributes (``a.series``) and
yields a hint for each thing still wrong; yielding nothing means right. A hint
says what is wrong and where to look, never the expected value: the check runs
in the student edition, where the answer is hidden. It may also raise
:class:`Hint` to stop at the first problem (the helpers :func:`number`,
:func:`array` and :func:`comparison` do, for an answer of the wrong kind).

NumPy only at import: a check imports what else it needs when it runs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Exercise",
    "CheckResult",
    "Hint",
    "exercise",
    "registered",
    "find",
    "check",
    "require",
    "grade",
    "number",
    "as_number",
    "array",
    "comparison",
    "close",
    "judges",
    "same_verdict",
]

LESSONS = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
_KEY = re.compile(r"^(\d\d)\.(\d+)$")
_REGISTRY: dict[str, Exercise] = {}


class Hint(Exception):
    """Raised inside a check: the answer is wrong in a way that stops the check here."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: the results it asks for, the lesson variables its check reads, its test.

    ``results`` maps each name the exercise asks the student to define to a
    short description (the hint for a missing result uses it); ``needs`` are
    the lesson's own variables the test reads (a missing one means the
    lesson's cells above were not run); ``points`` is its weight when graded.
    """

    key: str
    results: Mapping[str, str]
    needs: tuple[str, ...]
    test: Callable = field(repr=False)
    points: int = 1

    @property
    def lesson(self) -> str:
        return self.key.split(".")[0]

    @property
    def number(self) -> int:
        return int(self.key.split(".")[1])


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found: ``right`` is True when there is no hint left."""

    key: str
    hints: tuple[str, ...]

    @property
    def right(self) -> bool:
        return not self.hints

    def __str__(self) -> str:
        lesson, number = self.key.split(".")
        head = f"Exercise {number} (lesson {lesson}):"
        if self.right:
            return f"{head} right."
        return "\n".join([f"{head} not yet.", *(f"- {hint}" for hint in self.hints)])

    __repr__ = __str__


class _Answers:
    """The notebook's variables as attributes; a missing one raises :class:`Hint`."""

    def __init__(self, namespace: Mapping):
        self._namespace = namespace

    def __getattr__(self, name):
        try:
            return self._namespace[name]
        except KeyError:
            raise Hint(f"`{name}` is not defined: run the cells above this one first") from None

    def __contains__(self, name):
        return name in self._namespace


def exercise(key: str, *, results: Mapping[str, str], needs: Iterable[str] = (), points: int = 1):
    """Register the decorated function as the test of exercise ``key`` ("03.1")."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"an exercise key is 'NN.k' (lesson, exercise), got {key!r}")
    if not results:
        raise ValueError(f"exercise {key} must name at least one result the student defines")

    def register(test):
        if key in _REGISTRY:
            raise ValueError(f"exercise {key} is registered twice")
        _REGISTRY[key] = Exercise(key, dict(results), tuple(needs), test, points)
        return test

    return register


def _load(lesson: str) -> None:
    importlib.import_module(f"helpers.exercises.lesson{lesson}")


def registered(lesson: str | None = None) -> list[Exercise]:
    """Every registered exercise, in course order; only ``lesson``'s ("03") if given."""
    for name in LESSONS if lesson is None else (lesson,):
        try:
            _load(name)
        except ModuleNotFoundError as missing:
            if missing.name != f"helpers.exercises.lesson{name}":
                raise
    found = [e for e in _REGISTRY.values() if lesson is None or e.lesson == lesson]
    return sorted(found, key=lambda e: (e.lesson, e.number))


def find(key: str) -> Exercise:
    """The exercise ``key`` ("03.1").

    Raises
    ------
    KeyError
        If no lesson has that exercise; the message lists the lesson's exercises.
    """
    match = _KEY.match(key) if isinstance(key, str) else None
    if match is None:
        raise KeyError(f"an exercise is named 'NN.k' (lesson, exercise), as in '03.1'; got {key!r}")
    known = registered(match.group(1))
    for candidate in known:
        if candidate.key == key:
            return candidate
    raise KeyError(
        f"lesson {match.group(1)} has no exercise {match.group(2)}; "
        f"its exercises are {[e.key for e in known]}"
    )


def _missing(ex: Exercise, namespace: Mapping) -> list[str]:
    return [
        f"define `{name}`: {what}" for name, what in ex.results.items() if name not in namespace
    ]


def _hints(ex: Exercise, namespace: Mapping) -> tuple[str, ...]:
    missing = _missing(ex, namespace)
    if missing:
        return tuple(missing)
    absent = [name for name in ex.needs if name not in namespace]
    if absent:
        names = ", ".join(f"`{name}`" for name in absent)
        return (f"{names} not defined: run the lesson's cells above this exercise first",)
    hints = []
    try:
        for hint in ex.test(_Answers(namespace)) or ():
            hints.append(str(hint))
    except Hint as stop:
        hints.append(str(stop))
    except Exception as error:  # noqa: BLE001 -- any failure of the answer is a hint, not a crash
        hints.append(
            f"the check could not use your results ({type(error).__name__}: {error}); "
            "look at their types and shapes against what the exercise asks for"
        )
    return tuple(hints)


def check(key: str, namespace: Mapping) -> CheckResult:
    """Check exercise ``key`` against the notebook's variables: "right", or hints.

    Call it as ``check("03.1", globals())`` in the cell after your answer. It
    never shows the expected value, only what is still wrong.

    Raises
    ------
    KeyError
        If ``key`` names no exercise.
    TypeError
        If ``namespace`` is not a mapping (pass ``globals()``).
    """
    ex = find(key)
    if not isinstance(namespace, Mapping):
        raise TypeError(
            f"check needs the notebook's variables: check({key!r}, globals()), "
            f"got {type(namespace).__name__}"
        )
    return CheckResult(key, _hints(ex, namespace))


def require(key: str, namespace: Mapping) -> None:
    """The visible grading test: every result the exercise asks for is defined.

    Raises
    ------
    AssertionError
        Naming each result still missing.
    """
    missing = _missing(find(key), namespace)
    assert not missing, f"exercise {key}: " + "; ".join(missing)


def grade(key: str, namespace: Mapping) -> None:
    """The hidden grading test: :func:`check` must say right.

    Raises
    ------
    AssertionError
        With the same hints :func:`check` prints.
    """
    result = check(key, namespace)
    assert result.right, str(result)


# --------------------------------------------------------------------- for the checks


def number(a, name: str) -> float:
    """``a.<name>`` as a float; :class:`Hint` if it is not one finite real number."""
    return as_number(getattr(a, name), f"`{name}`")


def as_number(value, label: str) -> float:
    """``value`` as a float; :class:`Hint` naming ``label`` if it is not one finite number."""
    if isinstance(value, (bool, str, bytes)) or not np.isscalar(value) and np.ndim(value) != 0:
        raise Hint(f"{label} should be one number, got {type(value).__name__}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise Hint(f"{label} should be one number, got {type(value).__name__}") from None
    if not np.isfinite(value):
        raise Hint(f"{label} is {value}: it should be a finite number")
    return value


def array(a, name: str, shape: tuple | None = None) -> np.ndarray:
    """``a.<name>`` as a float array of ``shape`` (None in it: any length there)."""
    value = getattr(a, name)
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"`{name}` should be an array of numbers, got {type(value).__name__}") from None
    if shape is not None:
        fits = values.ndim == len(shape) and all(
            want is None or got == want for got, want in zip(values.shape, shape, strict=True)
        )
        if not fits:
            wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise Hint(f"`{name}` has shape {values.shape}; the exercise asks for {wanted}")
    if not np.all(np.isfinite(values)):
        raise Hint(f"`{name}` holds NaN or infinite values")
    return values


def comparison(a, name: str):
    """``a.<name>`` if it is what ``metrics.compare_forecasts`` (or compare_scores) returns."""
    from helpers.comparison import ForecastComparison

    value = getattr(a, name)
    if not isinstance(value, ForecastComparison):
        raise Hint(
            f"`{name}` should be the verdict of the paired rule, what "
            f"metrics.compare_forecasts returns; got {type(value).__name__}"
        )
    return value


def close(value, reference, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """True if ``value`` equals ``reference`` to rounding (arrays: every element, same shape)."""
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    return value.shape == reference.shape and bool(
        np.allclose(value, reference, rtol=rtol, atol=atol)
    )


def judges(verdict, y_true, forecast_a, forecast_b) -> bool:
    """True if ``verdict`` is the paired rule applied to these two forecasts of ``y_true``.

    Either order counts (A against B or B against A), at the verdict's own
    horizon, loss and level: the rule is symmetric, so the p-value must match
    and the mean loss difference must match up to its sign.
    """
    from helpers.comparison import compare_forecasts

    y_true, forecast_a, forecast_b = (
        np.asarray(v, dtype=float).ravel() for v in (y_true, forecast_a, forecast_b)
    )
    if not (len(y_true) == len(forecast_a) == len(forecast_b) == verdict.n):
        return False
    again = compare_forecasts(
        y_true, forecast_a, forecast_b, h=verdict.h, loss=verdict.loss, alpha=verdict.alpha
    )
    return same_verdict(verdict, again)


def same_verdict(verdict, again) -> bool:
    """True if two verdicts of the paired rule agree up to the order of A and B.

    The same number of points or units, the same p-value and the same mean
    loss difference up to its sign, each to rounding: ``again`` is the rule
    recomputed by a check, ``verdict`` the student's.
    """
    return bool(
        verdict.n == again.n
        and np.isclose(again.p_value, verdict.p_value, rtol=1e-6, atol=1e-12)
        and np.isclose(abs(again.mean_loss_difference), abs(verdict.mean_loss_difference),
                       rtol=1e-6, atol=1e-12)
    )  # fmt: skip
