"""Plots shared by the lessons.

Every function takes ``ax=None`` (a new figure is made when it is None), returns
the ``matplotlib.axes.Axes`` it drew on, never calls ``plt.show()`` and never
changes global settings. Lesson-specific plots live in the notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_forecasts", "plot_history", "plot_heatmap", "plot_comparisons"]


def _axes(ax, figsize=(8, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_forecasts(y_true, forecasts: Mapping[str, np.ndarray], *, x=None, ax=None, title=None):
    """Draw the truth and one or more forecasts of the same points.

    Parameters
    ----------
    y_true : array-like, shape (n,)
        The observed values.
    forecasts : mapping of str to array-like, each shape (n,)
        Label -> forecast of the same ``n`` points, e.g. ``{"LSTM": p, "naive": q}``.
    x : array-like, shape (n,), optional
        Positions or timestamps; ``0..n-1`` when None.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a forecast's length differs from ``y_true``'s.
    """
    y_true = np.asarray(y_true, dtype=float).ravel()
    x = np.arange(len(y_true)) if x is None else x
    for label, values in forecasts.items():
        if np.asarray(values).size != y_true.size:
            raise ValueError(
                f"forecast {label!r} has {np.asarray(values).size} values, "
                f"y_true has {y_true.size}: pass forecasts of the same points"
            )
    ax = _axes(ax)
    ax.plot(x, y_true, color="black", lw=1.5, label="truth")
    for label, values in forecasts.items():
        ax.plot(x, np.asarray(values, dtype=float).ravel(), lw=1.2, label=label)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, *, ax=None, metrics: Sequence[str] = ("loss", "val_loss"), log=True):
    """Draw training curves from a Keras ``History`` or its ``.history`` dict.

    Parameters
    ----------
    history : keras.callbacks.History or dict of str to list of float
    ax : matplotlib Axes, optional
    metrics : sequence of str
        Keys to draw; keys missing from ``history`` are skipped.
    log : bool
        Logarithmic y axis (losses often fall over decades).

    Returns
    -------
    matplotlib.axes.Axes
    """
    curves = getattr(history, "history", history)
    ax = _axes(ax, figsize=(5, 3))
    for key in metrics:
        if key in curves:
            ax.plot(np.arange(1, len(curves[key]) + 1), curves[key], label=key)
    ax.set_xlabel("epoch")
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    return ax


def plot_heatmap(
    values,
    *,
    ax=None,
    xlabel="time step",
    ylabel="",
    yticklabels=None,
    title=None,
    diverging=False,
    colorbar=True,
    colorbar_label=None,
):
    """Draw a 2-D array as a heat map, rows on the y axis.

    Parameters
    ----------
    values : array-like, shape (rows, columns)
    ax : matplotlib Axes, optional
    xlabel, ylabel, title : str
    yticklabels : sequence of str, optional
        One label per row.
    diverging : bool
        Signed values: a red-blue map centred on zero with symmetric limits.
    colorbar : bool
    colorbar_label : str, optional
        What the colours measure, written along the colour bar.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``values`` is not 2-D.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be 2-D (rows, columns), got shape {values.shape}")
    ax = _axes(ax, figsize=(8, 3))
    if diverging:
        limit = float(np.nanmax(np.abs(values))) or 1.0
        image = ax.imshow(
            values, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest"
        )
    else:
        image = ax.imshow(values, aspect="auto", cmap="viridis", interpolation="nearest")
    if yticklabels is not None:
        ax.set_yticks(np.arange(len(yticklabels)), labels=list(yticklabels))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
        if colorbar_label:
            bar.set_label(colorbar_label)
    return ax


def plot_comparisons(comparisons: Mapping, *, ax=None, xlabel=None, title=None):
    """Draw paired verdicts: each mean loss difference with its interval, and a line at 0.

    The figure of the paired rule: one row per comparison (``A - B``), a point at
    the mean loss difference and a bar over its ``1 - alpha`` interval, as
    :func:`helpers.metrics.compare_forecasts` computed them. A bar that crosses
    the line at 0 is "no evidence of a difference"; left of it, A's losses are
    smaller. Use it instead of two means with their spreads, which hide the pairing.

    Parameters
    ----------
    comparisons : mapping of str to ForecastComparison
        Row label -> verdict, e.g. ``{"LSTM - ridge": compare_forecasts(...)}``;
        drawn top to bottom in the mapping's order.
    ax : matplotlib Axes, optional
    xlabel : str, optional
        What the difference is in; by default "mean <loss> difference".
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``comparisons`` is empty.
    TypeError
        If a value is not a comparison (it has no ``ci_low`` / ``ci_high``).
    """
    if not isinstance(comparisons, Mapping) or not comparisons:
        raise ValueError("comparisons must be a non-empty mapping of label to a comparison")
    for label, result in comparisons.items():
        if not all(hasattr(result, name) for name in ("ci_low", "ci_high", "winner")):
            raise TypeError(
                f"comparisons[{label!r}] must be what metrics.compare_forecasts returns, "
                f"got {type(result).__name__}"
            )
    ax = _axes(ax, figsize=(7, 0.5 + 0.45 * len(comparisons)))
    rows = np.arange(len(comparisons))[::-1]  # the first comparison on top
    for row, result in zip(rows, comparisons.values(), strict=True):
        colour = "tab:gray" if result.winner is None else "tab:blue"
        ax.plot([result.ci_low, result.ci_high], [row, row], color=colour, lw=2.5)
        ax.plot(result.mean_loss_difference, row, "o", color=colour)
    ax.axvline(0.0, color="black", lw=1)
    ax.set_yticks(rows, labels=list(comparisons))
    ax.set_ylim(-0.6, len(comparisons) - 0.4)
    first = next(iter(comparisons.values()))
    level = f"{100 * (1 - first.alpha):g} % interval"
    what = "score" if first.loss == "score" else f"{first.loss} error"
    ax.set_xlabel(xlabel or f"mean {what} difference (A - B), {level}")
    if title:
        ax.set_title(title)
    return ax
