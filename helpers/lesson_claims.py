"""The claims a lesson makes about the data it ships with: asserted there, skipped on yours.

A lesson that takes a reader's CSV (``DATA_PATH``) still states its claims about its
own series ("the LSTM beats the naive forecast on the sine", "the free run keeps the
sine's period"). On the lesson's data they are asserted through :mod:`helpers.claims`;
on a reader's series they say nothing, so they are skipped there, while the cells go
on printing every verdict and measurement for the reader's series. One object made
once in the lesson holds that switch, so no cell carries an ``if DATA_PATH`` branch:

>>> lesson = LessonClaims(None, 42, stored_seed=42)
>>> lesson.check(0.01 < 0.05, "the LSTM beats the naive forecast (p < 0.05)", value=0.01)
>>> lesson.check_draw(3 > 2, "in this run the direct LSTM leads")

Its three checks: :meth:`LessonClaims.check` (a claim about the method, asserted at
every seed), :meth:`LessonClaims.check_draw` (about the stored run, as
:class:`helpers.claims.Draw`) and :meth:`LessonClaims.converged` (the fits a verdict
rests on were trained until early stopping fired). NumPy only until a fit is checked.
"""

from __future__ import annotations

from helpers import claims

__all__ = ["LessonClaims"]


class LessonClaims:
    """A lesson's claims about its own data, checked there and skipped on a reader's.

    Parameters
    ----------
    data_path : str, path or None
        The lesson's ``DATA_PATH``: None when it runs on the data it ships with.
    seed : int
        The lesson's ``SEED`` in this run.
    stored_seed : int, keyword-only
        The seed of the stored run, which the prose describes.

    Attributes
    ----------
    on_lesson_data : bool
        True when the lesson runs on its own data, so its claims are checked.

    Examples
    --------
    >>> yours = LessonClaims("sales.csv", 42, stored_seed=42)
    DATA_PATH is set: the claims the text makes about the lesson's own series are not
    checked on yours; every verdict and measurement is still printed for your series.
    >>> yours.check(False, "the free run keeps the sine's period")  # skipped, not raised
    >>> bool(yours.on_lesson_data)
    False
    """

    def __init__(self, data_path, seed, *, stored_seed):
        self.on_lesson_data = data_path is None
        self._draw = claims.Draw(seed, stored_seed=stored_seed) if self.on_lesson_data else None
        if not self.on_lesson_data:
            print(
                "DATA_PATH is set: the claims the text makes about the lesson's own series are "
                "not\nchecked on yours; every verdict and measurement is still printed for your "
                "series."
            )

    def check(self, condition, claim, *, value=None):
        """A claim about the method: asserted at every seed (:func:`helpers.claims.check`).

        Raises
        ------
        AssertionError
            On the lesson's data, with the claim's words, when ``condition`` is false.
        """
        if self.on_lesson_data:
            claims.check(condition, claim, value=value)

    def check_draw(self, condition, claim, *, value=None):
        """A claim about the stored run: asserted at its seed, recorded at others.

        Raises
        ------
        AssertionError
            On the lesson's data at the stored seed, when ``condition`` is false.
        """
        if self.on_lesson_data:
            self._draw.check(condition, claim, value=value)

    def converged(self, *histories, what):
        """Check that every fit's early stopping fired before its epoch cap; return one line.

        On the lesson's data a capped fit fails the lesson
        (:func:`helpers.models.assert_converged`); on a reader's, the line says which
        fits were capped, so the reader knows to raise ``EPOCHS`` before trusting the
        verdicts that rest on them.

        Parameters
        ----------
        *histories : helpers.training.TrainingHistory
            As :func:`helpers.models.train` returns them.
        what : str
            What the fits are, for the line and the message.

        Returns
        -------
        str
            ``"<what>: <summary>; <summary>"``, one summary per fit.

        Raises
        ------
        AssertionError
            On the lesson's data, if a fit stopped at its epoch cap.
        TypeError
            If an argument is not a training history.
        """
        from helpers.training import assert_converged

        if self.on_lesson_data:
            assert_converged(*histories, what=what)
        else:
            for history in histories:  # the same type check, without the assertion
                if not hasattr(history, "summary") or not hasattr(history, "converged"):
                    raise TypeError(
                        "converged takes what helpers.models.train returns, got "
                        f"{type(history).__name__}"
                    )
        return f"{what}: " + "; ".join(history.summary() for history in histories)
