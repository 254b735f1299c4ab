"""helpers.data: windows, splits and scaling; and the names it re-exports for the lessons.

What it re-exports is tested where it lives: the CSV loader in test_csv_loading.py,
the generated series in test_generators.py, the shipped datasets and the own-data
switch in test_lesson_data.py.

Expected values come from independent computations: an explicit index loop
for windows, Keras' own windowing, hand-written scaling formulas, or
properties (concatenation gives back the input).
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import MinMaxScaler, RobustScaler

from helpers import csv_loading, data, generators, lesson_data

# --------------------------------------------------------------------------- make_windows


def loop_windows(array, window, horizon):
    """The textbook loop, written to keep the last window: i = 0 .. len - window - horizon."""
    xs, ys = [], []
    for i in range(len(array) - window - horizon + 1):
        xs.append(array[i : i + window])
        ys.append(array[i + window : i + window + horizon])
    return np.array(xs), np.array(ys)


series_2d = st.integers(1, 4).flatmap(
    lambda features: st.integers(2, 40).flatmap(
        lambda length: st.lists(
            st.floats(-1e6, 1e6, allow_nan=False),
            min_size=length * features,
            max_size=length * features,
        ).map(lambda v: np.array(v).reshape(length, features))
    )
)


@settings(max_examples=60, deadline=None)
@given(values=series_2d, window=st.integers(1, 12), horizon=st.integers(1, 5))
def test_make_windows_shapes_and_contents_match_an_index_loop(values, window, horizon):
    length, features = values.shape
    if length < window + horizon:
        with pytest.raises(ValueError, match="too few for window"):
            data.make_windows(values, window, horizon=horizon)
        return
    X, y = data.make_windows(values, window, horizon=horizon)
    n = length - window - horizon + 1
    expected_X, expected_y = loop_windows(values, window, horizon)
    assert X.shape == (n, window, features)
    if features == 1:
        assert y.shape == (n, horizon)
        np.testing.assert_array_equal(y, expected_y[:, :, 0])
    else:
        assert y.shape == (n, horizon, features)
        np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(X, expected_X)


@settings(max_examples=40, deadline=None)
@given(length=st.integers(2, 60), window=st.integers(1, 10), horizon=st.integers(1, 4))
def test_make_windows_1d_input_gives_2d_targets(length, window, horizon):
    values = np.arange(length, dtype=float)
    if length < window + horizon:
        return
    X, y = data.make_windows(values, window, horizon=horizon)
    n = length - window - horizon + 1
    assert X.shape == (n, window, 1) and y.shape == (n, horizon)
    # On 0, 1, 2, ... the first input of sample i is i and its first target is i + window.
    np.testing.assert_array_equal(X[:, 0, 0], np.arange(n))
    np.testing.assert_array_equal(y[:, 0], np.arange(n) + window)
    np.testing.assert_array_equal(y[:, -1], np.arange(n) + window + horizon - 1)


def test_make_windows_keeps_the_last_window_that_the_tutorial_loop_drops():
    values = np.arange(10.0)
    seq_length = 3
    tutorial = [values[i : i + seq_length] for i in range(len(values) - seq_length - 1)]
    X, y = data.make_windows(values, seq_length)
    assert len(X) == len(tutorial) + 1
    np.testing.assert_array_equal(X[-1, :, 0], [6.0, 7.0, 8.0])
    assert y[-1, 0] == 9.0  # the last observation is a target at last


def test_make_windows_target_and_feature_columns_by_name_and_position():
    frame = pd.DataFrame({"a": np.arange(8.0), "b": 100 + np.arange(8.0), "c": -np.arange(8.0)})
    X, y = data.make_windows(frame, 3, horizon=2, target_columns="b", feature_columns=["a", "c"])
    assert X.shape == (4, 3, 2) and y.shape == (4, 2)
    np.testing.assert_array_equal(X[0], [[0, 0], [1, -1], [2, -2]])
    np.testing.assert_array_equal(y[0], [103, 104])
    X2, y2 = data.make_windows(frame, 3, horizon=2, target_columns=1, feature_columns=[0, 2])
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # A list, even of one name, keeps a targets axis.
    _, y3 = data.make_windows(frame, 3, horizon=2, target_columns=["b"])
    assert y3.shape == (4, 2, 1)
    _, y4 = data.make_windows(frame, 3, horizon=2, target_columns=("c", "a"))
    np.testing.assert_array_equal(y4[0], [[-3, 3], [-4, 4]])
    # Several columns and no target: every column is a target.
    _, y5 = data.make_windows(frame, 3)
    assert y5.shape == (5, 1, 3)


def test_make_windows_returns_read_only_windows_cut_off_from_its_input():
    values = np.arange(12.0).reshape(6, 2)
    before = values.copy()
    X, y = data.make_windows(values, 2, target_columns=[0])
    X_single, y_single = data.make_windows(values, 2, target_columns=0)
    for array in (X, y, X_single, y_single):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = -1
        assert not np.shares_memory(array, values)
    np.testing.assert_array_equal(values, before)
    # Changing the series afterwards does not reach windows already made.
    X_before = X.copy()
    values[:] = 0
    np.testing.assert_array_equal(X, X_before)
    # A writable copy is one call away.
    X_copy = X.copy()
    X_copy[:] = -1
    np.testing.assert_array_equal(X, X_before)
    frame = pd.DataFrame(before, columns=["u", "v"])
    data.make_windows(frame, 2)
    np.testing.assert_array_equal(frame.to_numpy(), before)


def test_make_windows_costs_no_memory_per_window():
    series = np.arange(10_000.0)
    X, y = data.make_windows(series, 50)
    # Every window is a view of one private copy of the series: about 10,000
    # floats of storage, not 9,950 * 50.
    assert X.base is not None
    low, high = np.lib.array_utils.byte_bounds(X)
    assert high - low <= series.nbytes


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"window": 0}, ValueError, "window must be a positive integer, got 0"),
        ({"window": 2.5}, TypeError, "window must be a positive integer, got float 2.5"),
        ({"window": 3, "horizon": -1}, ValueError, "horizon must be a positive integer, got -1"),
        ({"window": 9}, ValueError, "values has 8 time steps, too few for window=9 plus horizon=1"),
        (
            {"window": 2, "target_columns": "zz"},
            ValueError,
            "target_columns has unknown column 'zz'",
        ),
        ({"window": 2, "feature_columns": [5]}, ValueError, "feature_columns has unknown column 5"),
        ({"window": 2, "target_columns": []}, ValueError, "target_columns must name at least one"),
    ],
)
def test_make_windows_rejects_bad_arguments_with_a_clear_message(kwargs, error, message):
    frame = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0)})
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        data.make_windows(frame, **kwargs)


def test_make_windows_rejects_missing_values_and_3d_input():
    values = np.arange(10.0)
    values[4] = np.nan
    with pytest.raises(
        ValueError,
        match=r"values must contain only finite values, got 1 NaN or inf \(the first at row 4",
    ):
        data.make_windows(values, 3)
    with pytest.raises(ValueError, match=r"1-D \(time,\) or 2-D \(time, features\)"):
        data.make_windows(np.zeros((5, 2, 2)), 2)
    with pytest.raises(TypeError, match="values must hold real numbers"):
        data.make_windows(np.array(["a", "b", "c"]), 1)


@pytest.mark.parametrize(("window", "horizon"), [(1, 1), (5, 1), (4, 3), (7, 2)])
def test_make_windows_equals_keras_timeseries_dataset_from_array(window, horizon):
    from helpers._tf import import_tensorflow

    import_tensorflow()
    import keras

    rng = np.random.default_rng(3)
    values = rng.normal(size=(40, 3))
    X, y = data.make_windows(values, window, horizon=horizon, target_columns=2)

    if horizon == 1:
        # Keras' documented one-step recipe: targets start `window` steps in.
        dataset = keras.utils.timeseries_dataset_from_array(
            values[:-1], values[window:, 2], sequence_length=window, batch_size=1000, shuffle=False
        )
        (keras_X, keras_y), *_ = list(dataset.as_numpy_iterator())
        np.testing.assert_allclose(y[:, 0], keras_y)
    else:
        # Several steps: cut sequences of window + horizon, split each into inputs and targets.
        dataset = keras.utils.timeseries_dataset_from_array(
            values, None, sequence_length=window + horizon, batch_size=1000, shuffle=False
        )
        (sequences,) = list(dataset.as_numpy_iterator())
        keras_X = sequences[:, :window, :]
        np.testing.assert_allclose(y, sequences[:, window:, 2])
    assert X.shape == keras_X.shape
    np.testing.assert_allclose(X, keras_X)


# --------------------------------------------------------------------------- chronological_split


@settings(max_examples=50, deadline=None)
@given(
    length=st.integers(10, 300),
    train=st.floats(0.3, 0.8),
    validation=st.sampled_from([0.0, 0.1, 0.15]),
)
def test_chronological_split_keeps_time_order_and_every_row(length, train, validation):
    values = np.arange(length)
    parts = data.chronological_split(values, train=train, validation=validation)
    np.testing.assert_array_equal(
        np.concatenate([parts.train, parts.validation, parts.test]), values
    )
    assert len(parts.train) == int(np.floor(length * train + 1e-9))
    assert len(parts.validation) == int(np.floor(length * validation + 1e-9))
    assert len(parts.test) >= 1
    assert sum(parts.lengths) == length


def test_chronological_split_keeps_dataframes_and_copies_arrays():
    frame = pd.DataFrame({"x": np.arange(20.0)}, index=pd.date_range("2000-01-01", periods=20))
    parts = data.chronological_split(frame, train=0.5, validation=0.25)
    assert isinstance(parts.train, pd.DataFrame)
    assert parts.train.index.max() < parts.validation.index.min() < parts.test.index.min()
    assert parts.lengths == (10, 5, 5)
    array = np.arange(20.0)
    split = data.chronological_split(array)
    split.train[:] = -1
    assert array[0] == 0.0
    with pytest.raises(AttributeError):
        split.train = None  # frozen dataclass


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train": 0.0}, "train must be a number in \\(0, 1\\), got 0.0"),
        ({"train": 1.2}, "train must be a number in \\(0, 1\\), got 1.2"),
        ({"validation": -0.1}, "validation must be a number in \\[0, 1\\), got -0.1"),
        ({"train": 0.8, "validation": 0.2}, "train \\+ validation must be below 1"),
    ],
)
def test_chronological_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.chronological_split(np.arange(100), **kwargs)


def test_chronological_split_refuses_an_empty_part():
    with pytest.raises(ValueError, match="data has 4 rows: the validation part"):
        data.chronological_split(np.arange(4), train=0.5, validation=0.2)


# --------------------------------------------------------------------------- scale_split


def test_standard_scaling_uses_training_statistics_only():
    values = np.concatenate([np.linspace(0, 10, 70), np.linspace(50, 60, 30)])
    parts = data.chronological_split(values)
    scaled = data.scale_split(parts, kind="standard")
    mu, sigma = parts.train.mean(), parts.train.std()  # population std, as scikit-learn
    np.testing.assert_allclose(scaled.train.ravel(), (parts.train - mu) / sigma)
    np.testing.assert_allclose(scaled.test.ravel(), (parts.test - mu) / sigma)
    np.testing.assert_allclose(scaled.validation.ravel(), (parts.validation - mu) / sigma)
    assert scaled.test.min() > 3  # far outside the training range: nothing leaked
    np.testing.assert_allclose(scaled.inverse(scaled.test), parts.test[:, None])


def test_minmax_scaling_per_column_and_inverse_by_name():
    frame = pd.DataFrame({"a": np.arange(20.0), "b": 5.0 * np.arange(20.0) ** 2})
    parts = data.chronological_split(frame, train=0.5, validation=0.0)
    scaled = data.scale_split(parts, kind="minmax")
    assert scaled.columns == ["a", "b"]
    assert scaled.validation.shape == (0, 2)
    train_b = parts.train["b"].to_numpy()
    expected_b = (parts.test["b"].to_numpy() - train_b.min()) / (train_b.max() - train_b.min())
    np.testing.assert_allclose(scaled.test[:, 1], expected_b)
    np.testing.assert_allclose(scaled.train.min(axis=0), [0, 0])
    np.testing.assert_allclose(scaled.train.max(axis=0), [1, 1])
    predictions = scaled.test[:, 1].reshape(5, 2)  # any shape, e.g. (n, horizon)
    np.testing.assert_allclose(
        scaled.inverse(predictions, column="b"), parts.test["b"].to_numpy().reshape(5, 2)
    )
    np.testing.assert_allclose(scaled.inverse(scaled.test[:, 0], column=0), parts.test["a"])


def test_scale_split_uses_a_clone_of_a_user_scaler():
    mine = RobustScaler()
    parts = data.chronological_split(np.arange(50.0) ** 1.5)
    scaled = data.scale_split(parts, scaler=mine)
    assert isinstance(scaled.scaler, RobustScaler) and scaled.scaler is not mine
    assert not hasattr(mine, "center_")  # the caller's object was not fitted
    expected = RobustScaler().fit(parts.train[:, None]).transform(parts.test[:, None])
    np.testing.assert_allclose(scaled.test, expected)


def test_scale_split_rejects_bad_input():
    parts = data.chronological_split(np.arange(20.0))
    with pytest.raises(ValueError, match="kind must be 'standard' or 'minmax', got 'log'"):
        data.scale_split(parts, kind="log")
    with pytest.raises(TypeError, match="split must be a Split from chronological_split, got"):
        data.scale_split(np.arange(20.0))
    with pytest.raises(TypeError, match="scaler must be a scikit-learn transformer"):
        data.scale_split(parts, scaler="minmax")
    scaled = data.scale_split(parts, scaler=MinMaxScaler())
    with pytest.raises(ValueError, match="column has unknown column 3"):
        scaled.inverse([0.5], column=3)


# --------------------------------------------------------------------------- sizes in rows


def test_chronological_split_takes_the_last_parts_in_rows():
    parts = data.chronological_split(np.arange(20), test_size=3, validation_size=2)
    assert parts.lengths == (15, 2, 3)
    np.testing.assert_array_equal(parts.test, [17, 18, 19])
    no_validation = data.chronological_split(np.arange(20), test_size=4, validation_size=0)
    assert no_validation.lengths == (16, 0, 4)
    # test_size with a validation fraction: the fraction of all rows, then the test rows
    assert data.chronological_split(np.arange(20), test_size=4, validation=0.1).lengths == (
        14,
        2,
        4,
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"train": 0.5, "test_size": 2}, ValueError, "either train .* or test_size"),
        ({"validation_size": 2}, ValueError, "validation_size needs test_size"),
        ({"test_size": -1}, ValueError, "test_size must be a non-negative integer, got -1"),
        ({"test_size": 2.0}, TypeError, "test_size must be a non-negative integer, got float"),
        ({"test_size": 0}, ValueError, "the test part"),
        ({"test_size": 19, "validation_size": 1}, ValueError, "the train part"),
    ],
)
def test_sizes_in_rows_are_checked(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.chronological_split(np.arange(20), **kwargs)


# --------------------------------------------------------------------------- split_windows


@st.composite
def split_problems(draw):
    """A series whose values are their row numbers, and sizes that give every part a window."""
    window = draw(st.integers(1, 8))
    horizon = draw(st.integers(1, 4))
    n_train = draw(st.integers(window + horizon, 40))
    n_val = draw(st.sampled_from([0]) | st.integers(horizon, 15))
    n_test = draw(st.integers(horizon, 15))
    n_features = draw(st.integers(1, 3))
    n = n_train + n_val + n_test
    values = np.arange(n, dtype=float)[:, None] + 1000.0 * np.arange(n_features)  # (n, F)
    return values, window, horizon, (n_train, n_val, n_test)


def _split(values, window, horizon, rows):
    _, n_val, n_test = rows
    return data.split_windows(
        values,
        window,
        horizon=horizon,
        test_size=n_test,
        validation_size=n_val,
        target_columns=0,
    )


@settings(max_examples=150, deadline=None)
@given(split_problems())
def test_split_windows_keeps_every_target_in_its_part_and_inputs_before_it(problem):
    values, window, horizon, rows = problem
    parts = _split(values, window, horizon, rows)
    assert parts.rows == rows
    starts = np.cumsum((0,) + rows)
    for part, begin, end in zip(
        (parts.train, parts.validation, parts.test), starts[:-1], starts[1:], strict=True
    ):
        X, y = part
        assert X.shape[1:] == (window, values.shape[1]) and y.shape[1:] == (horizon,)
        if len(part) == 0:
            continue
        # the values are row numbers: every target row lies inside the part ...
        assert y.min() >= begin and y.max() < end
        np.testing.assert_array_equal(y[:, 0], part.first_target)
        # ... and every input row comes before the window's first target, never after
        assert np.all(X[:, :, 0].max(axis=1) == part.first_target - 1)
        assert np.all(X[:, :, 0] < part.first_target[:, None])


@settings(max_examples=150, deadline=None)
@given(split_problems())
def test_split_windows_forecasts_every_eligible_target_row_exactly_once(problem):
    values, window, horizon, rows = problem
    parts = _split(values, window, horizon, rows)
    starts = np.cumsum((0,) + rows)
    eligible = [
        r
        for begin, end in zip(starts[:-1], starts[1:], strict=True)
        for r in range(max(begin, window), end - horizon + 1)  # all horizon targets inside
    ]
    forecast = np.concatenate([p.first_target for p in (parts.train, parts.validation, parts.test)])
    assert sorted(forecast.tolist()) == eligible  # each once, none missing
    assert len(set(forecast.tolist())) == len(forecast)


@settings(max_examples=100, deadline=None)
@given(split_problems())
def test_split_windows_equals_make_windows_on_each_parts_rows(problem):
    values, window, horizon, rows = problem
    parts = _split(values, window, horizon, rows)
    starts = np.cumsum((0,) + rows)
    for part, begin, end in zip(
        (parts.train, parts.validation, parts.test), starts[:-1], starts[1:], strict=True
    ):
        if begin == end:
            assert len(part) == 0
            continue
        # the part's rows, with the `window` rows before them that its first inputs read
        X, y = data.make_windows(
            values[max(begin - window, 0) : end], window, horizon=horizon, target_columns=0
        )
        np.testing.assert_array_equal(part.X, X)
        np.testing.assert_array_equal(part.y, y)


@settings(max_examples=60, deadline=None)
@given(split_problems())
def test_split_windows_of_a_split_or_scaled_split_equals_the_array_input(problem):
    values, window, horizon, rows = problem
    _, n_val, n_test = rows
    split = data.chronological_split(values, test_size=n_test, validation_size=n_val)
    scaled = data.scale_split(split)
    for given_split, series in (
        (split, values),
        (scaled, np.vstack([scaled.train, scaled.validation, scaled.test])),
    ):
        from_split = data.split_windows(given_split, window, horizon=horizon, target_columns=0)
        from_array = _split(series, window, horizon, rows)
        assert from_split.rows == from_array.rows == rows
        for a, b in zip(
            (from_split.train, from_split.validation, from_split.test),
            (from_array.train, from_array.validation, from_array.test),
            strict=True,
        ):
            np.testing.assert_array_equal(a.X, b.X)
            np.testing.assert_array_equal(a.y, b.y)
            np.testing.assert_array_equal(a.first_target, b.first_target)


def test_split_windows_of_a_dataframe_split_keeps_column_names():
    frame = pd.DataFrame({"load": np.arange(30.0), "temp": -np.arange(30.0)})
    parts = data.split_windows(
        data.chronological_split(frame, test_size=4, validation_size=4),
        3,
        target_columns="load",
        feature_columns=["temp"],
    )
    np.testing.assert_array_equal(parts.test.y[:, 0], [26.0, 27.0, 28.0, 29.0])
    np.testing.assert_array_equal(parts.test.X[0, :, 0], [-23.0, -24.0, -25.0])


def test_split_windows_returns_views_and_leaves_the_input_alone():
    values = np.arange(40.0)
    parts = data.split_windows(values, 4, test_size=5, validation_size=5)
    assert not parts.train.X.flags.writeable  # read-only windows, as make_windows
    np.testing.assert_array_equal(values, np.arange(40.0))
    X, y = parts.test  # unpacks as a pair
    assert len(parts.test) == len(X) == len(y) == 5
    assert parts.lengths == (26, 5, 5)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: data.split_windows(data.chronological_split(np.arange(30.0)), 3, test_size=2),
            ValueError,
            "already a split",
        ),
        (lambda: data.split_windows(5, 3), TypeError, "values must be an array"),
        (lambda: data.split_windows(np.arange(30.0), 0), ValueError, "window must be a positive"),
        (
            lambda: data.split_windows(np.arange(30.0), 3, horizon=3, test_size=2),
            ValueError,
            "the test part \\(2 rows, starting at row 28\\) holds no window",
        ),
        (
            lambda: data.split_windows(np.arange(10.0), 8, test_size=2, validation_size=2),
            ValueError,
            "the train part \\(6 rows, starting at row 0\\) holds no window",
        ),
        (
            lambda: data.split_windows(np.arange(10.0), 2, test_size=0, validation_size=2),
            ValueError,
            "0 for testing is not a split",
        ),
    ],
)
def test_split_windows_refuses_parts_without_a_window(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- the module


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("load_series", csv_loading),
        ("find_gaps", csv_loading),
        ("noisy_sine", generators),
        ("known_drivers", generators),
        ("load_dataset", lesson_data),
        ("list_datasets", lesson_data),
        ("datasets_folder", lesson_data),
        ("check_window_fits", lesson_data),
        ("load_lesson_data", lesson_data),
    ],
)
def test_the_lessons_reach_each_re_exported_name_through_data(name, home):
    assert getattr(data, name) is getattr(home, name)
    assert name in data.__all__


def test_data_and_what_it_re_exports_import_without_tensorflow():
    code = "import sys, helpers.data; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
