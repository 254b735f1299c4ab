"""Checks for lesson 02's exercises (preprocessing real time series)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import Hint, array, as_number, close, comparison, exercise, number

# ------------------------------------------------------------ exercise 1: the last window


def _windows(values, length, h):
    n = len(values) - length - h + 1
    X = np.array([values[i : i + length] for i in range(n)])
    y = np.array([values[i + length : i + length + h] for i in range(n)])
    return X, y


@exercise(
    "02.1",
    results={
        "fixed_windows": "a function (values, seq_length, h=1) -> (X, y), every window kept",
    },
)
def _fixed_windows(a):
    windows = a.fixed_windows
    if not callable(windows):
        raise Hint(
            "`fixed_windows` should be a function: def fixed_windows(values, seq_length, h=1)"
        )
    values = np.random.default_rng(2).normal(size=40).cumsum()  # (40,)
    for length, h in ((12, None), (12, 3), (5, 2), (7, 1)):
        X_ref, y_ref = _windows(values, length, 1 if h is None else h)
        call = f"fixed_windows(values, {length}{'' if h is None else f', {h}'})"
        try:
            got = windows(values, length) if h is None else windows(values, length, h)
            X, y = (np.asarray(part, dtype=float) for part in got)
        except Exception as error:  # noqa: BLE001 -- the student's function failing is a hint
            raise Hint(
                f"`fixed_windows`: {call} did not give a pair (X, y) of arrays "
                f"({type(error).__name__}: {error})"
            ) from None
        if len(X) == len(X_ref) - 1 and len(y) == len(y_ref) - 1:
            raise Hint(
                f"`fixed_windows` still drops the last window ({call}): the window whose "
                "target is the last value counts"
            )
        if len(X) != len(X_ref) or len(y) != len(y_ref):
            raise Hint(
                f"`fixed_windows` gives {len(X)} windows for {call} on {len(values)} values: "
                "count the windows whose inputs and h targets all lie inside the series"
            )
        if X.shape != X_ref.shape:
            raise Hint(
                f"`fixed_windows`: X has shape {X.shape} for {call}; the exercise asks for "
                "(n, seq_length)"
            )
        if y.shape != y_ref.shape:
            raise Hint(
                f"`fixed_windows`: y has shape {y.shape} for {call}; the exercise asks for "
                "(n, h), also when h = 1"
            )
        if not close(X, X_ref, rtol=0, atol=0):
            raise Hint(
                f"`fixed_windows`: the inputs X are not the windows of seq_length values ({call})"
            )
        if not close(y, y_ref, rtol=0, atol=0):
            raise Hint(
                f"`fixed_windows`: the targets y are not the h values right after each window "
                f"({call})"
            )


# ----------------------------------------------------------- exercise 2: the seasonal fill

GAP, PERIOD = 18, 52


def _seasonal_line(y, start, gap, period=PERIOD):
    """Fill y[start:start+gap] seasonally: y_{t-period} plus the change interpolated."""
    k = np.arange(1, gap + 1)
    left, right = start - 1, start + gap
    d_left, d_right = y[left] - y[left - period], y[right] - y[right - period]
    return y[start - period : start - period + gap] + d_left + (d_right - d_left) * k / (gap + 1)


def _straight_line(y, start, gap):
    k = np.arange(1, gap + 1)
    return y[start - 1] + (y[start + gap] - y[start - 1]) * k / (gap + 1)


def _fill_verdicts(y):
    """The paired rule over blocks of stretches, for each way of laying out the stretches."""
    from helpers.metrics import compare_scores

    verdicts = []
    for stride in (GAP + 1, GAP):  # disjoint, with or without a measured week between
        first_grid = 1 + stride * -(-PERIOD // stride)  # section 3's grid from week 53 on
        for first in sorted({PERIOD + 1, first_grid}):
            starts = np.arange(first, len(y) - GAP, stride)
            mse = {
                name: np.array([np.mean((fill(y, s, GAP) - y[s : s + GAP]) ** 2) for s in starts])
                for name, fill in (("seasonal", _seasonal_line), ("line", _straight_line))
            }
            size = -(-PERIOD // stride)
            n_blocks = len(starts) // size
            blocks = {
                k: v[: n_blocks * size].reshape(n_blocks, size).mean(axis=1) for k, v in mse.items()
            }
            verdicts.append(compare_scores(blocks["seasonal"], blocks["line"]))
    return verdicts


@exercise(
    "02.2",
    results={
        "seasonal_fill": "a function (values, period=52) -> the weekly Series with gaps filled",
        "ex2_comparison": "the paired rule over blocks of stretches, seasonal fill first",
    },
    needs=("complete",),
)
def _seasonal_fill(a):
    fill = a.seasonal_fill
    if not callable(fill):
        raise Hint("`seasonal_fill` should be a function: def seasonal_fill(values, period=52)")
    complete = a.complete
    y = np.asarray(complete, dtype=float)
    gaps = ((200, GAP), (420, 5))
    hidden = complete.copy()
    for start, gap in gaps:
        hidden.iloc[start : start + gap] = np.nan
    given = hidden.copy()
    try:
        filled = np.asarray(fill(hidden), dtype=float)
    except Exception as error:  # noqa: BLE001 -- the student's function failing is a hint
        raise Hint(
            f"`seasonal_fill` raised {type(error).__name__} ({error}) on a weekly Series with "
            "two gaps"
        ) from None
    if not hidden.equals(given):
        yield "`seasonal_fill` changes the Series it is given: fill a copy"
    if filled.shape != y.shape:
        raise Hint(
            f"`seasonal_fill` returned shape {filled.shape} for a Series of {len(y)} weeks: "
            "return the whole series, gaps filled"
        )
    inside = np.concatenate([np.arange(s, s + g) for s, g in gaps])
    wanted = np.concatenate([_seasonal_line(y, s, g) for s, g in gaps])
    # measured weeks whose year before is measured too (a year after a gap, y_{t-52} is missing)
    measured = np.setdiff1d(np.arange(PERIOD, len(y)), np.concatenate([inside, inside + PERIOD]))
    if not close(filled[measured], y[measured], rtol=1e-9, atol=1e-9):
        yield "`seasonal_fill` changes measured weeks: only the missing ones should change"
    if not close(filled[inside], wanted, rtol=1e-9, atol=1e-9):
        line = np.concatenate([_straight_line(y, s, g) for s, g in gaps])
        year_before = y[inside - PERIOD]
        if close(filled[inside], line, rtol=1e-9, atol=1e-9):
            yield (
                "`seasonal_fill` draws the straight line across the gap: interpolate the "
                "year-on-year change d_t instead and add it to the value a year before"
            )
        elif close(filled[inside], year_before, rtol=1e-9, atol=1e-9):
            yield (
                "`seasonal_fill` repeats the value a year before: add the year-on-year change "
                "d_t, interpolated across the gap"
            )
        else:
            yield (
                "`seasonal_fill` does not give y_{t-52} + d_t with d_t = y_t - y_{t-52} "
                "interpolated in time across each gap (period = 52 by default)"
            )
    verdict = comparison(a, "ex2_comparison")
    if verdict.loss != "score":
        raise Hint(
            "`ex2_comparison` should come from metrics.compare_scores over blocks of "
            "stretches, not from compare_forecasts over single weeks"
        )
    same_rule = [
        v for v in _fill_verdicts(y)
        if v.n == verdict.n and np.isclose(v.p_value, verdict.p_value, rtol=1e-6, atol=1e-12)
    ]  # fmt: skip
    if not same_rule:
        yield (
            "`ex2_comparison` is not the paired rule over `complete`'s hidden stretches: hide "
            "each disjoint 18-week stretch that has a measured year (and a measured week) "
            "before it, score each fill by its mean squared error on the stretch, and average "
            "the stretches in blocks that span at least 52 weeks (as `size` in section 3), "
            "one score per block and fill"
        )
    elif np.sign(verdict.mean_loss_difference) != np.sign(same_rule[0].mean_loss_difference):
        yield (
            "`ex2_comparison` has the two fills the other way round: pass the seasonal fill's "
            "block scores first (and name them first)"
        )


# ----------------------------------------------------- exercise 3: the test part in range


def _share_outside(values):
    from helpers import data

    parts = data.scale_split(data.chronological_split(values), kind="minmax")
    return float(np.mean((parts.test < 0) | (parts.test > 1))), len(parts.test)


@exercise(
    "02.3",
    results={
        "ex3_transformed": "the transformed series",
        "ex3_rebuilt": "the series rebuilt from it: a Series on the dates of `series` it rebuilds",
        "ex3_outside": "the share of the transformed test values outside [0, 1] after min-max",
    },
    needs=("series", "test_outside"),
    points=2,
)
def _in_range(a):
    import pandas as pd

    transformed = array(a, "ex3_transformed")
    if transformed.ndim == 2 and transformed.shape[1] == 1:
        transformed = transformed[:, 0]
    if transformed.ndim != 1 or len(transformed) < 20:
        raise Hint(
            f"`ex3_transformed` has shape {transformed.shape}: it should be one series, "
            "one value per time step"
        )
    outside = number(a, "ex3_outside")
    if not 0 <= outside <= 1:
        raise Hint("`ex3_outside` should be a share, between 0 and 1")
    share, n_test = _share_outside(transformed)
    if abs(outside - share) > 1.5 / n_test:  # a split rounded another way moves a value or so
        yield (
            "`ex3_outside` is not the share of `ex3_transformed`'s test values outside [0, 1]: "
            "split it in time order (70 % train, 15 % validation, 15 % test), min-max scale "
            "with the training part's minimum and maximum, and count the test part"
        )
    raw_share = as_number(a.test_outside, "`test_outside`")
    if min(share, outside) > raw_share / 3 + 1e-12:
        yield (
            "`ex3_transformed` keeps too many test values outside [0, 1]: the exercise asks for "
            "at most a third as many as `test_outside`. Think about what makes the level rise"
        )
    rebuilt = a.ex3_rebuilt
    series = a.series
    if not isinstance(rebuilt, pd.Series):
        raise Hint(
            "`ex3_rebuilt` should be a pandas Series on the dates of `series` it rebuilds, "
            f"got {type(rebuilt).__name__}"
        )
    if not rebuilt.index.isin(series.index).all() or rebuilt.index.has_duplicates:
        raise Hint(
            "`ex3_rebuilt` has dates that `series` does not have: keep the dates of the part "
            "of `series` it rebuilds"
        )
    if rebuilt is series or np.shares_memory(rebuilt.to_numpy(), series.to_numpy()):
        raise Hint(
            "`ex3_rebuilt` is `series` itself (or a slice of it), not rebuilt: compute it from "
            "`ex3_transformed` by undoing your transformation step by step"
        )
    if len(rebuilt) < len(series) // 2 or series.index[-1] not in rebuilt.index:
        yield (
            "`ex3_rebuilt` covers too little of `series`: undo the transformation over the "
            "whole transformed series, up to its last date"
        )
    values = np.asarray(rebuilt, dtype=float)
    if not np.all(np.isfinite(values)) or not close(
        values, series.loc[rebuilt.index].to_numpy(dtype=float), rtol=1e-6, atol=1e-9
    ):
        yield (
            "`ex3_rebuilt` is not `series` on its dates: undoing the transformation must give "
            "back every value exactly (to rounding); check the starting value(s) and the order "
            "of the inverse steps"
        )


# ---------------------------------------------------- exercise 4: windows without a gap

INPUTS, TARGETS = 52, 4


def _complete_windows(missing, length):
    counts = np.convolve(missing.astype(int), np.ones(length, dtype=int), mode="valid")
    return int(np.sum(counts == 0))


@exercise(
    "02.4",
    results={
        "ex4_n_windows": "the number of 52 + 4-week windows on the weekly calendar with no gap",
    },
    needs=("co2",),
)
def _whole_windows(a):
    n = number(a, "ex4_n_windows")
    missing = np.isnan(np.asarray(a.co2, dtype=float))
    right = _complete_windows(missing, INPUTS + TARGETS)
    if n == right:
        return
    if n == _complete_windows(missing, INPUTS):
        yield (
            "`ex4_n_windows` counts windows whose 52 input weeks are complete but not their "
            "4 target weeks: a missing target week spoils a window too"
        )
    elif n == int(np.sum(~missing)) - INPUTS - TARGETS + 1:
        yield (
            "`ex4_n_windows` is the count of make_windows on the dropped series: slide over "
            "the full weekly calendar (missing weeks kept as NaN) instead"
        )
    elif abs(n - right) == 1:
        yield (
            "`ex4_n_windows` is one off: a series of T weeks holds T - 56 + 1 windows of "
            "56 weeks before any are removed"
        )
    else:
        yield (
            "`ex4_n_windows` is not the number of windows of 52 input and 4 target weeks, "
            "consecutive on the weekly calendar (`data.load_dataset('co2')`), with no missing week"
        )
