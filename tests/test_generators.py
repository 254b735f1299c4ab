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


def test_generators_import_without_tensorflow():
    code = "import sys, helpers.generators; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
