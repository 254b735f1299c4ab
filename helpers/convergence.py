"""Did the fits a verdict rests on converge? Asserted on a lesson's data, said on a reader's.

A lesson judges a network only once early stopping fired before the epoch cap
(:func:`helpers.models.assert_converged`). On the data the lesson ships with, that is
asserted: a capped fit fails the lesson. On a reader's CSV, with a small ``EPOCHS`` to
try things quickly, the lesson runs on and says which fits were capped, so the reader
knows the verdicts printed after it are not yet to be trusted. :func:`require_converged`
is that one check, in one line of the lesson. It reads the histories' attributes only;
TensorFlow is imported for the strict check, which calls ``assert_converged``.
"""

from __future__ import annotations

from helpers import _checks

__all__ = ["require_converged"]


def _check_histories(histories):
    if not histories:
        raise ValueError("require_converged needs at least one training history, got none")
    for history in histories:
        if not all(hasattr(history, name) for name in ("converged", "epochs_run", "max_epochs")):
            raise TypeError(
                "require_converged takes what helpers.models.train returns (a TrainingHistory), "
                f"got {type(history).__name__}"
            )
    return histories


def require_converged(*histories, what, strict=True):
    """Assert (``strict``) or report that every fit's early stopping fired before its cap.

    Parameters
    ----------
    *histories : helpers.training.TrainingHistory
        The fits a verdict rests on, as :func:`helpers.models.train` returns them.
    what : str
        What they are, for the message ("the LSTM ensemble at 5 origins").
    strict : bool, default True
        True: raise unless every fit converged (the lesson's own data). False: return
        a line that names the capped fits instead (a reader's data).

    Returns
    -------
    str
        One line: how many fits converged and the range of epochs they ran; when some
        were capped (``strict=False`` only), how many and what to change.

    Raises
    ------
    AssertionError
        With ``strict``, if a fit stopped at its epoch cap before early stopping fired
        (the message of :func:`helpers.models.assert_converged`).
    TypeError
        If an argument is not a training history, or ``what`` is not a str.
    ValueError
        If no history is given.

    Examples
    --------
    >>> from types import SimpleNamespace as Fit
    >>> fits = [Fit(converged=True, epochs_run=e, max_epochs=50) for e in (12, 30)]
    >>> require_converged(*fits, what="the LSTM", strict=False)
    'the LSTM: 2 of 2 fits converged (early stopping fired after 12 to 30 epochs)'
    >>> capped = Fit(converged=False, epochs_run=3, max_epochs=3)
    >>> print(require_converged(fits[0], capped, what="the LSTM", strict=False))
    the LSTM: 1 of 2 fits converged (early stopping fired after 12 to 12 epochs); 1 stopped at \
the epoch cap (3): raise EPOCHS before trusting the verdicts that rest on them
    """
    histories = _check_histories(histories)
    if not isinstance(what, str):
        raise TypeError(f"what must be a str naming the fits, got {type(what).__name__}")
    strict = _checks.boolean(strict, "strict")
    if strict:
        from helpers.training import assert_converged

        assert_converged(*histories, what=what)
    done = [h.epochs_run for h in histories if h.converged]
    line = f"{what}: {len(done)} of {len(histories)} fits converged"
    if done:
        line += f" (early stopping fired after {min(done)} to {max(done)} epochs)"
    capped = [h for h in histories if not h.converged]
    if capped:
        caps = ", ".join(str(cap) for cap in sorted({h.max_epochs for h in capped}))
        line += (
            f"; {len(capped)} stopped at the epoch cap ({caps}): raise EPOCHS before trusting "
            "the verdicts that rest on them"
        )
    return line
