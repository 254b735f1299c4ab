"""Checks for every lesson's exercises: one test, used two ways.

In a lesson, the cell after an exercise's answer runs::

    from helpers.exercises import check

    check("03.1", globals())

and prints ``Exercise 1 (lesson 03): right.`` or what is still wrong, as hints
that never show the expected value. ``make classroom`` turns the same cell into
an nbgrader test cell: :func:`require` (visible: the results are defined) and
:func:`grade` (hidden: the check says right). So a student studying alone and
the autograder judge an answer by the same code.

Each lesson's checks live in ``lessonNN.py``; :func:`registered` lists them.
NumPy only at import.
"""

from helpers.exercises._core import (
    CheckResult,
    Exercise,
    Hint,
    check,
    find,
    grade,
    registered,
    require,
)

__all__ = ["check", "require", "grade", "registered", "find", "Exercise", "CheckResult", "Hint"]
