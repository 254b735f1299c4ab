"""helpers.plotting: every function draws on the given Axes (or a new one), returns it,
never shows the figure and never changes matplotlib's global settings."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import metrics, plotting  # noqa: E402

_Y = np.zeros(6)
_A = np.array([0.1, -0.1, 0.2, -0.1, 0.1, -0.2])
_COMPARISONS = {
    "A - B": metrics.compare_forecasts(_Y, _A, 5 * _A),  # A wins: the bar is left of 0
    "A - C": metrics.compare_forecasts(_Y, _A, _A[::-1]),  # no difference: it crosses 0
}
HISTORY = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.6, 0.4], "mae": [0.9, 0.5, 0.3]}
CALLS = {
    "plot_forecasts": lambda ax: plotting.plot_forecasts(
        [1.0, 2.0, 3.0], {"model": [1.1, 2.1, 2.9], "naive": [1.0, 1.0, 2.0]}, ax=ax, title="t"
    ),
    "plot_history": lambda ax: plotting.plot_history(HISTORY, ax=ax),
    "plot_heatmap": lambda ax: plotting.plot_heatmap(
        np.arange(6.0).reshape(2, 3) - 2, ax=ax, yticklabels=["a", "b"], diverging=True
    ),
    "plot_comparisons": lambda ax: plotting.plot_comparisons(_COMPARISONS, ax=ax),
}


@pytest.fixture(autouse=True)
def _no_show_and_closed_figures(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a plotting helper called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.mark.parametrize("name", list(CALLS))
def test_draws_on_the_given_axes_and_returns_it(name):
    fig, ax = plt.subplots()
    assert CALLS[name](ax) is ax
    assert ax.has_data()
    assert plt.get_fignums() == [fig.number]  # no second figure made


@pytest.mark.parametrize("name", list(CALLS))
def test_makes_its_own_axes_when_none_is_given(name):
    ax = CALLS[name](None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.has_data()


@pytest.mark.parametrize("name", list(CALLS))
def test_leaves_global_settings_alone(name):
    before = dict(plt.rcParams)
    CALLS[name](None)
    after = dict(plt.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_forecast_lines_carry_the_data_and_labels():
    ax = CALLS["plot_forecasts"](None)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["truth", "model", "naive"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [1.1, 2.1, 2.9])
    assert ax.get_title() == "t"


def test_history_skips_missing_keys_and_counts_epochs_from_one():
    ax = plotting.plot_history(HISTORY, metrics=("loss", "accuracy"), log=False)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "linear"
    assert plotting.plot_history(HISTORY).get_yscale() == "log"


def test_diverging_heatmap_is_symmetric_about_zero():
    ax = CALLS["plot_heatmap"](None)
    (image,) = ax.get_images()
    assert image.get_clim() == (-3.0, 3.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


def test_heatmap_colorbar_carries_its_label():
    def colorbar_labels(ax):  # the colour bar is the figure's other axes
        return [other.get_ylabel() for other in ax.figure.axes if other is not ax]

    assert colorbar_labels(plotting.plot_heatmap(np.eye(2), colorbar_label="weight")) == ["weight"]
    assert colorbar_labels(plotting.plot_heatmap(np.eye(2))) == [""]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="forecast 'm' has 2 values, y_true has 3"):
        plotting.plot_forecasts([1.0, 2.0, 3.0], {"m": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"values must be 2-D \(rows, columns\)"):
        plotting.plot_heatmap(np.zeros(3))


def test_comparisons_draw_each_interval_and_the_zero_line_in_order():
    ax = plotting.plot_comparisons(_COMPARISONS)
    labels = {y: t.get_text() for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}
    assert labels == {1: "A - B", 0: "A - C"}  # the first comparison on top
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_ydata()[0] ==
            line.get_ydata()[1]]  # fmt: skip
    spans = sorted((tuple(b.get_xdata()), b.get_ydata()[0]) for b in bars)
    first = _COMPARISONS["A - B"]
    assert ((first.ci_low, first.ci_high), 1) in spans
    assert any(line.get_xdata()[0] == 0.0 for line in ax.lines if line not in bars)  # the 0 line
    assert "95 % interval" in ax.get_xlabel()


def test_comparisons_refuse_what_is_not_a_comparison():
    with pytest.raises(ValueError, match="non-empty mapping"):
        plotting.plot_comparisons({})
    with pytest.raises(TypeError, match="what metrics.compare_forecasts returns, got float"):
        plotting.plot_comparisons({"A - B": 0.3})
