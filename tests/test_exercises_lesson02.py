"""Lesson 02's exercise checks (helpers/exercises/lesson02.py) on namespaces built here.

No kernel and no training: the lesson's inputs are the shipped data sets it loads (the
airline passengers, the weekly CO2 series), and each right answer is computed here as a
student would, with pandas where the lesson uses it.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import data, metrics
from helpers.exercises import check, find, grade, registered


def _names(result, name):
    return any(f"`{name}`" in hint for hint in result.hints)


@pytest.fixture(scope="module")
def lesson():
    series = data.load_dataset("airline")["passengers"]
    split = data.chronological_split(series.to_frame(), train=0.7, validation=0.15)
    x_train, x_test = split.train.to_numpy(), split.test.to_numpy()
    scaled_test = (x_test - x_train.min()) / (x_train.max() - x_train.min())
    co2 = data.load_dataset("co2")["co2"]
    return {
        "series": series,
        "test_outside": float(np.mean((scaled_test < 0) | (scaled_test > 1))),
        "co2": co2,
        "complete": co2["1986":"2001"],
    }


def test_every_exercise_is_registered():
    assert [e.key for e in registered("02")] == ["02.1", "02.2", "02.3", "02.4"]
    assert find("02.3").points == 2


def test_nothing_defined_asks_for_every_result(lesson):
    for ex in registered("02"):
        result = check(ex.key, dict(lesson))
        assert not result.right
        assert [h.split(":")[0] for h in result.hints] == [f"define `{n}`" for n in ex.results]


# ------------------------------------------------------------------------ exercise 1


def fixed_windows(values, seq_length, h=1):
    xs, ys = [], []
    for i in range(len(values) - seq_length - h + 1):
        xs.append(values[i : i + seq_length])
        ys.append(values[i + seq_length : i + seq_length + h])
    return np.array(xs), np.array(ys)


def test_ex1_right_windows_pass():
    assert check("02.1", {"fixed_windows": fixed_windows}).right
    grade("02.1", {"fixed_windows": fixed_windows})


def test_ex1_make_windows_passes_too():
    def with_make_windows(values, seq_length, h=1):
        X, y = data.make_windows(values, seq_length, horizon=h)
        return X[:, :, 0], y

    assert check("02.1", {"fixed_windows": with_make_windows}).right


def test_ex1_wrong_windows():
    def tutorial(values, seq_length, h=1):  # the copied loop: drops the last window
        X, y = fixed_windows(values, seq_length, h)
        return X[:-1], y[:-1]

    def flat_targets(values, seq_length, h=1):
        X, y = fixed_windows(values, seq_length, h)
        return X, y[:, 0] if h == 1 else y

    def three_d(values, seq_length, h=1):
        X, y = fixed_windows(values, seq_length, h)
        return X[:, :, None], y

    def one_ahead_only(values, seq_length, h=1):
        X, y = fixed_windows(values, seq_length, 1)
        return X[: len(X) - h + 1], np.repeat(y[: len(X) - h + 1], h, axis=1)

    def overlapping_targets(values, seq_length, h=1):  # y starts at the window's last value
        X, _ = fixed_windows(values, seq_length, h)
        y = [values[i + seq_length - 1 : i + seq_length - 1 + h] for i in range(len(X))]
        return X, np.array(y)

    for wrong, words in (
        (tutorial, "drops the last window"),
        (flat_targets, "(n, h)"),
        (three_d, "(n, seq_length)"),
        (one_ahead_only, "targets y"),
        (overlapping_targets, "targets y"),
        (lambda values, seq_length: fixed_windows(values, seq_length), "fixed_windows"),
        ("X, y", "should be a function"),
    ):
        result = check("02.1", {"fixed_windows": wrong})
        assert not result.right and _names(result, "fixed_windows")
        assert any(words in hint for hint in result.hints), result.hints
    with pytest.raises(AssertionError, match="fixed_windows"):
        grade("02.1", {"fixed_windows": tutorial})


# ------------------------------------------------------------------------ exercise 2


def seasonal_fill(values, period=52):
    change = values - values.shift(period)
    return values.shift(period) + change.interpolate(method="time")


def fill_comparison(complete, fill, first=53, stride=19, order=("seasonal", "interpolate")):
    gap, errors = 18, {"seasonal": [], "interpolate": []}
    for start in range(first, len(complete) - gap, stride):
        hidden = complete.copy()
        hidden.iloc[start : start + gap] = np.nan
        truth = complete.iloc[start : start + gap]
        for name, filled in (("seasonal", fill(hidden)), ("interpolate", hidden.interpolate())):
            errors[name].append(np.mean((filled.iloc[start : start + gap] - truth) ** 2))
    size = -(-52 // stride)
    n_blocks = len(errors["seasonal"]) // size
    blocks = {
        name: np.reshape(e[: n_blocks * size], (n_blocks, size)).mean(axis=1)
        for name, e in errors.items()
    }
    return metrics.compare_scores(blocks[order[0]], blocks[order[1]], names=order)


@pytest.fixture(scope="module")
def ex2(lesson):
    return {
        **lesson,
        "seasonal_fill": seasonal_fill,
        "ex2_comparison": fill_comparison(lesson["complete"], seasonal_fill),
    }


def test_ex2_right_answer_passes(ex2):
    assert ex2["ex2_comparison"].winner == "seasonal"
    assert check("02.2", ex2).right
    grade("02.2", ex2)


def test_ex2_other_layouts_of_the_stretches_pass(ex2):
    # section 3's grid (every 19th week from week 1) from week 53 on, and stretches end to end
    for first, stride in ((58, 19), (53, 18), (55, 18)):
        verdict = fill_comparison(ex2["complete"], seasonal_fill, first, stride)
        assert check("02.2", {**ex2, "ex2_comparison": verdict}).right, (first, stride)


def test_ex2_wrong_fills(ex2):
    def straight(values, period=52):
        return values.interpolate(method="time")

    def year_before(values, period=52):
        return values.fillna(values.shift(period))

    def in_place(values, period=52):
        filled = seasonal_fill(values, period)
        values.iloc[:] = filled.to_numpy()
        return filled

    def without_interpolation(values, period=52):
        change = (values - values.shift(period)).ffill()
        return values.shift(period) + change

    for wrong, words in (
        (straight, "straight line"),
        (year_before, "repeats the value a year before"),
        (in_place, "changes the Series"),
        (without_interpolation, "interpolated in time"),
        (lambda values: values.dropna(), "returned shape"),
        (np.nan, "should be a function"),
    ):
        result = check("02.2", {**ex2, "seasonal_fill": wrong})
        assert not result.right and _names(result, "seasonal_fill")
        assert any(words in hint for hint in result.hints), result.hints


def test_ex2_wrong_verdicts(ex2):
    complete, right = ex2["complete"], ex2["ex2_comparison"]
    reversed_order = fill_comparison(complete, seasonal_fill, order=("interpolate", "seasonal"))
    wrong_rows = fill_comparison(complete, seasonal_fill, first=60)
    y = complete.to_numpy()
    by_week = metrics.compare_forecasts(y[60:], y[8:-52], y[59:-1])
    for wrong, words in (
        (reversed_order, "other way round"),
        (wrong_rows, "not the paired rule"),
        (by_week, "compare_scores"),
        (right.p_value, "paired rule"),
    ):
        result = check("02.2", {**ex2, "ex2_comparison": wrong})
        assert not result.right and _names(result, "ex2_comparison")
        assert any(words in hint for hint in result.hints), result.hints
        assert not shown(result.hints, [right.p_value, right.mean_loss_difference])
    with pytest.raises(AssertionError):
        grade("02.2", {**ex2, "ex2_comparison": reversed_order})


# ------------------------------------------------------------------------ exercise 3


def share_outside(values):
    parts = data.scale_split(data.chronological_split(values), kind="minmax")
    return float(np.mean((parts.test < 0) | (parts.test > 1)))


def growth_rates(series):
    transformed = np.log(series).diff().dropna()
    rebuilt = np.exp(np.log(series.iloc[0]) + transformed.cumsum())
    return {
        "ex3_transformed": transformed,
        "ex3_rebuilt": rebuilt,
        "ex3_outside": share_outside(transformed.to_numpy()),
    }


def test_ex3_right_answer_passes(lesson):
    right = {**lesson, **growth_rates(lesson["series"])}
    assert right["ex3_outside"] <= lesson["test_outside"] / 3
    assert check("02.3", right).right
    grade("02.3", right)


def test_ex3_another_right_answer_passes(lesson):
    # the year-on-year change of the log series, with scikit-learn's scaler on a NumPy split
    from sklearn.preprocessing import MinMaxScaler

    log = np.log(lesson["series"])
    transformed = (log - log.shift(12)).dropna()  # (132,)
    values = transformed.to_numpy()[:, None]
    n_train, n_val = int(0.7 * len(values)), int(0.15 * len(values))
    scaled = MinMaxScaler().fit(values[:n_train]).transform(values[n_train + n_val :])
    rebuilt = transformed.copy()
    for i, date in enumerate(transformed.index):  # y_t = y_{t-12} * exp(change), step by step
        before = log.iloc[i] if i < 12 else np.log(rebuilt.iloc[i - 12])
        rebuilt.loc[date] = np.exp(before + transformed.loc[date])
    answer = {
        "ex3_transformed": transformed,
        "ex3_rebuilt": rebuilt,
        "ex3_outside": float(np.mean((scaled < 0) | (scaled > 1))),
    }
    assert check("02.3", {**lesson, **answer}).right, check("02.3", {**lesson, **answer})


def test_ex3_wrong_answers(lesson):
    series, right = lesson["series"], growth_rates(lesson["series"])
    log = np.log(series)
    log_only = {
        "ex3_transformed": log,
        "ex3_rebuilt": np.exp(log),
        "ex3_outside": share_outside(log.to_numpy()),
    }
    wrongs = {
        "ex3_outside": [
            {**right, "ex3_outside": lesson["test_outside"]},
            {**right, "ex3_outside": 9.0},
            {**right, "ex3_outside": [right["ex3_outside"]]},
        ],
        "ex3_transformed": [
            log_only,
            {**right, "ex3_transformed": np.log(series).diff()},  # the first value is NaN
            {**right, "ex3_transformed": right["ex3_transformed"].to_numpy()[:, None].T},
        ],
        "ex3_rebuilt": [
            {**right, "ex3_rebuilt": right["ex3_rebuilt"].to_numpy()},
            {**right, "ex3_rebuilt": np.exp(right["ex3_transformed"].cumsum())},  # no y_0
            {**right, "ex3_rebuilt": right["ex3_rebuilt"].shift(1, freq="MS")},
            {**right, "ex3_rebuilt": right["ex3_rebuilt"].iloc[:40]},
            {**right, "ex3_rebuilt": series},  # not rebuilt at all
            {**right, "ex3_rebuilt": series.iloc[1:]},
        ],
    }
    for name, cases in wrongs.items():
        for wrong in cases:
            result = check("02.3", {**lesson, **wrong})
            assert not result.right and _names(result, name), (name, result.hints)
            assert not shown(result.hints, [right["ex3_outside"], lesson["test_outside"] / 3])
    with pytest.raises(AssertionError):
        grade("02.3", {**lesson, **log_only})


# ------------------------------------------------------------------------ exercise 4


def complete_windows(co2):
    spans = np.lib.stride_tricks.sliding_window_view(co2.to_numpy(), 52 + 4)
    return int((~np.isnan(spans).any(axis=1)).sum())


def test_ex4_right_count_passes(lesson):
    n = complete_windows(lesson["co2"])
    assert check("02.4", {**lesson, "ex4_n_windows": n}).right
    assert check("02.4", {**lesson, "ex4_n_windows": np.int64(n)}).right
    grade("02.4", {**lesson, "ex4_n_windows": n})


def test_ex4_wrong_counts(lesson):
    co2 = lesson["co2"]
    right = complete_windows(co2)
    inputs_only = int(
        (~np.isnan(np.lib.stride_tricks.sliding_window_view(co2.to_numpy(), 52)).any(axis=1)).sum()
    )
    dropped = data.load_dataset("co2", fill="drop")["co2"]
    on_dropped = len(data.make_windows(dropped.to_numpy(), 52, horizon=4)[0])
    for wrong, words in (
        (inputs_only, "target weeks"),
        (on_dropped, "dropped series"),
        (right - 1, "one off"),
        (right // 2, "not the number"),
        ([right], "one number"),
    ):
        result = check("02.4", {**lesson, "ex4_n_windows": wrong})
        assert not result.right and _names(result, "ex4_n_windows")
        assert any(words in hint for hint in result.hints), result.hints
        assert str(right) not in " ".join(result.hints)
    with pytest.raises(AssertionError):
        grade("02.4", {**lesson, "ex4_n_windows": on_dropped})
