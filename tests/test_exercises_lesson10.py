"""Lesson 10's exercise checks, on namespaces built here: no kernel, no network trained.

Each check must say right to an answer computed here the way a student would,
name every result that is missing, say not yet (naming the result) to a wrong
answer, and never show the expected value in a hint.
"""

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import generators, metrics, panel
from helpers import global_models as gm
from helpers.exercises import check, grade, registered

M, HORIZON = 12, 24


def _wrong(key, namespace, result, reference, *, graded=False):
    """The check says not yet, names ``result``, and shows no number of ``reference``.

    With ``graded``, the autograder's hidden test fails on it too.
    """
    if graded:
        with pytest.raises(AssertionError, match=result):
            grade(key, namespace)
    found = check(key, namespace)
    assert not found.right, f"{key} took a wrong {result}"
    text = "\n".join(found.hints)
    assert f"`{result}`" in text, text
    leaked = shown(text, reference)
    assert not leaked, f"a hint shows the expected value: {leaked}\n{text}"
    return text


def _missing(key, needs):
    found = check(key, needs)
    names = list(registered("10")[int(key.split(".")[1]) - 1].results)
    assert [hint.split("`")[1] for hint in found.hints] == names
    assert all(hint.startswith("define `") for hint in found.hints)


def test_lesson_10_has_its_four_exercises():
    keys = [e.key for e in registered("10")]
    assert keys == ["10.1", "10.2", "10.3", "10.4"]
    assert [e.points for e in registered("10")] == [1, 1, 1, 2]


# ------------------------------------------------------------------ a small monthly panel


@pytest.fixture(scope="module")
def monthly():
    """Ten positive seasonal series (96 training values, 24 test), as the lesson holds them."""
    rng = np.random.default_rng(10)
    t = np.arange(96 + HORIZON)
    series = [
        (50 + 5 * i) * (1 + 0.01 * t * rng.uniform(0.2, 1.0))
        * (1 + 0.3 * np.sin(2 * np.pi * t / M + i)) * rng.lognormal(0, 0.05, len(t))
        for i in range(10)
    ]  # fmt: skip
    train_parts = [y[:-HORIZON] for y in series]
    truth = np.array([y[-HORIZON:] for y in series])
    ets = np.array([y[-M:] for y in train_parts])[:, np.arange(HORIZON) % M] * 1.05  # a stand-in
    return {
        "truth": truth,
        "train_parts": train_parts,
        "whole": series,
        "forecasts": {"ETS": ets},
        "mase": {"ETS": panel.mase_by_series(truth, ets, train_parts, m=M)},
        "M": M,
        "HORIZON": HORIZON,
    }


@pytest.fixture(scope="module")
def theta_answer(monthly):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    forecast = np.array(
        [
            np.asarray(ThetaModel(y, period=M).fit().forecast(HORIZON))
            for y in monthly["train_parts"]
        ]
    )
    train = panel.mase_by_series(monthly["truth"], forecast, monthly["train_parts"], m=M)
    paper = panel.mase_by_series(monthly["truth"], forecast, monthly["whole"], m=M)
    return {
        **monthly,
        "ex1_theta_forecast": forecast,
        "ex1_theta_mase": train.mean(),
        "ex1_theta_paper_mase": paper.mean(),
        "ex1_verdict": metrics.compare_scores(
            train, monthly["mase"]["ETS"], names=("Theta", "ETS")
        ),
    }


def test_10_1_takes_the_worked_answer(theta_answer):
    assert check("10.1", theta_answer).right, check("10.1", theta_answer)
    grade("10.1", theta_answer)


def test_10_1_takes_the_verdict_either_way_round_and_on_the_papers_scale(theta_answer, monthly):
    train = panel.mase_by_series(
        monthly["truth"], theta_answer["ex1_theta_forecast"], monthly["train_parts"], m=M
    )
    flipped = metrics.compare_scores(monthly["mase"]["ETS"], train, names=("ETS", "Theta"))
    assert check("10.1", {**theta_answer, "ex1_verdict": flipped}).right
    paper = [
        panel.mase_by_series(monthly["truth"], f, monthly["whole"], m=M)
        for f in (theta_answer["ex1_theta_forecast"], monthly["forecasts"]["ETS"])
    ]
    on_paper = metrics.compare_scores(*paper, names=("Theta", "ETS"))
    assert check("10.1", {**theta_answer, "ex1_verdict": on_paper}).right


def test_10_1_names_each_missing_result(monthly):
    _missing("10.1", monthly)


def test_10_1_refuses_other_forecasts(theta_answer, monthly):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    whole = np.array(  # fitted on the whole series: the test values leak in
        [np.asarray(ThetaModel(y[:-1], period=M).fit().forecast(HORIZON)) for y in monthly["whole"]]
    )
    right = theta_answer["ex1_theta_forecast"]
    for wrong in (monthly["forecasts"]["ETS"], whole, right[::-1], right[:, :12]):
        _wrong("10.1", {**theta_answer, "ex1_theta_forecast": wrong}, "ex1_theta_forecast", right)


def test_10_1_refuses_the_scales_swapped(theta_answer):
    swapped = {
        **theta_answer,
        "ex1_theta_mase": theta_answer["ex1_theta_paper_mase"],
        "ex1_theta_paper_mase": theta_answer["ex1_theta_mase"],
    }
    both = [theta_answer["ex1_theta_mase"], theta_answer["ex1_theta_paper_mase"]]
    text = _wrong("10.1", swapped, "ex1_theta_mase", both, graded=True)
    assert "`ex1_theta_paper_mase`" in text
    median = {**theta_answer, "ex1_theta_mase": np.median(
        panel.mase_by_series(theta_answer["truth"], theta_answer["ex1_theta_forecast"],
                             theta_answer["train_parts"], m=M))}  # fmt: skip
    _wrong("10.1", median, "ex1_theta_mase", theta_answer["ex1_theta_mase"])
    _wrong("10.1", {**theta_answer, "ex1_theta_mase": "1.6"}, "ex1_theta_mase", [])


def test_10_1_refuses_a_verdict_on_other_scores(theta_answer, monthly):
    ours = theta_answer["ex1_verdict"]
    snaive = np.array([y[-M:] for y in monthly["train_parts"]])[:, np.arange(HORIZON) % M]
    snaive_mase = panel.mase_by_series(monthly["truth"], snaive, monthly["train_parts"], m=M)
    train = panel.mase_by_series(
        monthly["truth"], theta_answer["ex1_theta_forecast"], monthly["train_parts"], m=M
    )
    against_snaive = metrics.compare_scores(train, snaive_mase, names=("Theta", "seasonal naive"))
    _wrong("10.1", {**theta_answer, "ex1_verdict": against_snaive}, "ex1_verdict", ours.p_value,
           graded=True)  # fmt: skip
    pointwise = metrics.compare_forecasts(
        monthly["truth"].ravel(), theta_answer["ex1_theta_forecast"].ravel(),
        monthly["forecasts"]["ETS"].ravel(), loss="absolute",
    )  # fmt: skip
    _wrong("10.1", {**theta_answer, "ex1_verdict": pointwise}, "ex1_verdict", ours.p_value)
    _wrong("10.1", {**theta_answer, "ex1_verdict": ours.winner}, "ex1_verdict", ours.p_value)


# ------------------------------------------------------------------ exercise 2: leads


@pytest.fixture(scope="module")
def leads():
    """A combination that wins at the near leads, loses at the far ones, ties in between."""
    rng = np.random.default_rng(2)
    n = 60
    train_parts = [rng.uniform(50, 150) * (1 + 0.2 * rng.normal(size=72)) for _ in range(n)]
    scale = np.array([metrics.naive_scale(y, m=M) for y in train_parts])
    truth = 100 + rng.normal(size=(n, HORIZON)) * scale[:, None]
    ets_error = np.abs(rng.normal(size=(n, HORIZON))) + 0.5
    combo_error = ets_error * np.where(np.arange(HORIZON) < 9, 0.7, 1.0)
    combo_error[:, 9:15] *= rng.uniform(0.8, 1.2, size=(n, 6))
    combo_error[:, 15:] *= 1.3
    sign = rng.choice([-1.0, 1.0], size=(n, HORIZON))
    return {
        "truth": truth,
        "forecasts": {
            "ETS": truth + sign * ets_error * scale[:, None],
            "ETS + LSTM": truth - sign * combo_error * scale[:, None],
        },
        "train_parts": train_parts,
        "M": M,
        "HORIZON": HORIZON,
    }


def _per_lead(ns):
    scale = np.array([metrics.naive_scale(y, m=M) for y in ns["train_parts"]])
    errors = {k: np.abs(ns["truth"] - f) / scale[:, None] for k, f in ns["forecasts"].items()}
    return [
        metrics.compare_scores(errors["ETS + LSTM"][:, k], errors["ETS"][:, k],
                               names=("ETS + LSTM", "ETS"))
        for k in range(HORIZON)
    ]  # fmt: skip


def test_10_2_takes_the_worked_answer(leads):
    verdicts = _per_lead(leads)
    won = [k + 1 for k, v in enumerate(verdicts) if v.winner == "ETS + LSTM"]
    lost = [k + 1 for k, v in enumerate(verdicts) if v.winner == "ETS"]
    assert 0 < len(won) < HORIZON and lost  # the panel has each kind of lead
    for answer in (won, np.array(won), tuple(won), set(won), won[::-1]):
        assert check("10.2", {**leads, "ex2_leads_won": answer}).right
    grade("10.2", {**leads, "ex2_leads_won": won})


def test_10_2_names_its_missing_result(leads):
    _missing("10.2", leads)


def test_10_2_refuses_wrong_leads(leads):
    verdicts = _per_lead(leads)
    won = [k + 1 for k, v in enumerate(verdicts) if v.winner == "ETS + LSTM"]
    lost = [k + 1 for k, v in enumerate(verdicts) if v.winner == "ETS"]
    differs = [k + 1 for k, v in enumerate(verdicts) if v.winner is not None]
    unscaled = [  # absolute errors, not scaled by each series' training part
        k + 1
        for k in range(HORIZON)
        if metrics.compare_scores(
            np.abs(leads["truth"] - leads["forecasts"]["ETS + LSTM"])[:, k],
            np.abs(leads["truth"] - leads["forecasts"]["ETS"])[:, k], names=("c", "e"),
        ).winner == "c"
    ]  # fmt: skip
    wrong_answers = [
        [k - 1 for k in won],  # counted from 0
        lost,  # where ETS wins
        differs,  # where either wins
        won[:-1],  # one missed
        list(range(1, HORIZON + 1)),
        won + won[:1],  # a lead twice
        [float(k) + 0.5 for k in won],
        "1, 2, 3",
        won[0],
    ]
    if unscaled != won:
        wrong_answers.append(unscaled)
    for wrong in wrong_answers:
        text = _wrong("10.2", {**leads, "ex2_leads_won": wrong}, "ex2_leads_won", [], graded=True)
        assert str(won) not in text and str(won)[1:-1] not in text


# ------------------------------------------------------------------ exercise 3: Mackey-Glass


@pytest.fixture(scope="module")
def mackey_glass():
    """The lesson's Mackey-Glass panel; the linear model's RMSE, an LSTM's stand-in below it."""
    nonlinear = generators.mackey_glass_panel(50, 120, seed=42)
    cut = panel.cut_windows({f"s{i}": row for i, row in enumerate(nonlinear)}, window=8,
                            horizon=6, train=0.6, validation=0.2)  # fmt: skip
    ridge, _, _ = gm.ridge_on_windows((cut.train.X, cut.train.y),
                                      (cut.validation.X, cut.validation.y))  # fmt: skip
    plain = ridge.predict(cut.test.X.reshape(len(cut.test), -1)).reshape(cut.test.y.shape)
    linear = panel.rmse_by_series(cut.test, cut.test.forecast(plain))  # (50, 6)
    lstm = linear * np.linspace(0.5, 0.3, 6)  # a stand-in for the trained LSTM's RMSE
    namespace = {"nonlinear": nonlinear, "mg": {"linear": linear, "lstm": lstm},
                 "MG_WINDOW": 8, "MG_HORIZON": 6}  # fmt: skip
    return namespace, cut


def _featured_rmse(cut, featurise, part="test"):
    def with_feature(p):
        x = p.X  # (n, 8, 1)
        return featurise(x)

    ridge, _, _ = gm.ridge_on_windows((with_feature(cut.train), cut.train.y),
                                      (with_feature(cut.validation), cut.validation.y))  # fmt: skip
    windows = getattr(cut, part)
    predicted = ridge.predict(with_feature(windows).reshape(len(windows), -1))
    return panel.rmse_by_series(windows, windows.forecast(predicted.reshape(windows.y.shape)))


def _g(x):
    return x / (1 + x**10)


def _share(ns, featured):
    linear, lstm = ns["mg"]["linear"].mean(axis=0), ns["mg"]["lstm"].mean(axis=0)
    return (linear - featured.mean(axis=0)) / (linear - lstm)


def test_10_3_takes_the_worked_answer_and_other_column_orders(mackey_glass):
    ns, cut = mackey_glass
    after = _share(ns, _featured_rmse(cut, lambda x: np.concatenate([x, _g(x)], axis=1)))
    assert check("10.3", {**ns, "ex3_gap_closed": after}).right
    before = _share(ns, _featured_rmse(cut, lambda x: np.concatenate([_g(x), x], axis=1)))
    channels = _share(ns, _featured_rmse(cut, lambda x: np.concatenate([x, _g(x)], axis=2)))
    for answer in (before, channels, list(after)):
        assert check("10.3", {**ns, "ex3_gap_closed": answer}).right
    grade("10.3", {**ns, "ex3_gap_closed": after})


def test_10_3_names_its_missing_result(mackey_glass):
    _missing("10.3", mackey_glass[0])


def test_10_3_refuses_wrong_shares(mackey_glass):
    ns, cut = mackey_glass
    featured = _featured_rmse(cut, lambda x: np.concatenate([x, _g(x)], axis=1))
    right = _share(ns, featured)
    linear, lstm = ns["mg"]["linear"].mean(axis=0), ns["mg"]["lstm"].mean(axis=0)
    per_series = np.mean((ns["mg"]["linear"] - featured) / (ns["mg"]["linear"] - ns["mg"]["lstm"]),
                         axis=0)  # fmt: skip
    wrong_answers = {
        "no feature": _share(ns, _featured_rmse(cut, lambda x: x)),
        "g squared": _share(ns, _featured_rmse(cut, lambda x: np.concatenate([x, _g(x) ** 2], 1))),
        "validation windows": _share(
            ns, _featured_rmse(cut, lambda x: np.concatenate([x, _g(x)], 1), part="validation")
        ),
        "upside down": (linear - lstm) / (linear - featured.mean(axis=0)),
        "mean of per-series shares": per_series,
        "one minus": 1 - right,
        "a lead short": right[:-1],
        "a number": float(right.mean()),
    }
    for what, wrong in wrong_answers.items():
        assert not np.allclose(np.resize(wrong, 6), right, atol=1e-3), what  # truly different
        _wrong("10.3", {**ns, "ex3_gap_closed": wrong}, "ex3_gap_closed", right, graded=True)
    text = _wrong("10.3", {**ns, "ex3_gap_closed": -right}, "ex3_gap_closed", right)
    assert "sign" in text


# ------------------------------------------------------------------ exercise 4: quarterly


@pytest.fixture(scope="module")
def quarterly_verdicts():
    """Verdicts over every quarterly series (427, as a three-year window keeps), scores made up."""
    n = len(panel.load_tourism("quarterly"))
    rng = np.random.default_rng(4)
    scores = {name: rng.gamma(4, 0.4, size=n) for name in ("seasonal naive", "ETS", "LSTM")}
    scores["ETS + LSTM"] = 0.8 * scores["ETS"]
    pairs = [("LSTM", "ETS"), ("ETS + LSTM", "ETS"), ("LSTM", "seasonal naive")]
    return scores, {
        f"{a} - {b}": metrics.compare_scores(scores[a], scores[b], names=(a, b)) for a, b in pairs
    }


def test_10_4_takes_the_worked_answer_and_other_names(quarterly_verdicts):
    scores, verdicts = quarterly_verdicts
    assert check("10.4", {"ex4_verdicts": verdicts}).right
    grade("10.4", {"ex4_verdicts": verdicts})
    other = {
        "combined": metrics.compare_scores(scores["ETS"], scores["ETS + LSTM"],
                                           names=("exponential smoothing", "average")),
        "lstm": metrics.compare_scores(scores["LSTM"], scores["ETS"], names=("lstm", "ets")),
    }  # fmt: skip
    assert check("10.4", {"ex4_verdicts": other}).right
    by_label = {  # compare_scores' default names ("A", "B"): the labels say which is which
        label: metrics.compare_scores(scores[a], scores[b])
        for label, (a, b) in {"ETS + LSTM - ETS": ("ETS + LSTM", "ETS"),
                              "LSTM vs ETS": ("LSTM", "ETS")}.items()
    }  # fmt: skip
    assert check("10.4", {"ex4_verdicts": by_label}).right


def test_10_4_default_names_need_a_label_that_says_which_is_which(quarterly_verdicts):
    scores, _ = quarterly_verdicts
    unnamed = {
        label: metrics.compare_scores(scores[a], scores[b])
        for label, (a, b) in {"first": ("ETS + LSTM", "ETS"), "LSTM vs ETS": ("LSTM", "ETS"),
                              "LSTM - naive": ("LSTM", "seasonal naive")}.items()
    }  # fmt: skip
    found = check("10.4", {"ex4_verdicts": unnamed})
    assert not found.right and len(found.hints) == 1 and "combination" in found.hints[0]
    without_ets = {"LSTM - naive": unnamed["LSTM - naive"], "LSTM": unnamed["LSTM vs ETS"]}
    assert not check("10.4", {"ex4_verdicts": without_ets}).right


def test_10_4_names_its_missing_result():
    _missing("10.4", {})


def test_10_4_refuses_what_is_not_the_quarterly_comparison(quarterly_verdicts):
    scores, verdicts = quarterly_verdicts
    monthly = {  # the monthly panel's 366 series, not the quarterly ones
        k: metrics.compare_scores(scores[v.names[0]][:366], scores[v.names[1]][:366],
                                  names=v.names)
        for k, v in verdicts.items()
    }  # fmt: skip
    no_combination = {k: v for k, v in verdicts.items() if "+" not in k}
    no_lstm_alone = {k: v for k, v in verdicts.items() if k != "LSTM - ETS"}
    pointwise = {
        **verdicts,
        "LSTM - ETS": metrics.compare_forecasts(
            np.zeros(50), np.ones(50), np.full(50, 2.0), names=("LSTM", "ETS")
        ),
    }
    shorter = {**verdicts, "LSTM - ETS": metrics.compare_scores(
        scores["LSTM"][:-5], scores["ETS"][:-5], names=("LSTM", "ETS"))}  # fmt: skip
    itself = {**verdicts, "ETS - ETS": metrics.compare_scores(
        scores["ETS"], scores["ETS"], names=("ETS", "ETS, again"))}  # fmt: skip
    for wrong in (
        monthly,
        no_combination,
        no_lstm_alone,
        pointwise,
        shorter,
        itself,
        {k: v.p_value for k, v in verdicts.items()},
        list(verdicts.values()),
        {},
    ):
        found = check("10.4", {"ex4_verdicts": wrong})
        assert not found.right and "`ex4_verdicts" in "\n".join(found.hints), wrong
        with pytest.raises(AssertionError):
            grade("10.4", {"ex4_verdicts": wrong})
