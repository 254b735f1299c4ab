"""Tests for helpers.interval_verdicts: effective sample size, coverage band, block verdicts.

The claims a lesson rests on are tested by simulation: the band calls a correct
interval below or above nominal about alpha of the time also when its misses
cluster (where the binomial band fails), and the block rule names a false winner
about alpha of the time on autocorrelated losses (where days as units fail).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.signal import lfilter

from helpers import interval_verdicts as iv
from helpers import metrics


def _markov_hits(n, coverage, persistence, rng):
    """Two-state Markov hits: mean ``coverage``, lag-1 correlation ``persistence``."""
    hit_after_hit = coverage + persistence * (1 - coverage)
    hit_after_miss = coverage * (1 - persistence)
    hits = np.empty(n, dtype=bool)
    hits[0] = rng.random() < coverage
    u = rng.random(n)
    for t in range(1, n):
        hits[t] = u[t] < (hit_after_hit if hits[t - 1] else hit_after_miss)
    return hits


def _as_interval(hits):
    """y, lower, upper whose hits are ``hits``: y = 0 inside [-1, 1], y = 2 outside."""
    n = hits.size
    return np.where(hits, 0.0, 2.0), -np.ones(n), np.ones(n)


def _ar1(n, phi, rng):
    return lfilter([1.0], [1.0, -phi], rng.normal(size=n + 100))[100:]


# ------------------------------------------------------------------ effective sample size


def test_independent_hits_are_worth_about_n_points():
    rng = np.random.default_rng(0)
    shares = [iv.effective_sample_size(rng.random(600) < 0.8) / 600 for _ in range(200)]
    assert 0.85 < np.mean(shares) <= 1.0  # Geyer's sum errs on the safe side, a little


@pytest.mark.parametrize("persistence", [0.3, 0.5])
def test_clustered_hits_are_worth_what_the_markov_chain_says(persistence):
    rng = np.random.default_rng(1)
    shares = [
        iv.effective_sample_size(_markov_hits(2000, 0.8, persistence, rng)) / 2000
        for _ in range(100)
    ]
    theory = (1 - persistence) / (1 + persistence)  # n_eff / n of a two-state chain
    assert np.mean(shares) == pytest.approx(theory, rel=0.1)


def test_effective_sample_size_of_an_ar1_mean():
    rng = np.random.default_rng(2)
    phi = 0.6
    shares = [iv.effective_sample_size(_ar1(3000, phi, rng)) / 3000 for _ in range(50)]
    assert np.mean(shares) == pytest.approx((1 - phi) / (1 + phi), rel=0.1)


def test_effective_sample_size_edges():
    assert iv.effective_sample_size(np.ones(50)) == 50.0  # constant: nothing to read
    alternating = np.tile([0.0, 1.0], 100)
    assert iv.effective_sample_size(alternating) == 200.0  # capped at n
    assert iv.effective_sample_size([True, False, True, True]) >= 1.0  # booleans are 0 / 1


@pytest.mark.parametrize(
    "bad, match",
    [(np.ones((5, 2)), "1-D"), (np.ones(2), "at least 3"), ([1.0, np.nan, 2.0], "finite")],
)
def test_effective_sample_size_refuses(bad, match):
    with pytest.raises(ValueError, match=match):
        iv.effective_sample_size(bad)


# ------------------------------------------------------------------ coverage band


def test_the_band_holds_its_level_when_misses_cluster_and_the_binomial_does_not():
    rng = np.random.default_rng(3)
    n, c = 287, 0.8
    ours, binomial = [], []
    for _ in range(800):
        hits = _markov_hits(n, c, 0.5, rng)
        ours.append(iv.coverage_check(*_as_interval(hits), coverage=c).verdict)
        binomial.append(abs(hits.mean() - c) <= 1.96 * np.sqrt(c * (1 - c) / n))
    consistent = np.mean([v == iv.CONSISTENT for v in ours])
    assert 0.91 < consistent < 0.98  # about 1 - alpha
    assert np.mean(binomial) < 0.8  # the binomial band calls a correct interval wrong too often


def test_a_correct_interval_with_independent_misses_is_called_wrong_about_alpha_of_the_time():
    rng = np.random.default_rng(4)
    verdicts = [
        iv.coverage_check(*_as_interval(rng.random(287) < 0.9), coverage=0.9).verdict
        for _ in range(800)
    ]
    assert 0.93 < np.mean([v == iv.CONSISTENT for v in verdicts]) < 0.99


@pytest.mark.parametrize("true, word", [(0.7, iv.BELOW), (0.9, iv.ABOVE)])
def test_a_70_or_90_percent_interval_is_not_an_80_percent_one(true, word):
    rng = np.random.default_rng(5)
    verdicts = [
        iv.coverage_check(*_as_interval(rng.random(287) < true), coverage=0.8).verdict
        for _ in range(300)
    ]
    assert np.mean([v == word for v in verdicts]) > 0.9


def test_the_band_is_built_as_documented():
    rng = np.random.default_rng(6)
    hits = _markov_hits(300, 0.8, 0.3, rng)
    calibration = _markov_hits(200, 0.8, 0.3, rng)
    plain = iv.coverage_check(*_as_interval(hits), coverage=0.8, alpha=0.1)
    both = iv.coverage_check(*_as_interval(hits), coverage=0.8, calibration_hits=calibration,
                             alpha=0.1)  # fmt: skip
    n_eff = iv.effective_sample_size(hits)
    assert plain.n_effective == n_eff and plain.n_calibration_effective is None
    assert plain.standard_error == pytest.approx(np.sqrt(0.16 / n_eff))
    n_cal = iv.effective_sample_size(calibration)
    assert both.standard_error == pytest.approx(np.sqrt(0.16 / n_eff + 0.16 / n_cal))
    z = stats.norm.ppf(0.95)
    assert (both.band_low, both.band_high) == pytest.approx(
        (0.8 - z * both.standard_error, 0.8 + z * both.standard_error)
    )
    assert both.coverage == plain.coverage == hits.mean()
    for check in (plain, both):
        inside = check.band_low <= check.coverage <= check.band_high
        assert (check.verdict == iv.CONSISTENT) == inside
        assert check.verdict in str(check)


def test_coverage_check_refuses():
    y = np.zeros(10)
    with pytest.raises(ValueError, match="lower must be <= upper"):
        iv.coverage_check(y, np.ones(10), -np.ones(10), coverage=0.8)
    with pytest.raises(ValueError, match="1-D"):
        iv.coverage_check(np.zeros((10, 2)), -np.ones((10, 2)), np.ones((10, 2)), coverage=0.8)
    with pytest.raises(ValueError, match="coverage"):
        iv.coverage_check(y, -np.ones(10), np.ones(10), coverage=80)
    with pytest.raises(ValueError, match="same shape"):
        iv.coverage_check(y, -np.ones(9), np.ones(10), coverage=0.8)


# ------------------------------------------------------------------ blocks


def test_block_means_leave_out_a_last_short_block():
    x = np.arange(23.0)
    assert np.allclose(iv.block_means(x, 7), [3.0, 10.0, 17.0])
    with pytest.raises(ValueError, match="at least 3 blocks"):
        iv.block_means(np.arange(20.0), 7)


def test_compare_blocks_is_compare_scores_over_block_means():
    rng = np.random.default_rng(7)
    a, b = rng.gamma(2.0, size=140), rng.gamma(2.0, size=140) + 0.2
    result = iv.compare_blocks(a, b, block=14, names=("head", "conformal"))
    expected = metrics.compare_scores(
        a.reshape(10, 14).mean(axis=1), b.reshape(10, 14).mean(axis=1), names=("head", "conformal")
    )
    assert result == expected and result.n == 10


def test_blocks_hold_the_level_where_days_as_units_do_not():
    rng = np.random.default_rng(8)
    blocks, days = [], []
    for _ in range(600):
        e = _ar1(287, 0.3, rng)  # equally good methods, differences correlated in time
        blocks.append(iv.compare_blocks(e, -e, block=14).winner is not None)
        days.append(metrics.compare_scores(e, -e).winner is not None)
    assert np.mean(blocks) < 0.085
    assert np.mean(days) > 0.12


def test_compare_blocks_finds_a_real_difference_and_refuses_bad_input():
    rng = np.random.default_rng(9)
    e = _ar1(287, 0.3, rng)
    assert iv.compare_blocks(e, e + 0.5 + 0.1 * rng.normal(size=287), block=7).winner == "A"
    with pytest.raises(ValueError, match="same shape"):
        iv.compare_blocks(e, e[:-1], block=7)
