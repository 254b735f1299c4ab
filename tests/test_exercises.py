"""helpers.exercises: the registry, check / require / grade, and the tools the checks share.

Each lesson's own checks are tested in tests/test_exercises_lessonNN.py.
"""

import numpy as np
import pandas as pd
import pytest

from helpers import exercises, metrics
from helpers.exercises import _core


def _lesson03_namespace(**answers):
    scores = pd.DataFrame({"RMSE": [0.25, 0.15]}, index=["naive", "seasonal naive"])
    return {"scores": scores, **answers}


def test_every_lesson_from_01_on_registers_its_exercises_in_order():
    keys = [e.key for e in exercises.registered()]
    assert keys == sorted(keys, key=lambda k: (k[:2], int(k[3:])))
    assert {e.lesson for e in exercises.registered()} <= set(_core.LESSONS)
    assert [e.key for e in exercises.registered("03")] == ["03.1", "03.2", "03.3", "03.4"]


def test_a_key_must_name_a_lesson_and_an_exercise():
    with pytest.raises(KeyError, match="as in '03.1'"):
        exercises.check("3.1", {})
    with pytest.raises(KeyError, match=r"lesson 03 has no exercise 9; its exercises are \['03.1'"):
        exercises.check("03.9", {})


def test_check_wants_the_notebooks_variables():
    with pytest.raises(TypeError, match=r"check\('03.1', globals\(\)\)"):
        exercises.check("03.1", ["ex1_naive_rmse"])


def test_missing_results_are_named_with_what_they_should_be():
    result = exercises.check("03.1", _lesson03_namespace())
    assert not result.right
    assert result.hints == (
        "define `ex1_naive_rmse`: the naive forecast's RMSE on the test part",
        "define `ex1_seasonal_rmse`: the seasonal naive forecast's RMSE on the test part",
    )
    assert str(result).startswith("Exercise 1 (lesson 03): not yet.\n- define `ex1_naive_rmse`")


def test_a_missing_lesson_variable_says_to_run_the_cells_above():
    result = exercises.check("03.1", {"ex1_naive_rmse": 0.25, "ex1_seasonal_rmse": 0.15})
    assert result.hints == (
        "`scores` not defined: run the lesson's cells above this exercise first",
    )


def test_right_and_wrong_answers_and_the_hint_never_shows_the_value():
    right = exercises.check(
        "03.1", _lesson03_namespace(ex1_naive_rmse=0.25, ex1_seasonal_rmse=0.15)
    )
    assert right.right and str(right) == "Exercise 1 (lesson 03): right."
    wrong = exercises.check("03.1", _lesson03_namespace(ex1_naive_rmse=0.3, ex1_seasonal_rmse=0.15))
    assert len(wrong.hints) == 1 and wrong.hints[0].startswith("`ex1_naive_rmse` is not")
    assert "0.25" not in str(wrong)


def test_an_answer_of_the_wrong_kind_gets_a_hint_not_a_crash():
    namespace = _lesson03_namespace(ex1_naive_rmse="0.25", ex1_seasonal_rmse=[1, 2])
    result = exercises.check("03.1", namespace)
    assert result.hints == ("`ex1_naive_rmse` should be one number, got str",)


def test_require_names_what_is_missing_and_grade_says_what_is_wrong():
    with pytest.raises(AssertionError, match="define `ex1_seasonal_rmse`"):
        exercises.require("03.1", {"ex1_naive_rmse": 1.0})
    exercises.require("03.1", {"ex1_naive_rmse": 1.0, "ex1_seasonal_rmse": 2.0})
    with pytest.raises(AssertionError, match="not yet"):
        exercises.grade("03.1", _lesson03_namespace(ex1_naive_rmse=1.0, ex1_seasonal_rmse=2.0))
    exercises.grade("03.1", _lesson03_namespace(ex1_naive_rmse=0.25, ex1_seasonal_rmse=0.15))


def test_a_failure_inside_a_check_becomes_a_hint():
    @_core.exercise("99.1", results={"x": "anything"})
    def _broken(a):
        yield str(1 / a.x)

    try:
        result = exercises.check("99.1", {"x": 0})
        assert result.hints[0].startswith("the check could not use your results (ZeroDivisionError")
    finally:
        del _core._REGISTRY["99.1"]


def test_an_exercise_is_registered_once_with_a_result():
    with pytest.raises(ValueError, match="registered twice"):
        _core.exercise("03.1", results={"x": "y"})(lambda a: ())
    with pytest.raises(ValueError, match="at least one result"):
        _core.exercise("99.2", results={})
    with pytest.raises(ValueError, match="'NN.k'"):
        _core.exercise("3", results={"x": "y"})


class _A:
    def __init__(self, **values):
        self.__dict__.update(values)


@pytest.mark.parametrize(
    "value, hint",
    [
        (True, "should be one number, got bool"),
        ("1.5", "should be one number, got str"),
        (np.array([1.0, 2.0]), "should be one number, got ndarray"),
        (float("nan"), "is nan: it should be a finite number"),
    ],
)
def test_number_refuses_what_is_not_one_finite_number(value, hint):
    with pytest.raises(_core.Hint, match=hint):
        _core.number(_A(x=value), "x")


def test_number_accepts_numpy_scalars_and_zero_d_arrays():
    assert _core.number(_A(x=np.float32(1.5)), "x") == 1.5
    assert _core.number(_A(x=np.array(2.0)), "x") == 2.0


def test_array_checks_the_shape_and_finite_values():
    assert _core.array(_A(x=[[1, 2]]), "x", shape=(None, 2)).shape == (1, 2)
    with pytest.raises(_core.Hint, match=r"has shape \(3,\); the exercise asks for \(4\)"):
        _core.array(_A(x=[1, 2, 3]), "x", shape=(4,))
    with pytest.raises(_core.Hint, match="NaN or infinite"):
        _core.array(_A(x=[1, np.inf]), "x")
    with pytest.raises(_core.Hint, match="an array of numbers, got dict"):
        _core.array(_A(x={"a": 1}), "x")


def test_judges_knows_the_rules_verdict_in_either_order_and_nothing_else():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=60)
    a, b = truth + rng.normal(scale=0.5, size=60), truth + rng.normal(scale=1.0, size=60)
    verdict = metrics.compare_forecasts(truth, a, b)
    assert _core.judges(verdict, truth, a, b) and _core.judges(verdict, truth, b, a)
    assert not _core.judges(verdict, truth, a, a + 0.1)
    assert not _core.judges(verdict, truth[:-1], a[:-1], b[:-1])
    absolute = metrics.compare_forecasts(truth, a, b, loss="absolute")
    assert _core.judges(absolute, truth, a, b)
    with pytest.raises(_core.Hint, match="what metrics.compare_forecasts returns; got float"):
        _core.comparison(_A(v=0.05), "v")


def test_close_wants_the_same_shape():
    assert _core.close([1.0, 2.0], np.array([1.0, 2.0 + 1e-12]))
    assert not _core.close([1.0, 2.0], [[1.0, 2.0]])
    assert not _core.close(1.0, 1.001)
