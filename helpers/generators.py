"""Generated series whose truth is known: a noisy sine, a target with known drivers, panels.

NumPy and pandas only: this module never imports TensorFlow. Every series is a
formula plus seeded noise (``seed=`` an int or a ``numpy.random.Generator``),
so a lesson can check what a model learned against what the formula put in:

- :func:`noisy_sine`: one periodic signal, the first thing an LSTM forecasts;
- :func:`known_drivers`: a daily target driven by one input at known lags and
  not at all by another, the ground truth that sensitivity maps are checked against;
- :func:`mackey_glass_panel` and :func:`linear_ar_panel`: many series of one
  nonlinear (Mackey-Glass) or one linear (autoregressive) law, for lesson 10's
  question of when a network beats a linear model on the same windows.

The first two are re-exported by :mod:`helpers.data`, where the lessons call them
(``data.noisy_sine``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import _checks

__all__ = ["noisy_sine", "known_drivers", "mackey_glass_panel", "linear_ar_panel"]


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


def mackey_glass_panel(
    n_series=50,
    length=160,
    *,
    tau=17.0,
    step=3.0,
    noise=0.02,
    dt=0.1,
    burn_in=600.0,
    seed=0,
):
    """Many noisy series of the Mackey-Glass delay equation, each from its own start.

    .. math:: \\frac{dx}{dt} = \\beta\\,\\frac{x(t-\\tau)}{1 + x(t-\\tau)^{10}} - \\gamma\\,x(t),
              \\qquad \\beta = 0.2,\\ \\gamma = 0.1

    (Mackey & Glass (1977), "Oscillation and chaos in physiological control systems",
    *Science* 197(4300), 287-289); with :math:`\\tau = 17` it is chaotic. Each series
    starts from a constant history drawn from U(0.5, 1.3), is integrated by Euler's
    method with step ``dt``, runs ``burn_in`` time units to reach the attractor, and is
    then sampled every ``step`` time units; observation noise
    :math:`\\sigma\\,\\varepsilon` is added to the samples. The next value is a smooth but
    strongly nonlinear function of the past ones: no linear autoregression can follow it.

    Parameters
    ----------
    n_series : int, default 50
    length : int, default 160
        Samples per series.
    tau : float, default 17.0
        The delay :math:`\\tau`, in time units (a multiple of ``dt``).
    step : float, default 3.0
        Time units between samples (a multiple of ``dt``).
    noise : float, default 0.02
        :math:`\\sigma`, standard deviation of the observation noise.
    dt : float, default 0.1
        Euler step.
    burn_in : float, default 600.0
        Time units integrated and dropped before the first sample.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    ndarray, shape (n_series, length)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range, or ``tau`` or ``step`` is not a
        multiple of ``dt``.

    Examples
    --------
    >>> x = mackey_glass_panel(4, 100, noise=0.0, seed=1)
    >>> x.shape, bool(0.2 < x.min() and x.max() < 1.5)
    ((4, 100), True)
    """
    n_series = _checks.integer(n_series, "n_series")
    length = _checks.integer(length, "length")
    noise = _checks.real(noise, "noise", low=0)
    dt = _checks.real(dt, "dt", low=0, low_open=True)
    lag, every = (_steps_of(value, dt, name) for value, name in ((tau, "tau"), (step, "step")))
    burn = int(round(_checks.real(burn_in, "burn_in", low=0) / dt))
    rng = _checks.rng(seed)
    start = rng.uniform(0.5, 1.3, size=(n_series, 1))  # (n_series, 1) constant histories
    n_steps = burn + (length - 1) * every + 1  # Euler steps after the history
    x = np.empty((n_series, lag + n_steps))  # (n_series, time): the history, then the path
    x[:, : lag + 1] = start
    for t in range(lag, lag + n_steps - 1):
        delayed = x[:, t - lag]  # (n_series,) x(t - tau)
        x[:, t + 1] = x[:, t] + dt * (0.2 * delayed / (1.0 + delayed**10) - 0.1 * x[:, t])
    samples = x[:, lag + burn :: every][:, :length]  # (n_series, length)
    return samples + noise * rng.standard_normal(samples.shape)


def _steps_of(value, dt, name):
    """How many Euler steps of ``dt`` make ``value`` time units (a whole number, >= 1)."""
    value = _checks.real(value, name, low=0, low_open=True)
    steps = int(round(value / dt))
    if steps < 1 or abs(steps * dt - value) > 1e-9 * max(1.0, value):
        raise ValueError(f"{name} must be a positive multiple of dt={dt}, got {value}")
    return steps


def linear_ar_panel(n_series=50, length=160, *, coefficients=(0.6, 0.3), noise=0.1, seed=0):
    """Many series of one stationary linear autoregression: the control for a nonlinear panel.

    .. math:: x_t = \\sum_{k=1}^{p} a_k\\, x_{t-k} + \\sigma\\,\\varepsilon_t

    The best forecast of the next values is linear in the past ones, so a linear model
    on the same windows is the right model and a network can at best equal it. Each
    series runs 200 steps from zero before its first sample (burn-in).

    Parameters
    ----------
    n_series, length : int, default 50, 160
    coefficients : sequence of float, default (0.6, 0.3)
        :math:`a_1 \\dots a_p`; the process must be stationary (every root of
        :math:`1 - \\sum a_k z^k` outside the unit circle).
    noise : float, default 0.1
        :math:`\\sigma`.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    ndarray, shape (n_series, length)

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range, or the process is not stationary.

    Examples
    --------
    >>> linear_ar_panel(3, 10, coefficients=[0.5]).shape
    (3, 10)
    >>> linear_ar_panel(3, 10, coefficients=[1.0])
    Traceback (most recent call last):
    ...
    ValueError: coefficients [1.0] do not give a stationary process: a root of \
1 - sum a_k z^k lies on or inside the unit circle
    """
    n_series = _checks.integer(n_series, "n_series")
    length = _checks.integer(length, "length")
    noise = _checks.real(noise, "noise", low=0)
    a = np.array([_checks.real(c, "coefficients") for c in coefficients])  # (p,)
    if a.size == 0:
        raise ValueError("coefficients must hold at least one value, got none")
    roots = np.roots(np.r_[-a[::-1], 1.0])  # of 1 - a_1 z - ... - a_p z^p
    if np.any(np.abs(roots) <= 1.0):
        raise ValueError(
            f"coefficients {a.tolist()} do not give a stationary process: a root of "
            "1 - sum a_k z^k lies on or inside the unit circle"
        )
    rng = _checks.rng(seed)
    burn, p = 200, a.size
    shocks = noise * rng.standard_normal((n_series, burn + length))  # (n_series, time)
    x = np.zeros((n_series, p + burn + length))
    for t in range(p, p + burn + length):
        x[:, t] = x[:, t - p : t][:, ::-1] @ a + shocks[:, t - p]  # lags 1..p, newest first
    return x[:, p + burn :]
