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

import argparse
import copy
import re
import sys
from pathlib import Path

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
    "course_notebook",
    "graded_lessons",
    "write_course",
    "main",
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


# ----------------------------------------------------------------- the nbgrader course

TEST_SOURCE = """\
# Autograded: exercise {number}'s results are defined (visible), and right (hidden).
from helpers.exercises import grade, require

require("{key}", globals())
### BEGIN HIDDEN TESTS
grade("{key}", globals())
### END HIDDEN TESTS"""

CONFIG = f"""\
# nbgrader's configuration for this course, written by `make classroom`.
# Run nbgrader from this folder: see the README's section for instructors.
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "{COURSE_ID}"
# A lesson's longest cell trains for about a minute on a 2-core laptop; nbgrader's own limit is
# 30 s. 600 s leaves room for a slow machine without letting a stuck kernel hang for ever.
c.Execute.timeout = 600
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
"""


def _nbgrader(cell, grade_id: str, *, solution: bool, grade: bool, points: int = 0) -> None:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta


def _unfold(cell) -> None:
    """Drop the stored edition's tags and folding: nbgrader's metadata says what a cell is."""
    cell.metadata.pop("tags", None)
    cell.metadata.pop("jupyter", None)


def course_notebook(nb, lesson: str):
    """A lesson as an nbgrader source notebook; ``nb`` is not modified.

    Every exercise must have its check cell; the exercise's points come from
    :func:`helpers.exercises.find`.

    Raises
    ------
    ValueError
        If an exercise has no check cell, or a check cell names another lesson's exercise.
    """
    from helpers.exercises import find

    nb = copy.deepcopy(nb)
    drop = set()
    for number, span in exercise_spans(nb).items():
        key = f"{lesson}.{number}"
        checks = [i for i in span if check_key(nb.cells[i])]
        if [check_key(nb.cells[i]) for i in checks] != [key]:
            raise ValueError(
                f"lesson {lesson}, exercise {number}: wants one check cell for {key!r}, found "
                f"{[check_key(nb.cells[i]) for i in checks]}; add it with add_check_cells"
            )
        code = discussion = 0
        for i in span:
            cell = nb.cells[i]
            if i in checks:
                cell.source = TEST_SOURCE.format(number=number, key=key)
                _unfold(cell)
                _nbgrader(cell, f"ex{lesson}_{number}_check", solution=False, grade=True,
                          points=find(key).points)  # fmt: skip
            elif _is_solution(cell) and cell.cell_type == "code":
                code += 1
                cell.source = f"### BEGIN SOLUTION\n{_source(cell).rstrip()}\n### END SOLUTION"
                _unfold(cell)
                _nbgrader(cell, f"ex{lesson}_{number}_answer{code}", solution=True, grade=False)
            elif _is_solution(cell):
                discussion += 1
                _unfold(cell)
                _nbgrader(cell, f"ex{lesson}_{number}_discussion{discussion}", solution=True,
                          grade=True, points=1)  # fmt: skip
            elif cell.cell_type == "code" and _blank(cell) and i > span.start:
                drop.add(i)  # the empty answer cell: the solution cell takes its place
    nb.cells = [cell for i, cell in enumerate(nb.cells) if i not in drop]
    return nb


def graded_lessons(folder) -> list[Path]:
    """The stored lessons nbgrader grades: every ``NN_*.ipynb`` from 01 on."""
    from tools.editions import lessons

    return [p for p in lessons(folder) if p.name[:2] >= FIRST_GRADED_LESSON]


def write_course(notebooks, out_dir) -> list[Path]:
    """Write the nbgrader course folder ``out_dir`` from the stored lessons; the notebooks written.

    ``out_dir/nbgrader_config.py`` and ``out_dir/source/NN_topic/NN_topic.ipynb``
    for each lesson. Earlier sources there are replaced; what nbgrader wrote
    (release, submitted, autograded, the gradebook) is left alone.
    """
    import nbformat

    out_dir = Path(out_dir)
    (out_dir / "source").mkdir(parents=True, exist_ok=True)
    (out_dir / "nbgrader_config.py").write_text(CONFIG)
    written = []
    for path in notebooks:
        path = Path(path)
        folder = out_dir / "source" / path.stem
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        nbformat.write(course_notebook(nbformat.read(path, as_version=4), path.name[:2]), target)
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.classroom", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--notebooks", default="notebooks", help="the stored lessons' folder")
    parser.add_argument("--out", default="classroom", help="the course folder to write")
    args = parser.parse_args(argv)
    written = write_course(graded_lessons(args.notebooks), args.out)
    print(
        f"classroom: {len(written)} assignments in {args.out}/source, nbgrader_config.py beside it"
    )
    print(f"next: cd {args.out} && nbgrader generate_assignment {written[0].stem} (see the README)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
