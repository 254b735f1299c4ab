"""Percentile intervals: exact where the binomial says so, covering what they promise."""

import numpy as np
import pytest
from scipy import stats

from helpers.latency import percentiles, quantile_interval


def test_the_ranks_are_the_binomial_ones_and_cover_at_least_the_confidence():
    n, q, c = 200, 0.9, 0.95
    x = np.arange(1.0, n + 1)  # x_(k) = k, so the interval is its ranks
    low, high = quantile_interval(x[::-1], q, confidence=c)  # any order
    r, s = int(low), int(high)
    F = stats.binom(n, q).cdf  # of the number of values below the true quantile
    assert F(s - 1) - F(r - 1) >= c
    # equal tails, each as far in as it may go: r the largest, s the smallest such rank
    assert F(r - 1) <= (1 - c) / 2 < F(r)
    assert F(s - 2) < (1 + c) / 2 <= F(s - 1)


@pytest.mark.parametrize("q", [0.5, 0.99])
def test_coverage_by_simulation_on_skewed_latencies(q):
    rng = np.random.default_rng(0)
    truth = stats.lognorm(s=1.0).ppf(q)  # latencies are skewed: a log-normal
    hits = [
        low <= truth <= high
        for low, high in (quantile_interval(rng.lognormal(0, 1, 1000), q) for _ in range(400))
    ]
    assert 0.93 <= np.mean(hits) <= 1.0  # at least 95 % up to simulation noise (sd ~1.1 %)


def test_too_few_values_leave_an_end_unbounded():
    assert quantile_interval(np.arange(50.0), 0.99)[1] == np.inf
    assert quantile_interval(np.arange(50.0), 0.01)[0] == -np.inf
    low, high = quantile_interval(np.arange(1000.0), 0.99)
    assert np.isfinite(low) and np.isfinite(high)


@pytest.mark.parametrize(
    "values, kwargs, error",
    [
        ([], {}, ValueError),
        ([1.0, np.nan], {}, ValueError),
        (["a"], {}, TypeError),
        ([1.0, 2.0], {"confidence": 1.0}, ValueError),
    ],
)
def test_bad_arguments_are_refused(values, kwargs, error):
    with pytest.raises(error):
        quantile_interval(values, 0.5, **kwargs)
    with pytest.raises(ValueError, match="q"):
        quantile_interval([1.0, 2.0], 0.0)


def test_percentiles_tabulates_each_sample():
    rng = np.random.default_rng(1)
    samples = {"one": rng.exponential(5, 500), "batch": rng.exponential(9, 100)}
    table = percentiles(samples)
    assert list(table.index) == ["one", "batch"]
    assert table.loc["batch", "n"] == 100
    assert table.loc["one", "p99"] == pytest.approx(np.percentile(samples["one"], 99))
    assert (table.loc["one", "p50 low"], table.loc["one", "p50 high"]) == quantile_interval(
        samples["one"], 0.5
    )
    with pytest.raises(ValueError, match="non-empty"):
        percentiles({})
