"""Checks for lesson 07's exercises (forecast intervals: scores, coverage bands, conformal)."""

from __future__ import annotations

import math

import numpy as np

from helpers.exercises._core import (
    Hint,
    array,
    close,
    exercise,
    number,
    same_verdict,
)

COLUMNS_1 = ("width", "penalty", "interval score")
COLUMNS_3 = ("mean coverage", "lowest", "highest", "sd", "beta sd")
BLOCK_LENGTHS = (1, 7, 14, 28)  # exercise 2's block lengths L
SIZES = (20, 50, 200)  # exercise 3's calibration sizes n


def _table(a, name, rows, columns, what_rows):
    """``a.<name>`` as a DataFrame with exactly these rows (any order) and these columns."""
    import pandas as pd

    table = getattr(a, name)
    if not isinstance(table, pd.DataFrame):
        raise Hint(f"`{name}` should be a pandas DataFrame, one row per {what_rows}")
    if sorted(map(str, table.columns)) == sorted(map(str, rows)):
        raise Hint(f"`{name}` should have one row per {what_rows}, not one column: transpose it")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise Hint(f"`{name}` has no column {', '.join(map(repr, missing))}")
    index = list(table.index)
    if sorted(map(str, index)) != sorted(map(str, rows)) or len(set(index)) != len(index):
        raise Hint(f"`{name}` should have one row per {what_rows} ({list(rows)}), no other rows")
    by_name = {str(label): label for label in index}
    return table.loc[[by_name[str(r)] for r in rows], list(columns)].astype(float)


@exercise(
    "07.1",
    results={
        "ex1_parts": "a DataFrame, one row per method of ar_methods(0.8), columns `width`, "
        "`penalty` and `interval score`",
    },
    needs=("ar_methods", "y_ar"),
)
def _score_parts(a):
    y = np.asarray(a.y_ar, dtype=float)[:, 0]  # (n_test,) one step ahead
    methods = a.ar_methods(0.8)
    table = _table(a, "ex1_parts", list(methods), COLUMNS_1, "80 % interval of section 7")
    for name, (lower, upper, _) in methods.items():
        lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        outside = np.clip(lower - y, 0, None) + np.clip(y - upper, 0, None)  # (n_test,)
        width, penalty = np.mean(upper - lower), np.mean(2 / 0.2 * outside)
        row = table.loc[name]
        if not close(row["width"], width):
            yield (
                f"`ex1_parts`' width of {name!r} is not its mean width: the mean of upper - "
                "lower over the test windows, one step ahead"
            )
        if not close(row["penalty"], penalty):
            yield (
                f"`ex1_parts`' penalty of {name!r} is not its mean penalty: 2 / alpha (alpha = "
                "0.2) times the distance outside the interval (0 inside), averaged over every "
                "test window"
            )
        if not close(row["interval score"], width + penalty):
            yield (
                f"`ex1_parts`' interval score of {name!r} is not its mean interval score "
                "(intervals.interval_score at coverage 0.8, the width plus the penalty)"
            )


def _block_bootstrap_se(hits, length):
    """The exact standard deviation of the moving-block bootstrap's mean of ``hits``.

    ceil(n / L) blocks of L days, each starting anywhere in 0 .. n - L, joined and cut
    to n days: every full block's sum and the last, cut block's sum are independent.
    """
    n = hits.size
    starts = n - length + 1
    sums = np.convolve(hits, np.ones(length), mode="valid")  # (starts,) a block's sum
    n_blocks = math.ceil(n / length)
    rest = n - (n_blocks - 1) * length  # days kept of the last block, 1 .. L
    cut = np.convolve(hits, np.ones(rest), mode="valid")[:starts]  # its first `rest` days
    return math.sqrt(((n_blocks - 1) * np.var(sums) + np.var(cut)) / n**2)


@exercise(
    "07.2",
    results={
        "ex2_bootstrap_se": "a Series indexed by L: the moving-block bootstrap's standard error "
        "of the fixed conformal 80 % interval's coverage on the test days",
        "ex2_ess_se": "that coverage's standard error from the effective sample size of the hits",
    },
    needs=("y_real", "point_real", "r_cal_real"),
)
def _block_bootstrap(a):
    import pandas as pd

    from helpers.interval_verdicts import effective_sample_size

    y, point = np.asarray(a.y_real, dtype=float)[:, 0], np.asarray(a.point_real, dtype=float)
    residuals = np.sort(np.abs(np.asarray(a.r_cal_real, dtype=float)[:, 0]))
    q = residuals[math.ceil((residuals.size + 1) * 0.8) - 1]  # the conformal 80 % half-width
    hits = ((point[:, 0] - q <= y) & (y <= point[:, 0] + q)).astype(float)  # (n_test,)
    n, c = hits.size, hits.mean()
    ess_se = math.sqrt(c * (1 - c) / effective_sample_size(hits))
    if not close(number(a, "ex2_ess_se"), ess_se):
        yield (
            "`ex2_ess_se` is not the effective-sample-size standard error: sqrt(c (1 - c) / "
            "n_eff) at the observed coverage c of the fixed conformal 80 % interval, with n_eff "
            "from interval_verdicts.effective_sample_size of its hits on the test days"
        )
    series = a.ex2_bootstrap_se
    lengths = [L for L in BLOCK_LENGTHS if L <= n // 2]
    if not isinstance(series, pd.Series):
        raise Hint("`ex2_bootstrap_se` should be a pandas Series indexed by the block length L")
    try:
        index = [int(L) for L in series.index]
    except (TypeError, ValueError):
        raise Hint("`ex2_bootstrap_se` should be indexed by the block lengths L, numbers") from None
    if sorted(index) != lengths:
        raise Hint(f"`ex2_bootstrap_se` should be indexed by L = {lengths}, one entry each")
    values = dict(zip(index, np.asarray(series, dtype=float), strict=True))
    for length in lengths:
        # 2,000 resamples estimate it to about 2 %; circular blocks differ a little at the ends
        if not close(values[length], _block_bootstrap_se(hits, length), rtol=0.12):
            yield (
                f"`ex2_bootstrap_se` at L = {length} is not the moving-block bootstrap's "
                f"standard error: resample the fixed conformal interval's test-day hits "
                "(0 or 1) in blocks of L consecutive days at random starts, join ceil(n / L) "
                "blocks, cut to n days, take the mean; the standard deviation of 2,000 such "
                "means"
            )


def _coverage_law(pool, errors, size, k, replace):
    """Mean and sd of the test coverage of point +- the k-th smallest of ``size`` drawn |r|."""
    from scipy import stats

    pool = np.sort(pool)  # (N,)
    big = pool.size
    covers = np.searchsorted(np.sort(errors), pool, side="right") / errors.size  # (N,)
    j = np.arange(1, big + 1)
    if replace:  # P(k-th smallest <= pool_j) = P(at least k draws among the j smallest)
        below = stats.binom.sf(k - 1, size, j / big)
        weights = np.diff(np.concatenate([[0.0], below]))
    else:  # P(k-th smallest = pool_j): k - 1 drawn below j, j drawn, size - k above
        log_w = _log_choose(j - 1, k - 1) + _log_choose(big - j, size - k) - _log_choose(big, size)
        weights = np.exp(log_w)
    mean = np.sum(weights * covers)
    return mean, math.sqrt(max(np.sum(weights * (covers - mean) ** 2), 0.0))


def _extremes_fit(pool, errors, size, k, replace, lowest, highest, draws=300) -> bool:
    """True if ``lowest`` and ``highest`` can be the min and the max of ``draws`` coverages.

    The coverage of one calibration set takes the values ``covers`` with the probabilities
    ``weights`` (its exact law, as :func:`_coverage_law`), so the smallest of ``draws``
    independent ones is below t with probability 1 - (1 - P(cover <= t)) ** draws, and the
    largest above t with probability 1 - P(cover < t) ** draws. Each must be at least 1e-6 on
    both sides: a quantile (5 %, 95 %) or the mean plus or minus an sd fails, the true min and
    max of any draw pass but about once in 10^5.
    """
    from scipy import stats

    pool = np.sort(pool)
    big = pool.size
    covers = np.searchsorted(np.sort(errors), pool, side="right") / errors.size  # (N,)
    j = np.arange(1, big + 1)
    if replace:
        weights = np.diff(np.concatenate([[0.0], stats.binom.sf(k - 1, size, j / big)]))
    else:
        log_w = _log_choose(j - 1, k - 1) + _log_choose(big - j, size - k) - _log_choose(big, size)
        weights = np.exp(log_w)
    weights = np.clip(weights, 0.0, None) / np.sum(weights)
    slack = 0.5 / errors.size  # coverages are multiples of 1 / n_test: half a step either way

    def below(t):  # P(cover < t), P(cover <= t)
        return (
            min(float(np.sum(weights[covers < t - slack])), 1.0),
            min(float(np.sum(weights[covers <= t + slack])), 1.0),
        )

    def at_least(p):  # P(at least one of `draws` independent events of probability p)
        return -math.expm1(draws * math.log1p(-p)) if p < 1 else 1.0

    tiny = 1e-6
    strictly, at_most = below(lowest)
    low_fits = at_least(at_most) >= tiny and (1 - strictly) ** draws >= tiny
    strictly, at_most = below(highest)
    high_fits = at_least(1 - strictly) >= tiny and at_most**draws >= tiny
    return low_fits and high_fits


def _log_choose(n, k):
    from scipy.special import gammaln

    n, k = np.asarray(n, dtype=float), np.asarray(k, dtype=float)
    valid = (k >= 0) & (k <= n)
    safe_n, safe_k = np.where(valid, n, 1.0), np.where(valid, k, 0.0)
    out = gammaln(safe_n + 1) - gammaln(safe_k + 1) - gammaln(safe_n - safe_k + 1)
    return np.where(valid, out, -np.inf)


@exercise(
    "07.3",
    results={
        "ex3_spreads": "a DataFrame indexed by n (20, 50, 200), columns `mean coverage`, "
        "`lowest`, `highest`, `sd` and `beta sd`",
    },
    needs=("r_cal", "point_ar", "y_ar"),
)
def _calibration_size(a):
    table = _table(a, "ex3_spreads", SIZES, COLUMNS_3, "calibration size n")
    pool = np.abs(np.asarray(a.r_cal, dtype=float)[:, 0])  # (n_cal,)
    errors = np.abs(np.asarray(a.y_ar, dtype=float)[:, 0] - np.asarray(a.point_ar)[:, 0])
    for size in SIZES:
        row = table.loc[size]
        k = math.ceil((size + 1) * 0.8)
        if not close(
            row["beta sd"], math.sqrt(k * (size + 1 - k) / ((size + 1) ** 2 * (size + 2)))
        ):
            yield (
                f"`ex3_spreads`' beta sd at n = {size} is not the beta formula's: use "
                "k = ceil((n + 1) * 0.8)"
            )
        laws = [_coverage_law(pool, errors, size, k, replace) for replace in (False, True)]
        slack = [5 * sd / math.sqrt(300) + 1e-3 for _, sd in laws]
        if not any(
            abs(row["mean coverage"] - m) <= s for (m, _), s in zip(laws, slack, strict=True)
        ):
            yield (
                f"`ex3_spreads`' mean coverage at n = {size} is not what 300 calibration sets "
                "of n residuals drawn from `r_cal[:, 0]` give: build each 80 % conformal "
                "interval around `point_ar[:, 0]` and score its coverage of `y_ar[:, 0]`"
            )
        if not any(0.8 <= row["sd"] / sd <= 1.25 for _, sd in laws if sd > 0):
            yield (
                f"`ex3_spreads`' sd at n = {size} is not the spread of the 300 coverages "
                "(their standard deviation)"
            )
        if not any(
            _extremes_fit(pool, errors, size, k, replace, row["lowest"], row["highest"])
            for replace in (False, True)
        ):
            yield (
                f"`ex3_spreads`' lowest and highest at n = {size} should be the smallest and "
                "the largest of the 300 coverages"
            )


@exercise(
    "07.4",
    results={
        "ex4_lower": "the lower bounds of your 80 % interval on the real series' test days",
        "ex4_upper": "its upper bounds",
        "ex4_check": "interval_verdicts.coverage_check of your interval",
        "ex4_verdict": "interval_verdicts.compare_blocks of its interval scores against the "
        "quantile head's",
    },
    needs=("y_real", "q_real", "block"),
    points=2,
)
def _better_interval(a):
    from helpers.comparison import ForecastComparison
    from helpers.interval_verdicts import CoverageCheck, compare_blocks
    from helpers.intervals import interval_scores

    y = np.asarray(a.y_real, dtype=float)[:, 0]  # (n_test,)
    lower, upper = array(a, "ex4_lower", shape=y.shape), array(a, "ex4_upper", shape=y.shape)
    if np.any(lower > upper):
        raise Hint("`ex4_lower` lies above `ex4_upper` on some days: sort the bounds")
    head = np.asarray(a.q_real, dtype=float)
    head_lower, head_upper = head[:, 0], head[:, -1]
    if close(lower, head_lower) and close(upper, head_upper):
        raise Hint(
            "`ex4_lower` and `ex4_upper` are the quantile head's own: build another interval"
        )
    check = a.ex4_check
    if not isinstance(check, CoverageCheck):
        raise Hint(
            "`ex4_check` should be what interval_verdicts.coverage_check returns, got "
            f"{type(check).__name__}"
        )
    coverage = np.mean((lower <= y) & (y <= upper))
    if check.n != y.size or not close(check.coverage, coverage) or not close(check.nominal, 0.8):
        yield (
            "`ex4_check` is not the coverage check of `ex4_lower`, `ex4_upper` on the test days "
            "(`y_real[:, 0]`) at coverage=0.8"
        )
    verdict = a.ex4_verdict
    if not isinstance(verdict, ForecastComparison):
        raise Hint(
            "`ex4_verdict` should be what interval_verdicts.compare_blocks returns, got "
            f"{type(verdict).__name__}"
        )
    again = compare_blocks(
        interval_scores(y, lower, upper, coverage=0.8),
        interval_scores(y, head_lower, head_upper, coverage=0.8),
        block=int(a.block),
        alpha=verdict.alpha,
    )
    if not same_verdict(verdict, again):
        yield (
            "`ex4_verdict` is not the paired rule on the interval scores of your interval and "
            "the quantile head's: pass both intervals' intervals.interval_scores (coverage=0.8) "
            "on `y_real[:, 0]` to interval_verdicts.compare_blocks with block=block"
        )
