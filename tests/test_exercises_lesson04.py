"""Lesson 04's exercise checks: right answers pass, each wrong one gets a hint that names it.

The namespaces are plain dicts with the lesson's input variables, built from small
synthetic series (no kernel, no training); each right answer is computed here the way
a student would, with helpers.metrics or by hand.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from exercise_hints import shown  # tests/ is on the path
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.tsa.stattools import acf

from helpers import baselines, metrics
from helpers.exercises import check, find, grade, registered
from helpers.exercises.lesson04 import white_noise_counts

M, HORIZON = 12, 12


def hints(key, namespace):
    return "\n".join(check(key, namespace).hints)


def assert_wrong(key, namespace, name, reference):
    result = check(key, namespace)
    assert not result.right
    text = "\n".join(result.hints)
    assert f"`{name}" in text, text
    assert not shown(text, reference), text
    with pytest.raises(AssertionError):
        grade(key, namespace)


def test_every_exercise_of_the_lesson_is_registered():
    assert [e.key for e in registered("04")] == ["04.1", "04.2", "04.3", "04.4", "04.5"]
    assert find("04.5").points == 2


@pytest.mark.parametrize("key", ["04.1", "04.2", "04.3", "04.4", "04.5"])
def test_nothing_defined_asks_for_each_result(key):
    result = check(key, {})
    assert [h.split(":")[0] for h in result.hints] == [f"define `{n}`" for n in find(key).results]


# ------------------------------------------------------------------ 04.1


@pytest.fixture
def airline():
    """A positive series with a trend and a season that grows with the level, split as in 04."""
    t = np.arange(144)
    rng = np.random.default_rng(1)
    y = (100 + 2 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / M)) + rng.normal(0, 3, t.size)
    return {"y_fit": y[:-HORIZON], "y_test": y[-HORIZON:], "m": M}


def mase_answer(ns):
    snaive = baselines.simple_forecasts(ns["y_fit"], HORIZON, m=M)["seasonal naive"]
    return {
        f"ex1_mase_{k}": metrics.mean_absolute_scaled_error(
            ns["y_test"], snaive, y_train=ns["y_fit"], m=lag
        )
        for k, lag in (("1", 1), ("m", M))
    }


def test_mase_right(airline):
    ns = {**airline, **mase_answer(airline)}
    assert check("04.1", ns).right
    grade("04.1", ns)


def test_mase_swapped_or_scaled_on_the_test_part(airline):
    right = mase_answer(airline)
    swapped = {"ex1_mase_1": right["ex1_mase_m"], "ex1_mase_m": right["ex1_mase_1"]}
    ns = {**airline, **swapped}
    assert_wrong("04.1", ns, "ex1_mase_1", right["ex1_mase_1"])
    assert_wrong("04.1", ns, "ex1_mase_m", right["ex1_mase_m"])
    snaive = baselines.seasonal_naive_forecast(airline["y_fit"], HORIZON, m=M)
    whole = np.concatenate([airline["y_fit"], airline["y_test"]])  # scale from every row
    wrong = metrics.mean_absolute_scaled_error(airline["y_test"], snaive, y_train=whole, m=M)
    assert_wrong(
        "04.1", {**airline, **right, "ex1_mase_m": wrong}, "ex1_mase_m", right["ex1_mase_m"]
    )
    assert "ex1_mase_1" not in hints("04.1", {**airline, **right, "ex1_mase_m": wrong})


def test_mase_needs_a_number_and_a_season(airline):
    right = mase_answer(airline)
    assert "one number" in hints("04.1", {**airline, **right, "ex1_mase_m": [1.0, 2.0]})
    assert "seasonal period" in hints("04.1", {**airline, **right, "m": 1})


# ------------------------------------------------------------------ 04.2

MAPE, SMAPE = (
    metrics.mean_absolute_percentage_error,
    metrics.symmetric_mean_absolute_percentage_error,
)


def smape_answer():
    return {
        "ex2_mape": {"over": MAPE([100.0], [150.0]), "under": MAPE([150.0], [100.0])},
        "ex2_smape": {"over": SMAPE([100.0], [150.0]), "under": SMAPE([150.0], [100.0])},
        "ex2_smape_50": SMAPE([100.0], [50.0]),
    }


def test_smape_right():
    assert check("04.2", smape_answer()).right
    grade("04.2", smape_answer())


def test_smape_in_either_unit_is_right():
    """The prompt names no unit: MAPE in percent, or sMAPE as a fraction of 2, count too."""
    right = smape_answer()
    percent = {key: 100 * value for key, value in right["ex2_mape"].items()}
    fraction = {key: value / 100 for key, value in right["ex2_smape"].items()}
    assert check("04.2", {**right, "ex2_mape": percent}).right
    both = {"ex2_mape": percent, "ex2_smape": fraction, "ex2_smape_50": right["ex2_smape_50"] / 100}
    assert check("04.2", both).right


def test_smape_wrong_answers_are_named():
    right = smape_answer()
    cases = {  # name: a wrong value
        "ex2_mape": {"over": MAPE([150.0], [100.0]), "under": MAPE([100.0], [150.0])},  # swapped
        "ex2_smape": {"over": 100 * 50 / 250, "under": 100 * 50 / 250},  # 100, not 200
        "ex2_smape_50": SMAPE([50.0], [100.0]) / 2,
    }
    for name, wrong in cases.items():
        reference = right[name]
        reference = list(reference.values()) if isinstance(reference, dict) else reference
        assert_wrong("04.2", {**right, name: wrong}, name, reference)
    mixed = {"over": 100 * right["ex2_mape"]["over"], "under": right["ex2_mape"]["under"]}
    text = hints("04.2", {**right, "ex2_mape": mixed})
    assert "percent" in text and "ex2_mape['over']" in text and "'under'" not in text
    mixed = {"over": right["ex2_smape"]["over"] / 100, "under": right["ex2_smape"]["under"]}
    text = hints("04.2", {**right, "ex2_smape": mixed})
    assert "one unit" in text and "ex2_smape['over']" in text and "'under'" not in text
    text = hints("04.2", {**right, "ex2_smape_50": right["ex2_smape_50"] / 100})
    assert "ex2_smape_50" in text and not shown(text, right["ex2_smape_50"])
    assert "keys" in hints("04.2", {**right, "ex2_smape": [40.0, 40.0]})


# ------------------------------------------------------------------ 04.3


def white_noise_answer(seed=7, series=2000):
    noise = np.random.default_rng(seed).normal(size=(series, 60))
    outside, p = white_noise_counts(noise)
    return {
        "ex3_mean_outside": outside.sum(axis=1).mean(),
        "ex3_share_any": outside.any(axis=1).mean(),
        "ex3_share_ljung_box": np.mean(p < 0.05),
    }


# statsmodels 0.15 asks for result_object=False to return the tuple without a warning; 0.14.6
# (the floor, make test-floors) has no such argument and returns the tuple.
_TUPLE = {"result_object": False} if "result_object" in inspect.signature(acf).parameters else {}


def test_white_noise_counts_are_statsmodels():
    noise = np.random.default_rng(3).normal(size=(5, 60))
    outside, p = white_noise_counts(noise)
    for series, out, p_value in zip(noise, outside, p, strict=True):
        rho, confint = acf(series, nlags=15, alpha=0.05, **_TUPLE)
        assert np.array_equal(out, np.abs(rho[1:]) > confint[1:, 1] - rho[1:])
        assert np.isclose(p_value, acorr_ljungbox(series, lags=[15])["lb_pvalue"].iloc[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_right_at_any_seed(seed):
    assert check("04.3", white_noise_answer(seed)).right


def test_white_noise_wrong_band_or_test():
    right = white_noise_answer()
    noise = np.random.default_rng(7).normal(size=(2000, 60))
    centred = noise - noise.mean(axis=1, keepdims=True)
    rho = np.stack(
        [np.sum(centred[:, k:] * centred[:, :-k], axis=1) for k in range(1, 16)], axis=1
    ) / np.sum(centred**2, axis=1, keepdims=True)
    narrow = np.abs(rho) > 1.96 / np.sqrt(60)  # the white-noise band, not Bartlett's
    q = 60 * 62 * np.sum(rho**2 / (60 - np.arange(1, 16)), axis=1)
    at_10 = np.mean(stats.chi2.sf(q, 15) < 0.10)  # the wrong level
    cases = {
        "ex3_mean_outside": narrow.sum(axis=1).mean(),
        "ex3_share_any": narrow.any(axis=1).mean(),
        "ex3_share_ljung_box": at_10,
    }
    for name, wrong in cases.items():
        assert_wrong("04.3", {**right, name: wrong}, name, right[name])
    assert "between 0 and 1" in hints(
        "04.3", {**right, "ex3_share_any": 100 * right["ex3_share_any"]}
    )


# ------------------------------------------------------------------ 04.4


@pytest.fixture
def confusion():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 300)
    predicted = np.where(rng.random(300) < 0.7, truth, rng.integers(0, 3, 300))
    predicted[(truth == 2) & (rng.random(300) < 0.3)] = 0  # class 0 handed out too often
    labels = {"y_cls_test": truth, "y_cls_pred": predicted}
    from sklearn.metrics import confusion_matrix

    return {
        "cm": confusion_matrix(truth, predicted),
        "WAVES": ["sine", "square", "sawtooth"],
    }, labels


def test_precision_recall_right(confusion):
    ns, labels = confusion
    from sklearn.metrics import precision_score, recall_score

    answer = {
        "ex4_precision": precision_score(labels["y_cls_test"], labels["y_cls_pred"], average=None),
        "ex4_recall": recall_score(labels["y_cls_test"], labels["y_cls_pred"], average=None),
    }
    assert check("04.4", {**ns, **answer}).right
    grade("04.4", {**ns, **answer})


def test_precision_recall_wrong(confusion):
    ns, _ = confusion
    cm = ns["cm"]
    precision, recall = np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)
    right = {"ex4_precision": precision, "ex4_recall": recall}
    swapped = {"ex4_precision": recall, "ex4_recall": precision}
    text = hints("04.4", {**ns, **swapped})
    assert "swapped" in text and not shown(text, precision) and not shown(text, recall)
    for name, wrong in (("ex4_precision", precision[::-1]), ("ex4_recall", recall * 0.9)):
        assert_wrong("04.4", {**ns, **right, name: wrong}, name, right[name])
    assert "shape" in hints("04.4", {**ns, **right, "ex4_recall": recall[:2]})


# ------------------------------------------------------------------ 04.5


@pytest.fixture
def section_7():
    origins = [84, 96, 108, 120, 132]
    rng = np.random.default_rng(11)
    columns = ["mean growth", "ETS", "SARIMA", "LSTM 16"]
    return {"mase": pd.DataFrame(rng.uniform(0.5, 2.0, (5, 4)), index=origins, columns=columns)}


def fight_answer(ns):
    mase = ns["mase"]
    ex5_mase = (0.8 * mase["LSTM 16"] + 0.2 * mase["ETS"]).rename("ensemble")
    verdict = metrics.compare_scores(ex5_mase, mase["mean growth"], names=("mine", "mean growth"))
    return {"ex5_mase": ex5_mase, "ex5_verdict": verdict}


def test_fairer_fight_right(section_7):
    ns = {**section_7, **fight_answer(section_7)}
    assert check("04.5", ns).right
    grade("04.5", ns)


def test_fairer_fight_wrong(section_7):
    mase = section_7["mase"]
    right = fight_answer(section_7)
    ex5 = right["ex5_mase"]
    reversed_order = metrics.compare_scores(mase["mean growth"], ex5, names=("mean growth", "mine"))
    against_ets = metrics.compare_scores(ex5, mase["ETS"], names=("mine", "ETS"))
    by_points = metrics.compare_forecasts(np.zeros(5), ex5, mase["mean growth"])
    cases = [
        ("ex5_verdict", reversed_order, "other way round"),
        ("ex5_verdict", against_ets, "mean growth"),
        ("ex5_verdict", by_points, "compare_scores"),
        ("ex5_verdict", "mine beats mean growth", "paired rule"),
        ("ex5_mase", ex5.to_numpy(), "pandas Series"),
        ("ex5_mase", ex5.reset_index(drop=True), "origins"),
        ("ex5_mase", mase["LSTM 16"], "change of your own"),
    ]
    for name, wrong, words in cases:
        ns = {**section_7, **right, name: wrong}
        assert_wrong("04.5", ns, name, right["ex5_verdict"].p_value)
        assert words in hints("04.5", ns), (name, words, hints("04.5", ns))
