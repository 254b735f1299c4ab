"""Checks for lesson 04's exercises (metrics, baselines and honest comparison)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    Hint,
    array,
    as_number,
    close,
    comparison,
    exercise,
    number,
)


@exercise(
    "04.1",
    results={
        "ex1_mase_1": "the seasonal naive forecast's MASE, scaled with m = 1",
        "ex1_mase_m": "the seasonal naive forecast's MASE, scaled with m = SEASONAL_PERIOD",
    },
    needs=("y_fit", "y_test", "m"),
)
def _mase_and_m(a):
    y_fit, y_test, m = np.asarray(a.y_fit, float), np.asarray(a.y_test, float), int(a.m)
    if m == 1:
        raise Hint("this exercise needs a seasonal period: set SEASONAL_PERIOD and rerun")
    # The seasonal naive forecast of section 4: the last season of y_fit, repeated.
    snaive = y_fit[len(y_fit) - m + np.arange(len(y_test)) % m]
    mae = np.mean(np.abs(y_test - snaive))

    def scale(lag):
        return np.mean(np.abs(y_fit[lag:] - y_fit[:-lag]))

    mase_1, mase_m = number(a, "ex1_mase_1"), number(a, "ex1_mase_m")
    if not close(mase_1, mae / scale(1)):
        yield (
            "`ex1_mase_1` is not the seasonal naive forecast's test MAE divided by the mean "
            "absolute month-to-month change of the training part (y_fit, not the test part)"
        )
    if not close(mase_m, mae / scale(m)):
        yield (
            "`ex1_mase_m` is not the seasonal naive forecast's test MAE divided by the mean "
            "absolute change over one season (m steps apart) of the training part"
        )


def _percentage_pair(a, name):
    value = getattr(a, name)
    if not isinstance(value, dict) or set(value) != {"over", "under"}:
        raise Hint(f'`{name}` should be a dict with the keys "over" and "under"')
    return {key: as_number(value[key], f"`{name}[{key!r}]`") for key in ("over", "under")}


@exercise(
    "04.2",
    results={
        "ex2_mape": 'a dict, "over" and "under": MAPE of 150 for 100 and of 100 for 150',
        "ex2_smape": 'a dict, "over" and "under": sMAPE of the same two forecasts',
        "ex2_smape_50": "the sMAPE of forecasting 50 when the truth is 100",
    },
)
def _smape_symmetry(a):
    def mape(truth, forecast):  # a fraction, as scikit-learn and helpers.metrics return it
        return abs(truth - forecast) / abs(truth)

    def smape(truth, forecast):  # percent, 0..200
        return 200 * abs(truth - forecast) / (abs(truth) + abs(forecast))

    # The prompt names no unit: a fraction or percent counts for either measure (the lesson's
    # MAPE is a fraction, its sMAPE percent), as long as each measure keeps one unit.
    cases = {"over": (100.0, 150.0), "under": (150.0, 100.0)}
    mapes, smapes = _percentage_pair(a, "ex2_mape"), _percentage_pair(a, "ex2_smape")
    smape_50 = number(a, "ex2_smape_50")
    mape_ref = {key: mape(*case) for key, case in cases.items()}
    smape_ref = {key: smape(*case) for key, case in cases.items()}
    in_percent = all(close(mapes[k], 100 * v) for k, v in mape_ref.items())
    as_fraction = all(close(smapes[k], v / 100) for k, v in smape_ref.items()) and close(
        smape_50, smape(100.0, 50.0) / 100
    )
    mape_unit, other_mape = (100, 1) if in_percent else (1, 100)
    smape_unit, other_smape = (0.01, 1) if as_fraction else (1, 0.01)
    for key in cases:
        if close(mapes[key], mape_unit * mape_ref[key]):
            pass
        elif close(mapes[key], other_mape * mape_ref[key]):
            yield (
                f"`ex2_mape[{key!r}]` is in another unit than the other case (one a fraction, "
                "one in percent): give both MAPEs in one unit"
            )
        else:
            yield (
                f"`ex2_mape[{key!r}]` is not the MAPE of this case: divide the absolute error "
                "by the truth (the over-forecast: truth 100, forecast 150; the under-forecast: "
                "truth 150, forecast 100)"
            )
        if close(smapes[key], smape_unit * smape_ref[key]):
            pass
        elif close(smapes[key], other_smape * smape_ref[key]):
            yield (
                f"`ex2_smape[{key!r}]` is in another unit than the other sMAPEs (one a fraction "
                "of 2, one in percent of 200): give them all in one unit"
            )
        else:
            yield (
                f"`ex2_smape[{key!r}]` is not the sMAPE of this case: 2 times the absolute "
                "error over the sum of |truth| and |forecast| (times 100 in percent)"
            )
    if not close(smape_50, smape_unit * smape(100.0, 50.0)):
        yield "`ex2_smape_50` is not the sMAPE of forecasting 50 when the truth is 100"


def white_noise_counts(noise, lags: int = 15):
    """Per series of ``noise`` (n_series, n): bars outside Bartlett's band, and Ljung-Box p.

    The band ``acf(x, nlags=lags, alpha=0.05)`` returns and ``plot_acf`` draws, and
    the Ljung-Box test at ``lags`` lags; returns (outside (n_series, lags) bool,
    p-values (n_series,)).
    """
    from scipy import stats

    noise = np.asarray(noise, dtype=float)
    n, k = noise.shape[1], np.arange(1, lags + 1)
    centred = noise - noise.mean(axis=1, keepdims=True)
    gamma = np.stack(
        [np.sum(centred[:, j:] * centred[:, : n - j], axis=1) for j in range(lags + 1)]
    )
    rho = (gamma[1:] / gamma[0]).T  # (n_series, lags)
    before = np.cumsum(rho**2, axis=1) - rho**2  # sum of rho_j^2 for j < k
    band = stats.norm.ppf(0.975) * np.sqrt((1 + 2 * before) / n)
    q = n * (n + 2) * np.sum(rho**2 / (n - k), axis=1)
    return np.abs(rho) > band, stats.chi2.sf(q, lags)


@exercise(
    "04.3",
    results={
        "ex3_mean_outside": "the mean number of the 15 bars outside the band, per series",
        "ex3_share_any": "the share of series with at least one bar outside the band",
        "ex3_share_ljung_box": "the share of series Ljung-Box rejects at 5 % (15 lags)",
    },
)
def _white_noise_band(a):
    # A larger simulation of the same experiment; the answer is a Monte Carlo estimate
    # from 2,000 series, so it must lie within four standard errors of both.
    outside, p = white_noise_counts(np.random.default_rng(404).normal(size=(10_000, 60)))
    counts, any_out, rejected = outside.sum(axis=1), outside.any(axis=1), p < 0.05
    mean_outside = number(a, "ex3_mean_outside")
    shares = {name: number(a, name) for name in ("ex3_share_any", "ex3_share_ljung_box")}
    for name, value in shares.items():
        if not 0 <= value <= 1:
            raise Hint(f"`{name}` should be a share of the series, between 0 and 1")
    if not 0 <= mean_outside <= 15:
        raise Hint("`ex3_mean_outside` should be a mean count of the 15 bars, from 0 to 15")
    if shares["ex3_share_any"] > mean_outside:
        yield (
            "`ex3_share_any` is larger than `ex3_mean_outside`: a series with a bar outside "
            "counts at least one bar, so the share cannot exceed the mean count"
        )

    def off(value, sample):
        standard_error = np.sqrt(sample.var() * (1 / 2000 + 1 / sample.size))
        return abs(value - sample.mean()) > 4 * standard_error

    if off(mean_outside, counts):
        yield (
            "`ex3_mean_outside` is not what 2,000 series of 60 N(0, 1) values give: count, per "
            "series, the lags 1..15 whose bar lies outside the band acf(x, nlags=15, "
            "alpha=0.05) returns (Bartlett's band, not 1.96 / sqrt(n)), then average"
        )
    if off(shares["ex3_share_any"], any_out):
        yield (
            "`ex3_share_any` is not what 2,000 white-noise series give: the share of series "
            "with at least one of the lags 1..15 outside Bartlett's band"
        )
    if off(shares["ex3_share_ljung_box"], rejected):
        yield (
            "`ex3_share_ljung_box` is not what 2,000 white-noise series give: the share whose "
            "Ljung-Box p-value at 15 lags (acorr_ljungbox(x, lags=[15])) is below 0.05"
        )


@exercise(
    "04.4",
    results={
        "ex4_precision": "each class's precision, in the order of WAVES",
        "ex4_recall": "each class's recall, in the order of WAVES",
    },
    needs=("cm", "WAVES"),
)
def _precision_recall(a):
    cm = np.asarray(a.cm, dtype=float)
    precision = array(a, "ex4_precision", shape=(len(a.WAVES),))
    recall = array(a, "ex4_recall", shape=(len(a.WAVES),))
    tp = np.diag(cm)
    right_precision, right_recall = tp / cm.sum(axis=0), tp / cm.sum(axis=1)
    if close(precision, right_recall) and close(recall, right_precision):
        raise Hint(
            "`ex4_precision` and `ex4_recall` are swapped: in `cm` the rows are the true "
            "classes and the columns the predictions"
        )
    if not close(precision, right_precision):
        yield (
            "`ex4_precision` is not each class's precision: the correct labels of a class over "
            "all windows predicted as that class (its column of `cm`)"
        )
    if not close(recall, right_recall):
        yield (
            "`ex4_recall` is not each class's recall: the correct labels of a class over all "
            "windows that truly belong to it (its row of `cm`)"
        )


@exercise(
    "04.5",
    results={
        "ex5_mase": "your forecaster's MASE per origin, a pandas Series indexed by origin",
        "ex5_verdict": "metrics.compare_scores of your forecaster against the mean growth one",
    },
    needs=("mase",),
    points=2,
)
def _fairer_fight(a):
    import pandas as pd

    from helpers.comparison import compare_scores

    scores, section_7 = a.ex5_mase, a.mase
    if not isinstance(scores, pd.Series):
        raise Hint(
            "`ex5_mase` should be a pandas Series, one MASE per origin, indexed by origin "
            "(a column of the table metrics.rolling_origin_evaluation returns, pivoted)"
        )
    if list(scores.index) != list(section_7.index):
        raise Hint(
            "`ex5_mase` is not indexed by section 7's origins (the index of `mase`, in order): "
            "score your forecaster with the same initial, horizon and step"
        )
    values = array(a, "ex5_mase", shape=(len(section_7),))
    if np.any(values <= 0):
        yield "`ex5_mase` holds a MASE that is not positive"
    copied = [name for name in section_7 if close(values, section_7[name].to_numpy())]
    if copied:
        yield (
            f"`ex5_mase` equals section 7's {copied[0]!r} scores: the exercise asks for a "
            "change of your own, scored at the same origins"
        )
    verdict = comparison(a, "ex5_verdict")
    if verdict.loss != "score" or verdict.n != len(section_7):
        raise Hint(
            "`ex5_verdict` should come from metrics.compare_scores on one MASE per origin "
            "(section 7's origins), not from compare_forecasts"
        )
    growth = section_7["mean growth"].to_numpy()
    again = compare_scores(values, growth, alpha=verdict.alpha)
    if not np.isclose(again.p_value, verdict.p_value, rtol=1e-6, atol=1e-12):
        yield (
            "`ex5_verdict` is not the paired rule on `ex5_mase` and the mean growth forecast's "
            "MASEs (`mase['mean growth']`), origin by origin"
        )
    elif not np.isclose(
        again.mean_loss_difference, verdict.mean_loss_difference, rtol=1e-6, atol=1e-12
    ):
        yield (
            "`ex5_verdict` has the forecasts the other way round: pass your forecaster's "
            "MASEs first, the mean growth forecast's second"
        )
