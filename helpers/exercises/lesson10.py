"""Checks for lesson 10's exercises (many series: where an LSTM wins)."""

from __future__ import annotations

import functools
import re

import numpy as np

from helpers.exercises._core import (
    Hint,
    array,
    as_number,
    close,
    comparison,
    exercise,
    number,
    same_verdict,
)


def _scales(scale_series, m):
    """Each series' seasonal naive mean absolute error (the MASE's scale), shape (n_series,)."""
    return np.array(
        [
            np.mean(np.abs(np.asarray(y, float)[m:] - np.asarray(y, float)[:-m]))
            for y in scale_series
        ]
    )


def _mase(truth, forecast, scale_series, m):
    """Each series' MASE, shape (n_series,): mean |error| over its own seasonal naive scale."""
    errors = np.abs(np.asarray(truth, dtype=float) - np.asarray(forecast, dtype=float))
    return errors.mean(axis=1) / _scales(scale_series, m)


def _judges_scores(verdict, scores_a, scores_b) -> bool:
    """True if ``verdict`` is ``compare_scores`` on these per-unit scores, either order."""
    from helpers.metrics import compare_scores

    scores_a, scores_b = np.ravel(scores_a), np.ravel(scores_b)
    if verdict.loss != "score" or verdict.n != len(scores_a):
        return False
    return same_verdict(verdict, compare_scores(scores_a, scores_b, alpha=verdict.alpha))


def _score_verdict(a, name):
    """``a.<name>`` if it is what ``metrics.compare_scores`` returns (paired rule, series)."""
    verdict = comparison(a, name)
    if verdict.loss != "score":
        raise Hint(
            f"`{name}` compares forecasts point by point (metrics.compare_forecasts); the "
            "exercise judges over series: pass one MASE per series for each method to "
            "metrics.compare_scores"
        )
    return verdict


THETA_SAMPLE = 3  # series whose Theta forecast the check refits (a fit takes ~20 ms)


@exercise(
    "10.1",
    results={
        "ex1_theta_forecast": "Theta's forecast of every series' test part, (n_series, HORIZON)",
        "ex1_theta_mase": "Theta's mean MASE over series, training-part scale",
        "ex1_theta_paper_mase": "Theta's mean MASE over series, the paper's (whole-series) scale",
        "ex1_verdict": "the paired rule over series (metrics.compare_scores), Theta against ETS",
    },
    needs=("truth", "train_parts", "whole", "forecasts", "mase", "M", "HORIZON"),
)
def _theta(a):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    truth, m = np.asarray(a.truth, dtype=float), int(a.M)
    theta = array(a, "ex1_theta_forecast", shape=truth.shape)
    rows = np.unique(np.linspace(0, len(truth) - 1, min(THETA_SAMPLE, len(truth))).astype(int))
    refit = np.array(
        [np.asarray(ThetaModel(a.train_parts[i], period=m).fit().forecast(a.HORIZON)) for i in rows]
    )
    if not close(theta[rows], refit, rtol=1e-4, atol=1e-6):
        yield (
            "`ex1_theta_forecast` is not statsmodels' Theta forecast: fit "
            "ThetaModel(y, period=M) on each series' training part (`train_parts`, not the "
            "whole series), forecast HORIZON values, one row per series in the panel's order"
        )
    train_scale = _mase(truth, theta, a.train_parts, m)  # (n_series,)
    paper_scale = _mase(truth, theta, a.whole, m)
    if not close(number(a, "ex1_theta_mase"), train_scale.mean(), rtol=1e-6):
        yield (
            "`ex1_theta_mase` is not the mean over series of `ex1_theta_forecast`'s MASE on the "
            "training-part scale: scale each series by its seasonal naive error on `train_parts`"
        )
    if not close(number(a, "ex1_theta_paper_mase"), paper_scale.mean(), rtol=1e-6):
        yield (
            "`ex1_theta_paper_mase` is not the mean over series of `ex1_theta_forecast`'s MASE "
            "on the paper's scale: scale each series by its seasonal naive error on the whole "
            "series (`whole`), as section 2 does"
        )
    verdict = _score_verdict(a, "ex1_verdict")
    ets_paper = _mase(truth, a.forecasts["ETS"], a.whole, m)
    if not (
        _judges_scores(verdict, train_scale, a.mase["ETS"])
        or _judges_scores(verdict, paper_scale, ets_paper)
    ):
        yield (
            "`ex1_verdict` is not the paired rule on Theta's and ETS's MASE per series: pass "
            "Theta's MASE of every series and `mase['ETS']` (the same series, the same scale) "
            "to metrics.compare_scores"
        )


@exercise(
    "10.2",
    results={"ex2_leads_won": "the leads (1 to HORIZON) at which ETS + LSTM beats ETS"},
    needs=("truth", "forecasts", "train_parts", "M", "HORIZON"),
)
def _leads(a):
    from helpers.metrics import compare_scores

    value = a.ex2_leads_won
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    if isinstance(value, (str, bytes, dict)) or np.ndim(value) != 1 and np.size(value) != 0:
        raise Hint("`ex2_leads_won` should be a list of leads, whole numbers from 1 to HORIZON")
    leads = [as_number(v, "every lead in `ex2_leads_won`") for v in value]
    if any(v != round(v) for v in leads):
        raise Hint("`ex2_leads_won` should hold whole numbers (the leads 1 to HORIZON)")
    leads = [int(v) for v in leads]
    if len(set(leads)) != len(leads):
        raise Hint("`ex2_leads_won` names a lead twice")
    horizon = int(a.HORIZON)
    if any(not 1 <= v <= horizon for v in leads):
        raise Hint(
            "`ex2_leads_won` holds a lead outside 1 to HORIZON: leads count from 1 (the first "
            "month ahead), not from 0"
        )
    truth = np.asarray(a.truth, dtype=float)
    scale = _scales(a.train_parts, int(a.M))[:, None]  # (n_series, 1)
    combo = np.abs(truth - np.asarray(a.forecasts["ETS + LSTM"], dtype=float)) / scale
    ets = np.abs(truth - np.asarray(a.forecasts["ETS"], dtype=float)) / scale
    won = {
        k + 1
        for k in range(horizon)
        if compare_scores(combo[:, k], ets[:, k], names=("combination", "ETS")).winner
        == "combination"
    }
    if set(leads) - won:
        yield (
            "`ex2_leads_won` holds leads at which the combination does not win: keep a lead "
            "only where compare_scores(combination's scores, ETS's scores) names the "
            "combination the winner (not where ETS wins, not where neither does)"
        )
    if won - set(leads):
        yield (
            "`ex2_leads_won` misses leads at which the combination wins: judge every lead "
            "1 to HORIZON, each series scored by its absolute error at that lead over its "
            "training-part scale (metrics.naive_scale of its training part, m=M)"
        )


@exercise(
    "10.3",
    results={
        "ex3_gap_closed": "by lead, the share of the linear-to-LSTM RMSE gap the feature closes"
    },
    needs=("nonlinear", "mg", "MG_WINDOW", "MG_HORIZON"),
)
def _feature(a):
    from helpers import global_models as gm
    from helpers import panel

    shares = array(a, "ex3_gap_closed", shape=(a.MG_HORIZON,))
    cut = panel.cut_windows({f"s{i}": row for i, row in enumerate(a.nonlinear)},
                            window=a.MG_WINDOW, horizon=a.MG_HORIZON, train=0.6,
                            validation=0.2)  # fmt: skip

    def inputs(part):  # (n, 2 * MG_WINDOW): the window's values, then g of each
        x = part.X.reshape(len(part), -1)
        return np.hstack([x, x / (1 + x**10)])

    train = (inputs(cut.train)[:, :, None], cut.train.y)
    validation = (inputs(cut.validation)[:, :, None], cut.validation.y)
    ridge, _, _ = gm.ridge_on_windows(train, validation)
    residuals = ridge.predict(inputs(cut.test)).reshape(cut.test.y.shape)
    featured = panel.rmse_by_series(cut.test, cut.test.forecast(residuals)).mean(axis=0)
    linear, lstm = np.mean(a.mg["linear"], axis=0), np.mean(a.mg["lstm"], axis=0)  # (leads,)
    reference = (linear - featured) / (linear - lstm)
    if close(shares, reference, rtol=1e-3, atol=1e-3):
        return
    if close(shares, -reference, rtol=1e-3, atol=1e-3):
        raise Hint(
            "`ex3_gap_closed` has the wrong sign: the share is (RMSE of the linear model - "
            "RMSE with the feature) / (RMSE of the linear model - RMSE of the LSTM), positive "
            "where the feature helps"
        )
    yield (
        "`ex3_gap_closed` is not the share of the gap closed at each lead: add g of every "
        "window value as inputs (16 per window), fit gm.ridge_on_windows on the "
        "Mackey-Glass training windows (validation windows to choose alpha), take each "
        "series' test RMSE at each lead (panel.rmse_by_series), average over series, and "
        "divide the linear model's RMSE minus that by the linear model's minus the LSTM's "
        "(both from `mg`, also averaged over series)"
    )


@functools.cache
def _quarterly_sizes() -> frozenset:
    """How many quarterly tourism series are long enough, for each window of 1 to 10 years."""
    from helpers import panel

    m, horizon = panel.TOURISM["quarterly"]
    lengths = np.array([len(y) for y in panel.load_tourism("quarterly").values()])
    return frozenset(
        int(np.sum(lengths >= panel.required_length(window=w, horizon=horizon, seasonal_period=m)))
        for w in range(m, 10 * m + 1, m)
    )


_COMBINED = ("+", "combin", "average", "avg", "mix")


def _kind(name) -> str:
    """'combination', 'LSTM', 'ETS' or 'other': which of the exercise's forecasts ``name`` is."""
    text = str(name).lower()
    if any(word in text for word in _COMBINED) or "ets" in text and "lstm" in text:
        return "combination"
    if "lstm" in text:
        return "LSTM"
    if "ets" in text or "exponential" in text:
        return "ETS"
    return "other"


_BETWEEN = re.compile(r"\s+(?:-|vs\.?|versus|against|over)\s+|\s*/\s*", re.IGNORECASE)


def _pair(label, verdict) -> tuple:
    """The two kinds a verdict compares: from its names, or from its label if it has none.

    compare_scores names the two sides ("A", "B") unless told otherwise; the exercise asks for
    a label per verdict, so a label such as "ETS + LSTM - ETS" or "LSTM vs ETS" says it too.
    """
    names = tuple(map(str, verdict.names))
    if names == ("A", "B"):
        parts = _BETWEEN.split(str(label))
        names = tuple(parts) if len(parts) == 2 else names
    return tuple(sorted(_kind(name) for name in names))


@exercise(
    "10.4",
    results={"ex4_verdicts": "a dict: label -> metrics.compare_scores verdict on the quarterly"},
    points=2,
)
def _quarterly(a):
    from helpers.comparison import ForecastComparison

    verdicts = a.ex4_verdicts
    if not isinstance(verdicts, dict) or not verdicts:
        raise Hint(
            "`ex4_verdicts` should be a dict: a label for each comparison -> what "
            "metrics.compare_scores returns"
        )
    for label, verdict in verdicts.items():
        if not isinstance(verdict, ForecastComparison) or verdict.loss != "score":
            raise Hint(
                f"`ex4_verdicts[{label!r}]` is not a verdict of the paired rule over series: "
                "pass one MASE per series for each of the two methods to metrics.compare_scores"
            )
    sizes = {verdict.n for verdict in verdicts.values()}
    if len(sizes) > 1:
        yield (
            "the verdicts in `ex4_verdicts` are not all on the same series (their n differ): "
            "score every method on the same quarterly series"
        )
    allowed = _quarterly_sizes()
    if not sizes <= allowed:
        yield (
            "the verdicts in `ex4_verdicts` are not over the quarterly series: their n is not "
            "the number of quarterly series long enough for a window of whole years "
            "(panel.usable_series on panel.load_tourism('quarterly'))"
        )
    pairs = [_pair(label, v) for label, v in verdicts.items()]
    same = [label for label, v in verdicts.items() if v.ci_low == v.ci_high == 0]
    if same:
        yield (
            f"`ex4_verdicts[{same[0]!r}]` compares a method with itself: its two sets of "
            "scores are the same"
        )
    if ("ETS", "combination") not in pairs:
        yield (
            "`ex4_verdicts` has no verdict of the combination against ETS: judge the average "
            "of ETS and the LSTM against ETS, with names=(..., ...) or its label saying which "
            "is which (e.g. 'ETS + LSTM' and 'ETS')"
        )
    if ("ETS", "LSTM") not in pairs:
        yield (
            "`ex4_verdicts` has no verdict of the LSTM alone against ETS: judge the global "
            "LSTM against ETS, with names=(..., ...) or its label saying which is which (e.g. "
            "'LSTM', 'ETS')"
        )
