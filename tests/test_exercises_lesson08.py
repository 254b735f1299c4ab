"""Lesson 08's exercise checks, on synthetic namespaces: no kernel, no TensorFlow, no training.

The lesson's attention LSTM is stood in for by a small NumPy model of the same
structure (states per step -> attention over time -> dense head), with the same
``model(X, training=False)`` call and ``model.layers``; the checks only run it
forward. Every right answer is computed here the way a student would, by another
route than the check's.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import metrics
from helpers.exercises import check, grade

WINDOW, N_FEATURES = 10, 4


class _States:  # the "LSTM": a state per step, (n, T, F) -> (n, T, d)
    def __init__(self, rng, d=6):
        self.kernel = rng.normal(scale=0.7, size=(N_FEATURES, d))

    def __call__(self, X, training=False):
        X = np.asarray(X, dtype=float)
        mixed = X @ self.kernel
        mixed[:, 1:] += 0.5 * np.tanh(mixed[:, :-1])  # a step reads the one before it
        return np.tanh(mixed)


class _Attention:  # softmax over time of v . tanh(W h_t): (n, T, d) -> (n, d)
    def __init__(self, rng, d=6):
        self.kernel = rng.normal(size=(d, 5))
        self.score = rng.normal(scale=2.0, size=(5, 1))

    def attention(self, h):
        e = (np.tanh(h @ self.kernel) @ self.score)[..., 0]
        e = np.exp(e - e.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def __call__(self, h, training=False):
        return (self.attention(h)[:, :, None] * h).sum(axis=1)


class _Dense:  # (n, d) -> (n, 1)
    def __init__(self, rng, d=6):
        self.kernel = rng.normal(size=(d, 1))

    def __call__(self, c, training=False):
        return np.asarray(c) @ self.kernel + 0.1


class FakeAttentionModel:
    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [_States(rng), _Attention(rng), _Dense(rng)]

    def __call__(self, X, training=False):
        h = np.asarray(X, dtype=float)
        for layer in self.layers:
            h = layer(h)
        return h


def forecast_of(model, X):  # (n,), the first output
    return np.asarray(model(X))[:, 0]


@pytest.fixture(scope="module")
def lesson():
    rng = np.random.default_rng(8)
    model = FakeAttentionModel()
    x = rng.normal(size=(12, WINDOW, N_FEATURES)).astype("float32")
    background = rng.normal(size=(20, WINDOW, N_FEATURES)).astype("float32")
    change = forecast_of(model, x) - forecast_of(model, background).mean()
    X_test = rng.normal(size=(80, WINDOW, N_FEATURES))
    learned = forecast_of(model, X_test)
    y_test = (learned + rng.normal(scale=0.3, size=len(learned)))[:, None]  # (n, 1)
    stability = {
        (name, budget): np.clip(rng.normal(level, 0.15, size=len(x)), -1, 1)
        for name, budgets, level in (
            ("LIME", (500, 1500, 5000), 0.2),
            ("Kernel SHAP", (200, 600, 2128), 0.8),
        )
        for budget in budgets
    }
    return {
        "model": model,
        "x": x,
        "background": background,
        "kernel": rng.normal(scale=0.1, size=x.shape),
        "change": change,
        "WINDOW": WINDOW,
        "LIME_SAMPLES": 5000,
        "N_BACKGROUND": 20,
        "KERNEL_SAMPLES": 2128,
        "stability": stability,
        "X_test": X_test,
        "y_test": y_test,
        "forecast": {"attention LSTM": learned, "mean": np.zeros(len(learned))},
        "history": FakeHistory(converged=True, val_loss=[0.5, 0.3, 0.2]),
        "EPOCHS": 400,
    }


class FakeHistory:  # what helpers.models.train returns, as far as the check reads it
    def __init__(self, *, converged, val_loss):
        self.history = {"loss": list(val_loss), "val_loss": list(val_loss)}
        self.converged = converged


def hints_of(key, namespace):
    result = check(key, namespace)
    assert not result.right, f"{key} should not be right"
    return "\n".join(result.hints)


# ------------------------------------------------------------------ exercise 1


GROUP_LAGS = ([1], [2], [3], list(range(4, WINDOW + 1)))


def exact_step_values(ns):  # subset weights |S|! (G - |S| - 1)! / G!, as the solution does
    model, x, background = ns["model"], ns["x"], ns["background"]
    steps_of = [np.isin(WINDOW - np.arange(WINDOW), lags) for lags in GROUP_LAGS]
    G = len(steps_of)

    def value(keep):
        steps = np.zeros(WINDOW, dtype=bool)
        for s, k in zip(steps_of, keep, strict=True):
            steps |= s & k
        mixed = np.where(steps[None, None, :, None], x[:, None], background[None, :])
        flat = mixed.reshape(-1, WINDOW, N_FEATURES)
        return forecast_of(model, flat).reshape(len(x), -1).mean(axis=1)

    v = {keep: value(keep) for keep in itertools.product((False, True), repeat=G)}
    values = np.zeros((len(x), G))
    for keep, here in v.items():
        for i in (i for i in range(G) if not keep[i]):
            size = sum(keep)
            weight = math.factorial(size) * math.factorial(G - size - 1) / math.factorial(G)
            values[:, i] += weight * (v[keep[:i] + (True,) + keep[i + 1 :]] - here)
    return values


def kernel_sums(ns, lags_of_step=lambda t: WINDOW - t):
    lags = lags_of_step(np.arange(WINDOW))
    masks = [np.isin(lags, group) for group in GROUP_LAGS]
    return np.stack([ns["kernel"][:, m].sum(axis=(1, 2)) for m in masks], axis=1)


@pytest.fixture(scope="module")
def right_1(lesson):
    return {
        **lesson,
        "ex1_step_values": exact_step_values(lesson),
        "ex1_kernel_sums": kernel_sums(lesson),
    }


def test_1_right(right_1):
    np.testing.assert_allclose(right_1["ex1_step_values"].sum(axis=1), right_1["change"])
    assert check("08.1", right_1).right
    grade("08.1", right_1)


def test_1_nothing_defined(lesson):
    hints = check("08.1", lesson).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex1_step_values`",
        "define `ex1_kernel_sums`",
    ]


def test_1_an_equal_split_adds_up_but_is_wrong(right_1):
    even = np.repeat(right_1["change"][:, None] / 4, 4, axis=1)
    text = hints_of("08.1", {**right_1, "ex1_step_values": even})
    assert "`ex1_step_values` are not the exact Shapley values" in text
    assert "add up" not in text
    assert not shown(text, right_1["ex1_step_values"])
    with pytest.raises(AssertionError, match="ex1_step_values"):
        grade("08.1", {**right_1, "ex1_step_values": even})


def test_1_columns_in_the_wrong_order(right_1):
    text = hints_of("08.1", {**right_1, "ex1_step_values": right_1["ex1_step_values"][:, ::-1]})
    assert "wrong order" in text and "`ex1_step_values`" in text


def test_1_values_against_another_reference_do_not_add_up(right_1):
    against_zeros = exact_step_values({**right_1, "background": np.zeros_like(right_1["x"][:1])})
    text = hints_of("08.1", {**right_1, "ex1_step_values": against_zeros})
    assert "do not add up to `change`" in text
    assert not shown(text, right_1["ex1_step_values"], right_1["change"])


def test_1_wrong_shape(right_1):
    text = hints_of("08.1", {**right_1, "ex1_step_values": right_1["ex1_step_values"].T})
    assert "`ex1_step_values` has shape (4, 12)" in text


def test_1_kernel_sums_with_lag_1_taken_as_the_oldest_step(right_1):
    oldest_first = kernel_sums(right_1, lags_of_step=lambda t: t + 1)
    text = hints_of("08.1", {**right_1, "ex1_kernel_sums": oldest_first})
    assert "`ex1_kernel_sums` is not" in text
    assert "`ex1_step_values`" not in text
    assert not shown(text, right_1["ex1_kernel_sums"])


# ------------------------------------------------------------------ exercise 2


@pytest.fixture(scope="module")
def right_2(lesson):
    rng = np.random.default_rng(2)
    stab = {
        "Kernel SHAP": np.clip(rng.normal(0.6, 0.15, size=len(lesson["x"])), -1, 1),
        "LIME": lesson["stability"]["LIME", 5000],
    }
    verdict = metrics.compare_scores(
        1 - stab["Kernel SHAP"], 1 - stab["LIME"], names=("Kernel SHAP", "LIME")
    )
    assert verdict.winner == "Kernel SHAP"  # the synthetic stabilities are far apart
    return {**lesson, "ex2_samples": 5000 // 20, "ex2_stability": stab, "ex2_verdict": verdict}


def test_2_right(right_2):
    assert check("08.2", right_2).right
    grade("08.2", right_2)
    flipped = metrics.compare_scores(  # the other order is as right
        1 - right_2["ex2_stability"]["LIME"],
        1 - right_2["ex2_stability"]["Kernel SHAP"],
        names=("LIME", "Kernel SHAP"),
    )
    assert check("08.2", {**right_2, "ex2_verdict": flipped}).right


def test_2_nothing_defined(lesson):
    hints = check("08.2", lesson).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex2_samples`",
        "define `ex2_stability`",
        "define `ex2_verdict`",
    ]


@pytest.mark.parametrize("samples", [5000, 5000 / 2128, 5000 * 20])
def test_2_wrong_number_of_coalitions(right_2, samples):
    text = hints_of("08.2", {**right_2, "ex2_samples": samples})
    assert "`ex2_samples` is not" in text
    assert not shown(text, 250)
    assert "250" not in text


def test_2_lime_at_another_budget(right_2):
    stab = {**right_2["ex2_stability"], "LIME": right_2["stability"]["LIME", 500]}
    text = hints_of("08.2", {**right_2, "ex2_stability": stab})
    assert "`ex2_stability['LIME']` is not" in text


def test_2_kernel_shap_at_its_default_budget(right_2):
    stab = {**right_2["ex2_stability"], "Kernel SHAP": right_2["stability"]["Kernel SHAP", 2128]}
    text = hints_of("08.2", {**right_2, "ex2_stability": stab})
    assert "`ex2_stability['Kernel SHAP']` was measured at another budget" in text


@pytest.mark.parametrize(
    "stability",
    [
        {"Kernel SHAP": np.zeros(12)},  # a key missing
        {"Kernel SHAP": np.zeros(11), "LIME": np.zeros(12)},  # one window short
        {"Kernel SHAP": np.full(12, 2.0), "LIME": np.zeros(12)},  # not a correlation
        [np.zeros(12), np.zeros(12)],  # not a dict
    ],
)
def test_2_malformed_stability(right_2, stability):
    text = hints_of("08.2", {**right_2, "ex2_stability": stability})
    assert text.startswith("`ex2_stability")


def test_2_verdict_on_the_correlations_themselves(right_2):
    stab = right_2["ex2_stability"]
    backwards = metrics.compare_scores(
        stab["Kernel SHAP"], stab["LIME"], names=("Kernel SHAP", "LIME")
    )  # higher correlation is steadier, but compare_scores counts lower as better
    text = hints_of("08.2", {**right_2, "ex2_verdict": backwards})
    assert "`ex2_verdict` has its direction wrong" in text
    with pytest.raises(AssertionError, match="ex2_verdict"):
        grade("08.2", {**right_2, "ex2_verdict": backwards})


def test_2_verdict_on_other_arrays(right_2):
    stab = right_2["ex2_stability"]
    other = metrics.compare_scores(
        1 - right_2["stability"]["Kernel SHAP", 2128],
        1 - stab["LIME"],
        names=("Kernel SHAP", "LIME"),
    )
    text = hints_of("08.2", {**right_2, "ex2_verdict": other})
    assert "`ex2_verdict` is not the paired rule" in text
    assert not shown(
        text, right_2["ex2_verdict"].p_value, right_2["ex2_verdict"].mean_loss_difference
    )


def test_2_verdict_without_the_methods_names(right_2):
    stab = right_2["ex2_stability"]
    anonymous = metrics.compare_scores(1 - stab["Kernel SHAP"], 1 - stab["LIME"])
    assert "name the two methods" in hints_of("08.2", {**right_2, "ex2_verdict": anonymous})
    assert "`ex2_verdict` should be the verdict" in hints_of(
        "08.2", {**right_2, "ex2_verdict": "Kernel SHAP"}
    )


# ------------------------------------------------------------------ exercise 3


def set_uniform(model):  # the student's way: a copy, its scores e_t all zero
    copied = copy.deepcopy(model)
    copied.layers[1].score = np.zeros_like(copied.layers[1].score)
    return copied


def r2(y, forecast):
    return metrics.r2_score(y, forecast)


@pytest.fixture(scope="module")
def right_3(lesson):
    frozen_model = set_uniform(FakeAttentionModel(seed=5))  # "trained" with uniform attention
    frozen = forecast_of(frozen_model, lesson["X_test"])
    y_test = lesson["y_test"]
    return {
        **lesson,
        "ex3_r2_set_uniform": r2(y_test, set_uniform(lesson["model"])(lesson["X_test"])),
        "ex3_history": FakeHistory(converged=True, val_loss=[0.9, 0.7, 0.8]),
        "ex3_forecast": frozen,
        "ex3_verdict": metrics.compare_forecasts(
            y_test[:, 0],
            frozen,
            lesson["forecast"]["attention LSTM"],
            names=("uniform attention", "learned attention"),
        ),
    }


def test_3_right(right_3):
    assert check("08.3", right_3).right
    grade("08.3", right_3)
    two_d = right_3["ex3_forecast"][:, None]  # (n, 1), as models.predict returns it, is fine
    assert check("08.3", {**right_3, "ex3_forecast": two_d}).right


def test_3_nothing_defined(lesson):
    hints = check("08.3", lesson).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex3_r2_set_uniform`",
        "define `ex3_history`",
        "define `ex3_forecast`",
        "define `ex3_verdict`",
    ]


def test_3_r2_of_the_learned_model(right_3):
    learned = r2(right_3["y_test"][:, 0], right_3["forecast"]["attention LSTM"])
    text = hints_of("08.3", {**right_3, "ex3_r2_set_uniform": learned})
    assert "`ex3_r2_set_uniform` is not" in text
    assert not shown(text, right_3["ex3_r2_set_uniform"])
    with pytest.raises(AssertionError, match="ex3_r2_set_uniform"):
        grade("08.3", {**right_3, "ex3_r2_set_uniform": learned})


def test_3_the_lesson_model_changed_in_place(right_3):
    text = hints_of("08.3", {**right_3, "model": set_uniform(right_3["model"])})
    assert "uniform attention now" in text


@pytest.mark.parametrize(
    ("history", "words"),
    [
        ("lesson", "is the learned model's history"),
        (FakeHistory(converged=False, val_loss=[0.9, 0.8]), "early stopping did not fire"),
        ({"val_loss": [0.9]}, "`ex3_history` should be what models.train returns"),
    ],
)
def test_3_wrong_history(right_3, history, words):
    history = right_3["history"] if history == "lesson" else history
    text = hints_of("08.3", {**right_3, "ex3_history": history})
    assert "`ex3_history`" in text and words in text


@pytest.mark.parametrize("which", ["learned", "set uniform", "short"])
def test_3_wrong_forecast(right_3, which):
    forecast = {
        "learned": right_3["forecast"]["attention LSTM"],
        "set uniform": forecast_of(set_uniform(right_3["model"]), right_3["X_test"]),
        "short": right_3["ex3_forecast"][:-1],
    }[which]
    text = hints_of("08.3", {**right_3, "ex3_forecast": forecast})
    assert "`ex3_forecast`" in text


def test_3_verdict_against_another_forecast(right_3):
    against_mean = metrics.compare_forecasts(
        right_3["y_test"][:, 0], right_3["ex3_forecast"], right_3["forecast"]["mean"]
    )
    text = hints_of("08.3", {**right_3, "ex3_verdict": against_mean})
    assert "`ex3_verdict` is not the paired rule" in text
    assert not shown(text, right_3["ex3_verdict"].p_value)
    assert "`ex3_verdict` should be the verdict" in hints_of(
        "08.3", {**right_3, "ex3_verdict": None}
    )
