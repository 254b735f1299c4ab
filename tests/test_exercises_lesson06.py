"""Lesson 06's exercise checks: right answers pass, wrong ones get hints that name the result.

The namespaces hold the lesson's own inputs, from the shipped weather (no training):
answers are computed here the way a student would (scikit-learn's GridSearchCV,
statsmodels' Ljung-Box, the lesson's walk-forward), never copied from a stored output.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import data, features, metrics
from helpers import walk_forward as wf
from helpers.exercises import check, grade

TARGET = "temp_max"
INPUTS = ["temp_max", "precipitation", "temp_min", "wind", "year_sin", "year_cos"]


@pytest.fixture(scope="module")
def lesson():
    """The lesson's variables up to section 3, as its cells define them."""
    frame = data.load_lesson_data(
        None, default="seattle_weather", time_column="date",
        columns=["precipitation", "temp_max", "temp_min", "wind"],
    )  # fmt: skip
    n_test = round(0.2 * len(frame))
    origins = wf.expanding_origins(len(frame), test_size=n_test, n_origins=3)
    frame = frame.join(features.calendar_features(frame.index))
    development = frame.iloc[: origins[0]]
    X_dev, y_dev = data.make_windows(
        development[INPUTS], 14, horizon=1, target_columns=TARGET, feature_columns=INPUTS
    )
    return {
        "frame": frame, "development": development, "origins": origins, "TARGET_COLUMN": TARGET,
        "M": 1, "X_dev": X_dev, "y_dev": y_dev, "HALF_WIDTH": 7, "n_val": 175,
    }  # fmt: skip


def with_answers(lesson, **answers):
    return {**lesson, **answers}


def test_nothing_defined_asks_for_every_result(lesson):
    for key, names in {
        "06.1": ["ex1_mase"],
        "06.2": ["ex2_alpha_kfold", "ex2_alpha_time", "ex2_ljung_box_p"],
        "06.3": ["ex3_width", "ex3_verdict"],
        "06.4": ["ex4_forecasts", "ex4_verdict"],
    }.items():
        result = check(key, lesson)
        assert not result.right
        assert [h.split("`")[1] for h in result.hints] == names
        assert all(h.startswith("define `") for h in result.hints)


# ------------------------------------------------------------------ exercise 1


def persistence_mase(lesson, *, origin_row=0):
    y = lesson["frame"][TARGET].to_numpy()
    o, stop = lesson["origins"][origin_row], lesson["origins"][origin_row + 1]
    scale = np.mean(np.abs(y[1:o] - y[: o - 1]))
    return np.mean(np.abs(y[o:stop] - y[o - 1 : stop - 1])) / scale


def test_ex1_right_by_hand_and_by_the_walk_forward(lesson):
    assert check("06.1", with_answers(lesson, ex1_mase=persistence_mase(lesson))).right
    stored = wf.walk_forward(
        lesson["frame"], {"persistence": wf.persistence}, origins=lesson["origins"], window=14,
        target=TARGET, features=INPUTS, validation_size=175,
    ).scores.query("origin == @lesson['origins'][0]")["MASE"].item()  # fmt: skip
    assert check("06.1", with_answers(lesson, ex1_mase=stored)).right


def test_ex1_wrong_answers_get_hints_without_the_value(lesson):
    right = persistence_mase(lesson)
    y = lesson["frame"][TARGET].to_numpy()
    o = lesson["origins"][0]
    whole_scale = np.mean(np.abs(y[o : lesson["origins"][1]] - y[o - 1 : lesson["origins"][1] - 1]))
    whole_scale /= np.mean(np.abs(np.diff(y)))  # the scale from every row, test rows included
    for wrong in (persistence_mase(lesson, origin_row=1), whole_scale, right * 1.1):
        result = check("06.1", with_answers(lesson, ex1_mase=wrong))
        assert not result.right and "`ex1_mase`" in result.hints[0]
        assert not shown(result.hints, right)
    result = check("06.1", with_answers(lesson, ex1_mase=[right]))
    assert not result.right and "one number" in result.hints[0]


# ------------------------------------------------------------------ exercise 2


@pytest.fixture(scope="module")
def ex2(lesson):
    """Exercise 2 as the worked solution does it, with scikit-learn and statsmodels."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, KFold, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from statsmodels.stats.diagnostic import acorr_ljungbox

    flat = lesson["X_dev"].reshape(len(lesson["X_dev"]), -1)
    target = lesson["y_dev"][:, 0]
    grid = {"ridge__alpha": np.logspace(-3, 3, 7)}
    chosen = {}
    for name, cv in [
        ("kfold", KFold(5, shuffle=True, random_state=0)),
        ("time", TimeSeriesSplit(5)),
    ]:
        search = GridSearchCV(make_pipeline(StandardScaler(), Ridge()), grid, cv=cv,
                              scoring="neg_root_mean_squared_error").fit(flat, target)  # fmt: skip
        chosen[name] = search.best_params_["ridge__alpha"]

    def p_value(alpha):
        errors = []
        for train, test in TimeSeriesSplit(5).split(flat):
            fit = make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(
                flat[train], target[train]
            )
            errors.append(target[test] - fit.predict(flat[test]))
        return float(acorr_ljungbox(np.concatenate(errors), lags=[7])["lb_pvalue"].iloc[0])

    return {
        "ex2_alpha_kfold": chosen["kfold"], "ex2_alpha_time": chosen["time"],
        "ex2_ljung_box_p": p_value(chosen["time"]), "p_value": p_value,
    }  # fmt: skip


def ex2_answers(ex2, **changes):
    names = ("ex2_alpha_kfold", "ex2_alpha_time", "ex2_ljung_box_p")
    return {**{name: ex2[name] for name in names}, **changes}


def test_ex2_right(lesson, ex2):
    assert ex2["ex2_alpha_kfold"] != ex2["ex2_alpha_time"]  # else the swap below tests nothing
    assert check("06.2", with_answers(lesson, **ex2_answers(ex2))).right
    grade("06.2", with_answers(lesson, **ex2_answers(ex2)))


def test_ex2_the_default_r2_scoring_is_right_too(lesson, ex2):
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    flat = lesson["X_dev"].reshape(len(lesson["X_dev"]), -1)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Ridge()),
        {"ridge__alpha": np.logspace(-3, 3, 7)},
        cv=TimeSeriesSplit(5),
    )
    alpha = search.fit(flat, lesson["y_dev"][:, 0]).best_params_["ridge__alpha"]
    answers = ex2_answers(ex2, ex2_alpha_time=alpha, ex2_ljung_box_p=ex2["p_value"](alpha))
    assert check("06.2", with_answers(lesson, **answers)).right


def test_ex2_wrong_alphas(lesson, ex2):
    kfold, time = ex2["ex2_alpha_kfold"], ex2["ex2_alpha_time"]
    swapped = ex2_answers(ex2, ex2_alpha_kfold=time, ex2_alpha_time=kfold,
                          ex2_ljung_box_p=ex2["p_value"](kfold))  # fmt: skip
    result = check("06.2", with_answers(lesson, **swapped))
    assert not result.right
    assert any("`ex2_alpha_kfold`" in h for h in result.hints)
    far = 1000.0 if time < 100 else 0.001  # a penalty no score chooses on these folds
    answers = ex2_answers(ex2, ex2_alpha_time=far, ex2_ljung_box_p=ex2["p_value"](far))
    result = check("06.2", with_answers(lesson, **answers))
    assert not result.right and "`ex2_alpha_time`" in result.hints[0]
    assert len(result.hints) == 1  # the p-value of their own alpha is consistent
    result = check("06.2", with_answers(lesson, **ex2_answers(ex2, ex2_alpha_kfold=5.0)))
    assert not result.right and "logspace" in result.hints[0]


def test_ex2_wrong_p_value(lesson, ex2):
    from statsmodels.stats.diagnostic import acorr_ljungbox

    right = ex2["ex2_ljung_box_p"]
    other = ex2["p_value"](1000.0 if ex2["ex2_alpha_time"] < 100 else 0.001)  # another alpha's
    residual_target = acorr_ljungbox(lesson["y_dev"][:, 0], lags=[7])["lb_pvalue"].iloc[0]
    for wrong in (other, float(residual_target), right / 2):
        result = check("06.2", with_answers(lesson, **ex2_answers(ex2, ex2_ljung_box_p=wrong)))
        assert not result.right and "`ex2_ljung_box_p`" in result.hints[-1]
        assert not shown(result.hints, right)
    result = check("06.2", with_answers(lesson, **ex2_answers(ex2, ex2_ljung_box_p=3.0)))
    assert not result.right and "between 0 and 1" in result.hints[0]


# ------------------------------------------------------------------ exercise 3


@pytest.fixture(scope="module")
def ex3(lesson):
    """Exercise 3 as the worked solution does it, with the lesson's walk-forward."""
    development, frame = lesson["development"], lesson["frame"]
    inner = wf.expanding_origins(len(development), test_size=200, n_origins=4)
    climatology = functools.partial(functools.partial, wf.climatology)
    tuning = wf.walk_forward(
        development, {w: climatology(half_width=w) for w in (0, 3, 7, 15, 30)}, origins=inner,
        window=14, target=TARGET, features=INPUTS, validation_size=0,
    ).summary()  # fmt: skip
    width = int(tuning.index[0])
    judged = wf.walk_forward(
        frame, {w: climatology(half_width=w) for w in {width, 7, 0}}, origins=lesson["origins"],
        window=14, target=TARGET, features=INPUTS, validation_size=175,
    )  # fmt: skip
    return {"width": width, "judged": judged}


def test_ex3_right(lesson, ex3):
    assert ex3["width"] != 7  # else the verdict below compares a forecaster with itself
    verdict = ex3["judged"].compare(ex3["width"], 7)
    answers = with_answers(lesson, ex3_width=ex3["width"], ex3_verdict=verdict)
    assert check("06.3", answers).right
    grade("06.3", answers)
    backwards = ex3["judged"].compare(7, ex3["width"])  # either order is the same verdict
    assert check("06.3", with_answers(answers, ex3_verdict=backwards)).right


def test_ex3_wrong_width(lesson, ex3):
    judged = ex3["judged"]
    result = check("06.3", with_answers(lesson, ex3_width=0, ex3_verdict=judged.compare(0, 7)))
    assert not result.right and len(result.hints) == 1 and "`ex3_width`" in result.hints[0]
    assert str(ex3["width"]) not in result.hints[0]  # the hint does not give the width away
    result = check("06.3", with_answers(lesson, ex3_width=10, ex3_verdict=judged.compare(0, 7)))
    assert not result.right and "`ex3_width` should be one of" in result.hints[0]


def test_ex3_wrong_verdict(lesson, ex3):
    judged, width = ex3["judged"], ex3["width"]
    wrong = {
        "another width": judged.compare(0, 7),
        "first block only": metrics.compare_forecasts(
            judged.y_true[:97, 0], judged.forecasts[width][:97, 0], judged.forecasts[7][:97, 0]
        ),
        "test tuned": metrics.compare_forecasts(
            judged.y_true[:, 0], judged.forecasts[width][:, 0], judged.y_true[:, 0] + 1.0
        ),
    }
    for verdict in wrong.values():
        result = check("06.3", with_answers(lesson, ex3_width=width, ex3_verdict=verdict))
        assert not result.right and "`ex3_verdict`" in result.hints[0]
    result = check("06.3", with_answers(lesson, ex3_width=width, ex3_verdict="no difference"))
    assert not result.right and "`ex3_verdict` should be the verdict" in result.hints[0]


# ------------------------------------------------------------------ exercise 4


@pytest.fixture(scope="module")
def section4(lesson):
    """A stand-in for section 4's result: the test days, a ridge, an 'LSTM' (a shifted ridge)."""
    result = wf.walk_forward(
        lesson["frame"], {"ridge": wf.TunedRidge(), "persistence": wf.persistence},
        origins=lesson["origins"], window=14, target=TARGET, features=INPUTS, validation_size=175,
    )  # fmt: skip
    result.forecasts["LSTM"] = result.forecasts["ridge"] + 0.3
    return result


def test_ex4_right(lesson, section4):
    y, ridge = section4.y_true[:, 0], section4.forecasts["ridge"][:, 0]
    mine = 0.5 * (ridge + section4.forecasts["persistence"][:, 0])  # a new forecaster
    forecasts = {"blend": mine, "ridge": ridge}
    verdict = metrics.compare_forecasts(y, mine, ridge, names=tuple(forecasts))
    answers = with_answers(lesson, result=section4, ex4_forecasts=forecasts, ex4_verdict=verdict)
    assert check("06.4", answers).right
    grade("06.4", answers)
    changed_ridge = {"blend": mine, "ridge, 28 days": ridge - 0.2}  # the ridge given the change
    verdict = metrics.compare_forecasts(y, changed_ridge["ridge, 28 days"], mine,
                                        names=("ridge, 28 days", "blend"))  # fmt: skip
    answers.update(ex4_forecasts=changed_ridge, ex4_verdict=verdict)
    assert check("06.4", answers).right
    unnamed = metrics.compare_forecasts(y, changed_ridge["ridge, 28 days"], mine)  # ("A", "B")
    assert check("06.4", {**answers, "ex4_verdict": unnamed}).right  # the prompt asks no names
    unnamed_wrong = metrics.compare_forecasts(y, changed_ridge["ridge, 28 days"] + 0.1, mine)
    assert not check("06.4", {**answers, "ex4_verdict": unnamed_wrong}).right


def test_ex4_wrong_answers(lesson, section4):
    y, ridge = section4.y_true[:, 0], section4.forecasts["ridge"][:, 0]
    mine = 0.5 * (ridge + section4.forecasts["persistence"][:, 0])
    right = metrics.compare_forecasts(y, mine, ridge, names=("blend", "ridge"))
    base = with_answers(lesson, result=section4)
    cases = [
        ({"blend": mine}, right, "`ex4_forecasts` should be a dict with two"),
        ({"blend": mine, "linear": ridge}, right, "under a name with 'ridge'"),
        ({"blend": mine[:-5], "ridge": ridge[:-5]}, right, "every test day"),
        ({"LSTM": section4.forecasts["LSTM"][:, 0], "ridge": ridge},
         metrics.compare_forecasts(y, section4.forecasts["LSTM"][:, 0], ridge,
                                   names=("LSTM", "ridge")), "unchanged"),
        ({"blend": ridge, "ridge": ridge},
         metrics.compare_forecasts(y, ridge, ridge, names=("blend", "ridge")), "ridge's forecast"),
        ({"blend": mine, "ridge": ridge}, "blend wins", "`ex4_verdict` should be the verdict"),
        ({"blend": mine, "ridge": ridge},
         metrics.compare_forecasts(y, mine, ridge, names=("ours", "ridge")), "should name"),
        ({"blend": mine, "ridge": ridge},
         metrics.compare_forecasts(y, mine + 0.1, ridge, names=("blend", "ridge")),
         "not the paired rule"),
        ({"blend": mine, "ridge": ridge},
         metrics.compare_forecasts(y[::-1], mine[::-1], ridge, names=("blend", "ridge")),
         "not the paired rule"),
    ]  # fmt: skip
    for forecasts, verdict, hint in cases:
        result = check("06.4", {**base, "ex4_forecasts": forecasts, "ex4_verdict": verdict})
        assert not result.right, hint
        assert any(hint in h for h in result.hints), (hint, result.hints)
        assert any("`ex4_" in h for h in result.hints)
    with pytest.raises(AssertionError, match="not yet"):
        grade("06.4", {**base, "ex4_forecasts": {"blend": mine}, "ex4_verdict": right})
