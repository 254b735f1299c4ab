"""helpers._checks: one exception type and one wording per fault, everywhere in the package."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import _checks


@pytest.mark.parametrize(
    ("minimum", "words"),
    [(1, "a positive integer"), (0, "a non-negative integer"), (2, "an integer >= 2")],
)
def test_integer_states_its_requirement_in_both_errors(minimum, words):
    with pytest.raises(ValueError, match=f"^n must be {words}, got {minimum - 1}$"):
        _checks.integer(minimum - 1, "n", minimum=minimum)
    with pytest.raises(TypeError, match=f"^n must be {words}, got float 2.5$"):
        _checks.integer(2.5, "n", minimum=minimum)
    assert _checks.integer(np.int64(minimum), "n", minimum=minimum) == minimum
    assert type(_checks.integer(np.int64(minimum), "n", minimum=minimum)) is int


@pytest.mark.parametrize("flag", [True, False, np.bool_(True)])
def test_a_bool_is_never_a_number(flag):
    with pytest.raises(TypeError, match="got bool"):
        _checks.integer(flag, "window", minimum=0)
    with pytest.raises(TypeError):
        _checks.real(flag, "noise")
    assert not _checks.is_integer(flag)


def test_integer_without_minimum_accepts_negatives():
    assert _checks.integer(-3, "output_index", minimum=None) == -3
    with pytest.raises(TypeError, match="output_index must be an integer, got str"):
        _checks.integer("1", "output_index", minimum=None)


@pytest.mark.parametrize(
    ("bounds", "bad", "words"),
    [
        ({"low": 0, "low_open": True}, 0, "a positive number"),
        ({"low": 0}, -0.5, "a non-negative number"),
        ({"low": 0, "high": 1, "high_open": True}, 1.0, r"a number in \[0, 1\)"),
        ({"low": -1, "high": 1, "low_open": True, "high_open": True}, -1, r"a number in \(-1, 1\)"),
        ({}, float("nan"), "a finite number"),
        ({}, float("inf"), "a finite number"),
    ],
)
def test_real_refuses_values_outside_its_interval(bounds, bad, words):
    with pytest.raises(ValueError, match=f"x must be {words}, got"):
        _checks.real(bad, "x", **bounds)
    with pytest.raises(TypeError, match=f"x must be {words}, got str"):
        _checks.real("0.5", "x", **bounds)


@given(st.floats(0.001, 0.999))
def test_fraction_accepts_every_share_strictly_inside(value):
    assert _checks.fraction(value, "train") == value


def test_fraction_allows_zero_only_when_asked():
    assert _checks.fraction(0, "validation", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match=r"train must be a number in \(0, 1\), got 0"):
        _checks.fraction(0, "train")


@pytest.mark.parametrize(("bad", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_every_seed_check_gives_one_type_per_fault(bad, error):
    with pytest.raises(error, match="seed must be a non-negative integer"):
        _checks.seed(bad)
    with pytest.raises(error, match="seed must be a non-negative integer or a numpy Generator"):
        _checks.rng(bad)


def test_rng_repeats_from_a_seed_and_passes_a_generator_through():
    np.testing.assert_array_equal(_checks.rng(4).normal(size=3), _checks.rng(4).normal(size=3))
    generator = np.random.default_rng(0)
    assert _checks.rng(generator) is generator


def test_real_array_refuses_text_complex_and_bools():
    for bad in (["a"], [1j], [True, False]):
        with pytest.raises(TypeError, match="y must hold real numbers, got dtype"):
            _checks.real_array(bad, "y")
    assert np.isnan(_checks.real_array([1.0, None], "y")[1])  # None reads as missing


def test_finite_names_the_first_bad_place():
    with pytest.raises(ValueError, match=r"got 2 NaN or inf \(the first at row 1, column 'b'\)"):
        _checks.finite(
            np.array([[1.0, 2.0], [3.0, np.inf], [np.nan, 0.0]]), "v", columns=["a", "b"]
        )
    with pytest.raises(ValueError, match=r"\(the first at index \(0, 1, 0\)\): fill them"):
        _checks.finite(np.array([[[0.0], [np.nan]]]), "X", fix="fill them")
    _checks.finite(np.zeros(3), "ok")  # nothing to say


def test_series_copies_and_checks_length():
    values = np.arange(3.0)
    out = _checks.series(values, "y_train", min_length=2)
    out[0] = 99.0
    assert values[0] == 0.0
    with pytest.raises(ValueError, match=r"y_train must hold at least 4 values \(why\), got 3"):
        _checks.series(values, "y_train", min_length=4, why=" (why)")


@pytest.mark.parametrize(
    ("X", "kwargs", "error", "words"),
    [
        (np.zeros((2, 3)), {}, ValueError, r"must be 3-D .* got shape \(2, 3\)"),
        (np.zeros((2, 0, 1)), {}, ValueError, "at least one time step"),
        (np.zeros((2, 3, 1)), {"timesteps": 4}, ValueError, "3 time steps per window"),
        (np.zeros((2, 3, 1)), {"features": 2}, ValueError, "expects n_features=2"),
        (np.zeros((0, 3, 1)), {}, ValueError, "holds no windows"),
        (np.full((1, 3, 1), np.nan), {}, ValueError, "only finite values"),
        (np.full((1, 3, 1), "a"), {}, TypeError, "real numbers"),
    ],
)
def test_windows_refuses_each_fault_with_its_own_message(X, kwargs, error, words):
    with pytest.raises(error, match=words):
        _checks.windows(X, "X", **kwargs)


def test_windows_options_for_the_numpy_lstm():
    empty = _checks.windows(np.zeros((0, 3, 1)), "x", allow_empty=True)
    assert empty.shape == (0, 3, 1)
    with_nan = np.full((1, 2, 1), np.nan)
    assert _checks.windows(with_nan, "x", require_finite=False) is with_nan  # not copied


def test_column_positions_labels_then_positions():
    assert _checks.column_positions(["b", 0], ["a", "b"], "cols") == [1, 0]
    assert _checks.column_positions(1, [0, 1, 2], "cols") == [1]
    with pytest.raises(ValueError, match=r"expected a position 0\.\.2$"):
        _checks.column_positions(3, [0, 1, 2], "cols")
    with pytest.raises(ValueError, match="cols has unknown column True"):
        _checks.column_positions(True, ["a", "b"], "cols")
    with pytest.raises(ValueError, match="cols must name at least one column"):
        _checks.column_positions([], ["a"], "cols")


def test_column_name_must_be_a_non_empty_string():
    assert _checks.column_name("date", "time_column") == "date"
    for bad in ("", None, 3):
        with pytest.raises(TypeError, match="time_column must be a column name"):
            _checks.column_name(bad, "time_column")


def test_checks_import_numpy_only():
    code = (
        "import sys, helpers._checks; print('tensorflow' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(("bad", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_one_seed_fault_one_exception_in_every_module(bad, error):
    import helpers
    from helpers import data, models, sensitivity

    model = models.build_forecaster(3, units=2)
    x = np.zeros((1, 3, 1))
    calls = [
        lambda: helpers.set_seed(bad),
        lambda: data.noisy_sine(10, seed=bad),
        lambda: data.known_drivers(10, seed=bad),
        lambda: models.build_forecaster(3, seed=bad),
        lambda: sensitivity.smoothgrad(model, x, seed=bad),
        lambda: sensitivity.randomize_weights(model, seed=bad),
    ]
    for call in calls:
        with pytest.raises(error, match="seed must be a non-negative integer"):
            call()


def test_probability_is_strictly_inside_zero_and_one():
    assert _checks.probability(0.8, "coverage") == 0.8
    for bad in (0, 1, 80, float("nan")):
        with pytest.raises(
            ValueError, match=rf"^coverage must be a number in \(0, 1\), got {bad}$"
        ):
            _checks.probability(bad, "coverage")
    with pytest.raises(TypeError, match=r"^quantile must be a number in \(0, 1\), got str '0.9'$"):
        _checks.probability("0.9", "quantile")


def test_integers_take_any_sequence_and_name_the_bad_item():
    assert _checks.integers((3, np.int64(5)), "origins") == [3, 5]
    assert _checks.integers(np.arange(2), "rows", minimum=0) == [0, 1]
    with pytest.raises(TypeError, match="^origins must be a sequence of integers, got str '12'$"):
        _checks.integers("12", "origins")
    with pytest.raises(TypeError, match="^origins must be a sequence of integers, got int 12$"):
        _checks.integers(12, "origins")
    with pytest.raises(
        TypeError, match=r"^origins\[1\] must be a positive integer, got float 2.0$"
    ):
        _checks.integers([1, 2.0], "origins")
    with pytest.raises(ValueError, match=r"^origins\[0\] must be a positive integer, got 0$"):
        _checks.integers([0], "origins")
    with pytest.raises(ValueError, match="^origins must hold at least one integer, got an empty"):
        _checks.integers([], "origins")


def test_boolean_refuses_what_only_looks_true():
    assert _checks.boolean(np.False_, "warm_start") is False
    for bad in (1, "yes", None):
        with pytest.raises(TypeError, match="^warm_start must be True or False, got"):
            _checks.boolean(bad, "warm_start")


def test_functions_and_mappings_of_them():
    assert _checks.function(len, "f", call="f(x)") is len
    with pytest.raises(TypeError, match=r"^f must be callable as f\(x\), got NoneType None$"):
        _checks.function(None, "f", call="f(x)")
    named = {"a": len, "b": abs}
    assert _checks.named_functions(named, "models", call="f(x)") is named
    with pytest.raises(TypeError, match="^models must be a mapping of names to functions f"):
        _checks.named_functions([len], "models", call="f(x)")
    with pytest.raises(ValueError, match=r"^models must hold at least one function f\(x\), got an"):
        _checks.named_functions({}, "models", call="f(x)")
    with pytest.raises(TypeError, match=r"^models\['b'\] must be callable as f\(x\), got int 2$"):
        _checks.named_functions({"a": len, "b": 2}, "models", call="f(x)")


def test_finite_array_any_shape_not_empty_not_copied():
    values = np.zeros((2, 3, 4))
    assert _checks.finite_array(values, "y") is values  # read, never written
    assert _checks.finite_array([1, 2], "y").dtype == np.float64
    with pytest.raises(ValueError, match=r"^y must hold at least one value, got shape \(2, 0\)$"):
        _checks.finite_array(np.zeros((2, 0)), "y")
    with pytest.raises(ValueError, match="^y must contain only finite values"):
        _checks.finite_array([1.0, np.inf], "y")
    with pytest.raises(TypeError, match="^y must hold real numbers, got dtype bool$"):
        _checks.finite_array([True], "y")
    with pytest.raises(ValueError, match="^y must be a rectangular array, got rows of different"):
        _checks.finite_array([[1.0], [1.0, 2.0]], "y")


def test_same_shape_names_the_first_array_that_differs():
    a, b, c = np.zeros(3), np.zeros(3), np.zeros((3, 1))
    _checks.same_shape({"y_true": a, "lower": b})
    with pytest.raises(
        ValueError, match=r"^y_true and upper must have the same shape, got \(3,\) and \(3, 1\)$"
    ):
        _checks.same_shape({"y_true": a, "lower": b, "upper": c})
    with pytest.raises(ValueError, match="^y_true and y_pred must have the same shape"):
        _checks.forecast_pair([1.0, 2.0], [[1.0, 2.0]])  # the pair's check says it the same way


def test_dataframe_and_column_names_without_positions():
    import pandas as pd

    frame = pd.DataFrame({"y": [1.0], "x": [2.0]})
    assert _checks.dataframe(frame, "frame") is frame
    with pytest.raises(TypeError, match="^frame must be a pandas DataFrame, got ndarray$"):
        _checks.dataframe(frame.to_numpy(), "frame")
    labels = list(frame.columns)
    assert _checks.column_positions(["x", "y"], labels, "features", positions=False) == [1, 0]
    with pytest.raises(ValueError, match=r"^features has unknown column 0: expected one of \['y'"):
        _checks.column_positions(0, labels, "features", positions=False)
    assert _checks.column_positions(0, labels, "features") == [0]  # positions by default
