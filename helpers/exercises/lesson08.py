"""Checks for lesson 08's exercises (attention, SHAP and LIME on one model).

The checks call the lesson's trained ``model`` forward (never train it): 08.1 plays
the 16 coalitions of four time-step players again, 08.3 computes the forecast with
the attention made uniform. A forecast is one forward pass, ``model(X)``.
"""

from __future__ import annotations

import itertools

import numpy as np

from helpers.exercises._core import (
    Hint,
    array,
    close,
    comparison,
    exercise,
    judges,
    number,
)


def _forward(model, X) -> np.ndarray:
    """The model's outputs for windows ``X`` (n, T, F): (n, outputs), float64."""
    out = model(np.asarray(X, dtype="float32"), training=False)
    out = out.numpy() if hasattr(out, "numpy") else np.asarray(out)
    out = np.asarray(out, dtype=float)
    return out.reshape(len(out), -1)


def _step_groups(window: int) -> list[np.ndarray]:
    """The four players as masks over a window's steps: lag 1, lag 2, lag 3, lags 4 on."""
    lags = window - np.arange(window)  # column t holds lag window - t
    return [lags == 1, lags == 2, lags == 3, lags >= 4]


@exercise(
    "08.1",
    results={
        "ex1_step_values": "the exact Shapley values of the four step groups, (len(x), 4)",
        "ex1_kernel_sums": "Kernel SHAP's cell values summed over each group, (len(x), 4)",
    },
    needs=("model", "x", "background", "kernel", "change", "WINDOW"),
)
def _exact_step_values(a):
    x, background = np.asarray(a.x, dtype=float), np.asarray(a.background, dtype=float)
    groups = _step_groups(int(a.WINDOW))
    shape = (len(x), len(groups))

    sums = array(a, "ex1_kernel_sums", shape=shape)
    kernel = np.asarray(a.kernel, dtype=float)
    reference_sums = np.stack([kernel[:, g].sum(axis=(1, 2)) for g in groups], axis=1)
    if not close(sums, reference_sums, rtol=1e-6, atol=1e-8):
        yield (
            "`ex1_kernel_sums` is not Kernel SHAP's values (`kernel`) summed over each group's "
            "cells, every feature of its steps: columns lag 1, lag 2, lag 3, then lags 4 to "
            "WINDOW together (lag 1 is a window's last step)"
        )

    values = array(a, "ex1_step_values", shape=shape)
    # v(S) for every coalition: kept steps from each window, the rest from each background one
    n, m = len(x), len(background)
    played = {}
    for keep in itertools.product((False, True), repeat=len(groups)):
        steps = np.zeros(x.shape[1], dtype=bool)
        for kept, group in zip(keep, groups, strict=True):
            steps |= kept & group
        played[keep] = np.where(steps[None, None, :, None], x[:, None], background[None, :])
    coalitions = list(played)
    stacked = np.concatenate([played[k].reshape(n * m, *x.shape[1:]) for k in coalitions])
    forecasts = _forward(a.model, stacked)[:, 0].reshape(len(coalitions), n, m).mean(axis=2)
    v = dict(zip(coalitions, forecasts, strict=True))
    # Shapley values as the mean marginal contribution over every order of the players
    reference = np.zeros(shape)
    orders = list(itertools.permutations(range(len(groups))))
    for order in orders:
        keep = [False] * len(groups)
        for player in order:
            before = v[tuple(keep)]
            keep[player] = True
            reference[:, player] += (v[tuple(keep)] - before) / len(orders)

    change = np.asarray(a.change, dtype=float).ravel()
    if not close(values.sum(axis=1), change, rtol=1e-3, atol=1e-4):
        yield (
            "the rows of `ex1_step_values` do not add up to `change` (f(x) - E f(background)): "
            "exact Shapley values must; check the coalition values of the empty and the full "
            "coalition, and the weights"
        )
    if not close(values, reference, rtol=1e-3, atol=1e-4):
        if close(values[:, ::-1], reference, rtol=1e-3, atol=1e-4):
            yield (
                "`ex1_step_values` has its columns in the wrong order: lag 1 (a window's last "
                "step) first, then lag 2, lag 3, and lags 4 to WINDOW"
            )
        else:
            yield (
                "`ex1_step_values` are not the exact Shapley values of the four step groups: "
                "play all 16 coalitions (kept steps from the window, every input of the others "
                "from a background window, the forecast averaged over `background`) and weight "
                "each player's marginal contributions |S|! (4 - |S| - 1)! / 4!"
            )


@exercise(
    "08.2",
    results={
        "ex2_samples": "the coalitions Kernel SHAP can afford at LIME's cost",
        "ex2_stability": "a dict: 'Kernel SHAP' and 'LIME' -> per-window seed-vs-seed correlations",
        "ex2_verdict": "the paired rule's verdict on the two stabilities",
    },
    needs=("LIME_SAMPLES", "N_BACKGROUND", "x", "stability", "KERNEL_SAMPLES"),
)
def _equal_cost(a):
    samples = number(a, "ex2_samples")
    if not close(samples, a.LIME_SAMPLES / a.N_BACKGROUND):
        yield (
            "`ex2_samples` is not the number of coalitions at LIME's cost: Kernel SHAP sends "
            "one window per coalition and background window through the model, LIME one per "
            "perturbed row (LIME_SAMPLES)"
        )

    found = a.ex2_stability
    if not isinstance(found, dict) or set(found) != {"Kernel SHAP", "LIME"}:
        raise Hint(
            "`ex2_stability` should be a dict with exactly the keys 'Kernel SHAP' and 'LIME'"
        )
    stab = {}
    for name, values in found.items():
        try:
            values = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise Hint(f"`ex2_stability[{name!r}]` should be an array of numbers") from None
        if values.shape != (len(a.x),) or not np.all(np.isfinite(values)):
            raise Hint(
                f"`ex2_stability[{name!r}]` should hold one finite correlation per explained "
                f"window, shape ({len(a.x)},); it has shape {values.shape}"
            )
        if np.any(np.abs(values) > 1 + 1e-9):
            raise Hint(f"`ex2_stability[{name!r}]` holds values outside [-1, 1]: not correlations")
        stab[name] = values
    if not close(stab["LIME"], a.stability["LIME", a.LIME_SAMPLES]):
        yield (
            "`ex2_stability['LIME']` is not LIME's per-window seed-vs-seed correlation at its "
            "default budget: section 4 measured it already (`stability`)"
        )
    kernel = stab["Kernel SHAP"]
    if close(kernel, stab["LIME"]):
        yield "`ex2_stability['Kernel SHAP']` is the same as LIME's: measure Kernel SHAP's"
    elif any(
        close(kernel, values)
        for (method, budget), values in a.stability.items()
        if method == "Kernel SHAP" and budget != samples
    ):
        yield (
            "`ex2_stability['Kernel SHAP']` was measured at another budget (section 4's): "
            "explain `x` twice, with two seeds, at `ex2_samples` coalitions"
        )

    verdict = comparison(a, "ex2_verdict")
    if verdict.n != len(a.x) or verdict.loss != "score":
        raise Hint(
            "`ex2_verdict` should be metrics.compare_scores on one score per explained window "
            "(as section 4 compares the stabilities)"
        )
    labels = []
    for name in verdict.names:
        low = str(name).lower()
        labels.append("LIME" if "lime" in low else "Kernel SHAP" if "kernel" in low else None)
    if set(labels) != {"Kernel SHAP", "LIME"}:
        raise Hint(
            "`ex2_verdict` should name the two methods: names=('Kernel SHAP', 'LIME'), "
            "so that its winner says which is steadier"
        )
    from helpers.comparison import compare_scores

    again = compare_scores(
        1 - stab[labels[0]], 1 - stab[labels[1]], alpha=verdict.alpha, names=("A", "B")
    )
    if not np.isclose(again.p_value, verdict.p_value, rtol=1e-6, atol=1e-12):
        yield (
            "`ex2_verdict` is not the paired rule on the two arrays of `ex2_stability`: pass "
            "one score per window for each method to metrics.compare_scores"
        )
    elif not np.isclose(
        again.mean_loss_difference, verdict.mean_loss_difference, rtol=1e-6, atol=1e-12
    ):
        yield (
            "`ex2_verdict` has its direction wrong: compare_scores counts lower as better, so "
            "give it 1 - correlation (lower is steadier), not the correlations"
        )


def _uniform_attention_forecast(model, X) -> np.ndarray:
    """``model``'s outputs with its attention set uniform: the layers in turn, a mean over time."""
    h = np.asarray(X, dtype="float32")
    found = False
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        if hasattr(layer, "attention") and hasattr(layer, "score"):
            h = np.asarray(h, dtype="float32").mean(axis=1)  # alpha_t = 1 / T
            found = True
        else:
            h = layer(h)
            h = h.numpy() if hasattr(h, "numpy") else np.asarray(h)
    if not found:
        raise Hint("`model` has no TemporalAttention layer: run the lesson's cells from the top")
    return np.asarray(h, dtype=float).reshape(len(X), -1)


def _r2(y, forecast) -> float:
    y, forecast = np.asarray(y, dtype=float), np.asarray(forecast, dtype=float)
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    return float(np.mean(1 - ((y - forecast) ** 2).sum(axis=0) / total))


@exercise(
    "08.3",
    results={
        "ex3_r2_set_uniform": "the test R^2 of the trained model with its attention set uniform",
        "ex3_history": "the training history of the model trained with frozen uniform attention",
        "ex3_forecast": "that frozen model's forecasts of the test windows (first output)",
        "ex3_verdict": "the paired rule's verdict, frozen uniform attention against learned",
    },
    needs=("model", "X_test", "y_test", "forecast", "history", "EPOCHS"),
    points=2,
)
def _needs_its_attention(a):
    layer = next((la for la in a.model.layers if hasattr(la, "score")), None)
    score = None if layer is None else layer.score
    score = score.numpy() if hasattr(score, "numpy") else score
    if layer is not None and not np.any(np.asarray(score)):
        raise Hint(
            "the lesson's `model` has uniform attention now: set it on a copy "
            "(keras.models.clone_model, then set_weights), and run the lesson again from the top"
        )
    y_test = np.asarray(a.y_test, dtype=float).reshape(len(a.y_test), -1)
    uniform = _uniform_attention_forecast(a.model, a.X_test)
    r2 = number(a, "ex3_r2_set_uniform")
    if not any(
        np.isclose(r2, reference, rtol=1e-3, atol=1e-3)
        for reference in (_r2(y_test, uniform), _r2(y_test[:, :1], uniform[:, :1]))
    ):
        yield (
            "`ex3_r2_set_uniform` is not the test R^2 of the trained model with every attention "
            "weight 1 / WINDOW: copy `model` with its weights, make its scores e_t equal "
            "(the attention layer's `score` to zeros) and score its forecasts of `X_test`"
        )

    history = a.ex3_history
    losses = getattr(history, "history", None)
    if not isinstance(losses, dict) or "val_loss" not in losses:
        raise Hint(
            "`ex3_history` should be what models.train returns for the frozen model (a history "
            "with the validation loss per epoch)"
        )
    if history is a.history or losses.get("val_loss") == a.history.history.get("val_loss"):
        yield "`ex3_history` is the learned model's history: train a model with frozen attention"
    if hasattr(history, "converged"):
        if not history.converged:
            yield "by `ex3_history` early stopping did not fire: train until it does"
    elif len(losses["val_loss"]) >= a.EPOCHS:
        yield "by `ex3_history` training ran all EPOCHS: train until early stopping fires"

    learned = np.asarray(a.forecast["attention LSTM"], dtype=float)
    try:
        frozen = np.asarray(a.ex3_forecast, dtype=float)
    except (TypeError, ValueError):
        raise Hint("`ex3_forecast` should be an array of numbers") from None
    if frozen.ndim == 2 and frozen.shape[1] >= 1:
        frozen = frozen[:, 0]  # the first output, as the lesson's forecasts are
    if frozen.shape != learned.shape or not np.all(np.isfinite(frozen)):
        raise Hint(
            f"`ex3_forecast` should hold the frozen model's forecast of each test window, "
            f"shape ({len(learned)},): its first output"
        )
    if close(frozen, learned, rtol=1e-4, atol=1e-5):
        yield "`ex3_forecast` is the learned model's forecast: give the frozen model's"
    elif close(frozen, uniform[:, 0], rtol=1e-4, atol=1e-5):
        yield (
            "`ex3_forecast` is the trained model with its attention set uniform, not a model "
            "trained with frozen uniform attention"
        )
    verdict = comparison(a, "ex3_verdict")
    if not judges(verdict, y_test[:, 0], frozen, learned):
        yield (
            "`ex3_verdict` is not the paired rule on `ex3_forecast` and the learned model's "
            "forecast (`forecast['attention LSTM']`) against the first column of `y_test`"
        )
