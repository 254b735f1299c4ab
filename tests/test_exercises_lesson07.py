"""Lesson 07's exercise checks: right answers pass, wrong ones get hints that name the result.

The namespaces are synthetic, shaped as the lesson's (no network): an AR(1)-like test part
with its calibration residuals and a few intervals, and a "real" series whose errors
cluster. Answers are computed here the way a student would, never copied from a stored
output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from exercise_hints import shown  # tests/ is on the path
from scipy import stats

from helpers import interval_verdicts, intervals
from helpers.exercises import check, grade

H = 7


def ar1_noise(rng, n, phi=0.7):
    e = rng.normal(size=n)
    for t in range(1, n):
        e[t] += phi * e[t - 1]
    return e * math.sqrt(1 - phi**2)


@pytest.fixture(scope="module")
def lesson():
    rng = np.random.default_rng(7)
    point_ar = rng.normal(size=(600, H))
    y_ar = point_ar + rng.normal(size=(600, H))
    r_cal = rng.normal(size=(594, H)) * 1.05
    draws = point_ar[None, :, 0] + 0.3 * rng.normal(size=(100, 600))

    def ar_methods(coverage):
        z = stats.norm.ppf(0.5 + coverage / 2)
        conformal = intervals.conformal_interval(r_cal[:, 0], point_ar[:, 0], coverage=coverage)
        spread = draws.std(axis=0)
        return {
            "exact": (point_ar[:, 0] - z, point_ar[:, 0] + z, None),
            "dropout only": (point_ar[:, 0] - z * spread, point_ar[:, 0] + z * spread, None),
            "conformal": (*conformal, np.abs(r_cal[:, 0]) <= conformal[1][0] - point_ar[0, 0]),
        }

    n_test = 287
    point_real = 15 + 5 * np.sin(np.arange(n_test) / 40)[:, None] + np.zeros((n_test, H))
    y_real = point_real + 2.5 * ar1_noise(rng, n_test)[:, None] * np.ones(H)
    r_cal_real = 2.5 * ar1_noise(rng, 286)[:, None] * np.ones(H)
    q_real = point_real[:, :1] + np.array([-3.4, 0.0, 3.4]) * (1 + 0.2 * rng.random((n_test, 1)))
    return {
        "y_ar": y_ar, "point_ar": point_ar, "r_cal": r_cal, "ar_methods": ar_methods,
        "y_real": y_real, "point_real": point_real, "r_cal_real": r_cal_real, "q_real": q_real,
        "block": 14, "ALPHA": 0.05, "SEED": 42,
    }  # fmt: skip


def test_nothing_defined_asks_for_every_result(lesson):
    for key, names in {
        "07.1": ["ex1_parts"],
        "07.2": ["ex2_bootstrap_se", "ex2_ess_se"],
        "07.3": ["ex3_spreads"],
        "07.4": ["ex4_lower", "ex4_upper", "ex4_check", "ex4_verdict"],
    }.items():
        result = check(key, lesson)
        assert not result.right
        assert [h.split("`")[1] for h in result.hints] == names
        assert all(h.startswith("define `") for h in result.hints)


# ------------------------------------------------------------------ exercise 1


def parts(lesson, *, alpha=0.2, coverage=0.8):
    y = lesson["y_ar"][:, 0]
    rows = {}
    for name, (lower, upper, _) in lesson["ar_methods"](coverage).items():
        width = np.mean(upper - lower)
        penalty = np.mean(2 / alpha * ((lower - y).clip(0) + (y - upper).clip(0)))
        total = intervals.interval_score(y, lower, upper, coverage=coverage)
        rows[name] = {"width": width, "penalty": penalty, "interval score": total}
    return pd.DataFrame(rows).T


def test_ex1_right(lesson):
    table = parts(lesson)
    assert check("07.1", {**lesson, "ex1_parts": table}).right
    grade("07.1", {**lesson, "ex1_parts": table.iloc[::-1]})  # rows in any order
    assert check("07.1", {**lesson, "ex1_parts": table.assign(note="x")}).right  # extra column


def test_ex1_wrong_answers(lesson):
    right = parts(lesson)
    cases = {
        "transposed": (right.T, "one row per"),
        "a method missing": (right.drop("conformal"), "one row per"),
        "a dict": (right.to_dict(), "DataFrame"),
        "no score column": (right.drop(columns="interval score"), "no column 'interval score'"),
        "the 95 % intervals": (parts(lesson, alpha=0.05, coverage=0.95), "mean width"),
        "1 / alpha": (right.assign(penalty=right["penalty"] / 2), "mean penalty"),
        "width only": (right.assign(**{"interval score": right["width"]}), "interval score of"),
    }
    for what, (table, hint) in cases.items():
        result = check("07.1", {**lesson, "ex1_parts": table})
        assert not result.right, what
        assert any(hint in h for h in result.hints), (what, result.hints)
        assert all("`ex1_parts`" in h for h in result.hints), what
        assert not shown(result.hints, *right.to_numpy().ravel())
    with pytest.raises(AssertionError, match="mean penalty"):
        grade("07.1", {**lesson, "ex1_parts": right.assign(penalty=0.0)})


# ------------------------------------------------------------------ exercise 2


def hits_of(lesson, method="conformal"):
    y = lesson["y_real"][:, 0]
    if method == "conformal":
        lower, upper = intervals.conformal_interval(
            lesson["r_cal_real"][:, 0], lesson["point_real"][:, 0], coverage=0.8
        )
    else:
        lower, upper = lesson["q_real"][:, 0], lesson["q_real"][:, -1]
    return ((lower <= y) & (y <= upper)).astype(float)


def bootstrap(hits, *, seed=42, lengths=(1, 7, 14, 28)):
    draw, n, out = np.random.default_rng(seed), hits.size, {}
    for L in lengths:
        starts = draw.integers(0, n - L + 1, size=(2000, math.ceil(n / L)))
        days = (starts[:, :, None] + np.arange(L)).reshape(2000, -1)[:, :n]
        out[L] = hits[days].mean(axis=1).std()
    return pd.Series(out, name="bootstrap se").rename_axis("L")


def ess_se(hits):
    c = hits.mean()
    return math.sqrt(c * (1 - c) / interval_verdicts.effective_sample_size(hits))


def test_ex2_right(lesson):
    hits = hits_of(lesson)
    assert interval_verdicts.effective_sample_size(hits) < 0.7 * hits.size  # misses cluster
    for seed in (0, 42, 2024):  # any draw of the bootstrap
        answers = {"ex2_bootstrap_se": bootstrap(hits, seed=seed), "ex2_ess_se": ess_se(hits)}
        assert check("07.2", {**lesson, **answers}).right, seed
    circular = {}  # a circular block bootstrap is a right answer too
    draw = np.random.default_rng(1)
    for L in (1, 7, 14, 28):
        starts = draw.integers(0, hits.size, size=(2000, math.ceil(hits.size / L)))
        days = ((starts[:, :, None] + np.arange(L)) % hits.size).reshape(2000, -1)[:, : hits.size]
        circular[L] = hits[days].mean(axis=1).std()
    answers = {"ex2_bootstrap_se": pd.Series(circular), "ex2_ess_se": ess_se(hits)}
    grade("07.2", {**lesson, **answers})


def test_ex2_wrong_answers(lesson):
    hits = hits_of(lesson)
    right_boot, right_ess = bootstrap(hits), ess_se(hits)
    c = hits.mean()
    binomial = math.sqrt(c * (1 - c) / hits.size)
    cases = {
        "binomial": ({"ex2_ess_se": binomial}, "`ex2_ess_se`"),
        "head's hits": (
            {"ex2_ess_se": ess_se(hits_of(lesson, "head")),
             "ex2_bootstrap_se": bootstrap(hits_of(lesson, "head"))}, "`ex2_ess_se`"),
        "independent days": (
            {"ex2_bootstrap_se": pd.Series(binomial, index=[1, 7, 14, 28])},
            "`ex2_bootstrap_se` at L = 28"),
        "a dict": ({"ex2_bootstrap_se": right_boot.to_dict()}, "pandas Series"),
        "by position": ({"ex2_bootstrap_se": right_boot.reset_index(drop=True)}, "indexed by L"),
        "L = 2": ({"ex2_bootstrap_se": bootstrap(hits, lengths=(2, 7, 14, 28))}, "indexed by L"),
    }  # fmt: skip
    for what, (changes, hint) in cases.items():
        answers = {"ex2_bootstrap_se": right_boot, "ex2_ess_se": right_ess, **changes}
        result = check("07.2", {**lesson, **answers})
        assert not result.right, what
        assert any(hint in h for h in result.hints), (what, result.hints)
        assert not shown(result.hints, right_ess, *right_boot)


# ------------------------------------------------------------------ exercise 3


def spreads(lesson, *, seed=42, coverage=0.8, replace=False, pool=None, low=np.min, high=np.max):
    draw = np.random.default_rng(seed)
    pool = lesson["r_cal"][:, 0] if pool is None else pool
    rows = {}
    for n in (20, 50, 200):
        covers = []
        for _ in range(300):
            sample = draw.choice(pool, size=n, replace=replace)
            lower, upper = intervals.conformal_interval(
                sample, lesson["point_ar"][:, 0], coverage=coverage
            )
            covers.append(intervals.interval_coverage(lesson["y_ar"][:, 0], lower, upper))
        k = math.ceil((n + 1) * 0.8)
        rows[n] = {
            "mean coverage": np.mean(covers), "lowest": low(covers),
            "highest": high(covers), "sd": np.std(covers),
            "beta sd": math.sqrt(k * (n + 1 - k) / ((n + 1) ** 2 * (n + 2))),
        }  # fmt: skip
    return pd.DataFrame(rows).T


@pytest.fixture(scope="module")
def ex3(lesson):
    return spreads(lesson)


def test_ex3_right(lesson, ex3):
    assert check("07.3", {**lesson, "ex3_spreads": ex3}).right
    grade("07.3", {**lesson, "ex3_spreads": spreads(lesson, seed=3)})
    assert check("07.3", {**lesson, "ex3_spreads": spreads(lesson, replace=True)}).right


def test_ex3_right_at_any_draw(lesson):
    """The true min and max of 300 coverages pass at every draw (the law allows 1 in 10^5)."""
    for seed in range(8):
        table = spreads(lesson, seed=seed, replace=seed % 2 == 1)
        assert check("07.3", {**lesson, "ex3_spreads": table}).right, seed


def test_ex3_wrong_answers(lesson, ex3):
    floor_k = ex3.copy()
    for n in floor_k.index:
        k = math.floor((n + 1) * 0.8)
        floor_k.loc[n, "beta sd"] = math.sqrt(k * (n + 1 - k) / ((n + 1) ** 2 * (n + 2)))
    cases = {
        "no 200": (ex3.drop(200), "one row per"),
        "no beta sd": (ex3.drop(columns="beta sd"), "no column 'beta sd'"),
        "floor k": (floor_k, "beta sd at n = 20"),
        "coverage 0.9": (spreads(lesson, coverage=0.9), "mean coverage at n ="),
        "every step's residuals": (
            spreads(lesson, pool=lesson["r_cal"].ravel() * 1.5), "mean coverage at n ="),
        "standard error": (ex3.assign(sd=ex3["sd"] / math.sqrt(300)), "sd at n = 20"),
        "swapped extremes": (ex3.assign(lowest=ex3["highest"], highest=ex3["lowest"]),
                             "lowest and highest at n = 20"),
        "5 % and 95 %": (spreads(lesson, low=lambda c: np.quantile(c, 0.05),
                                 high=lambda c: np.quantile(c, 0.95)), "lowest and highest at n"),
        "mean -+ 2 sd": (ex3.assign(lowest=ex3["mean coverage"] - 2 * ex3["sd"],
                                    highest=ex3["mean coverage"] + 2 * ex3["sd"]),
                         "lowest and highest at n"),
    }  # fmt: skip
    for what, (table, hint) in cases.items():
        result = check("07.3", {**lesson, "ex3_spreads": table})
        assert not result.right, what
        assert any(hint in h for h in result.hints), (what, result.hints)
        assert all("`ex3_spreads`" in h for h in result.hints), what
        assert not shown(result.hints, *ex3.drop(columns="beta sd").to_numpy().ravel())


# ------------------------------------------------------------------ exercise 4


def ex4(lesson, *, block=14, scale=1.0, against=None):
    y = lesson["y_real"][:, 0]
    lower, upper = intervals.conformal_interval(
        lesson["r_cal_real"][:, 0], lesson["point_real"][:, 0], coverage=0.8
    )
    lower, upper = lower - (scale - 1), upper + (scale - 1)
    q = lesson["q_real"] if against is None else against
    return {
        "ex4_lower": lower,
        "ex4_upper": upper,
        "ex4_check": interval_verdicts.coverage_check(y, lower, upper, coverage=0.8),
        "ex4_verdict": interval_verdicts.compare_blocks(
            intervals.interval_scores(y, lower, upper, coverage=0.8),
            intervals.interval_scores(y, q[:, 0], q[:, -1], coverage=0.8),
            block=block, names=("conformal", "quantile head"),
        ),
    }  # fmt: skip


def test_ex4_right(lesson):
    answers = ex4(lesson)
    assert check("07.4", {**lesson, **answers}).right
    grade("07.4", {**lesson, **answers})
    y = lesson["y_real"][:, 0]  # B against A is the same verdict
    backwards = interval_verdicts.compare_blocks(
        intervals.interval_scores(y, lesson["q_real"][:, 0], lesson["q_real"][:, -1], coverage=0.8),
        intervals.interval_scores(y, answers["ex4_lower"], answers["ex4_upper"], coverage=0.8),
        block=14,
    )
    assert check("07.4", {**lesson, **answers, "ex4_verdict": backwards}).right


def test_ex4_wrong_answers(lesson):
    right = ex4(lesson)
    y = lesson["y_real"][:, 0]
    other = lesson["q_real"] * 1.1
    cases = {
        "swapped bounds": ({"ex4_lower": right["ex4_upper"], "ex4_upper": right["ex4_lower"]},
                           "`ex4_lower` lies above"),
        "one step short": ({"ex4_lower": right["ex4_lower"][:-1]}, "`ex4_lower` has shape"),
        "the head itself": ({"ex4_lower": lesson["q_real"][:, 0],
                             "ex4_upper": lesson["q_real"][:, -1]}, "quantile head's own"),
        "check of other bounds": ({"ex4_check": ex4(lesson, scale=1.5)["ex4_check"]},
                                  "`ex4_check` is not"),
        "check at 90 %": ({"ex4_check": interval_verdicts.coverage_check(
            y, right["ex4_lower"], right["ex4_upper"], coverage=0.9)}, "`ex4_check` is not"),
        "check is a string": ({"ex4_check": str(right["ex4_check"])}, "`ex4_check` should be"),
        "against another interval": ({"ex4_verdict": ex4(lesson, against=other)["ex4_verdict"]},
                                     "`ex4_verdict` is not"),
        "blocks of 7": ({"ex4_verdict": ex4(lesson, block=7)["ex4_verdict"]},
                        "`ex4_verdict` is not"),
        "verdict is a bool": ({"ex4_verdict": False}, "`ex4_verdict` should be"),
    }  # fmt: skip
    for what, (changes, hint) in cases.items():
        result = check("07.4", {**lesson, **right, **changes})
        assert not result.right, what
        assert any(hint in h for h in result.hints), (what, result.hints)
    with pytest.raises(AssertionError, match="ex4_verdict"):
        grade("07.4", {**lesson, **right, "ex4_verdict": ex4(lesson, block=7)["ex4_verdict"]})
