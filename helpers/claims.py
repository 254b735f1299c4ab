"""What a lesson claims, and at which seeds each claim is meant to hold.

A lesson asserts two kinds of claim:

- **about the method** ("the LSTM beats the naive forecast", "integrated gradients
  find the true drivers"): it must hold whatever the seed. :func:`check` asserts it at
  every seed, and ``make test-seeds`` runs every lesson at further seeds so that a
  claim of this kind that holds only by luck fails a test;
- **about one draw** ("in this run the GRU leads", "the search chose 16 units"): it
  describes the stored run and is checked at the seed the lesson is stored with.
  ``draw = claims.Draw(SEED, stored_seed=42)``; ``draw.check(...)`` asserts at that
  seed and, at any other, records the claim and its value without asserting, so
  ``make test-seeds`` can report how often it held. The lesson's prose says such a
  claim is about this run.

Both write one JSON line per claim to the file ``$HELPERS_CLAIMS_LOG`` names, when
it is set (``make test-seeds`` sets it per run), so the seed behaviour of every
claim is computed, never remembered.

A run at the stored seed on other library versions (``make test-floors`` runs lessons
00-01 at the lowest versions ``pyproject.toml`` allows) trains other networks, so it is
not the stored run either: with ``$HELPERS_NOT_THE_STORED_RUN`` set to 1 its draw
claims are recorded, not asserted, as at another seed. NumPy only.
"""

from __future__ import annotations

import json
import os

import numpy as np

from helpers import _checks

__all__ = ["check", "Draw", "CLAIMS_LOG_VARIABLE", "NOT_STORED_VARIABLE"]

#: When this environment variable names a file, every claim appends one JSON line to it.
CLAIMS_LOG_VARIABLE = "HELPERS_CLAIMS_LOG"

#: Set to 1 when a run at the stored seed is still not the stored run (other versions).
NOT_STORED_VARIABLE = "HELPERS_NOT_THE_STORED_RUN"


def check(condition, claim, *, value=None):
    """Assert a claim about the method: it must hold at every seed.

    Parameters
    ----------
    condition : bool
        Whether the claim holds in this run.
    claim : str
        The claim in words, as the lesson's prose states it.
    value : float, optional
        The number the claim is about (a p-value, a gap), recorded with it.

    Raises
    ------
    AssertionError
        With the claim's words (and its value), when ``condition`` is false.

    Examples
    --------
    >>> check(0.01 < 0.05, "the LSTM beats the naive forecast (p < 0.05)", value=0.01)
    >>> check(0.2 < 0.05, "the GRU beats the ridge (p < 0.05)", value=0.2)
    Traceback (most recent call last):
    ...
    AssertionError: the GRU beats the ridge (p < 0.05) (value 0.2)
    """
    held = _check_condition(condition)
    claim = _check_claim(claim)
    _log({"claim": claim, "kind": "method", "checked": True, "held": held, "value": value})
    if not held:
        raise AssertionError(claim if value is None else f"{claim} (value {value:.4g})")


class Draw:
    """Claims about one random draw, asserted at the seed the lesson is stored with.

    Parameters
    ----------
    seed : int
        The lesson's ``SEED`` in this run.
    stored_seed : int
        The seed of the stored run, the one the lesson's prose describes.

    Attributes
    ----------
    checked : bool
        True when this run is the stored one, so its draw claims are asserted: the stored
        seed, and ``$HELPERS_NOT_THE_STORED_RUN`` not set.

    Examples
    --------
    >>> draw = Draw(42, stored_seed=42)
    >>> draw.check(16 == 16, "the search chose 16 units")
    >>> other = Draw(7, stored_seed=42)  # doctest: +NORMALIZE_WHITESPACE
    SEED = 7: the claims about the stored run (SEED = 42) are recorded, not asserted;
    the claims about the method are asserted as always.
    >>> other.check(8 == 16, "the search chose 16 units")  # recorded, not asserted
    >>> bool(other)
    False
    """

    def __init__(self, seed, *, stored_seed):
        self.seed = _checks.seed(seed)
        self.stored_seed = _checks.seed(stored_seed, "stored_seed")
        other_versions = os.environ.get(NOT_STORED_VARIABLE, "").strip() not in ("", "0")
        self.checked = self.seed == self.stored_seed and not other_versions
        if self.seed != self.stored_seed:
            print(
                f"SEED = {self.seed}: the claims about the stored run (SEED = "
                f"{self.stored_seed}) are recorded, not asserted; the claims about the method "
                "are asserted as always."
            )
        elif other_versions:
            print(
                f"${NOT_STORED_VARIABLE} is set: this run is not the stored one (other "
                "library versions), so its claims about the stored run are recorded, not "
                "asserted; the claims about the method are asserted as always."
            )

    def __bool__(self):
        return self.checked

    def check(self, condition, claim, *, value=None):
        """Assert ``condition`` when this run is the stored one; record it either way.

        Raises
        ------
        AssertionError
            In the stored run, with the claim's words, when ``condition`` is false.
        """
        held = _check_condition(condition)
        claim = _check_claim(claim)
        _log(
            {
                "claim": claim,
                "kind": "draw",
                "checked": self.checked,
                "held": held,
                "value": value,
            }
        )
        if self.checked and not held:
            raise AssertionError(f"{claim} (value {value:.4g})" if value is not None else claim)


def _check_condition(condition):
    if isinstance(condition, np.ndarray) and condition.size != 1:
        raise TypeError(
            f"condition must be one True or False, got an array of shape {condition.shape}; "
            "use .all() or .any() to say which"
        )
    return bool(condition)


def _check_claim(claim):
    if not isinstance(claim, str) or not claim.strip():
        raise TypeError(f"claim must be the claim in words (a non-empty str), got {claim!r}")
    return claim


def _log(record):
    path = os.environ.get(CLAIMS_LOG_VARIABLE)
    if not path:
        return
    if record["value"] is not None:
        record["value"] = float(record["value"])
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
