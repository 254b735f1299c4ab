"""helpers.generators: each generated series follows its formula, repeats from its seed,
and refuses bad arguments.

Expected values come from the generating formulas themselves, recomputed here
from the returned columns.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from helpers import generators


def test_noisy_sine_formula_seed_and_noise_level():
    clean = generators.noisy_sine(100, period=20.0, noise=0.0)
    np.testing.assert_allclose(clean, np.sin(2 * np.pi * np.arange(100) / 20.0))
    a = generators.noisy_sine(2000, noise=0.3, seed=5)
    np.testing.assert_array_equal(a, generators.noisy_sine(2000, noise=0.3, seed=5))
    assert not np.array_equal(a, generators.noisy_sine(2000, noise=0.3, seed=6))
    residual = a - np.sin(2 * np.pi * np.arange(2000) / 25.0)
    assert abs(residual.std() - 0.3) < 0.03
    with pytest.raises(ValueError, match="period must be a positive number, got 0"):
        generators.noisy_sine(10, period=0)
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        generators.noisy_sine(0)


@pytest.mark.parametrize("lag", [1, 3, 5, 9])
def test_known_drivers_follows_its_equations(lag):
    frame = generators.known_drivers(800, indicator_lag=lag, noise=0.0, seed=1)
    assert list(frame.columns) == ["price", "volume", "indicator", "target"]
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.freqstr == "D"
    p, v, d, y = (frame[c].to_numpy() for c in frame.columns)
    start = max(2, lag)
    t = np.arange(start, 800)
    np.testing.assert_allclose(y[t], (p[t - 1] - p[t - 2]) + 0.8 * d[t - lag])
    # The AR(1) parts: residuals p[t] - 0.9 p[t-1] are unit-variance shocks.
    assert abs(np.std(p[1:] - 0.9 * p[:-1]) - 1) < 0.1
    assert abs(np.std(d[1:] - 0.5 * d[:-1]) - 1) < 0.1  # indicator_ar defaults to 0.5
    assert (v > 0).all()
    # Volume is irrelevant: its correlation with the target is only chance.
    assert abs(np.corrcoef(v, y)[0, 1]) < 4 / np.sqrt(800)


def test_known_drivers_noise_seed_and_validation():
    a = generators.known_drivers(400, noise=0.5, seed=2)
    pd.testing.assert_frame_equal(a, generators.known_drivers(400, noise=0.5, seed=2))
    clean = generators.known_drivers(400, noise=0.0, seed=2)
    residual = (a["target"] - clean["target"]).to_numpy()
    assert abs(residual[5:].std() - 0.5) < 0.06
    with pytest.raises(ValueError, match="indicator_lag must be a positive integer, got 0"):
        generators.known_drivers(100, indicator_lag=0)
    with pytest.raises(ValueError, match=r"price_ar must be a number in \(-1, 1\), got 1.0"):
        generators.known_drivers(100, price_ar=1.0)
    with pytest.raises(
        ValueError, match="seed must be a non-negative integer or a numpy Generator"
    ):
        generators.known_drivers(100, seed=-1)


def _mackey_glass_by_hand(start, length, *, tau=17.0, step=3.0, dt=0.1, burn_in=600.0):
    """One noiseless Mackey-Glass series, Euler step by step in plain Python: the oracle."""
    lag, every, burn = round(tau / dt), round(step / dt), round(burn_in / dt)
    x = [start] * (lag + 1)  # the constant history, then x(0)
    for _ in range(burn + (length - 1) * every):
        delayed = x[-1 - lag]
        x.append(x[-1] + dt * (0.2 * delayed / (1 + delayed**10) - 0.1 * x[-1]))
    path = x[lag:]  # x(0), x(dt), ...
    return np.array(path[burn::every][:length])


def test_mackey_glass_panel_integrates_the_delay_equation():
    panel = generators.mackey_glass_panel(3, 40, noise=0.0, seed=4)
    starts = np.random.default_rng(4).uniform(0.5, 1.3, size=(3, 1))[:, 0]
    for row, start in zip(panel, starts, strict=True):
        np.testing.assert_allclose(row, _mackey_glass_by_hand(start, 40), rtol=1e-12)
    # On the attractor, whatever the start: bounded, never settling, series unlike each other.
    long = generators.mackey_glass_panel(5, 300, noise=0.0, seed=0)
    assert 0.2 < long.min() and long.max() < 1.5
    assert (long.std(axis=1) > 0.15).all()
    assert not np.allclose(long[0], long[1], atol=0.1)


def test_mackey_glass_panel_noise_seed_and_validation():
    noisy = generators.mackey_glass_panel(20, 100, noise=0.05, seed=3)
    np.testing.assert_array_equal(noisy, generators.mackey_glass_panel(20, 100, noise=0.05, seed=3))
    clean = generators.mackey_glass_panel(20, 100, noise=0.0, seed=3)
    assert abs((noisy - clean).std() - 0.05) < 0.005
    with pytest.raises(ValueError, match="step must be a positive multiple of dt=0.1, got 0.25"):
        generators.mackey_glass_panel(2, 10, step=0.25)
    with pytest.raises(ValueError, match="length must be a positive integer, got 0"):
        generators.mackey_glass_panel(2, 0)


def test_linear_ar_panel_follows_its_recursion_and_its_coefficients_are_recovered():
    x = generators.linear_ar_panel(40, 400, coefficients=(0.6, 0.3), noise=0.1, seed=2)
    assert x.shape == (40, 400)
    # Least squares of x_t on (x_{t-1}, x_{t-2}) over every series recovers (0.6, 0.3).
    lags = np.stack([x[:, 1:-1].ravel(), x[:, :-2].ravel()], axis=1)  # (n, 2)
    coefficients, *_ = np.linalg.lstsq(lags, x[:, 2:].ravel(), rcond=None)
    np.testing.assert_allclose(coefficients, [0.6, 0.3], atol=0.02)
    shocks = x[:, 2:] - 0.6 * x[:, 1:-1] - 0.3 * x[:, :-2]
    assert abs(shocks.std() - 0.1) < 0.005
    np.testing.assert_array_equal(x, generators.linear_ar_panel(40, 400, noise=0.1, seed=2))
    with pytest.raises(ValueError, match="do not give a stationary process"):
        generators.linear_ar_panel(2, 10, coefficients=(0.7, 0.5))
    with pytest.raises(ValueError, match="at least one value"):
        generators.linear_ar_panel(2, 10, coefficients=())


def test_generators_import_without_tensorflow():
    code = "import sys, helpers.generators; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
