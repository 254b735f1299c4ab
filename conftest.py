"""How pytest-xdist shares the suite between its workers (``-n auto`` in pyproject.toml).

Tests of one file share module fixtures (a served model, a built site) and a notebook's
cells share one kernel, so each file or notebook goes whole to one worker, in order. The
lesson runs named below are independent (each starts its own kernel) and are the suite's
longest tests: they are handed out one by one.

(xdist's own ``--dist loadgroup`` would say the same with markers, but it renames node ids
in a way pytest 9 no longer honours, so the grouping is stated here instead.)
"""

import fnmatch

import pytest

# nbval collects notebooks: only the numbered lessons, never a reader's scratch notebook
# in notebooks/ (where `make lab` opens) or a checkpoint.
LESSON_PATTERN = "[0-9][0-9]_*.ipynb"

# The longest units, started first so that no worker is left with one of them at the end
# (measured with --durations; the rest keep their collection order).
_LONGEST_FIRST = (
    "tests/test_lesson06.py",
    "notebooks/06_",
    "notebooks/02_",
    "notebooks/04_",
    "tests/test_editions.py",
    "notebooks/08_",
    "notebooks/03_",
    "notebooks/07_",
    "notebooks/09_",
    "tests/test_serving.py",
    "tests/test_models.py",
    "tests/test_sensitivity.py",
    "tests/test_probabilistic.py",
    "tests/test_walk_forward.py",
    "tests/test_explainers.py",
)
_INDEPENDENT_RUNS = (
    "tests/test_own_data.py::test_lesson_",
    "tests/test_editions.py::test_student_notebook_runs",
    "tests/test_seeds.py::test_lesson_claims_hold",
    "tests/test_classroom.py::test_round_trip",
)


def scope_of(nodeid):
    """The unit of work a test belongs to: itself if it is an independent run, else its file.

    >>> scope_of("notebooks/03_sine.ipynb::Cell 4")
    'notebooks/03_sine.ipynb'
    >>> scope_of("tests/test_own_data.py::test_lesson_runs[monthly-06_tuning]")
    'tests/test_own_data.py::test_lesson_runs[monthly-06_tuning]'
    """
    return nodeid if nodeid.startswith(_INDEPENDENT_RUNS) else nodeid.split("::", 1)[0]


def is_lesson(path):
    """Whether nbval may collect a notebook: a numbered lesson outside any checkpoint folder.

    >>> from pathlib import Path
    >>> is_lesson(Path("notebooks/03_sine.ipynb")), is_lesson(Path("notebooks/scratch.ipynb"))
    (True, False)
    >>> is_lesson(Path("notebooks/.ipynb_checkpoints/03_sine-checkpoint.ipynb"))
    False
    """
    return fnmatch.fnmatch(path.name, LESSON_PATTERN) and ".ipynb_checkpoints" not in path.parts


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".ipynb" and not is_lesson(collection_path):
        return True
    return None


def pytest_collection_modifyitems(items):
    for item in items:  # a lesson's cells run in a kernel: `pytest -m "not slow"` skips them
        if item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.slow)

    def rank(item):
        starts = [item.nodeid.startswith(prefix) for prefix in _LONGEST_FIRST]
        return starts.index(True) if any(starts) else len(starts)

    items.sort(key=rank)  # a stable sort: a notebook's cells keep their order


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's: ignored when xdist is switched off
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return scope_of(nodeid)

    return ByScope(config, log)
