"""helpers.comparison: the paired rule every verdict of the course uses, and the DM test.

compare_forecasts is held to scipy's paired t-test at h = 1 (statistic, p-value and
interval), to its promised false-winner rate on equally good forecasts (also with
overlapping h-step errors), to its three outputs agreeing, and to finding a difference
that the unpaired reading of two means and their spreads misses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers import comparison, metrics

# ------------------------------------------------------------ compare_forecasts


def test_metrics_re_exports_the_rule():
    assert metrics.compare_forecasts is comparison.compare_forecasts
    assert metrics.compare_scores is comparison.compare_scores
    assert metrics.diebold_mariano_test is comparison.diebold_mariano_test


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(5, 80),
    loss=st.sampled_from(["squared", "absolute"]),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
)
def test_at_h1_it_is_scipys_paired_t_test_with_its_interval(seed, n, loss, alpha):
    rng = np.random.default_rng(seed)
    y, a, b = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n) * 1.2
    result = comparison.compare_forecasts(y, a, b, loss=loss, alpha=alpha)
    f = np.square if loss == "squared" else np.abs
    paired = stats.ttest_rel(f(y - a), f(y - b))
    interval = paired.confidence_interval(confidence_level=1 - alpha)
    assert result.p_value == pytest.approx(paired.pvalue, rel=1e-9)
    assert result.mean_loss_difference == pytest.approx(np.mean(f(y - a) - f(y - b)))
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    assert (result.n, result.h, result.loss, result.alpha) == (n, 1, loss, alpha)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(8, 60),
    h=st.integers(1, 6),
    shift=st.floats(-1.0, 1.0),
)
def test_its_three_outputs_always_agree(seed, n, h, shift):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    a, b = y + rng.normal(size=n), y + rng.normal(size=n) + shift
    result = comparison.compare_forecasts(y, a, b, h=h, names=("a", "b"))
    excludes_zero = result.ci_low > 0 or result.ci_high < 0
    assert (result.winner is not None) == (result.p_value < result.alpha) == excludes_zero
    if result.winner is not None:  # the winner has the smaller mean loss
        assert result.winner == ("a" if result.mean_loss_difference < 0 else "b")
    assert result.ci_low <= result.mean_loss_difference <= result.ci_high


def test_a_negative_rectangular_variance_falls_back_to_newey_west_and_says_so():
    # The DM test refuses these numbers (its rectangular long-run variance is -0.375, see
    # below); the comparison uses the Bartlett-weighted sum over the same lags instead:
    # gamma_0 + 2 (2/3 gamma_1 + 1/3 gamma_2) = 1.25 + 2 (-0.125 - 0.2083) = 0.5833.
    result = comparison.compare_forecasts(DM_Y, DM_A, DM_B, h=3, loss="absolute")
    assert result.long_run_variance == "Newey-West"
    correction = (4 + 1 - 6 + 3 * 2 / 4) / 4
    standard_error = math.sqrt((1.25 + 2 * (-0.1875 * 2 / 3 - 0.625 / 3)) / 4 / correction)
    assert result.p_value == pytest.approx(2 * stats.t.sf(1.5 / standard_error, df=3))
    assert "Newey-West variance" in str(result)
    plain = comparison.compare_forecasts(DM_Y, DM_A, DM_B, h=2, loss="absolute")
    assert plain.long_run_variance == "rectangular" and "Newey-West" not in str(plain)


def _equally_good_errors(rng, n, h):
    """Errors of two equally good h-step forecasts: MA(h - 1), as overlapping errors are."""
    shocks = rng.normal(size=(3, n + h - 1))

    def overlap(x):
        return np.convolve(x, np.ones(h), "valid") / np.sqrt(h)

    common = 0.5 * overlap(shocks[0])  # both forecasts miss the same surprises in part
    return common + overlap(shocks[1]), common + overlap(shocks[2])


@pytest.mark.parametrize("h", [1, 4])
def test_it_names_a_false_winner_about_alpha_of_the_time(h):
    # 1,000 comparisons of equally good forecasts, 300 points each: the share with a
    # winner is the rule's false-positive rate, promised to be about alpha (0.05).
    rng = np.random.default_rng(h)
    y = np.zeros(300)
    winners = 0
    for _ in range(1000):
        error_a, error_b = _equally_good_errors(rng, 300, h)
        winners += comparison.compare_forecasts(y, -error_a, -error_b, h=h).winner is not None
    assert abs(winners / 1000 - 0.05) < 0.025, winners / 1000


def test_it_finds_what_two_means_and_their_spreads_miss():
    # Five origins whose scores share a large common part (some years are harder): A is
    # better than B at every origin by a little. Read unpaired, the gap between the means
    # is far inside either spread ("a tie"); paired, A clearly wins.
    rng = np.random.default_rng(0)
    hardness = np.array([1.0, 3.0, 0.5, 2.0, 4.0])
    y = np.zeros(500)
    error_b = np.repeat(hardness, 100) * rng.normal(size=500)
    error_a = 0.9 * error_b  # 10 % smaller at every point
    score_a = np.sqrt(np.square(error_a).reshape(5, 100).mean(axis=1))
    score_b = np.sqrt(np.square(error_b).reshape(5, 100).mean(axis=1))
    assert abs(score_a.mean() - score_b.mean()) < min(score_a.std(), score_b.std())  # "a tie"
    result = comparison.compare_forecasts(y, -error_a, -error_b, names=("A", "B"))
    assert result.winner == "A" and result.p_value < 1e-6
    assert comparison.compare_scores(score_a, score_b).winner == "A"  # per origin, paired


def test_verdict_and_one_line_summary():
    y = np.zeros(6)
    a = np.array([0.1, -0.1, 0.2, -0.1, 0.1, -0.2])
    result = comparison.compare_forecasts(y, a, 5 * a, names=("LSTM", "ridge"))
    assert result.verdict == "LSTM beats ridge"
    assert str(result).startswith("LSTM beats ridge: mean squared error difference (LSTM - ")
    assert "95 % interval" in str(result) and "n = 6" in str(result)
    swapped = comparison.compare_forecasts(y, 5 * a, a, names=("LSTM", "ridge"))
    assert swapped.verdict == "ridge beats LSTM"
    tie = comparison.compare_forecasts(y, a, a[::-1], loss="absolute")
    assert tie.winner is None and tie.verdict == "no evidence of a difference between A and B"


def test_equal_losses_everywhere_are_no_difference_and_a_constant_gap_is_certain():
    y = np.zeros(5)
    a = np.array([0.5, -0.5, 0.5, -0.5, 0.5])
    same = comparison.compare_forecasts(y, a, -a, loss="absolute")  # identical losses
    assert same.winner is None and same.p_value == 1.0 and same.ci_low == same.ci_high == 0.0
    gap = comparison.compare_forecasts(y, a, 2 * a, loss="absolute")  # B worse by 0.5 each
    assert gap.winner == "A" and gap.p_value == 0.0 and gap.ci_low == gap.ci_high == -0.5


def test_compare_scores_is_the_paired_t_test_over_units():
    rng = np.random.default_rng(3)
    a, b = rng.gamma(2.0, size=40), rng.gamma(2.0, size=40) + 0.3
    result = comparison.compare_scores(a, b, alpha=0.1, names=("global", "local"))
    paired = stats.ttest_rel(a, b)
    assert result.p_value == pytest.approx(paired.pvalue, rel=1e-9)
    interval = paired.confidence_interval(confidence_level=0.9)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    assert result.loss == "score" and "mean score difference" in str(result)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"y_pred_b": np.zeros(4)}, ValueError, "y_true and y_pred_b must have the same shape"),
        ({"y_pred_a": [0.0, np.nan, 0.0, 0.0, 0.0]}, ValueError, "NaN"),
        ({"y_true": np.zeros((5, 2)), "y_pred_a": np.zeros((5, 2)), "y_pred_b": np.ones((5, 2))},
         ValueError, "compare one lead at a time"),
        ({"h": 0}, ValueError, "h must be a positive integer, got 0"),
        ({"h": 1.5}, TypeError, "h must be a positive integer"),
        ({"loss": "huber"}, ValueError, "loss must be one of ('squared', 'absolute')"),
        ({"alpha": 0.0}, ValueError, "alpha must be"),
        ({"alpha": 1.5}, ValueError, "alpha must be"),
        ({"alpha": "5%"}, TypeError, "alpha must be"),
        ({"names": ("A",)}, TypeError, "names must be a pair of strings"),
        ({"names": ("A", "A")}, ValueError, "names must differ"),
        ({"y_true": np.zeros(2), "y_pred_a": np.zeros(2), "y_pred_b": np.ones(2)},
         ValueError, "at least 3 points, got 2"),
    ],
)  # fmt: skip
def test_compare_forecasts_refuses_bad_input(kwargs, error, words):
    arguments = {"y_true": np.zeros(5), "y_pred_a": np.arange(5.0), "y_pred_b": np.ones(5)}
    arguments.update(kwargs)
    with pytest.raises(error) as info:
        comparison.compare_forecasts(
            arguments.pop("y_true"), arguments.pop("y_pred_a"), arguments.pop("y_pred_b"),
            **arguments,
        )  # fmt: skip
    assert words in str(info.value)


def test_compare_scores_refuses_bad_input():
    with pytest.raises(ValueError, match="scores_a and scores_b must have the same shape"):
        comparison.compare_scores([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 3 units, got 2"):
        comparison.compare_scores([1.0, 2.0], [1.0, 3.0])
    with pytest.raises(ValueError, match="scores_a and scores_b must be 1-D"):
        comparison.compare_scores(np.ones((3, 2)), np.zeros((3, 2)))


# ------------------------------------------------------------ Diebold-Mariano

# Absolute loss with y = 0 makes the loss of a forecast its absolute value:
# A = (3, 1, 2, 4), B = (1, 1, 1, 1)  ->  d = (2, 0, 1, 3), n = 4, d_bar = 1.5,
# d - d_bar = (0.5, -1.5, -0.5, 1.5), gamma_0 = (0.25 + 2.25 + 0.25 + 2.25) / 4 = 1.25,
# gamma_1 = (-1.5*0.5 + -0.5*-1.5 + 1.5*-0.5) / 4 = -0.1875.
DM_Y, DM_A, DM_B = np.zeros(4), np.array([3.0, 1.0, 2.0, 4.0]), np.ones(4)


def test_diebold_mariano_known_answer_h1():
    result = comparison.diebold_mariano_test(DM_Y, DM_A, DM_B, loss="absolute")
    dm = 1.5 / math.sqrt(1.25 / 4)
    hln = dm * math.sqrt((4 + 1 - 2 * 1 + 0) / 4)
    assert result.mean_loss_difference == pytest.approx(1.5)
    assert result.statistic == pytest.approx(hln)
    assert result.pvalue == pytest.approx(2 * stats.t.sf(hln, df=3))
    assert (result.n, result.h) == (4, 1)


def test_diebold_mariano_known_answer_h2():
    result = comparison.diebold_mariano_test(DM_Y, DM_A, DM_B, h=2, loss="absolute")
    variance = 1.25 + 2 * (-0.1875)  # 0.875
    dm = 1.5 / math.sqrt(variance / 4)
    hln = dm * math.sqrt((4 + 1 - 2 * 2 + 2 * 1 / 4) / 4)
    assert result.statistic == pytest.approx(hln)
    assert result.pvalue == pytest.approx(2 * stats.t.sf(hln, df=3))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000), n=st.integers(5, 60), loss=st.sampled_from(["squared", "absolute"])
)
def test_diebold_mariano_equals_paired_t_test_at_h1(seed, n, loss):
    rng = np.random.default_rng(seed)
    y, a, b = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    result = comparison.diebold_mariano_test(y, a, b, loss=loss)
    f = np.square if loss == "squared" else np.abs
    paired = stats.ttest_rel(f(y - a), f(y - b))
    assert result.statistic == pytest.approx(paired.statistic, rel=1e-9)
    assert result.pvalue == pytest.approx(paired.pvalue, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), h=st.integers(1, 4))
def test_diebold_mariano_is_antisymmetric(seed, h):
    rng = np.random.default_rng(seed)
    y, a, b = rng.normal(size=40), rng.normal(size=40), rng.normal(size=40)
    try:
        ab = comparison.diebold_mariano_test(y, a, b, h=h)
    except ValueError as error:
        # With h > 1 the long-run variance estimate can be negative; swapping A and B
        # leaves it unchanged, so the swapped test must refuse too.
        assert "not positive" in str(error)
        with pytest.raises(ValueError, match="not positive"):
            comparison.diebold_mariano_test(y, b, a, h=h)
        return
    ba = comparison.diebold_mariano_test(y, b, a, h=h)
    assert ba.statistic == pytest.approx(-ab.statistic)
    assert ba.pvalue == pytest.approx(ab.pvalue)
    less = comparison.diebold_mariano_test(y, a, b, h=h, alternative="less")
    greater = comparison.diebold_mariano_test(y, a, b, h=h, alternative="greater")
    assert less.pvalue + greater.pvalue == pytest.approx(1.0)
    assert min(less.pvalue, greater.pvalue) == pytest.approx(ab.pvalue / 2)


def test_diebold_mariano_detects_a_clearly_better_forecast():
    rng = np.random.default_rng(11)
    y = rng.normal(size=200)
    good, bad = y + 0.1 * rng.normal(size=200), y + 1.0 * rng.normal(size=200)
    result = comparison.diebold_mariano_test(y, good, bad, alternative="less")
    assert result.statistic < 0 and result.pvalue < 1e-6


def test_diebold_mariano_rejects_bad_input():
    y = np.zeros(4)
    with pytest.raises(ValueError, match=r"zero variance.*identical"):
        comparison.diebold_mariano_test(y, DM_A, DM_A.copy())
    with pytest.raises(ValueError, match=r"h=4 is too large for n=4"):
        comparison.diebold_mariano_test(y, DM_A, DM_B, h=4)  # (4 + 1 - 8 + 3) / 4 = 0
    # gamma_2 = (-0.5*0.5 + 1.5*-1.5) / 4 = -0.625, so V = 1.25 + 2(-0.1875 - 0.625) = -0.375
    with pytest.raises(ValueError, match=r"long-run variance estimate is not positive \(-0.375\)"):
        comparison.diebold_mariano_test(y, DM_A, DM_B, h=3, loss="absolute")
    with pytest.raises(ValueError, match=r"loss must be one of"):
        comparison.diebold_mariano_test(y, DM_A, DM_B, loss="huber")
    with pytest.raises(ValueError, match=r"alternative must be"):
        comparison.diebold_mariano_test(y, DM_A, DM_B, alternative="smaller")
    with pytest.raises(ValueError, match=r"y_true and y_pred_b must have the same shape"):
        comparison.diebold_mariano_test(y, DM_A, DM_B[:3])
    with pytest.raises(ValueError, match=r"at least 3 points, got 2"):
        comparison.diebold_mariano_test(y[:2], DM_A[:2], DM_B[:2])
    with pytest.raises(TypeError, match=r"h must be a positive integer"):
        comparison.diebold_mariano_test(y, DM_A, DM_B, h=1.5)
