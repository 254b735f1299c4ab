"""The nbgrader course (`make classroom`) and the check cells it is built from.

The conversion is tested here on notebooks read as JSON (fast). The round trip, for every
lesson from 01 on, runs nbgrader itself (`make test-classroom`, CI): generate the release,
then autograde two submissions, the release with the worked answers typed into its
answer cells (full marks) and the release untouched (less), then write the feedback.
"""

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import exercises
from tools import classroom, editions

ROOT = Path(__file__).resolve().parent.parent
GRADED = classroom.graded_lessons(ROOT / "notebooks")


def _md(text, *tags):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": list(tags)} if tags else {})


def _py(text, *tags):
    return nbformat.v4.new_code_cell(text, metadata={"tags": list(tags)} if tags else {})


def _toy(check=True):
    """A lesson 03 in miniature: one exercise with an answer, a check and a discussion."""
    cells = [
        _py("import numpy as np"),
        _md("## Exercises\n\n### Exercise 1 · The two baselines by hand\n\nCompute them."),
        _py("# Your answer here"),
        _py("ex1_naive_rmse = 1.0\nex1_seasonal_rmse = 2.0", "solution"),
        _md("**Discussion.** Both are small.", "solution"),
        _md("## Recap\n\n- Done."),
    ]
    if check:
        cells.insert(4, _py(classroom.CHECK_SOURCE.format(key="03.1"), classroom.CHECK_TAG))
    return nbformat.v4.new_notebook(cells=cells)


def _nbgrader(nb):
    return [(c.metadata["nbgrader"], c.source) for c in nb.cells if "nbgrader" in c.metadata]


def test_an_exercise_runs_from_its_prompt_to_the_next_heading():
    assert classroom.exercise_spans(_toy()) == {1: range(1, 6)}


def test_check_cells_go_after_the_last_worked_code_answer_once():
    added = classroom.add_check_cells(_toy(check=False), "03")
    assert [classroom.check_key(c) for c in added.cells] == [None] * 4 + ["03.1", None, None]
    again = classroom.add_check_cells(added, "03")
    assert [c.source for c in again.cells] == [c.source for c in added.cells]


def test_a_check_cell_must_call_check_on_globals():
    with pytest.raises(ValueError, match="must call check"):
        classroom.check_key(_py("print('right')", classroom.CHECK_TAG))


def test_the_answer_is_wrapped_the_check_graded_and_the_discussion_graded_by_hand():
    nb = _toy()
    course = classroom.course_notebook(nb, "03")
    (answer, answer_src), (check, check_src), (prose, prose_src) = _nbgrader(course)
    assert answer["solution"] and not answer["grade"] and answer["grade_id"] == "ex03_1_answer1"
    assert answer_src.startswith("### BEGIN SOLUTION\nex1_naive_rmse = 1.0")
    assert answer_src.endswith("### END SOLUTION")
    assert check["grade"] and check["locked"] and check["points"] == exercises.find("03.1").points
    visible, hidden = check_src.split("### BEGIN HIDDEN TESTS")
    assert 'require("03.1", globals())' in visible and "grade(" not in visible
    assert 'grade("03.1", globals())' in hidden and hidden.rstrip().endswith("END HIDDEN TESTS")
    assert prose["solution"] and prose["grade"] and prose["points"] == 1
    assert "# Your answer here" not in [c.source for c in course.cells]  # the stub replaces it
    assert all("tags" not in c.metadata for c in course.cells if "nbgrader" in c.metadata)
    assert len(nb.cells) == 7 and "nbgrader" not in nb.cells[3].metadata  # nb untouched


def test_an_exercise_without_its_check_cell_is_refused():
    with pytest.raises(ValueError, match="wants one check cell for '03.1'"):
        classroom.course_notebook(_toy(check=False), "03")


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.name)
def test_every_exercise_has_one_check_cell_after_its_worked_code(path):
    nb = nbformat.read(path, as_version=4)
    lesson = path.name[:2]
    spans = classroom.exercise_spans(nb)
    assert sorted(e.number for e in exercises.registered(lesson)) == sorted(spans)
    for number, span in spans.items():
        checks = [i for i in span if classroom.check_key(nb.cells[i])]
        assert [classroom.check_key(nb.cells[i]) for i in checks] == [f"{lesson}.{number}"]
        before = nb.cells[checks[0] - 1]
        assert before.cell_type == "code" and editions.is_solution(before), (
            f"{path.name}: exercise {number}'s check must follow its worked code answer"
        )


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.name)
def test_each_check_says_right_in_the_stored_run(path):
    # The stored lessons come from one clean execution (make notebooks): under the worked
    # answers every check printed "right". The round trip checks it again, live.
    for cell in nbformat.read(path, as_version=4).cells:
        if classroom.check_key(cell):
            text = "".join(o.get("text", "") for o in cell.outputs)
            text += "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            assert text.strip().endswith("right."), f"{path.name}: {text.strip()[:200]}"


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.name)
def test_each_lesson_converts_with_every_answer_marked(path):
    nb = nbformat.read(path, as_version=4)
    course = classroom.course_notebook(nb, path.name[:2])
    graded = dict((meta["grade_id"], src) for meta, src in _nbgrader(course))
    solutions = [c for c in nb.cells if editions.is_solution(c)]
    answers = [i for i in graded if "_answer" in i or "_discussion" in i]
    assert len(answers) == len(solutions) == len(set(answers))
    checks = sorted(i for i in graded if i.endswith("_check"))
    assert checks == sorted(
        f"ex{e.lesson}_{e.number}_check" for e in exercises.registered(path.name[:2])
    )
    assert not any(classroom.CHECK_TAG in c.metadata.get("tags", []) for c in course.cells)
    assert not any(editions.is_solution(c) for c in course.cells)


def test_the_course_folder_holds_the_config_and_one_assignment_per_lesson(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tools.classroom", "--out", str(tmp_path / "course")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert run.stdout.startswith(f"classroom: {len(GRADED)} assignments")
    course = tmp_path / "course"
    assert "c.Execute.timeout" in (course / "nbgrader_config.py").read_text()
    found = sorted(p.relative_to(course / "source").as_posix() for p in course.glob("source/*/*"))
    assert found == [f"{p.stem}/{p.name}" for p in GRADED]


# --------------------------------------------------------------------- the round trip


def _nbgrader_cli(course, *args):
    # nbgrader runs `alembic` for its gradebook: the venv's bin folder must be on PATH.
    env = dict(
        os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def worked_submission(release, source):
    """A copy of the release whose answer cells hold the worked answers, as a student hands in."""
    release = copy.deepcopy(release)
    worked = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = worked[meta["grade_id"]]
    return release


@pytest.mark.slow
@pytest.mark.classroom
@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.name)
def test_round_trip(path, tmp_path):
    from nbgrader.api import Gradebook

    course, name = tmp_path / "course", path.stem
    classroom.write_course([path], course)
    _nbgrader_cli(course, "generate_assignment", name, "--force")
    source = nbformat.read(course / "source" / name / path.name, as_version=4)
    release_path = course / "release" / name / path.name
    released = release_path.read_text()
    # The release holds no answer and no hidden test.
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "grade("):
        assert marker not in released
    for cell in nbformat.read(path, as_version=4).cells:
        if editions.is_solution(cell):
            assert cell.source.strip() not in released
    release = nbformat.read(release_path, as_version=4)
    for student, nb in (("worked", worked_submission(release, source)), ("untouched", release)):
        (course / "submitted" / student / name).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / name / path.name)
    _nbgrader_cli(course, "autograde", name, "--create", "--force")
    _nbgrader_cli(course, "generate_feedback", name, "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        worked, untouched = (
            gradebook.find_submission_notebook(name, name, student)
            for student in ("worked", "untouched")
        )
        failed = [
            g.name for g in worked.grades if g.auto_score is not None and g.auto_score < g.max_score
        ]
        assert not failed and worked.code_score == worked.max_code_score > 0
        assert untouched.score < untouched.max_score
        assert untouched.code_score == 0
    assert (course / "feedback" / "worked" / name / f"{name}.html").is_file()
    # An untouched answer fails the visible test with a hint naming what to define.
    graded = (course / "autograded" / "untouched" / name / path.name).read_text()
    assert "define `" in graded
