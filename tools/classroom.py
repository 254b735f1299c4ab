"""The course as an nbgrader course folder: ``python -m tools.classroom`` (``make classroom``).

Writes ``classroom/``: ``nbgrader_config.py`` and ``source/NN_topic/NN_topic.ipynb``
for every lesson from 01 on, converted from the stored lessons (nothing is
re-executed). In each exercise:

- the empty answer cell goes; each worked code answer (a cell tagged
  ``solution``) becomes an nbgrader solution cell, its code between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
- each worked prose answer (a markdown cell tagged ``solution``) becomes a
  manually graded answer cell;
- the exercise's check cell (tagged ``check``: ``check("03.1", globals())``)
  becomes an autograded test cell: a visible test that the results the
  exercise asks for are defined (:func:`helpers.exercises.require`), then,
  between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, the test
  that they are right (:func:`helpers.exercises.grade`), the same test the
  check cell runs for a student studying alone.

Then, in ``classroom/``: ``nbgrader generate_assignment 03_sine_wave_forecaster``
writes the release (no solution, no hidden test); ``nbgrader autograde`` grades
what the students hand in. The README's instructor section has the commands.

No TensorFlow here: converting reads and writes notebooks only.
"""

from __future__ import annotations

import copy
import re

CHECK_TAG = "check"
SOLUTION_TAG = "solution"
FIRST_GRADED_LESSON = "01"
COURSE_ID = "lstm-time-series"
# A check cell is exactly this, so the converter and the tests can find its exercise.
CHECK_SOURCE = 'from helpers.exercises import check\n\ncheck("{key}", globals())  # right, or hints'
_CHECK_CALL = re.compile(r'^check\("(\d\d\.\d+)", globals\(\)\)', re.M)
_PROMPT = re.compile(r"^\s{0,3}(?:#{1,6}\s*|\*\*\s*)Exercise\s+(\d+)\b", re.I | re.M)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.M)

__all__ = [
    "CHECK_TAG",
    "exercise_spans",
    "check_key",
    "add_check_cells",
]


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _is_solution(cell) -> bool:
    return SOLUTION_TAG in _tags(cell)


def _blank(cell) -> bool:
    lines = [line.strip() for line in _source(cell).splitlines()]
    return all(not line or line.startswith("#") for line in lines)


def check_key(cell) -> str | None:
    """The exercise key ("03.1") a check cell checks; None for any other cell."""
    if cell.get("cell_type") != "code" or CHECK_TAG not in _tags(cell):
        return None
    match = _CHECK_CALL.search(_source(cell))
    if match is None:
        raise ValueError(
            f'a cell tagged {CHECK_TAG!r} must call check("NN.k", globals()); it holds '
            f"{_source(cell)[:80]!r}"
        )
    return match.group(1)


def exercise_spans(nb) -> dict[int, range]:
    """Each exercise's number -> the range of its cells, prompt first.

    An exercise starts at the markdown cell holding its prompt ("### Exercise 2: ...",
    also inside a "## Exercises" cell) and ends before the next prompt, or before the
    next untagged markdown heading (the recap).

    Raises
    ------
    ValueError
        If a lesson numbers two exercises alike.
    """
    spans, current, start = {}, None, 0
    for i, cell in enumerate(nb.cells):
        text = _source(cell)
        is_markdown = cell.cell_type == "markdown" and SOLUTION_TAG not in _tags(cell)
        prompts = _PROMPT.findall(text) if is_markdown else []
        if current is not None and (prompts or is_markdown and _HEADING.search(text)):
            spans[current] = range(start, i)
            current = None
        if prompts:
            number = int(prompts[-1])
            if number in spans:
                raise ValueError(f"exercise {number} appears twice (cell {i})")
            current, start = number, i
    if current is not None:
        spans[current] = range(start, len(nb.cells))
    return spans


def add_check_cells(nb, lesson: str):
    """A copy of ``nb`` with a check cell after each exercise's last worked code answer.

    An exercise that already has its check cell keeps it. Used to put the check
    cells into the stored lessons; the lessons are then re-executed.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    for number, span in sorted(exercise_spans(nb).items(), reverse=True):
        cells = [nb.cells[i] for i in span]
        if any(check_key(cell) for cell in cells):
            continue
        code = [
            i
            for i in span
            if nb.cells[i].cell_type == "code" and SOLUTION_TAG in _tags(nb.cells[i])
        ]
        if not code:
            raise ValueError(f"lesson {lesson}, exercise {number}: no worked code answer to check")
        cell = nbformat.v4.new_code_cell(
            CHECK_SOURCE.format(key=f"{lesson}.{number}"), metadata={"tags": [CHECK_TAG]}
        )
        nb.cells.insert(code[-1] + 1, cell)
    return nb
