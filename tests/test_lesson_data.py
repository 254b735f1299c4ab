"""helpers.lesson_data: the shipped datasets, the window check and the own-data switch.

The datasets are checked against published facts and the statsmodels copies;
the window check against the windows that the real training part yields.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import csv_loading, data, generators, lesson_data

# --------------------------------------------------------------------------- shipped datasets


def test_list_and_load_every_shipped_dataset():
    expected_columns = {
        "airline": ["passengers"],
        "co2": ["co2"],
        "sunspots": ["sunspots"],
        "seattle_weather": ["precipitation", "temp_max", "temp_min", "wind"],
    }
    assert lesson_data.list_datasets() == sorted(expected_columns)
    for name, columns in expected_columns.items():
        frame = lesson_data.load_dataset(name)
        assert list(frame.columns) == columns
        assert frame.index.is_monotonic_increasing and frame.index.is_unique
        assert len(csv_loading.find_gaps(frame)) == 0  # every step of the calendar is a row
    total = sum(path.stat().st_size for path in lesson_data.datasets_folder().glob("*.csv"))
    assert total < 1_000_000


def test_airline_is_box_and_jenkins_series_g():
    airline = lesson_data.load_dataset("airline")["passengers"]
    # Published facts of series G: 144 months, 112 in Jan 1949, 432 in Dec 1960,
    # largest value 622 in July 1960.
    assert len(airline) == 144 and airline.index.freqstr == "MS"
    assert airline.iloc[0] == 112 and airline.iloc[-1] == 432
    assert airline.idxmax() == pd.Timestamp("1960-07-01") and airline.max() == 622


def test_co2_and_sunspots_equal_the_statsmodels_copies():
    import statsmodels.api as sm

    co2 = lesson_data.load_dataset("co2")
    theirs = sm.datasets.co2.load_pandas().data["co2"]
    np.testing.assert_array_equal(co2.index, theirs.index)
    np.testing.assert_array_equal(co2["co2"].to_numpy(), theirs.to_numpy())  # NaN == NaN here
    assert int(co2["co2"].isna().sum()) == int(theirs.isna().sum()) == 59
    filled = lesson_data.load_dataset("co2", fill="interpolate")
    assert not filled.isna().any().any()

    sunspots = lesson_data.load_dataset("sunspots")["sunspots"]
    theirs = sm.datasets.sunspots.load_pandas().data
    np.testing.assert_array_equal(sunspots.to_numpy(), theirs["SUNACTIVITY"].to_numpy())
    assert list(sunspots.index.year) == [int(y) for y in theirs["YEAR"]]


def test_load_dataset_errors(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="name must be one of .*'airline'.*got 'airlines'"):
        lesson_data.load_dataset("airlines")
    import helpers

    monkeypatch.setattr(helpers, "__file__", str(tmp_path / "helpers" / "__init__.py"))
    with pytest.raises(FileNotFoundError, match="the datasets/ folder was not found"):
        lesson_data.load_dataset("airline")


# --------------------------------------------------------------------------- check_window_fits


@settings(max_examples=60, deadline=None)
@given(n_obs=st.integers(10, 400), window=st.integers(1, 60), horizon=st.integers(1, 6))
def test_check_window_fits_agrees_with_windows_of_the_real_training_part(n_obs, window, horizon):
    train_part = data.chronological_split(np.arange(float(n_obs))).train
    real = len(train_part) - window - horizon + 1
    if real >= 5:
        assert lesson_data.check_window_fits(n_obs, window=window, horizon=horizon) == real
        X, _ = data.make_windows(train_part, window, horizon=horizon)
        assert len(X) == real
    else:
        with pytest.raises(ValueError, match=f"WINDOW={window} and HORIZON={horizon} leave"):
            lesson_data.check_window_fits(n_obs, window=window, horizon=horizon)


def test_check_window_fits_messages_name_the_parameter_and_numbers():
    with pytest.raises(ValueError) as info:
        lesson_data.check_window_fits(144, window=98, horizon=2)
    message = str(info.value)
    assert "WINDOW=98 and HORIZON=2 leave 1 training samples from the 100 training rows" in message
    assert "make WINDOW + HORIZON at most 96" in message
    with pytest.raises(ValueError, match="SEASONAL_PERIOD=120 is longer than the 100 training"):
        lesson_data.check_window_fits(144, window=12, seasonal_period=120)
    assert lesson_data.check_window_fits(144, window=12, seasonal_period=12) == 88
    with pytest.raises(ValueError, match="WINDOW must be a positive integer, got 0"):
        lesson_data.check_window_fits(144, window=0)


def test_check_window_fits_counts_training_rows_from_test_size():
    # 50 rows, the last 12 tested and 6 validated: 32 training rows, 32 - 5 - 1 + 1 samples
    assert lesson_data.check_window_fits(50, window=5, test_size=12, validation_size=6) == 27
    assert lesson_data.check_window_fits(50, window=5, test_size=12, validation_size=6) == len(
        data.split_windows(np.arange(50.0), 5, test_size=12, validation_size=6).train
    )
    with pytest.raises(
        ValueError, match="32 training rows \\(validation_size=6, test_size=12 of 50 rows\\)"
    ):
        lesson_data.check_window_fits(50, window=30, test_size=12, validation_size=6)


# --------------------------------------------------------------------------- load_lesson_data


def test_load_lesson_data_without_a_path_uses_the_lessons_own_data():
    sine = generators.noisy_sine(60, seed=0)
    frame = lesson_data.load_lesson_data(None, default=sine, columns=["sine"], window=5)
    assert list(frame.columns) == ["sine"]
    np.testing.assert_array_equal(frame["sine"], sine)
    airline = lesson_data.load_lesson_data(
        None, default="airline", columns=["passengers"], window=12
    )
    pd.testing.assert_frame_equal(airline, lesson_data.load_dataset("airline"))
    drivers = generators.known_drivers(200)
    two = lesson_data.load_lesson_data(None, default=drivers, columns=["target", "price"])
    assert list(two.columns) == ["target", "price"]
    assert lesson_data.load_lesson_data(None, default=drivers["price"]).shape == (200, 1)


def test_load_lesson_data_with_a_path_loads_and_checks_the_csv(tmp_path):
    path = tmp_path / "mine.csv"
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    path.write_text("day,y,z\n" + "".join(f"{d:%Y-%m-%d},{i},{-i}\n" for i, d in enumerate(days)))
    frame = lesson_data.load_lesson_data(path, default="airline", time_column="day", columns=["y"])
    pd.testing.assert_frame_equal(
        frame, csv_loading.load_series(path, time_column="day", value_columns="y")
    )
    with pytest.raises(ValueError, match="WINDOW=30 and HORIZON=1 leave"):
        lesson_data.load_lesson_data(path, default="airline", time_column="day", window=30)
    with pytest.raises(ValueError, match="TIME_COLUMN must name"):
        lesson_data.load_lesson_data(path, default="airline")
    with pytest.raises(ValueError, match="has no column 'nope'"):
        lesson_data.load_lesson_data(path, default="airline", time_column="day", columns=["nope"])


def test_load_lesson_data_refuses_what_the_default_cannot_give():
    with pytest.raises(ValueError, match=r"columns \['price'\] are not in the lesson's own data"):
        lesson_data.load_lesson_data(None, default="airline", columns=["price"])
    with pytest.raises(ValueError, match="default must be a dataset name"):
        lesson_data.load_lesson_data(None, default=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="SEASONAL_PERIOD=500 is longer"):
        lesson_data.load_lesson_data(None, default="airline", window=12, seasonal_period=500)


def test_lesson_data_imports_without_tensorflow():
    code = "import sys, helpers.lesson_data; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
