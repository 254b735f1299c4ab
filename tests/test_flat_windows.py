"""Tests for helpers.flat_windows: windows as the flat tables SHAP and LIME take, and back.

``helpers.explainers`` re-exports every name (checked first), so the lessons' calls such as
``explainers.FlatPredict`` are these.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_explainers import FEATURES, WINDOW, _linear_model, _windows  # the explainers' models

from helpers import explainers, flat_windows, models
from helpers import sensitivity as sens
from helpers._tf import import_tensorflow

tf = import_tensorflow()


def test_explainers_re_exports_every_name():
    for name in flat_windows.__all__:
        assert getattr(explainers, name) is getattr(flat_windows, name)
        assert name in explainers.__all__


def test_flatten_puts_cell_t_j_in_column_t_times_features_plus_j_and_back():
    X = _windows(4, 0)
    flat = explainers.flatten_windows(X)
    assert flat.shape == (4, WINDOW * FEATURES)
    for t in range(WINDOW):
        for j in range(FEATURES):
            np.testing.assert_array_equal(flat[:, t * FEATURES + j], X[:, t, j])
    back = explainers.unflatten_windows(flat, window=WINDOW, n_features=FEATURES)
    np.testing.assert_array_equal(back, X)
    flat[0, 0] = 99.0
    assert X[0, 0, 0] != 99.0  # a copy, not a view of the input


def test_cell_names_follow_the_flat_order_and_rank_cells_lags():
    names = explainers.cell_names(["price", "volume"], WINDOW)
    assert names[:2] == ["price lag 3", "volume lag 3"] and names[-1] == "volume lag 1"
    a = np.zeros((1, WINDOW, FEATURES))
    a[0, WINDOW - 1, 1] = 1.0  # the last step of feature 1
    top = sens.rank_cells(a, feature_names=["price", "volume"]).iloc[0]
    column = int(np.argmax(explainers.flatten_windows(a)[0]))
    assert names[column] == f"{top['feature']} lag {top['lag']}"


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: explainers.flatten_windows(np.zeros((2, 3))), ValueError, "3-D"),
        (lambda: explainers.flatten_windows(np.zeros((0, 3, 2))), ValueError, "no rows"),
        (lambda: explainers.flatten_windows(np.array([[["a"]]])), TypeError, "real numbers"),
        (
            lambda: explainers.unflatten_windows(np.zeros((2, 5)), window=3, n_features=2),
            ValueError,
            "3 \\* 2 = 6 columns",
        ),
        (
            lambda: explainers.unflatten_windows(np.zeros((2, 6)), window=0, n_features=2),
            ValueError,
            "window must be a positive integer",
        ),
        (lambda: explainers.cell_names("price", 3), TypeError, "list of names"),
    ],
)
def test_flat_helpers_refuse_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_flat_predict_equals_the_model_and_counts_calls_and_rows():
    model = _linear_model(horizon=2)
    X = _windows(5, 1)
    second = explainers.FlatPredict(model, output_index=1)
    out = second(explainers.flatten_windows(X))
    assert out.shape == (5,) and out.dtype == np.float64
    np.testing.assert_allclose(out, models.predict(model, X)[:, 1], rtol=1e-6)
    second(explainers.flatten_windows(X[:2]))
    assert (second.calls, second.rows) == (2, 7)


def test_flat_predict_refuses_bad_rows_and_outputs():
    model = _linear_model(horizon=2)
    with pytest.raises(ValueError, match="output_index must be in \\[0, 1\\]"):
        explainers.FlatPredict(model, output_index=2)
    with pytest.raises(TypeError, match="output_index must be an integer"):
        explainers.FlatPredict(model, output_index=0.5)
    with pytest.raises(ValueError, match="\\(n, 6\\)"):
        explainers.FlatPredict(model)(np.zeros((3, 5)))
    with pytest.raises(TypeError, match="keras.Model"):
        explainers.FlatPredict(lambda x: x)


def test_flat_predict_keeps_the_rows_it_was_asked_for_only_when_told():
    model = _linear_model()
    X = explainers.flatten_windows(_windows(5, 6))
    kept = explainers.FlatPredict(model, keep_rows=True)
    assert kept.kept_rows().shape == (0, WINDOW * FEATURES)
    kept(X[:2])
    kept(X[2:])
    np.testing.assert_array_equal(kept.kept_rows(), X.astype(np.float64))
    plain = explainers.FlatPredict(model)
    plain(X)
    with pytest.raises(ValueError, match="keep_rows=True"):
        plain.kept_rows()
    with pytest.raises(TypeError, match="keep_rows"):
        explainers.FlatPredict(model, keep_rows="yes")


def test_as_list_input_computes_the_same_and_takes_a_list_without_warning():
    model = _linear_model()
    X = _windows(3, 2)
    wrapped = explainers.as_list_input(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras 3 warns when a plain model gets a list
        out = wrapped([tf.constant(X)])
    np.testing.assert_allclose(out, model(X), rtol=1e-6)
