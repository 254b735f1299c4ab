"""helpers.data: windows, splits, scaling, generated series, window checks, CSV loading.

Expected values come from independent computations: an explicit index loop
for windows, Keras' own windowing, hand-written scaling formulas, the
generating recurrences, or properties (concatenation gives back the input).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import MinMaxScaler, RobustScaler

from helpers import data

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


# --------------------------------------------------------------------------- generated series


def test_noisy_sine_formula_seed_and_noise_level():
    clean = data.noisy_sine(100, period=20.0, noise=0.0)
    np.testing.assert_allclose(clean, np.sin(2 * np.pi * np.arange(100) / 20.0))
    a = data.noisy_sine(2000, noise=0.3, seed=5)
    np.testing.assert_array_equal(a, data.noisy_sine(2000, noise=0.3, seed=5))
    assert not np.array_equal(a, data.noisy_sine(2000, noise=0.3, seed=6))
    residual = a - np.sin(2 * np.pi * np.arange(2000) / 25.0)
    assert abs(residual.std() - 0.3) < 0.03
    with pytest.raises(ValueError, match="period must be a positive number, got 0"):
        data.noisy_sine(10, period=0)
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        data.noisy_sine(0)


@pytest.mark.parametrize("lag", [1, 3, 5, 9])
def test_known_drivers_follows_its_equations(lag):
    frame = data.known_drivers(800, indicator_lag=lag, noise=0.0, seed=1)
    assert list(frame.columns) == ["price", "volume", "indicator", "target"]
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.freqstr == "D"
    p, v, d, y = (frame[c].to_numpy() for c in frame.columns)
    start = max(2, lag)
    t = np.arange(start, 800)
    np.testing.assert_allclose(y[t], (p[t - 1] - p[t - 2]) + 0.8 * d[t - lag])
    # The AR(1) parts: residuals p[t] - 0.9 p[t-1] are unit-variance shocks.
    assert abs(np.std(p[1:] - 0.9 * p[:-1]) - 1) < 0.1
    assert abs(np.std(d[1:] - 0.5 * d[:-1]) - 1) < 0.1  # indicator_ar defaults to 0.5
    assert (v > 0).all()
    # Volume is irrelevant: its correlation with the target is only chance.
    assert abs(np.corrcoef(v, y)[0, 1]) < 4 / np.sqrt(800)


def test_known_drivers_noise_seed_and_validation():
    a = data.known_drivers(400, noise=0.5, seed=2)
    pd.testing.assert_frame_equal(a, data.known_drivers(400, noise=0.5, seed=2))
    clean = data.known_drivers(400, noise=0.0, seed=2)
    residual = (a["target"] - clean["target"]).to_numpy()
    assert abs(residual[5:].std() - 0.5) < 0.06
    with pytest.raises(ValueError, match="indicator_lag must be a positive integer, got 0"):
        data.known_drivers(100, indicator_lag=0)
    with pytest.raises(ValueError, match=r"price_ar must be a number in \(-1, 1\), got 1.0"):
        data.known_drivers(100, price_ar=1.0)
    with pytest.raises(
        ValueError, match="seed must be a non-negative integer or a numpy Generator"
    ):
        data.known_drivers(100, seed=-1)


# --------------------------------------------------------------------------- check_window_fits


@settings(max_examples=60, deadline=None)
@given(n_obs=st.integers(10, 400), window=st.integers(1, 60), horizon=st.integers(1, 6))
def test_check_window_fits_agrees_with_windows_of_the_real_training_part(n_obs, window, horizon):
    train_part = data.chronological_split(np.arange(float(n_obs))).train
    real = len(train_part) - window - horizon + 1
    if real >= 5:
        assert data.check_window_fits(n_obs, window=window, horizon=horizon) == real
        X, _ = data.make_windows(train_part, window, horizon=horizon)
        assert len(X) == real
    else:
        with pytest.raises(ValueError, match=f"WINDOW={window} and HORIZON={horizon} leave"):
            data.check_window_fits(n_obs, window=window, horizon=horizon)


def test_check_window_fits_messages_name_the_parameter_and_numbers():
    with pytest.raises(ValueError) as info:
        data.check_window_fits(144, window=98, horizon=2)
    message = str(info.value)
    assert "WINDOW=98 and HORIZON=2 leave 1 training samples from the 100 training rows" in message
    assert "make WINDOW + HORIZON at most 96" in message
    with pytest.raises(ValueError, match="SEASONAL_PERIOD=120 is longer than the 100 training"):
        data.check_window_fits(144, window=12, seasonal_period=120)
    assert data.check_window_fits(144, window=12, seasonal_period=12) == 88
    with pytest.raises(ValueError, match="WINDOW must be a positive integer, got 0"):
        data.check_window_fits(144, window=0)


# --------------------------------------------------------------------------- load_series


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def write(text, name="series.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


GOOD = "date,sales,price\n2024-01-01,3,1.5\n2024-01-02,5,1.25\n2024-01-03,4,2\n"


def test_load_series_reads_a_good_file(write_csv):
    frame = data.load_series(write_csv(GOOD), time_column="date")
    assert list(frame.columns) == ["sales", "price"]
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "date"
    assert frame.index.freqstr == "D"
    assert all(pd.api.types.is_float_dtype(t) for t in frame.dtypes)
    np.testing.assert_array_equal(frame["price"], [1.5, 1.25, 2.0])
    only = data.load_series(write_csv(GOOD), time_column="date", value_columns="price")
    assert list(only.columns) == ["price"]


def test_load_series_sorts_rows_and_keeps_values_with_their_dates(write_csv):
    text = "date,x\n2024-01-03,30\n2024-01-01,10\n2024-01-02,20\n"
    frame = data.load_series(write_csv(text), time_column="date")
    assert frame.index.is_monotonic_increasing
    np.testing.assert_array_equal(frame["x"], [10, 20, 30])


def test_load_series_handles_bom_blank_lines_and_spaces(write_csv):
    text = "\ufeffdate, x \n2024-01-01, 1\n\n2024-01-02,2\n 2024-01-03 ,x\n"
    with pytest.raises(ValueError, match=r"text at line 5: 'x'"):  # line count skips nothing
        data.load_series(write_csv(text), time_column="date")
    frame = data.load_series(write_csv(text.replace(",x\n", ",3\n")), time_column="date")
    np.testing.assert_array_equal(frame["x"], [1, 2, 3])


def test_load_series_missing_file():
    with pytest.raises(FileNotFoundError, match="no CSV file at 'nowhere/none.csv'.*DATA_PATH"):
        data.load_series("nowhere/none.csv", time_column="date")


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_load_series_empty_file(write_csv, text):
    with pytest.raises(ValueError, match="series.csv is empty: it has no header and no rows"):
        data.load_series(write_csv(text), time_column="date")


def test_load_series_header_without_rows(write_csv):
    with pytest.raises(ValueError, match="series.csv has a header but no data rows"):
        data.load_series(write_csv("date,x\n"), time_column="date")


def test_load_series_unknown_columns(write_csv):
    path = write_csv(GOOD)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="Date", value_columns=["sales", "qty"])
    message = str(info.value)
    assert "series.csv has no column 'Date', 'qty'" in message
    assert "its columns are ['date', 'sales', 'price']" in message
    assert "TIME_COLUMN, FEATURE_COLUMNS" in message
    with pytest.raises(ValueError, match="value_columns must not include the time column 'date'"):
        data.load_series(path, time_column="date", value_columns=["date"])


def test_load_series_repeated_header_names(write_csv):
    with pytest.raises(ValueError, match=r"the header names \['x'\] more than once"):
        data.load_series(write_csv("date,x,x\n2024-01-01,1,2\n"), time_column="date")


def test_load_series_wrong_separator(write_csv):
    path = write_csv("date;sales\n2024-01-01;3\n2024-01-02;4\n")
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert "series.csv could not be split into columns with sep=','" in message
    assert "the header line reads 'date;sales'" in message
    assert "pass sep=';'" in message
    frame = data.load_series(path, time_column="date", sep=";")
    np.testing.assert_array_equal(frame["sales"], [3, 4])


def test_load_series_decimal_comma(write_csv):
    path = write_csv("date;temp\n2024-01-01;3,5\n2024-01-02;-1,25\n")
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date", sep=";")
    message = str(info.value)
    assert "column 'temp' should hold numbers but has text at line 2: '3,5', line 3: '-1,25'" in (
        message
    )
    assert "decimal comma: pass decimal=','" in message
    frame = data.load_series(path, time_column="date", sep=";", decimal=",")
    np.testing.assert_array_equal(frame["temp"], [3.5, -1.25])


def test_load_series_separator_inside_values(write_csv):
    path = write_csv("date,temp\n2024-01-01,3,5\n2024-01-02,4\n2024-01-03,1,5\n")
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert "the header has 2 cells but line 2 has 3, line 4 has 3" in message
    assert "decimal comma" in message


def test_load_series_unparseable_dates(write_csv):
    text = "date,x\n2024-01-01,1\n2024-13-45,2\nyesterday,3\n2024-01-04,4\n"
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'date' has dates that could not be read at" in message
    assert "line 3: '2024-13-45', line 4: 'yesterday'" in message
    assert "date_format=" in message


def test_load_series_day_first_dates_need_date_format(write_csv):
    path = write_csv("date,x\n01/02/2024,1\n13/02/2024,2\n")
    with pytest.raises(ValueError, match="line 3: '13/02/2024'"):
        data.load_series(path, time_column="date")
    frame = data.load_series(path, time_column="date", date_format="%d/%m/%Y")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-02-01", "2024-02-13"]


def test_load_series_missing_dates(write_csv):
    text = "date,x\n2024-01-01,1\n,2\n2024-01-03,3\n"
    with pytest.raises(ValueError, match="column 'date' has 1 missing dates at line 3"):
        data.load_series(write_csv(text), time_column="date")


def test_load_series_duplicate_timestamps(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-02,3\n2024-01-03,4\n"
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'date' has 1 repeated timestamps: 2024-01-02 00:00:00 at lines 3, 4" in message
    assert "groupby(level=0).mean()" in message


def test_load_series_text_in_a_numeric_column(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,abc\n2024-01-03,3 kg\n"
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'x' should hold numbers but has text at line 3: 'abc', line 4: '3 kg'" in (
        message
    )
    assert "leave a cell empty for a missing value" in message


def test_load_series_infinities(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,inf\n2024-01-03,-Infinity\n"
    with pytest.raises(ValueError, match="column 'x' has 2 infinite values at lines 3, 4"):
        data.load_series(write_csv(text), time_column="date")


def test_load_series_refuses_missing_values_unless_told(write_csv):
    text = "date,x,y\n2024-01-01,1,1\n2024-01-02,,2\n2024-01-03,3,NA\n2024-01-04,n/a,4\n"
    path = write_csv(text)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert "column 'x' has 2 missing values at lines 3, 5 (other columns too)" in message
    assert "fill='interpolate'" in message and "fill='drop'" in message
    kept = data.load_series(path, time_column="date", fill="keep")
    assert int(kept.isna().sum().sum()) == 3
    dropped = data.load_series(path, time_column="date", fill="drop")
    assert list(dropped.index.strftime("%d")) == ["01"]
    with pytest.raises(ValueError, match="fill must be None or one of"):
        data.load_series(path, time_column="date", fill="zero")


def test_load_series_interpolates_in_time_not_in_rows(write_csv):
    # Month starts are 29-31 days apart, so a line in time differs from a line in rows:
    # Feb 1 is 31 of the 60 days from Jan 1 (0) to Mar 1 (60); the missing Apr 1 and the
    # blank May 1 are 31 and 61 of the 92 days from Mar 1 (60) to Jun 1 (100).
    text = "date,x\n2024-01-01,0\n2024-02-01,\n2024-03-01,60\n2024-05-01,\n2024-06-01,100\n"
    frame = data.load_series(write_csv(text), time_column="date", fill="interpolate")
    assert frame.index.freqstr == "MS" and len(frame) == 6
    np.testing.assert_allclose(
        frame["x"], [0, 60 * 31 / 60, 60, 60 + 40 * 31 / 92, 60 + 40 * 61 / 92, 100]
    )
    forward = data.load_series(write_csv(text), time_column="date", fill="ffill")
    np.testing.assert_allclose(forward["x"], [0, 0, 60, 60, 60, 100])


def test_load_series_says_when_a_fill_cannot_reach_the_ends(write_csv):
    text = "date,x\n2024-01-01,\n2024-01-02,2\n2024-01-03,\n"
    with pytest.raises(ValueError, match="fill='interpolate' cannot fill .* at lines 2, 4"):
        data.load_series(write_csv(text), time_column="date", fill="interpolate")
    with pytest.raises(ValueError, match="fill='ffill' cannot fill .* at line 2: at the start"):
        data.load_series(write_csv(text), time_column="date", fill="ffill")


def test_load_series_not_text(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\xff\xfe binary")
    with pytest.raises(ValueError, match="book.xlsx is not UTF-8 text.*Save it as CSV UTF-8"):
        data.load_series(path, time_column="date")


def test_load_series_argument_types(write_csv):
    with pytest.raises(TypeError, match="time_column must be a column name"):
        data.load_series(write_csv(GOOD), time_column=0)


# --------------------------------------------------------------------------- load_series: gaps


def unchanged(path):
    """The file's bytes and modification time, to show the loader never writes to it."""
    return path.read_bytes(), path.stat().st_mtime_ns


# Jan 1-2 and Jan 6-7: Jan 3, 4 and 5 are absent from the daily grid.
DAILY_GAP = "date,x\n2024-01-01,10\n2024-01-02,20\n2024-01-06,60\n2024-01-07,70\n"


def test_load_series_refuses_timestamps_missing_from_the_grid(write_csv):
    path = write_csv(DAILY_GAP, name="shop.csv")
    before = unchanged(path)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert message.startswith("shop.csv: column 'date' is missing 3 timestamps")
    assert "freq='D'" in message
    assert "2024-01-03, 2024-01-04, 2024-01-05 (between lines 3 and 4)" in message
    for option in ("fill='interpolate'", "fill='ffill'", "fill='keep'", "fill='drop'", "freq="):
        assert option in message
    assert "Saturdays" not in message  # Jan 3-5 2024 are Wednesday to Friday
    assert unchanged(path) == before


def test_load_series_gap_message_shows_the_first_gaps_and_counts_the_rest(write_csv):
    days = pd.date_range("2024-01-01", periods=40, freq="D").delete([3, 10, 11, 20, 30, 31, 32])
    text = "date,x\n" + "".join(f"{day:%Y-%m-%d},{i}\n" for i, day in enumerate(days))
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "is missing 7 timestamps" in message
    # Line n + 2 holds row n (a header, then rows from 0): a missing day falls between the
    # line of the day before it and the next line. The first five of the seven are shown.
    line = {day: n + 2 for n, day in enumerate(days)}
    expected = [
        (["2024-01-04"], line[pd.Timestamp("2024-01-03")]),
        (["2024-01-11", "2024-01-12"], line[pd.Timestamp("2024-01-10")]),
        (["2024-01-21"], line[pd.Timestamp("2024-01-20")]),
        (["2024-01-31"], line[pd.Timestamp("2024-01-30")]),
    ]
    shown = "; ".join(f"{', '.join(s)} (between lines {n} and {n + 1})" for s, n in expected)
    assert f"freq='D': {shown} and 2 more;" in message


def test_load_series_fill_inserts_the_missing_timestamps(write_csv):
    path = write_csv(DAILY_GAP)
    before = unchanged(path)
    days = pd.date_range("2024-01-01", "2024-01-07", freq="D")
    # Straight line from 20 (Jan 2) to 60 (Jan 6): +10 a day.
    interpolated = data.load_series(path, time_column="date", fill="interpolate")
    pd.testing.assert_index_equal(interpolated.index, days.rename("date"))
    assert interpolated.index.freqstr == "D"
    np.testing.assert_allclose(interpolated["x"], [10, 20, 30, 40, 50, 60, 70])
    forward = data.load_series(path, time_column="date", fill="ffill")
    np.testing.assert_allclose(forward["x"], [10, 20, 20, 20, 20, 60, 70])
    assert forward.index.freqstr == "D"
    kept = data.load_series(path, time_column="date", fill="keep")
    np.testing.assert_array_equal(kept["x"], [10, 20, np.nan, np.nan, np.nan, 60, 70])
    assert kept.index.freqstr == "D"
    # drop: nothing inserted, the uneven spacing is accepted as it is.
    dropped = data.load_series(path, time_column="date", fill="drop")
    assert list(dropped.index.strftime("%d")) == ["01", "02", "06", "07"]
    np.testing.assert_array_equal(dropped["x"], [10, 20, 60, 70])
    assert dropped.index.freq is None
    assert unchanged(path) == before


def test_load_series_fill_handles_blank_values_and_missing_timestamps_together(write_csv):
    # Jan 2 is blank and Jan 4-5 are absent.
    text = "date,x\n2024-01-01,0\n2024-01-02,\n2024-01-03,6\n2024-01-06,12\n"
    path = write_csv(text)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    assert "is missing 2 timestamps" in str(info.value)
    assert "the file also has 1 blank value" in str(info.value)
    frame = data.load_series(path, time_column="date", fill="interpolate")
    np.testing.assert_allclose(frame["x"], [0, 3, 6, 8, 10, 12])  # 6 -> 12 over 3 days
    kept = data.load_series(path, time_column="date", fill="keep")
    assert int(kept["x"].isna().sum()) == 3 and len(kept) == 6
    dropped = data.load_series(path, time_column="date", fill="drop")
    np.testing.assert_array_equal(dropped["x"], [0, 6, 12])


def test_load_series_says_which_inserted_timestamps_a_fill_cannot_reach(write_csv):
    text = "date,x\n2024-01-01,\n2024-01-02,\n2024-01-04,3\n"
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date", fill="ffill")
    message = str(info.value)
    assert "at lines 2, 3 (and 1 inserted timestamp next to them)" in message
    assert "no earlier value to repeat" in message


def test_load_series_fixture_with_a_gap_and_a_blank(tmp_path):
    original = Path(__file__).parent / "data" / "daily_with_gap.csv"
    path = tmp_path / original.name
    path.write_bytes(original.read_bytes())
    before = unchanged(path)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert "daily_with_gap.csv" in message and "missing" in message
    assert "2023-05-30, 2023-05-31, 2023-06-01" in message
    frame = data.load_series(path, time_column="date", fill="interpolate")
    # Computed from the file by hand: one row per day from the first date to the last,
    # the three absent days on the line from 2023-05-29 to 2023-06-02.
    raw = pd.read_csv(path, parse_dates=["date"], index_col="date")
    assert len(frame) == (raw.index[-1] - raw.index[0]).days + 1 == len(raw) + 3
    start, end = raw.loc["2023-05-29", "load"], raw.loc["2023-06-02", "load"]
    np.testing.assert_allclose(
        frame.loc["2023-05-30":"2023-06-01", "load"],
        [start + (end - start) * k / 4 for k in (1, 2, 3)],
    )
    blank = raw.index[raw["load"].isna()][0]
    before_day, after_day = (
        raw.loc[blank - pd.Timedelta(days=1), "load"],
        raw.loc[blank + pd.Timedelta(days=1), "load"],
    )
    assert frame.loc[blank, "load"] == pytest.approx((before_day + after_day) / 2)
    assert unchanged(path) == before


WEEKDAYS = pd.bdate_range("2024-01-01", periods=15)  # Mon 1 Jan to Fri 19 Jan 2024


def test_load_series_business_days_need_freq_b(write_csv):
    text = "date,x\n" + "".join(f"{day:%Y-%m-%d},{i}\n" for i, day in enumerate(WEEKDAYS))
    path = write_csv(text)
    before = unchanged(path)
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date")
    message = str(info.value)
    assert "is missing 4 timestamps" in message  # two weekends inside the range
    assert "2024-01-06, 2024-01-07 (between lines 6 and 7)" in message
    assert "all of them are Saturdays or Sundays" in message and "pass freq='B'" in message
    frame = data.load_series(path, time_column="date", freq="B")
    pd.testing.assert_index_equal(frame.index, WEEKDAYS.rename("date"), check_exact=True)
    assert frame.index.freqstr == "B"
    np.testing.assert_array_equal(frame["x"], np.arange(15.0))
    assert unchanged(path) == before


def test_load_series_a_missing_business_day_is_a_gap_on_the_b_grid(write_csv):
    days = WEEKDAYS.delete(10)  # Mon 15 Jan absent
    text = "date,x\n" + "".join(f"{day:%Y-%m-%d},{i}\n" for i, day in enumerate(days))
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date", freq="B")
    message = str(info.value)
    assert "is missing 1 timestamp from the grid freq='B'" in message
    assert "2024-01-15 (between lines 11 and 12)" in message
    frame = data.load_series(write_csv(text), time_column="date", freq="B", fill="ffill")
    assert len(frame) == 15 and frame.loc["2024-01-15", "x"] == frame.loc["2024-01-12", "x"]


IRREGULAR = (
    "date,x\n2024-01-01,1\n2024-01-03,2\n2024-01-04,3\n2024-01-09,4\n2024-01-17,5\n2024-01-18,6\n"
)


def test_load_series_refuses_irregular_timestamps(write_csv):
    path = write_csv(IRREGULAR)
    before = unchanged(path)
    for fill in (None, "interpolate", "ffill", "keep"):  # no grid to insert timestamps on
        with pytest.raises(ValueError) as info:
            data.load_series(path, time_column="date", fill=fill)
        message = str(info.value)
        assert "series.csv: the timestamps in column 'date' are irregularly spaced" in message
        # Steps 2, 1, 5, 8, 1 days: the first 1-day step is lines 3-4, the 8-day one 5-6.
        assert "from 1 day (lines 3 and 4) to 8 days (lines 5 and 6)" in message
        assert "fill='drop'" in message and "df.resample('D').mean()" in message
    assert unchanged(path) == before


def test_load_series_refuses_timestamps_off_the_most_common_grid(write_csv):
    text = "date,x\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 02:00,3\n"
    text += "2024-01-01 02:30,4\n2024-01-01 03:30,5\n"
    with pytest.raises(ValueError) as info:
        data.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "irregularly spaced" in message
    assert "2 of them are off the grid of the most common step (freq='h')" in message
    assert "line 5: '2024-01-01 02:30:00', line 6: '2024-01-01 03:30:00'" in message


def test_load_series_drop_accepts_irregular_timestamps_as_they_are(write_csv):
    path = write_csv(IRREGULAR)
    frame = data.load_series(path, time_column="date", fill="drop")
    expected = pd.DatetimeIndex(
        ["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-09", "2024-01-17", "2024-01-18"]
    )
    np.testing.assert_array_equal(frame.index, expected)
    np.testing.assert_array_equal(frame["x"], [1, 2, 3, 4, 5, 6])
    assert frame.index.freq is None


def test_load_series_freq_states_the_grid(write_csv):
    path = write_csv(IRREGULAR)
    # Told the grid is daily, the irregular days become 12 missing ones.
    with pytest.raises(ValueError, match="is missing 12 timestamps from the grid freq='D'"):
        data.load_series(path, time_column="date", freq="D")
    kept = data.load_series(path, time_column="date", freq="D", fill="keep")
    assert len(kept) == 18 and int(kept["x"].notna().sum()) == 6
    # A grid the timestamps are not on.
    with pytest.raises(ValueError) as info:
        data.load_series(path, time_column="date", freq="W-MON")
    message = str(info.value)
    assert "column 'date' has 5 timestamps that are not on the grid freq='W-MON'" in message
    assert "line 3: '2024-01-03'" in message and "check freq=" in message
    weekly = "date,x\n2024-01-07,1\n2024-01-14,2\n2024-01-28,4\n"
    frame = data.load_series(write_csv(weekly), time_column="date", freq="W-SUN", fill="keep")
    assert frame.index.freqstr == "W-SUN"
    np.testing.assert_array_equal(frame["x"], [1, 2, np.nan, 4])


def test_load_series_guesses_monthly_and_weekly_grids(write_csv):
    monthly = "date,x\n2024-01-31,1\n2024-02-29,2\n2024-04-30,4\n2024-05-31,5\n"
    with pytest.raises(ValueError, match=r"missing 1 timestamp .*freq='ME': 2024-03-31 \("):
        data.load_series(write_csv(monthly), time_column="date")
    weekly = "date,x\n2024-01-06,1\n2024-01-13,2\n2024-01-27,4\n2024-02-03,5\n"
    with pytest.raises(ValueError, match=r"missing 1 timestamp .*freq='W-SAT': 2024-01-20 \("):
        data.load_series(write_csv(weekly), time_column="date")


@pytest.mark.parametrize(
    "freq, error, message",
    [
        ("daily", ValueError, "freq must be a pandas offset alias such as 'D'.*got 'daily'"),
        (7, TypeError, "freq must be a pandas offset alias .*got int 7"),
    ],
)
def test_load_series_rejects_a_bad_freq(write_csv, freq, error, message):
    with pytest.raises(error, match=message):
        data.load_series(write_csv(GOOD), time_column="date", freq=freq)


def test_shipped_datasets_sit_on_their_calendar_grid():
    expected = {"airline": "MS", "co2": "W-SAT", "sunspots": "YS-JAN", "seattle_weather": "D"}
    for name, freq in expected.items():
        frame = data.load_dataset(name)
        assert frame.index.freqstr == freq, name
        # Nothing to insert: every fill keeps the rows, except drop, which removes blank ones.
        for fill in ("interpolate", "ffill"):
            pd.testing.assert_index_equal(data.load_dataset(name, fill=fill).index, frame.index)
        blank_rows = int(frame.isna().any(axis=1).sum())
        assert len(data.load_dataset(name, fill="drop")) == len(frame) - blank_rows


# --------------------------------------------------------------------------- find_gaps


def test_find_gaps_on_daily_weekly_and_monthly_grids():
    days = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-06"])
    assert list(data.find_gaps(days).day) == [3, 4]
    weeks = pd.date_range("2024-01-06", periods=10, freq="W-SAT").delete([3, 7])
    np.testing.assert_array_equal(
        data.find_gaps(pd.Series(0, index=weeks)),
        pd.date_range("2024-01-06", periods=10, freq="W-SAT")[[3, 7]],
    )
    months = pd.date_range("2020-01-01", periods=24, freq="MS").delete([5])
    assert list(data.find_gaps(months).strftime("%Y-%m")) == ["2020-06"]
    assert len(data.find_gaps(pd.date_range("2020-01-01", periods=5, freq="D"))) == 0
    odd = pd.DatetimeIndex(["2024-01-01 00:00:00", "2024-01-01 00:00:01.5"])
    with pytest.raises(ValueError, match="no regular calendar step.*pass freq="):
        data.find_gaps(odd)
    with pytest.raises(TypeError, match="frame must have a DatetimeIndex"):
        data.find_gaps(pd.Series([1, 2]))


# --------------------------------------------------------------------------- shipped datasets


def test_list_and_load_every_shipped_dataset():
    expected_columns = {
        "airline": ["passengers"],
        "co2": ["co2"],
        "sunspots": ["sunspots"],
        "seattle_weather": ["precipitation", "temp_max", "temp_min", "wind"],
    }
    assert data.list_datasets() == sorted(expected_columns)
    for name, columns in expected_columns.items():
        frame = data.load_dataset(name)
        assert list(frame.columns) == columns
        assert frame.index.is_monotonic_increasing and frame.index.is_unique
        assert len(data.find_gaps(frame)) == 0  # every step of the calendar is a row
    total = sum(path.stat().st_size for path in data.datasets_folder().glob("*.csv"))
    assert total < 1_000_000


def test_airline_is_box_and_jenkins_series_g():
    airline = data.load_dataset("airline")["passengers"]
    # Published facts of series G: 144 months, 112 in Jan 1949, 432 in Dec 1960,
    # largest value 622 in July 1960.
    assert len(airline) == 144 and airline.index.freqstr == "MS"
    assert airline.iloc[0] == 112 and airline.iloc[-1] == 432
    assert airline.idxmax() == pd.Timestamp("1960-07-01") and airline.max() == 622


def test_co2_and_sunspots_equal_the_statsmodels_copies():
    import statsmodels.api as sm

    co2 = data.load_dataset("co2")
    theirs = sm.datasets.co2.load_pandas().data["co2"]
    np.testing.assert_array_equal(co2.index, theirs.index)
    np.testing.assert_array_equal(co2["co2"].to_numpy(), theirs.to_numpy())  # NaN == NaN here
    assert int(co2["co2"].isna().sum()) == int(theirs.isna().sum()) == 59
    filled = data.load_dataset("co2", fill="interpolate")
    assert not filled.isna().any().any()

    sunspots = data.load_dataset("sunspots")["sunspots"]
    theirs = sm.datasets.sunspots.load_pandas().data
    np.testing.assert_array_equal(sunspots.to_numpy(), theirs["SUNACTIVITY"].to_numpy())
    assert list(sunspots.index.year) == [int(y) for y in theirs["YEAR"]]


def test_load_dataset_errors(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="name must be one of .*'airline'.*got 'airlines'"):
        data.load_dataset("airlines")
    import helpers

    monkeypatch.setattr(helpers, "__file__", str(tmp_path / "helpers" / "__init__.py"))
    with pytest.raises(FileNotFoundError, match="the datasets/ folder was not found"):
        data.load_dataset("airline")
