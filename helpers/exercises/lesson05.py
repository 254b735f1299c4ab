"""Checks for lesson 05's exercises (gradient sensitivity of an LSTM forecaster)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    Hint,
    as_number,
    close,
    exercise,
    number,
)


@exercise(
    "05.1",
    results={
        "ex1_lag": "the lag at which volume drives your new target",
        "ex1_weight": "the weight volume has in your new target",
        "ex1_history": "the history models.train returned for the model on the new target",
        "ex1_cells": "sens.rank_cells of an attribution map of that model",
    },
    needs=("WINDOW", "history"),
    points=2,
)
def _volume_driver(a):
    import pandas as pd

    lag, weight = number(a, "ex1_lag"), number(a, "ex1_weight")
    if not float(lag).is_integer() or not 1 <= lag <= a.WINDOW:
        raise Hint(
            "`ex1_lag` should be a whole number of steps from 1 to WINDOW: a window must "
            "hold the volume value that drives the target"
        )
    if weight == 0:
        yield "`ex1_weight` is 0: volume then still has no effect on the target"
    history = a.ex1_history
    if not hasattr(history, "converged"):
        yield "`ex1_history` should be what models.train returns for the new model"
    elif history is a.history:
        yield (
            "`ex1_history` is the lesson's own model's history: train a new model on the "
            "target with the volume driver"
        )
    elif not history.converged:
        yield (
            "by `ex1_history` early stopping did not fire: train until it does (more epochs, "
            "or another patience), as the exercise asks"
        )
    cells = a.ex1_cells
    if not isinstance(cells, pd.DataFrame) or not {"feature", "lag", "share"} <= set(cells):
        raise Hint(
            "`ex1_cells` should be the table sens.rank_cells returns (columns feature, lag, "
            "share), with feature_names so that volume is named"
        )
    share = cells["share"].to_numpy(dtype=float)
    if np.any(np.diff(share) > 1e-12):
        raise Hint("`ex1_cells` is not ranked: sens.rank_cells lists the cells largest share first")
    volume = cells.reset_index(drop=True)
    volume = volume.index[volume["feature"] == "volume"]
    if volume.size == 0:
        raise Hint("`ex1_cells` has no cell of volume: rank a map of the model that reads volume")
    found = cells.iloc[volume[0]]
    if int(found["lag"]) != int(lag):
        yield (
            "in `ex1_cells` volume's largest cell is not at `ex1_lag`: the attribution method "
            "does not find your driver at its lag (is the target shifted the right way?)"
        )
    elif volume[0] >= 4:
        yield (
            "in `ex1_cells` your volume cell does not rank among the top cells (the three "
            "original driver cells and yours): the method does not find it; a larger "
            "`ex1_weight` makes the driver clearer"
        )


@exercise(
    "05.2",
    results={
        "ex2_shares": 'a DataFrame: each feature\'s share of |IG|, columns "zeros" and '
        '"window mean"',
        "ex2_gap": "the largest |completeness gap| with the window-mean baseline, as a share "
        "of the mean |f(x) - f(x')|",
    },
    needs=("model", "x", "IG", "FEATURE_COLUMNS"),
)
def _window_mean_baseline(a):
    import pandas as pd

    from helpers import sensitivity as sens

    shares, features = a.ex2_shares, list(a.FEATURE_COLUMNS)
    if not isinstance(shares, pd.DataFrame) or not {"zeros", "window mean"} <= set(shares):
        raise Hint('`ex2_shares` should be a DataFrame with the columns "zeros" and "window mean"')
    if sorted(map(str, shares.index)) != sorted(features):
        raise Hint("`ex2_shares` should have one row per feature, indexed by FEATURE_COLUMNS")
    table = shares.reindex(features)[["zeros", "window mean"]]
    values = table.to_numpy(dtype=float)
    if (
        not np.all(np.isfinite(values))
        or np.any(values < 0)
        or not np.allclose(values.sum(axis=0), 1)
    ):
        raise Hint("each column of `ex2_shares` should hold shares: not negative, summing to 1")

    def per_feature(attributions):
        total = np.abs(np.asarray(attributions, dtype=float)).sum(axis=(0, 1))
        return total / total.sum()

    x = np.asarray(a.x, dtype=float)
    flat = np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape)
    window_mean = per_feature(sens.integrated_gradients(a.model, x, baseline=flat, steps=32))
    if not close(table["zeros"], per_feature(a.IG), rtol=0, atol=5e-3):
        yield (
            '`ex2_shares["zeros"]` is not each feature\'s share of |IG| with the zero baseline: '
            "sum |IG| over the windows and steps of each feature, divide by the total"
        )
    if not close(table["window mean"], window_mean, rtol=0, atol=5e-3):
        yield (
            '`ex2_shares["window mean"]` is not each feature\'s share of |IG| with each '
            "window's own time average as baseline (one flat window per window, averaged over "
            "the steps of that window, feature by feature)"
        )
    gap = number(a, "ex2_gap")
    if gap < 0:
        yield "`ex2_gap` is negative: take the largest absolute gap"
    elif gap >= 1e-2:
        yield (
            "`ex2_gap` is too large for integrated gradients: compare the sum of each window's "
            "attributions with f(x) - f(x') for the same baseline (completeness_gap(..., "
            "baseline=...)), with enough steps, relative to the mean |f(x) - f(x')|"
        )


def _entry(results: dict, name: str, label: str):
    """The entry of ``results`` for layer ``name``: keyed by it, or a tuple holding it."""
    keys = [k for k in results if k == name or (isinstance(k, tuple) and name in k)]
    signed = [k for k in keys if not isinstance(k, tuple) or "signed" in k]
    if not keys:
        raise Hint(f"{label} has no entry for the layer {name!r}: key it by the layer's name")
    return results[(signed or keys)[0]]


@exercise(
    "05.3",
    results={
        "ex3_verdicts": "a dict: layer name -> the paired rule's verdict, partly random model "
        "against the retrained one",
        "ex3_agreement": "a dict: layer name -> the mean per-window rank correlation with the "
        "trained map",
    },
    needs=("model", "x", "WINDOW"),
)
def _one_layer_at_a_time(a):
    from helpers import models
    from helpers.comparison import ForecastComparison

    verdicts, agreement = a.ex3_verdicts, a.ex3_agreement
    for name, value in (("ex3_verdicts", verdicts), ("ex3_agreement", agreement)):
        if not isinstance(value, dict):
            raise Hint(f"`{name}` should be a dict keyed by the layer's name")
    layers = [layer.name for layer in (*models.recurrent_layers(a.model), models.head(a.model))]
    units = len(range(0, len(a.x), a.WINDOW))  # windows that share no input, as in section 4
    for layer in layers:
        verdict = _entry(verdicts, layer, "`ex3_verdicts`")
        if not isinstance(verdict, ForecastComparison):
            raise Hint(
                f"`ex3_verdicts[{layer!r}]` should be the paired rule's verdict, what "
                f"metrics.compare_scores returns; got {type(verdict).__name__}"
            )
        if verdict.loss != "score" or verdict.n != units:
            yield (
                f"`ex3_verdicts[{layer!r}]` should be metrics.compare_scores on one score per "
                "window, over the windows that share no input (every WINDOW-th), as in section 4"
            )
        elif not any("retrain" in str(n).lower() for n in verdict.names):
            yield (
                f"`ex3_verdicts[{layer!r}]` should compare with the retrained model's maps (name "
                "it 'retrained'): two methods or two random draws are no reference"
            )
        r = as_number(_entry(agreement, layer, "`ex3_agreement`"), f"`ex3_agreement[{layer!r}]`")
        if not -1 <= r <= 1:
            yield f"`ex3_agreement[{layer!r}]` should be a mean rank correlation, from -1 to 1"
        elif r > 0.999:
            yield (
                f"`ex3_agreement[{layer!r}]` says the map did not change: randomise that layer "
                "(sens.randomize_weights(model, layers=[name])) and compute its saliency map"
            )


@exercise(
    "05.4",
    results={"ex4_error": "a dict: d -> the largest |nudge slope - saliency| / max |saliency|"},
    needs=("model", "x", "maps"),
)
def _nudge_or_gradient(a):
    from helpers import sensitivity as sens

    errors = a.ex4_error
    if not isinstance(errors, dict):
        raise Hint("`ex4_error` should be a dict keyed by d (0.01 and 3)")
    saliency = np.asarray(a.maps["saliency"], dtype=float)
    scale = np.abs(saliency).max()
    found = {}
    for d in (0.01, 3.0):
        keys = [  # a Python or NumPy number (np.float32(0.01) too, from a float32 loop)
            k
            for k in errors
            if isinstance(k, (int, float, np.integer, np.floating))
            and not isinstance(k, bool)
            and np.isclose(float(k), d, rtol=1e-6)
        ]
        if not keys:
            raise Hint(f"`ex4_error` has no entry for d = {d:g}: key it by d")
        found[d] = as_number(errors[keys[0]], f"`ex4_error[{d:g}]`")
        slope = sens.perturbation_sensitivity(a.model, a.x, mode="nudge", delta=d)
        if not close(found[d], np.abs(slope - saliency).max() / scale, rtol=1e-2, atol=1e-4):
            yield (
                f"`ex4_error[{d:g}]` is not the largest |nudge slope - saliency| over every "
                "window and cell, divided by the largest |saliency| (maps['saliency']), for "
                f'perturbation_sensitivity(model, x, mode="nudge", delta={d:g})'
            )
