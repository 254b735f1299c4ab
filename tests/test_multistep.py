"""Tests of helpers.multistep: the origins are split_windows' test windows, the observed
windows and the scores line up with them, and oscillation reads a known wave."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data, multistep

SPLIT = dict(train=0.6, validation=0.2)


def _series(n_series=3, time=60, seed=0):
    return np.random.default_rng(seed).normal(size=(n_series, time))


def test_one_series_gives_split_windows_test_part():
    x = _series(1)[0]
    cut = multistep.forecast_origins(x, 5, horizon=4, **SPLIT)
    test = data.split_windows(x, 5, horizon=4, **SPLIT).test
    np.testing.assert_array_equal(cut.first_target, test.first_target)
    np.testing.assert_array_equal(cut.X, test.X)
    np.testing.assert_array_equal(cut.y, test.y)
    assert cut.n_series == 1


def test_several_series_are_stacked_series_after_series_with_the_same_rows():
    values = _series(3)
    cut = multistep.forecast_origins(values, 5, horizon=4, **SPLIT)
    n_origins = len(cut.first_target)
    for s in range(3):
        test = data.split_windows(values[s], 5, horizon=4, **SPLIT).test
        rows = slice(s * n_origins, (s + 1) * n_origins)
        np.testing.assert_array_equal(cut.X[rows], test.X)
        np.testing.assert_array_equal(cut.y[rows], test.y)


@settings(max_examples=30, deadline=None)
@given(window=st.integers(1, 6), horizon=st.integers(1, 5), n_series=st.integers(1, 3))
def test_observed_windows_end_just_before_each_target(window, horizon, n_series):
    values = np.arange(n_series * 50, dtype=float).reshape(n_series, 50)  # value = position
    cut = multistep.forecast_origins(values, window, horizon=horizon, **SPLIT)
    observed = cut.observed_windows()[:, :, 0].reshape(-1, horizon, window)  # (s*o, h, w)
    # The last observed value before each target is the value one step before it.
    np.testing.assert_array_equal(observed[:, :, -1], cut.y - 1)
    np.testing.assert_array_equal(np.diff(observed, axis=2), 1.0)  # consecutive values
    # At lead 1 the observed window is the origin's own window.
    np.testing.assert_array_equal(observed[:, 0, :], cut.X[:, :, 0])


def test_mse_by_lead_by_hand_and_in_the_series_units():
    values = _series(2, time=40)
    cut = multistep.forecast_origins(values, 4, horizon=3, **SPLIT)
    n_origins = len(cut.first_target)
    errors = np.zeros_like(cut.y)
    errors[:n_origins, 1] = 2.0  # series 0 is off by 2 at lead 2 only
    scores = cut.mse_by_lead(cut.y + errors)
    np.testing.assert_allclose(scores, [[0.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    doubled = cut.mse_by_lead(cut.y + errors, inverse=lambda v: 3.0 * v + 1.0)
    np.testing.assert_allclose(doubled, 9.0 * scores)


def test_mse_by_lead_refuses_a_forecast_of_another_shape():
    cut = multistep.forecast_origins(_series(2, time=40), 4, horizon=3, **SPLIT)
    with pytest.raises(ValueError, match=r"forecast must have shape \(\d+, 3\)"):
        cut.mse_by_lead(cut.y[:, :2])
    bad = cut.y.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"forecast must contain only finite values"):
        cut.mse_by_lead(bad)


def test_forecast_origins_messages():
    with pytest.raises(ValueError, match=r"values must be one series \(time,\) or several"):
        multistep.forecast_origins(np.zeros((2, 3, 4)), 2, horizon=1, **SPLIT)
    with pytest.raises(ValueError, match=r"values must contain only finite values"):
        multistep.forecast_origins([[0.0, np.nan] * 20], 2, horizon=1, **SPLIT)
    with pytest.raises(ValueError, match=r"horizon"):  # split_windows' own refusal
        multistep.forecast_origins(_series(1, time=30), 2, horizon=20, **SPLIT)


@pytest.mark.parametrize("period", [7.0, 12.5, 25.0, 31.3])
def test_oscillation_reads_amplitude_and_period_of_a_sampled_sine(period):
    t = np.arange(300)
    wave = multistep.oscillation(-1.0 + 0.5 * np.sin(2 * np.pi * t / period + 0.3))
    assert wave.period == pytest.approx(period, rel=0.01)
    assert wave.amplitude == pytest.approx(0.5, rel=0.05)


def test_oscillation_of_a_damped_wave_keeps_its_period_and_of_a_flat_run_has_none():
    t = np.arange(150)
    damped = multistep.oscillation(np.exp(-t / 40) * np.sin(2 * np.pi * t / 20))
    assert damped.period == pytest.approx(20.0, rel=0.02)
    flat = multistep.oscillation(np.full(30, 2.0))
    assert flat.amplitude == 0.0 and np.isnan(flat.period)
    one_crossing = multistep.oscillation(np.sin(np.linspace(0, 3, 30)) - 0.5)
    assert np.isnan(one_crossing.period)


def test_oscillation_messages():
    with pytest.raises(ValueError, match=r"values must hold at least 2 values"):
        multistep.oscillation([1.0])
    with pytest.raises(ValueError, match=r"values must be a 1-D series"):
        multistep.oscillation(np.zeros((3, 3)))


def test_plot_by_lead_draws_each_mean_difference_inside_its_band():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import metrics

    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.1, size=(8, 3)), rng.normal(1.2, 0.1, size=(8, 3))
    verdicts = [metrics.compare_scores(a[:, k], b[:, k]) for k in range(3)]
    ax = multistep.plot_by_lead(verdicts, label="A - B")
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [v.mean_loss_difference for v in verdicts])
    assert line.get_label() == "A - B" and ax.get_xlabel() == "steps ahead"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"one comparison per lead, got none"):
        multistep.plot_by_lead([])
    with pytest.raises(TypeError, match=r"comparisons\[1\] \(lead 2\) must be"):
        multistep.plot_by_lead([verdicts[0], 0.5])


@pytest.mark.parametrize("lag", [-2.3, 0.0, 0.4, 3.0])
def test_phase_shift_reads_a_known_lag_at_every_cycle(lag):
    t = np.arange(240)
    wave = 0.5 + 2.0 * np.sin(2 * np.pi * t / 24 + 0.7)
    later = 0.5 + 2.0 * np.sin(2 * np.pi * (t - lag) / 24 + 0.7)
    shifts = multistep.phase_shift(wave, later)
    assert shifts.size == 10  # one per cycle of the reference
    inside = shifts[1:-1]  # at either end the partner may fall outside the runs: NaN then
    np.testing.assert_allclose(inside, lag, atol=0.02)
    assert np.isnan(shifts[[0, -1]]).sum() <= (lag != 0)
    np.testing.assert_allclose(shifts[~np.isnan(shifts)], lag, atol=0.02)


def test_phase_shift_is_read_within_half_a_period():
    t = np.arange(200)
    wave = np.sin(2 * np.pi * t / 20)
    # 12 steps later is also 8 steps earlier: the nearer reading is the one returned.
    shifts = multistep.phase_shift(wave, np.sin(2 * np.pi * (t - 12) / 20))
    np.testing.assert_allclose(shifts[~np.isnan(shifts)], -8.0, atol=0.02)


def test_phase_shift_grows_between_runs_of_different_periods_and_is_nan_for_a_flat_run():
    t = np.arange(200)
    shifts = multistep.phase_shift(np.sin(2 * np.pi * t / 25), np.sin(2 * np.pi * t / 24))
    # A period one step shorter crosses about 25/24 - 1 of a period earlier every cycle.
    np.testing.assert_allclose(np.diff(shifts), -1.0, atol=0.05)
    flat = multistep.phase_shift(np.sin(2 * np.pi * t / 25), np.full(200, 1.0))
    assert flat.shape == (7,) and np.isnan(flat).all()
    assert multistep.phase_shift(np.full(200, 1.0), np.sin(t / 4.0)).shape == (0,)


def test_phase_shift_messages():
    with pytest.raises(ValueError, match=r"must cover the same steps, got 10 and 9 values"):
        multistep.phase_shift(np.zeros(10), np.zeros(9))
    with pytest.raises(ValueError, match=r"shifted must contain only finite values"):
        multistep.phase_shift(np.zeros(10), [np.nan] * 10)
