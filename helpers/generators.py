"""Generated series whose truth is known: a noisy sine and a target with known drivers.

NumPy and pandas only: this module never imports TensorFlow. Every series is a
formula plus seeded noise (``seed=`` an int or a ``numpy.random.Generator``),
so a lesson can check what a model learned against what the formula put in:

- :func:`noisy_sine`: one periodic signal, the first thing an LSTM forecasts;
- :func:`known_drivers`: a daily target driven by one input at known lags and
  not at all by another, the ground truth that sensitivity maps are checked against.

Both are re-exported by :mod:`helpers.data`, where the lessons call them
(``data.noisy_sine``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import _checks

__all__ = ["noisy_sine", "known_drivers"]


def noisy_sine(n=200, *, period=25.0, noise=0.1, seed=0):
    """A sine wave with Gaussian noise: :math:`x_t = \\sin(2\\pi t / P) + \\sigma\\,\\varepsilon_t`.

    Parameters
    ----------
    n : int, default 200
        Number of time steps.
    period : float, default 25.0
        Steps per full cycle, :math:`P > 0`.
    noise : float, default 0.1
        Standard deviation :math:`\\sigma \\ge 0` of the noise.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> x = noisy_sine(50, period=10.0, noise=0.0)
    >>> x.shape, bool(np.allclose(x[:10], x[10:20]))
    ((50,), True)
    """
    n = _checks.integer(n, "n")
    period = _checks.real(period, "period", low=0, low_open=True)
    noise = _checks.real(noise, "noise", low=0)
    rng = _checks.rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def known_drivers(
    n=1500,
    *,
    indicator_lag=5,
    noise=0.1,
    seed=0,
    price_ar=0.9,
    indicator_ar=0.5,
    price_weight=1.0,
    indicator_weight=0.8,
    start="2020-01-01",
):
    """A daily multivariate series whose target depends on known inputs at known lags.

    .. math::

        p_t &= a_p\\, p_{t-1} + \\varepsilon_t  \\qquad\\text{(price, mean-reverting)}\\\\
        v_t &\\sim \\text{LogNormal}(0, 0.5)  \\qquad\\text{(volume, irrelevant)}\\\\
        d_t &= a_d\\, d_{t-1} + \\eta_t  \\qquad\\text{(indicator)}\\\\
        y_t &= w_p\\,(p_{t-1} - p_{t-2}) + w_d\\, d_{t-L} + \\sigma\\,\\xi_t

    With features ``[price, volume, indicator]`` windowed up to ``t-1`` and
    target ``y_t``, the true drivers are price at the last two steps and the
    indicator ``L = indicator_lag`` steps back; volume carries no signal.
    A burn-in of 100 steps is generated and dropped so the AR parts start
    from their stationary distribution.

    Parameters
    ----------
    n : int, default 1500
        Number of days.
    indicator_lag : int, default 5
        :math:`L \\ge 1`.
    noise : float, default 0.1
        :math:`\\sigma`, standard deviation of the target's own noise.
    seed : int or numpy.random.Generator, default 0
    price_ar : float, default 0.9
        AR(1) coefficient :math:`a_p` (absolute value below 1).
    indicator_ar : float, default 0.5
        AR(1) coefficient :math:`a_d` (absolute value below 1). Kept moderate so
        that the indicator's neighbouring lags are not near-copies of lag ``L``:
        with a persistent indicator (e.g. 0.8) a model can spread lag ``L``'s
        weight over lags ``L - 1`` and ``L + 1`` and fit almost as well, which
        blurs the ground truth a sensitivity map is checked against.
    price_weight, indicator_weight : float
        :math:`w_p, w_d`.
    start : str, default "2020-01-01"
        First date of the daily index.

    Returns
    -------
    DataFrame, shape (n, 4)
        Columns ``["price", "volume", "indicator", "target"]``, daily DatetimeIndex.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> df = known_drivers(300, indicator_lag=3, noise=0.0)
    >>> list(df.columns), df.shape
    (['price', 'volume', 'indicator', 'target'], (300, 4))
    >>> p, d = df["price"].to_numpy(), df["indicator"].to_numpy()
    >>> bool(np.allclose(df["target"].to_numpy()[3:], (p[2:-1] - p[1:-2]) + 0.8 * d[:-3]))
    True
    """
    n = _checks.integer(n, "n")
    lag = _checks.integer(indicator_lag, "indicator_lag")
    noise = _checks.real(noise, "noise", low=0)
    for name, value in (("price_ar", price_ar), ("indicator_ar", indicator_ar)):
        _checks.real(value, name, low=-1, high=1, low_open=True, high_open=True)
    rng = _checks.rng(seed)
    burn = 100 + lag
    total = n + burn
    price_shock = rng.standard_normal(total)
    volume = rng.lognormal(mean=0.0, sigma=0.5, size=total)
    indicator_shock = rng.standard_normal(total)
    target_noise = rng.standard_normal(total)

    price = np.zeros(total)
    indicator = np.zeros(total)
    for t in range(1, total):
        price[t] = price_ar * price[t - 1] + price_shock[t]
        indicator[t] = indicator_ar * indicator[t - 1] + indicator_shock[t]
    target = np.zeros(total)
    t = np.arange(max(2, lag), total)
    target[t] = (
        price_weight * (price[t - 1] - price[t - 2])
        + indicator_weight * indicator[t - lag]
        + noise * target_noise[t]
    )
    index = pd.date_range(start, periods=n, freq="D", name="date")
    keep = slice(burn, total)
    return pd.DataFrame(
        {
            "price": price[keep],
            "volume": volume[keep],
            "indicator": indicator[keep],
            "target": target[keep],
        },
        index=index,
    )
