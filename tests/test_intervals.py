"""Tests for helpers.intervals: each score against its formula, their properties, bad inputs."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats
from sklearn.metrics import mean_pinball_loss

from helpers import intervals

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
levels = st.floats(0.01, 0.99)


def _pinball_by_hand(y, y_hat, q):
    total = 0.0
    for yi, fi in zip(y, y_hat, strict=True):
        e = yi - fi
        total += q * e if e >= 0 else (q - 1) * e
    return total / len(y)


def _interval_score_by_hand(y, lo, hi, coverage):
    alpha = 1 - coverage
    total = 0.0
    for yi, li, ui in zip(y, lo, hi, strict=True):
        score = ui - li
        if yi < li:
            score += 2 / alpha * (li - yi)
        elif yi > ui:
            score += 2 / alpha * (yi - ui)
        total += score
    return total / len(y)


def _conformal_by_hand(residuals, coverage):
    n = len(residuals)
    k = math.ceil(round((n + 1) * coverage, 9))  # the rank, without float noise
    return sorted(abs(r) for r in residuals)[k - 1]


# --------------------------------------------------------------------------- the formulas


@pytest.mark.parametrize("q", [0.05, 0.1, 0.5, 0.9, 0.975])
def test_pinball_loss_is_its_formula(q):
    rng = np.random.default_rng(0)
    y, y_hat = rng.normal(size=50), rng.normal(size=50)
    assert intervals.pinball_loss(y, y_hat, quantile=q) == pytest.approx(
        _pinball_by_hand(y, y_hat, q), rel=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=20),
        elements=finite,
    ).flatmap(lambda y: st.tuples(st.just(y), hnp.arrays(np.float64, y.shape, elements=finite))),
    levels,
)
def test_pinball_loss_equals_scikit_learns_mean_pinball_loss(pair, q):
    # sklearn: alpha * max(y - y_hat, 0) + (1 - alpha) * max(y_hat - y, 0), averaged per
    # column, then over columns; every column has as many rows, so that is the plain mean.
    y, y_hat = pair
    expected = mean_pinball_loss(y, y_hat, alpha=q)
    assert intervals.pinball_loss(y, y_hat, quantile=q) == pytest.approx(
        expected, rel=1e-9, abs=1e-9
    )


def test_pinball_loss_at_the_median_is_half_the_absolute_error():
    rng = np.random.default_rng(1)
    y, y_hat = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    assert intervals.pinball_loss(y, y_hat, quantile=0.5) == pytest.approx(
        0.5 * np.mean(np.abs(y - y_hat))
    )


def test_interval_coverage_counts_points_inside_ends_included():
    y = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    lower = np.array([0.0, 1.5, 1.0, -1.0, 5.0])
    upper = np.array([1.0, 2.0, 2.0, 3.0, 6.0])
    inside = [lo <= yi <= hi for yi, lo, hi in zip(y, lower, upper, strict=True)]
    assert intervals.interval_coverage(y, lower, upper) == sum(inside) / len(y) == 0.6


@pytest.mark.parametrize("coverage", [0.5, 0.8, 0.95])
def test_interval_score_is_its_formula(coverage):
    rng = np.random.default_rng(2)
    y = rng.normal(size=60)
    centre = rng.normal(size=60)
    half = rng.uniform(0.1, 1.5, size=60)
    got = intervals.interval_score(y, centre - half, centre + half, coverage=coverage)
    assert got == pytest.approx(
        _interval_score_by_hand(y, centre - half, centre + half, coverage), rel=1e-12
    )


@pytest.mark.parametrize("coverage", [0.5, 0.6, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("n", [19, 20, 50, 99])
def test_conformal_interval_is_the_kth_smallest_absolute_residual(coverage, n):
    rng = np.random.default_rng(n)
    residuals = rng.normal(size=n)
    y_pred = rng.normal(size=7)
    lower, upper = intervals.conformal_interval(residuals, y_pred, coverage=coverage)
    q = _conformal_by_hand(residuals, coverage)
    np.testing.assert_allclose(lower, y_pred - q, rtol=0, atol=0)
    np.testing.assert_allclose(upper, y_pred + q, rtol=0, atol=0)


@pytest.mark.parametrize("coverage", [0.5, 0.55, 0.6, 0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("n", [2, 19, 20, 50, 99, 100, 101, 999])
def test_conformal_q_is_numpys_higher_quantile_at_the_conformal_rank(coverage, n):
    # The split-conformal q is the k-th smallest |r|, k = ceil((n + 1) * coverage)
    # (= ceil((n + 1)(1 - alpha))), computed here with exact fractions. NumPy's
    # method="higher" returns sorted(a)[ceil((n - 1) * level)]: the k-th smallest for every
    # level in ((k - 2) / (n - 1), (k - 1) / (n - 1)]. The test asks for the middle of that
    # range, so that no rounding of (n - 1) * level can cross an integer. (The often quoted
    # level k / n with method="higher" picks the (k + 1)-th smallest whenever k < n: an
    # interval one rank wider than the guarantee needs.)
    k = math.ceil((n + 1) * Fraction(str(coverage)))
    if k > n:
        with pytest.raises(ValueError, match="calibration residuals"):
            intervals.conformal_interval(np.ones(n), [0.0], coverage=coverage)
        return
    rng = np.random.default_rng(n)
    residuals = rng.standard_t(df=3, size=(n, 2))  # (n, h): one q per column
    level = max(k - 1.5, 0.0) / (n - 1)
    q = np.quantile(np.abs(residuals), level, axis=0, method="higher")  # (h,)
    lower, upper = intervals.conformal_interval(residuals, np.zeros((3, 2)), coverage=coverage)
    np.testing.assert_array_equal(upper, np.broadcast_to(q, (3, 2)))
    np.testing.assert_array_equal(lower, -upper)


def test_conformal_rank_survives_float_rounding():
    # (99 + 1) * 0.55 is 55.00000000000001 in floating point; the rank is 55, not 56.
    residuals = np.arange(1.0, 100.0)  # |r| = 1 .. 99
    lower, upper = intervals.conformal_interval(residuals, [0.0], coverage=0.55)
    assert 100 * 0.55 > 55  # the float noise this test is about
    assert upper[0] == 55.0 and lower[0] == -55.0


def test_conformal_two_dimensional_residuals_give_one_q_per_column():
    rng = np.random.default_rng(3)
    residuals = rng.normal(size=(40, 3)) * np.array([1.0, 2.0, 4.0])  # (40, 3)
    y_pred = rng.normal(size=(5, 3))
    lower, upper = intervals.conformal_interval(residuals, y_pred, coverage=0.9)
    for h in range(3):
        lo_h, hi_h = intervals.conformal_interval(residuals[:, h], y_pred[:, h], coverage=0.9)
        np.testing.assert_array_equal(lower[:, h], lo_h)
        np.testing.assert_array_equal(upper[:, h], hi_h)
    widths = (upper - lower)[0]
    assert widths[0] < widths[1] < widths[2], "wider residuals, wider intervals"


@pytest.mark.parametrize("coverage", [0.5, 0.8, 0.95])
def test_interval_scores_are_the_formula_at_each_point_and_average_to_the_score(coverage):
    rng = np.random.default_rng(12)
    y = rng.normal(size=(30, 2))
    centre = rng.normal(size=(30, 2))
    half = rng.uniform(0.1, 1.5, size=(30, 2))
    per_point = intervals.interval_scores(y, centre - half, centre + half, coverage=coverage)
    assert per_point.shape == (30, 2)
    for i, j in [(0, 0), (7, 1), (29, 0)]:
        one = _interval_score_by_hand(
            [y[i, j]], [centre[i, j] - half[i, j]], [centre[i, j] + half[i, j]], coverage
        )
        assert per_point[i, j] == pytest.approx(one, rel=1e-12)
    mean = intervals.interval_score(y, centre - half, centre + half, coverage=coverage)
    assert mean == pytest.approx(per_point.mean(), rel=1e-12)


def _rolling_by_hand(calibration, test, y_pred, coverage):
    w = len(calibration)
    lower, upper = [], []
    for i in range(len(y_pred)):
        known = np.concatenate([calibration, test[:i]])[-w:]  # the latest w before point i
        lo, hi = intervals.conformal_interval(known, [y_pred[i]], coverage=coverage)
        lower.append(lo[0])
        upper.append(hi[0])
    return np.array(lower), np.array(upper)


@pytest.mark.parametrize("coverage", [0.5, 0.8, 0.95])
def test_rolling_conformal_is_the_conformal_interval_of_the_latest_residuals(coverage):
    rng = np.random.default_rng(13)
    calibration, test = rng.normal(size=40), rng.standard_t(df=3, size=25)
    y_pred = rng.normal(size=25)
    lower, upper = intervals.rolling_conformal_interval(calibration, test, y_pred,
                                                        coverage=coverage)  # fmt: skip
    expected = _rolling_by_hand(calibration, test, y_pred, coverage)
    np.testing.assert_array_equal(lower, expected[0])
    np.testing.assert_array_equal(upper, expected[1])
    fixed = intervals.conformal_interval(calibration, y_pred[:1], coverage=coverage)
    assert (lower[0], upper[0]) == (fixed[0][0], fixed[1][0])  # point 0: the calibration part


def test_rolling_conformal_never_reads_a_residual_before_it_is_known():
    rng = np.random.default_rng(14)
    calibration, test, y_pred = rng.normal(size=20), rng.normal(size=15), np.zeros(15)
    before = intervals.rolling_conformal_interval(calibration, test, y_pred, coverage=0.8)
    for i in range(15):
        changed = test.copy()
        changed[i:] = 100.0  # residual i is known only after point i
        after = intervals.rolling_conformal_interval(calibration, changed, y_pred, coverage=0.8)
        np.testing.assert_array_equal(after[1][: i + 1], before[1][: i + 1])


def test_rolling_conformal_refuses_what_it_cannot_use():
    with pytest.raises(ValueError, match="same shape"):
        intervals.rolling_conformal_interval(np.ones(20), np.ones(5), np.ones(4), coverage=0.8)
    with pytest.raises(ValueError, match="1-D"):
        intervals.rolling_conformal_interval(np.ones((20, 2)), np.ones(5), np.ones(5),
                                             coverage=0.8)  # fmt: skip
    with pytest.raises(ValueError, match="at least 19 calibration residuals"):
        intervals.rolling_conformal_interval(np.ones(18), np.ones(5), np.ones(5), coverage=0.95)


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_pinball_loss_is_minimised_near_the_quantile(q):
    y = np.random.default_rng(4).exponential(size=4000)  # skewed: mean != median
    grid = np.linspace(0.0, 3.0, 601)
    losses = [intervals.pinball_loss(y, np.full_like(y, c), quantile=q) for c in grid]
    best = grid[int(np.argmin(losses))]
    assert abs(best - np.quantile(y, q)) <= 0.01


@pytest.mark.parametrize("coverage", [0.5, 0.8, 0.95])
def test_coverage_of_the_exact_gaussian_interval_is_nominal(coverage):
    n = 20_000
    y = np.random.default_rng(5).normal(2.0, 3.0, size=n)
    z = stats.norm.ppf(0.5 + coverage / 2)
    got = intervals.interval_coverage(y, np.full(n, 2.0 - 3.0 * z), np.full(n, 2.0 + 3.0 * z))
    assert abs(got - coverage) < 4 * math.sqrt(coverage * (1 - coverage) / n)


def test_interval_score_is_lowest_at_the_true_quantiles():
    n, coverage = 50_000, 0.8
    y = np.random.default_rng(6).normal(size=n)
    z = stats.norm.ppf(0.9)

    def score(lo, hi):
        return intervals.interval_score(y, np.full(n, lo), np.full(n, hi), coverage=coverage)

    best = score(-z, z)
    for lo, hi in [(-0.7 * z, 0.7 * z), (-1.3 * z, 1.3 * z), (-z + 0.3, z + 0.3), (-z, 1.2 * z)]:
        assert score(lo, hi) > best, (lo, hi)


def test_conformal_coverage_guarantee_on_exchangeable_data():
    # i.i.d. residuals: P(test point inside) = k / (n + 1) exactly, k = ceil((n + 1) * c).
    n, coverage, trials = 19, 0.8, 4000
    rng = np.random.default_rng(7)
    draws = rng.standard_t(df=3, size=(trials, n + 1))  # heavy tails: no Gaussian needed
    hits = 0
    for row in draws:
        lower, upper = intervals.conformal_interval(row[:n], [0.0], coverage=coverage)
        hits += bool(lower[0] <= row[n] <= upper[0])
    k = math.ceil((n + 1) * coverage)
    rate, exact = hits / trials, k / (n + 1)
    assert exact >= coverage
    assert abs(rate - exact) < 4 * math.sqrt(exact * (1 - exact) / trials)


@pytest.mark.parametrize("coverage", [0.6, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_conformal_refusal_names_the_fewest_residuals_that_work(coverage):
    with pytest.raises(ValueError, match=r"needs at least \d+ calibration residuals") as caught:
        intervals.conformal_interval(np.ones(1), [0.0], coverage=coverage)
    needed = int(re.search(r"needs at least (\d+)", str(caught.value)).group(1))
    assert needed == math.ceil(round(coverage / (1 - coverage), 9))  # (n + 1) c <= n
    intervals.conformal_interval(np.ones(needed), [0.0], coverage=coverage)  # enough
    with pytest.raises(ValueError, match=f"got n={needed - 1}"):
        intervals.conformal_interval(np.ones(needed - 1), [0.0], coverage=coverage)


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 30), elements=finite),
    st.floats(0.0, 10.0),
    levels,
)
def test_score_is_at_least_the_width_and_equals_it_when_all_inside(y, half, coverage):
    lower, upper = y - half, y + half
    score = intervals.interval_score(y, lower, upper, coverage=coverage)
    assert score == pytest.approx(2 * half, abs=1e-9)
    shifted = intervals.interval_score(
        y, lower + 2 * half + 1, upper + 2 * half + 1, coverage=coverage
    )
    assert shifted > 2 * half
    assert 0.0 <= intervals.interval_coverage(y, lower, upper) <= 1.0


def test_inputs_are_not_modified():
    y, lo, hi = np.array([1.0, 2.0]), np.array([0.0, 3.0]), np.array([2.0, 4.0])
    r = np.array([-1.0, 2.0, -3.0])
    copies = [a.copy() for a in (y, lo, hi, r)]
    intervals.pinball_loss(y, lo, quantile=0.3)
    intervals.interval_coverage(y, lo, hi)
    intervals.interval_score(y, lo, hi, coverage=0.5)
    intervals.conformal_interval(r, y, coverage=0.5)
    for original, copy in zip((y, lo, hi, r), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_module_does_not_import_tensorflow():
    code = "import sys, helpers.intervals; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("bad", [0, 1, 0.0, 1.0, -0.1, 1.5, 80, float("nan")])
def test_level_outside_zero_one_is_refused(bad):
    words = re.escape(f"must be a number in (0, 1), got {bad}")
    with pytest.raises(ValueError, match=f"^quantile {words}$"):
        intervals.pinball_loss([1.0], [1.0], quantile=bad)
    with pytest.raises(ValueError, match=f"^coverage {words}$"):
        intervals.interval_score([1.0], [0.0], [2.0], coverage=bad)
    with pytest.raises(ValueError, match=f"^coverage {words}$"):
        intervals.conformal_interval([1.0, 2.0], [0.0], coverage=bad)


@pytest.mark.parametrize("bad", ["0.8", True, None, [0.8]])
def test_level_that_is_not_a_number_is_refused(bad):
    words = re.escape(f"must be a number in (0, 1), got {type(bad).__name__} {bad!r}")
    with pytest.raises(TypeError, match=f"^quantile {words}$"):
        intervals.pinball_loss([1.0], [1.0], quantile=bad)
    with pytest.raises(TypeError, match=f"^coverage {words}$"):
        intervals.conformal_interval([1.0, 2.0], [0.0], coverage=bad)


def test_shapes_that_differ_are_refused():
    with pytest.raises(
        ValueError, match=r"^y_true and y_pred must have the same shape, got \(3,\) and \(2,\)$"
    ):
        intervals.pinball_loss([1.0, 2.0, 3.0], [1.0, 2.0], quantile=0.5)
    with pytest.raises(
        ValueError, match=r"^y_true and upper must have the same shape, got \(2,\) and \(1, 2\)$"
    ):
        intervals.interval_coverage([1.0, 2.0], [0.0, 1.0], [[2.0, 3.0]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(
        ValueError,
        match=r"^lower must contain only finite values, got 1 NaN or inf \(the first at index 1\)$",
    ):
        intervals.interval_score([1.0, 2.0], [0.0, bad], [2.0, 3.0], coverage=0.8)
    with pytest.raises(ValueError, match="calibration_residuals must contain only finite values"):
        intervals.conformal_interval([1.0, bad, 2.0], [0.0], coverage=0.5)


def test_empty_non_numeric_and_ragged_arrays_are_refused():
    with pytest.raises(
        ValueError, match=r"^y_true must hold at least one value, got shape \(0,\)$"
    ):
        intervals.interval_coverage([], [], [])
    with pytest.raises(TypeError, match="^y_pred must hold real numbers, got dtype <U1$"):
        intervals.pinball_loss([1.0], ["a"], quantile=0.5)
    with pytest.raises(TypeError, match="^lower must hold real numbers, got dtype bool$"):
        intervals.interval_coverage([1.0], [True], [2.0])
    with pytest.raises(ValueError, match="^calibration_residuals must be a rectangular array"):
        intervals.conformal_interval([[1.0, 2.0], [3.0]], [0.0], coverage=0.5)


def test_crossing_interval_is_refused_with_where_and_what_to_do():
    with pytest.raises(
        ValueError, match=r"lower > upper at 1 point\(s\), the first at index \(1,\)"
    ):
        intervals.interval_coverage([1.0, 2.0, 3.0], [0.0, 2.5, 2.0], [2.0, 2.4, 4.0])
    with pytest.raises(ValueError, match="sort crossing quantiles"):
        intervals.interval_score([1.0], [2.0], [1.0], coverage=0.8)


def test_conformal_shapes_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="must be 1-D"):
        intervals.conformal_interval(np.ones((4, 2, 2)), [0.0], coverage=0.5)
    with pytest.raises(ValueError, match="y_pred's last axis must have 3 entries"):
        intervals.conformal_interval(np.ones((10, 3)), np.zeros((5, 2)), coverage=0.5)
