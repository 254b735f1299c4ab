"""helpers.csv_loading: every fault of a CSV file refused with its file, line and fix.

Also that ``load_series`` and ``find_gaps`` share one grid rule, and that both
stay importable from :mod:`helpers.data`, where the lessons call them.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import csv_loading, data

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
    frame = csv_loading.load_series(write_csv(GOOD), time_column="date")
    assert list(frame.columns) == ["sales", "price"]
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "date"
    assert frame.index.freqstr == "D"
    assert all(pd.api.types.is_float_dtype(t) for t in frame.dtypes)
    np.testing.assert_array_equal(frame["price"], [1.5, 1.25, 2.0])
    only = csv_loading.load_series(write_csv(GOOD), time_column="date", value_columns="price")
    assert list(only.columns) == ["price"]


def test_load_series_sorts_rows_and_keeps_values_with_their_dates(write_csv):
    text = "date,x\n2024-01-03,30\n2024-01-01,10\n2024-01-02,20\n"
    frame = csv_loading.load_series(write_csv(text), time_column="date")
    assert frame.index.is_monotonic_increasing
    np.testing.assert_array_equal(frame["x"], [10, 20, 30])


def test_load_series_handles_bom_blank_lines_and_spaces(write_csv):
    text = "\ufeffdate, x \n2024-01-01, 1\n\n2024-01-02,2\n 2024-01-03 ,x\n"
    with pytest.raises(ValueError, match=r"text at line 5: 'x'"):  # line count skips nothing
        csv_loading.load_series(write_csv(text), time_column="date")
    frame = csv_loading.load_series(write_csv(text.replace(",x\n", ",3\n")), time_column="date")
    np.testing.assert_array_equal(frame["x"], [1, 2, 3])


def test_load_series_missing_file():
    with pytest.raises(FileNotFoundError, match="no CSV file at 'nowhere/none.csv'.*DATA_PATH"):
        csv_loading.load_series("nowhere/none.csv", time_column="date")


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_load_series_empty_file(write_csv, text):
    with pytest.raises(ValueError, match="series.csv is empty: it has no header and no rows"):
        csv_loading.load_series(write_csv(text), time_column="date")


def test_load_series_header_without_rows(write_csv):
    with pytest.raises(ValueError, match="series.csv has a header but no data rows"):
        csv_loading.load_series(write_csv("date,x\n"), time_column="date")


def test_load_series_unknown_columns(write_csv):
    path = write_csv(GOOD)
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="Date", value_columns=["sales", "qty"])
    message = str(info.value)
    assert "series.csv has no column 'Date', 'qty'" in message
    assert "its columns are ['date', 'sales', 'price']" in message
    assert "TIME_COLUMN, FEATURE_COLUMNS" in message
    with pytest.raises(ValueError, match="value_columns must not include the time column 'date'"):
        csv_loading.load_series(path, time_column="date", value_columns=["date"])


def test_load_series_repeated_header_names(write_csv):
    with pytest.raises(ValueError, match=r"the header names \['x'\] more than once"):
        csv_loading.load_series(write_csv("date,x,x\n2024-01-01,1,2\n"), time_column="date")


def test_load_series_wrong_separator(write_csv):
    path = write_csv("date;sales\n2024-01-01;3\n2024-01-02;4\n")
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date")
    message = str(info.value)
    assert "series.csv could not be split into columns with sep=','" in message
    assert "the header line reads 'date;sales'" in message
    assert "pass sep=';'" in message
    frame = csv_loading.load_series(path, time_column="date", sep=";")
    np.testing.assert_array_equal(frame["sales"], [3, 4])


def test_load_series_decimal_comma(write_csv):
    path = write_csv("date;temp\n2024-01-01;3,5\n2024-01-02;-1,25\n")
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date", sep=";")
    message = str(info.value)
    assert "column 'temp' should hold numbers but has text at line 2: '3,5', line 3: '-1,25'" in (
        message
    )
    assert "decimal comma: pass decimal=','" in message
    frame = csv_loading.load_series(path, time_column="date", sep=";", decimal=",")
    np.testing.assert_array_equal(frame["temp"], [3.5, -1.25])


def test_load_series_separator_inside_values(write_csv):
    path = write_csv("date,temp\n2024-01-01,3,5\n2024-01-02,4\n2024-01-03,1,5\n")
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date")
    message = str(info.value)
    assert "the header has 2 cells but line 2 has 3, line 4 has 3" in message
    assert "decimal comma" in message


def test_load_series_unparseable_dates(write_csv):
    text = "date,x\n2024-01-01,1\n2024-13-45,2\nyesterday,3\n2024-01-04,4\n"
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'date' has dates that could not be read at" in message
    assert "line 3: '2024-13-45', line 4: 'yesterday'" in message
    assert "date_format=" in message


def test_load_series_day_first_dates_need_date_format(write_csv):
    path = write_csv("date,x\n01/02/2024,1\n13/02/2024,2\n")
    with pytest.raises(ValueError, match="line 3: '13/02/2024'"):
        csv_loading.load_series(path, time_column="date")
    frame = csv_loading.load_series(path, time_column="date", date_format="%d/%m/%Y")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-02-01", "2024-02-13"]


def test_load_series_missing_dates(write_csv):
    text = "date,x\n2024-01-01,1\n,2\n2024-01-03,3\n"
    with pytest.raises(ValueError, match="column 'date' has 1 missing dates at line 3"):
        csv_loading.load_series(write_csv(text), time_column="date")


def test_load_series_duplicate_timestamps(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-02,3\n2024-01-03,4\n"
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'date' has 1 repeated timestamps: 2024-01-02 00:00:00 at lines 3, 4" in message
    assert "groupby(level=0).mean()" in message


def test_load_series_text_in_a_numeric_column(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,abc\n2024-01-03,3 kg\n"
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "column 'x' should hold numbers but has text at line 3: 'abc', line 4: '3 kg'" in (
        message
    )
    assert "leave a cell empty for a missing value" in message


def test_load_series_infinities(write_csv):
    text = "date,x\n2024-01-01,1\n2024-01-02,inf\n2024-01-03,-Infinity\n"
    with pytest.raises(ValueError, match="column 'x' has 2 infinite values at lines 3, 4"):
        csv_loading.load_series(write_csv(text), time_column="date")


def test_load_series_refuses_missing_values_unless_told(write_csv):
    text = "date,x,y\n2024-01-01,1,1\n2024-01-02,,2\n2024-01-03,3,NA\n2024-01-04,n/a,4\n"
    path = write_csv(text)
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date")
    message = str(info.value)
    assert "column 'x' has 2 missing values at lines 3, 5 (other columns too)" in message
    assert "fill='interpolate'" in message and "fill='drop'" in message
    kept = csv_loading.load_series(path, time_column="date", fill="keep")
    assert int(kept.isna().sum().sum()) == 3
    dropped = csv_loading.load_series(path, time_column="date", fill="drop")
    assert list(dropped.index.strftime("%d")) == ["01"]
    with pytest.raises(ValueError, match="fill must be None or one of"):
        csv_loading.load_series(path, time_column="date", fill="zero")


def test_load_series_interpolates_in_time_not_in_rows(write_csv):
    # Month starts are 29-31 days apart, so a line in time differs from a line in rows:
    # Feb 1 is 31 of the 60 days from Jan 1 (0) to Mar 1 (60); the missing Apr 1 and the
    # blank May 1 are 31 and 61 of the 92 days from Mar 1 (60) to Jun 1 (100).
    text = "date,x\n2024-01-01,0\n2024-02-01,\n2024-03-01,60\n2024-05-01,\n2024-06-01,100\n"
    frame = csv_loading.load_series(write_csv(text), time_column="date", fill="interpolate")
    assert frame.index.freqstr == "MS" and len(frame) == 6
    np.testing.assert_allclose(
        frame["x"], [0, 60 * 31 / 60, 60, 60 + 40 * 31 / 92, 60 + 40 * 61 / 92, 100]
    )
    forward = csv_loading.load_series(write_csv(text), time_column="date", fill="ffill")
    np.testing.assert_allclose(forward["x"], [0, 0, 60, 60, 60, 100])


def test_load_series_says_when_a_fill_cannot_reach_the_ends(write_csv):
    text = "date,x\n2024-01-01,\n2024-01-02,2\n2024-01-03,\n"
    with pytest.raises(ValueError, match="fill='interpolate' cannot fill .* at lines 2, 4"):
        csv_loading.load_series(write_csv(text), time_column="date", fill="interpolate")
    with pytest.raises(ValueError, match="fill='ffill' cannot fill .* at line 2: at the start"):
        csv_loading.load_series(write_csv(text), time_column="date", fill="ffill")


def test_load_series_not_text(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\xff\xfe binary")
    with pytest.raises(ValueError, match="book.xlsx is not UTF-8 text.*Save it as CSV UTF-8"):
        csv_loading.load_series(path, time_column="date")


def test_load_series_argument_types(write_csv):
    with pytest.raises(TypeError, match="time_column must be a column name"):
        csv_loading.load_series(write_csv(GOOD), time_column=0)


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
        csv_loading.load_series(path, time_column="date")
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
        csv_loading.load_series(write_csv(text), time_column="date")
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
    interpolated = csv_loading.load_series(path, time_column="date", fill="interpolate")
    pd.testing.assert_index_equal(interpolated.index, days.rename("date"))
    assert interpolated.index.freqstr == "D"
    np.testing.assert_allclose(interpolated["x"], [10, 20, 30, 40, 50, 60, 70])
    forward = csv_loading.load_series(path, time_column="date", fill="ffill")
    np.testing.assert_allclose(forward["x"], [10, 20, 20, 20, 20, 60, 70])
    assert forward.index.freqstr == "D"
    kept = csv_loading.load_series(path, time_column="date", fill="keep")
    np.testing.assert_array_equal(kept["x"], [10, 20, np.nan, np.nan, np.nan, 60, 70])
    assert kept.index.freqstr == "D"
    # drop: nothing inserted, the uneven spacing is accepted as it is.
    dropped = csv_loading.load_series(path, time_column="date", fill="drop")
    assert list(dropped.index.strftime("%d")) == ["01", "02", "06", "07"]
    np.testing.assert_array_equal(dropped["x"], [10, 20, 60, 70])
    assert dropped.index.freq is None
    assert unchanged(path) == before


def test_load_series_fill_handles_blank_values_and_missing_timestamps_together(write_csv):
    # Jan 2 is blank and Jan 4-5 are absent.
    text = "date,x\n2024-01-01,0\n2024-01-02,\n2024-01-03,6\n2024-01-06,12\n"
    path = write_csv(text)
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date")
    assert "is missing 2 timestamps" in str(info.value)
    assert "the file also has 1 blank value" in str(info.value)
    frame = csv_loading.load_series(path, time_column="date", fill="interpolate")
    np.testing.assert_allclose(frame["x"], [0, 3, 6, 8, 10, 12])  # 6 -> 12 over 3 days
    kept = csv_loading.load_series(path, time_column="date", fill="keep")
    assert int(kept["x"].isna().sum()) == 3 and len(kept) == 6
    dropped = csv_loading.load_series(path, time_column="date", fill="drop")
    np.testing.assert_array_equal(dropped["x"], [0, 6, 12])


def test_load_series_says_which_inserted_timestamps_a_fill_cannot_reach(write_csv):
    text = "date,x\n2024-01-01,\n2024-01-02,\n2024-01-04,3\n"
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(write_csv(text), time_column="date", fill="ffill")
    message = str(info.value)
    assert "at lines 2, 3 (and 1 inserted timestamp next to them)" in message
    assert "no earlier value to repeat" in message


def test_load_series_fixture_with_a_gap_and_a_blank(tmp_path):
    original = Path(__file__).parent / "data" / "daily_with_gap.csv"
    path = tmp_path / original.name
    path.write_bytes(original.read_bytes())
    before = unchanged(path)
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date")
    message = str(info.value)
    assert "daily_with_gap.csv" in message and "missing" in message
    assert "2023-05-30, 2023-05-31, 2023-06-01" in message
    frame = csv_loading.load_series(path, time_column="date", fill="interpolate")
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
        csv_loading.load_series(path, time_column="date")
    message = str(info.value)
    assert "is missing 4 timestamps" in message  # two weekends inside the range
    assert "2024-01-06, 2024-01-07 (between lines 6 and 7)" in message
    assert "all of them are Saturdays or Sundays" in message and "pass freq='B'" in message
    frame = csv_loading.load_series(path, time_column="date", freq="B")
    pd.testing.assert_index_equal(frame.index, WEEKDAYS.rename("date"), check_exact=True)
    assert frame.index.freqstr == "B"
    np.testing.assert_array_equal(frame["x"], np.arange(15.0))
    assert unchanged(path) == before


def test_load_series_a_missing_business_day_is_a_gap_on_the_b_grid(write_csv):
    days = WEEKDAYS.delete(10)  # Mon 15 Jan absent
    text = "date,x\n" + "".join(f"{day:%Y-%m-%d},{i}\n" for i, day in enumerate(days))
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(write_csv(text), time_column="date", freq="B")
    message = str(info.value)
    assert "is missing 1 timestamp from the grid freq='B'" in message
    assert "2024-01-15 (between lines 11 and 12)" in message
    frame = csv_loading.load_series(write_csv(text), time_column="date", freq="B", fill="ffill")
    assert len(frame) == 15 and frame.loc["2024-01-15", "x"] == frame.loc["2024-01-12", "x"]


IRREGULAR = (
    "date,x\n2024-01-01,1\n2024-01-03,2\n2024-01-04,3\n2024-01-09,4\n2024-01-17,5\n2024-01-18,6\n"
)


def test_load_series_refuses_irregular_timestamps(write_csv):
    path = write_csv(IRREGULAR)
    before = unchanged(path)
    for fill in (None, "interpolate", "ffill", "keep"):  # no grid to insert timestamps on
        with pytest.raises(ValueError) as info:
            csv_loading.load_series(path, time_column="date", fill=fill)
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
        csv_loading.load_series(write_csv(text), time_column="date")
    message = str(info.value)
    assert "irregularly spaced" in message
    assert "2 of them are off the grid of the most common step (freq='h')" in message
    assert "line 5: '2024-01-01 02:30:00', line 6: '2024-01-01 03:30:00'" in message


def test_load_series_drop_accepts_irregular_timestamps_as_they_are(write_csv):
    path = write_csv(IRREGULAR)
    frame = csv_loading.load_series(path, time_column="date", fill="drop")
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
        csv_loading.load_series(path, time_column="date", freq="D")
    kept = csv_loading.load_series(path, time_column="date", freq="D", fill="keep")
    assert len(kept) == 18 and int(kept["x"].notna().sum()) == 6
    # A grid the timestamps are not on.
    with pytest.raises(ValueError) as info:
        csv_loading.load_series(path, time_column="date", freq="W-MON")
    message = str(info.value)
    assert "column 'date' has 5 timestamps that are not on the grid freq='W-MON'" in message
    assert "line 3: '2024-01-03'" in message and "check freq=" in message
    weekly = "date,x\n2024-01-07,1\n2024-01-14,2\n2024-01-28,4\n"
    frame = csv_loading.load_series(
        write_csv(weekly), time_column="date", freq="W-SUN", fill="keep"
    )
    assert frame.index.freqstr == "W-SUN"
    np.testing.assert_array_equal(frame["x"], [1, 2, np.nan, 4])


def test_load_series_guesses_monthly_and_weekly_grids(write_csv):
    monthly = "date,x\n2024-01-31,1\n2024-02-29,2\n2024-04-30,4\n2024-05-31,5\n"
    with pytest.raises(ValueError, match=r"missing 1 timestamp .*freq='ME': 2024-03-31 \("):
        csv_loading.load_series(write_csv(monthly), time_column="date")
    weekly = "date,x\n2024-01-06,1\n2024-01-13,2\n2024-01-27,4\n2024-02-03,5\n"
    with pytest.raises(ValueError, match=r"missing 1 timestamp .*freq='W-SAT': 2024-01-20 \("):
        csv_loading.load_series(write_csv(weekly), time_column="date")


@pytest.mark.parametrize(
    "freq, error, message",
    [
        ("daily", ValueError, "freq must be a pandas offset alias such as 'D'.*got 'daily'"),
        (7, TypeError, "freq must be a pandas offset alias .*got int 7"),
    ],
)
def test_load_series_rejects_a_bad_freq(write_csv, freq, error, message):
    with pytest.raises(error, match=message):
        csv_loading.load_series(write_csv(GOOD), time_column="date", freq=freq)


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
    assert list(csv_loading.find_gaps(days).day) == [3, 4]
    weeks = pd.date_range("2024-01-06", periods=10, freq="W-SAT").delete([3, 7])
    np.testing.assert_array_equal(
        csv_loading.find_gaps(pd.Series(0, index=weeks)),
        pd.date_range("2024-01-06", periods=10, freq="W-SAT")[[3, 7]],
    )
    months = pd.date_range("2020-01-01", periods=24, freq="MS").delete([5])
    assert list(csv_loading.find_gaps(months).strftime("%Y-%m")) == ["2020-06"]
    assert len(csv_loading.find_gaps(pd.date_range("2020-01-01", periods=5, freq="D"))) == 0
    # A fixed step of 1.5 s is a grid, as load_series sees it (before the two shared one
    # rule, find_gaps only knew calendar units and refused it).
    odd = pd.DatetimeIndex(
        ["2024-01-01 00:00:00", "2024-01-01 00:00:01.5", "2024-01-01 00:00:04.5"]
    )
    assert list(csv_loading.find_gaps(odd)) == [pd.Timestamp("2024-01-01 00:00:03")]
    irregular = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-08"])
    with pytest.raises(ValueError, match="no regular calendar step.*pass freq="):
        csv_loading.find_gaps(irregular)
    with pytest.raises(TypeError, match="frame must have a DatetimeIndex"):
        csv_loading.find_gaps(pd.Series([1, 2]))


# --------------------------------------------------------------------------- one grid rule


def test_data_reexports_the_loader():
    assert data.load_series is csv_loading.load_series
    assert data.find_gaps is csv_loading.find_gaps


def _stamps(start, steps, unit):
    """Timestamps at cumulative ``steps`` (in ``unit``) after ``start``."""
    return pd.Timestamp(start) + pd.to_timedelta(np.cumsum([0, *steps]), unit=unit)


# Files on which the two rules of old disagreed (a 2-day or 15-minute step: the coarsest
# calendar grid that holds them is daily or minutely, so every other day or 14 minutes
# in 15 looked missing) and the usual cases.
AGREE = {
    "daily with a gap": _stamps("2024-01-01", [1, 1, 4, 1, 1], "D"),
    "every 2 days with a gap": _stamps("2024-01-01", [2, 2, 6, 2, 2, 2], "D"),
    "every 15 minutes with a gap": _stamps("2024-01-01", [15, 15, 45, 15], "min"),
    "weekly on Saturdays": _stamps("2024-01-06", [7, 7, 14, 7], "D"),
    "month starts": pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-05-01", "2024-06-01"]),
    "month ends": pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-04-30", "2024-05-31"]),
    "hourly, no gap": _stamps("2024-01-01", [1, 1, 1], "h"),
}


@pytest.mark.parametrize("name", list(AGREE))
def test_find_gaps_finds_what_load_series_inserts(write_csv, name):
    stamps = AGREE[name]
    text = "time,x\n" + "".join(f"{t:%Y-%m-%d %H:%M:%S},{i}\n" for i, t in enumerate(stamps))
    path = write_csv(text)
    as_read = csv_loading.load_series(path, time_column="time", fill="drop")
    filled = csv_loading.load_series(path, time_column="time", fill="keep")
    inserted = filled.index[filled["x"].isna()]
    gaps = csv_loading.find_gaps(as_read)
    assert list(gaps) == list(inserted)
    assert list(csv_loading.find_gaps(stamps)) == list(inserted)  # the same from the index alone
    assert len(filled) == len(stamps) + len(gaps)


def test_both_refuse_the_same_irregular_timestamps(write_csv):
    stamps = _stamps("2024-01-01", [1, 3, 2, 5, 4, 7], "D")  # no step links half the neighbours
    path = write_csv("time,x\n" + "".join(f"{t:%Y-%m-%d},1\n" for t in stamps))
    with pytest.raises(ValueError, match="irregularly spaced"):
        csv_loading.load_series(path, time_column="time")
    with pytest.raises(ValueError, match="no regular calendar step"):
        csv_loading.find_gaps(stamps)
