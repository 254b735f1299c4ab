"""Lesson 05's exercise checks: right answers pass, each wrong one gets a hint that names it.

The namespaces are plain dicts with the lesson's input variables: small untrained
forecasters of the lesson's shape (built with fixed seeds, never trained) and random
windows, so the file runs in seconds; each right answer is computed here the way the
worked solution computes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import metrics, models
from helpers import sensitivity as sens
from helpers.exercises import check, find, grade, registered
from helpers.training import TrainingHistory

WINDOW, FEATURES = 10, ["price", "volume", "indicator"]


def assert_wrong(key, namespace, name, reference=None, *, graded=False):
    """Not right, a hint naming ``name`` without ``reference``; returns the hints' text."""
    result = check(key, namespace)
    assert not result.right
    text = "\n".join(result.hints)
    assert f"`{name}" in text, text
    if reference is not None:
        assert not shown(text, reference), text
    if graded:  # grade runs the same check again: once per exercise is enough
        with pytest.raises(AssertionError):
            grade(key, namespace)
    return text


def test_every_exercise_of_the_lesson_is_registered():
    assert [e.key for e in registered("05")] == ["05.1", "05.2", "05.3", "05.4"]
    assert find("05.1").points == 2


@pytest.mark.parametrize("key", ["05.1", "05.2", "05.3", "05.4"])
def test_nothing_defined_asks_for_each_result(key):
    result = check(key, {})
    assert [h.split(":")[0] for h in result.hints] == [f"define `{n}`" for n in find(key).results]


@pytest.fixture(scope="module")
def lesson():
    """The lesson's variables the checks read: an (untrained) model, its windows and maps."""
    model = models.build_forecaster(WINDOW, len(FEATURES), units=4, seed=0)
    x = np.random.default_rng(0).normal(size=(60, WINDOW, len(FEATURES))).astype("float32")
    return {
        "model": model,
        "x": x,
        "WINDOW": WINDOW,
        "FEATURE_COLUMNS": FEATURES,
        "IG": sens.integrated_gradients(model, x, steps=32),
        "maps": {"saliency": sens.saliency(model, x)},
    }


# ------------------------------------------------------------------ 05.1


def converged_history(converged=True):
    history = TrainingHistory(max_epochs=60)
    history.converged = converged
    return history


def volume_answer(lag=3, others=None):
    """A map in which the true cells and volume at ``lag`` stand out, ranked by rank_cells."""
    a = 0.01 * np.random.default_rng(1).normal(size=(50, WINDOW, 3))
    cells = {("price", 1): 3, ("price", 2): 3, ("indicator", 5): 1, **(others or {})}
    for (feature, at), size in cells.items():
        a[:, WINDOW - at, FEATURES.index(feature)] += size
    a[:, WINDOW - lag, FEATURES.index("volume")] += 0.7
    return {
        "ex1_lag": lag,
        "ex1_weight": 0.6,
        "ex1_history": converged_history(),
        "ex1_cells": sens.rank_cells(a, feature_names=FEATURES),
    }


def test_volume_driver_right():
    ns = {"WINDOW": WINDOW, "history": converged_history(), **volume_answer()}
    assert check("05.1", ns).right
    grade("05.1", ns)


def test_volume_driver_wrong():
    lesson_history = converged_history()
    base = {"WINDOW": WINDOW, "history": lesson_history, **volume_answer()}
    cells = base["ex1_cells"]
    weak = volume_answer(others={("price", 3): 0.9, ("price", 4): 0.9, ("indicator", 4): 0.9})
    weak = weak["ex1_cells"]  # volume's cell ranks after three more cells: 7th
    cases = [
        ("ex1_lag", 4, "not at `ex1_lag`"),  # the ranking finds the driver elsewhere
        ("ex1_lag", WINDOW + 1, "from 1 to WINDOW"),
        ("ex1_lag", 2.5, "whole number"),
        ("ex1_weight", 0.0, "no effect"),
        ("ex1_history", converged_history(False), "did not fire"),
        ("ex1_history", lesson_history, "lesson's own"),
        ("ex1_history", {"loss": [1.0]}, "models.train"),
        ("ex1_cells", cells.iloc[::-1], "not ranked"),
        ("ex1_cells", weak, "top cells"),
        ("ex1_cells", cells.assign(feature=cells["feature"].replace("volume", "x1")), "no cell"),
        ("ex1_cells", cells.to_numpy(), "rank_cells"),
    ]
    for name, wrong, words in cases:
        text = assert_wrong("05.1", {**base, name: wrong}, name, graded=name == "ex1_lag")
        assert words in text, (name, words, text)


# ------------------------------------------------------------------ 05.2


def baseline_answer(ns):
    model, x = ns["model"], ns["x"]
    flat = np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape)
    ig_flat = sens.integrated_gradients(model, x, baseline=flat, steps=32)
    gap = sens.completeness_gap(model, x, ig_flat, baseline=flat)
    moved = np.abs(models.predict(model, x)[:, 0] - models.predict(model, flat)[:, 0])
    shares = pd.DataFrame(
        {
            "zeros": sens.rank_features(ns["IG"], feature_names=FEATURES)["share"],
            "window mean": sens.rank_features(ig_flat, feature_names=FEATURES)["share"],
        }
    )
    return {"ex2_shares": shares, "ex2_gap": np.abs(gap).max() / moved.mean()}, ig_flat, flat


def test_window_mean_baseline_right(lesson):
    answer, *_ = baseline_answer(lesson)
    assert check("05.2", {**lesson, **answer}).right
    grade("05.2", {**lesson, **answer})


def test_window_mean_baseline_wrong(lesson):
    answer, ig_flat, flat = baseline_answer(lesson)
    shares = answer["ex2_shares"]
    model, x = lesson["model"], lesson["x"]
    mismatched = sens.completeness_gap(model, x, ig_flat)  # compared with the zero baseline
    moved = np.abs(models.predict(model, x)[:, 0] - models.predict(model, flat)[:, 0])
    cases = [
        ("ex2_shares", shares.assign(**{"window mean": shares["zeros"]}), '["window mean"]'),
        ("ex2_shares", shares.assign(zeros=shares["window mean"]), '["zeros"]'),
        ("ex2_shares", shares.rename(columns={"zeros": "zero"}), "columns"),
        ("ex2_shares", shares.iloc[:2], "one row per feature"),
        ("ex2_shares", shares * 100, "summing to 1"),
        ("ex2_gap", np.abs(mismatched).max() / moved.mean(), "too large"),
        ("ex2_gap", -answer["ex2_gap"], "negative"),
    ]
    for name, wrong, words in cases:
        ns = {**lesson, **answer, name: wrong}
        text = assert_wrong("05.2", ns, name, shares.to_numpy(), graded=name == "ex2_gap")
        assert words in text, (name, words, text)


# ------------------------------------------------------------------ 05.3


@pytest.fixture(scope="module")
def layers_answer(lesson):
    """The worked solution's loop, with a second untrained model as the 'retrained' one."""
    model, x = lesson["model"], lesson["x"]
    retrained = models.build_forecaster(WINDOW, len(FEATURES), units=4, seed=1)
    trained_map, retrained_map = lesson["maps"]["saliency"], sens.saliency(retrained, x)
    apart = slice(0, None, WINDOW)
    reference = sens.window_rank_correlations(trained_map, retrained_map, absolute=False)
    verdicts, agreement, wrong = {}, {}, {}
    for layer in [*models.recurrent_layers(model), models.head(model)]:
        partly = sens.saliency(sens.randomize_weights(model, layers=[layer.name], seed=0), x)
        r = sens.window_rank_correlations(trained_map, partly, absolute=False)
        agreement[layer.name] = r.mean()
        verdicts[layer.name] = metrics.compare_scores(
            1 - reference[apart], 1 - r[apart], names=("retrained", f"random {layer.name}")
        )
        wrong[layer.name] = {
            "every window": metrics.compare_scores(
                1 - reference, 1 - r, names=("retrained", f"random {layer.name}")
            ),
            "no reference": metrics.compare_scores(
                1 - r[apart], 1 - reference[apart], names=("random", "other method")
            ),
        }
    return {"ex3_verdicts": verdicts, "ex3_agreement": agreement}, wrong


def test_one_layer_at_a_time_right(lesson, layers_answer):
    answer, _ = layers_answer
    assert check("05.3", {**lesson, **answer}).right
    grade("05.3", {**lesson, **answer})
    by_kind = {  # the worked solution keys by (layer, "signed" or "magnitude")
        name: {(k, kind): v for k, v in answer[name].items() for kind in ("signed", "magnitude")}
        for name in answer
    }
    assert check("05.3", {**lesson, **by_kind}).right


def test_one_layer_at_a_time_wrong(lesson, layers_answer):
    answer, wrong = layers_answer
    verdicts, agreement = answer["ex3_verdicts"], answer["ex3_agreement"]
    lstm, head = list(verdicts)
    cases = [
        ("ex3_verdicts", {lstm: verdicts[lstm]}, f"no entry for the layer {head!r}"),
        ("ex3_verdicts", {**verdicts, lstm: wrong[lstm]["every window"]}, "every WINDOW-th"),
        ("ex3_verdicts", {**verdicts, head: wrong[head]["no reference"]}, "retrained"),
        ("ex3_verdicts", {**verdicts, head: "retrained beats random"}, "compare_scores"),
        ("ex3_verdicts", list(verdicts.values()), "dict"),
        ("ex3_agreement", {**agreement, head: 1.0}, "did not change"),
        ("ex3_agreement", {**agreement, lstm: 1 + abs(agreement[lstm])}, "from -1 to 1"),
        ("ex3_agreement", {lstm: agreement[lstm]}, f"no entry for the layer {head!r}"),
    ]
    for name, bad, words in cases:
        text = assert_wrong("05.3", {**lesson, **answer, name: bad}, name, graded=True)
        assert words in text, (name, words, text)


# ------------------------------------------------------------------ 05.4


def nudge_answer(ns, mode="nudge"):
    saliency = ns["maps"]["saliency"]
    scale = np.abs(saliency).max()
    return {
        d: np.abs(
            sens.perturbation_sensitivity(ns["model"], ns["x"], mode=mode, delta=d) - saliency
        ).max()
        / scale
        for d in (0.01, 3.0)
    }


def test_nudge_right(lesson):
    ns = {**lesson, "ex4_error": nudge_answer(lesson)}
    assert check("05.4", ns).right
    grade("05.4", ns)
    assert check(
        "05.4", {**ns, "ex4_error": {0.01: ns["ex4_error"][0.01], 3: ns["ex4_error"][3.0]}}
    ).right
    numpy_keys = {np.float32(d): e for d, e in ns["ex4_error"].items()}  # keys from a float32 loop
    assert check("05.4", {**ns, "ex4_error": numpy_keys}).right


def test_nudge_wrong(lesson):
    right = nudge_answer(lesson)
    occluded = nudge_answer(lesson, mode="occlude")
    unscaled = {d: e * np.abs(lesson["maps"]["saliency"]).max() * 7 for d, e in right.items()}
    cases = [
        ({0.01: right[3.0], 3.0: right[0.01]}, "`ex4_error[0.01]`"),  # swapped
        ({**right, 3.0: occluded[3.0]}, "`ex4_error[3]`"),
        ({**right, 0.01: unscaled[0.01]}, "`ex4_error[0.01]`"),
        ({0.01: right[0.01]}, "no entry for d = 3"),
        ([right[0.01], right[3.0]], "dict"),
    ]
    for k, (bad, words) in enumerate(cases):
        ns = {**lesson, "ex4_error": bad}
        text = assert_wrong("05.4", ns, "ex4_error", list(right.values()), graded=k == 0)
        assert words in text, (words, text)
