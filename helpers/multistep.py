"""Many steps ahead, judged lead by lead: forecast origins over many series, and free runs.

Forecasts made ``horizon`` steps ahead from consecutive origins of one test part share
most of their targets, so their errors overlap and one short test part carries few
independent verdicts per lead. Where the series is generated, fresh series of the same
process can be drawn and each scored on its own: each series is then an independent
unit for the paired rule over units (:func:`helpers.metrics.compare_scores`).

- :func:`forecast_origins`: the windows at every origin of the test part of one or
  many series (the rows :func:`helpers.data.split_windows` gives one series), the
  truth after each origin, and the observed window before every target
  (:class:`ForecastOrigins`, with ``mse_by_lead``: one score per series and lead).
- :func:`plot_by_lead`: the paired verdicts of one comparison at every lead, each mean
  difference with its interval, so a reader sees at which leads the interval leaves 0.
- :func:`oscillation`: the amplitude and period of a forecast that runs on its own
  (a one-step model fed its own predictions), to say what it settles into.
- :func:`phase_shift`: how many steps one such run lags another, cycle by cycle, to
  say whether a disturbance fed back dies out, stays or grows.

NumPy only (it uses :func:`helpers.data.split_windows` for the rows; the plot imports
Matplotlib when it is called).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from helpers import _checks

__all__ = [
    "ForecastOrigins",
    "forecast_origins",
    "plot_by_lead",
    "Oscillation",
    "oscillation",
    "phase_shift",
]


@dataclass(frozen=True)
class ForecastOrigins:
    """The forecast origins of the test part of one or many series of the same length.

    Attributes
    ----------
    values : ndarray of float, shape (n_series, time)
        The series (scaled as the model expects), one per row.
    first_target : ndarray of int, shape (n_origins,)
        The row of each origin's first target, the same for every series.
    window, horizon : int
    """

    values: np.ndarray
    first_target: np.ndarray
    window: int
    horizon: int

    @property
    def n_series(self) -> int:
        return self.values.shape[0]

    @property
    def X(self) -> np.ndarray:
        """The window before every origin, series after series: ``(n_series * n_origins, w, 1)``."""
        rows = self.first_target[:, None] - self.window + np.arange(self.window)  # (n_o, window)
        return self.values[:, rows].reshape(-1, self.window, 1)

    @property
    def y(self) -> np.ndarray:
        """The ``horizon`` values after every origin: ``(n_series * n_origins, horizon)``."""
        rows = self.first_target[:, None] + np.arange(self.horizon)  # (n_o, horizon)
        return self.values[:, rows].reshape(-1, self.horizon)

    def observed_windows(self) -> np.ndarray:
        """The observed window just before every target, for a one-step forecast of it.

        Returns
        -------
        ndarray, shape (n_series * n_origins * horizon, window, 1)
            Row ``(s, o, k)`` (in that order) holds the ``window`` values of series ``s``
            before the target at lead ``k + 1`` of origin ``o``. A one-step model's
            predictions on them, reshaped to ``(-1, horizon)``, line up with :attr:`y`.
        """
        targets = self.first_target[:, None] + np.arange(self.horizon)  # (n_o, horizon)
        rows = targets[..., None] - self.window + np.arange(self.window)  # (n_o, h, window)
        return self.values[:, rows].reshape(-1, self.window, 1)

    def mse_by_lead(
        self, forecast, *, inverse: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> np.ndarray:
        """The mean squared error of a forecast at each lead, one row per series.

        Parameters
        ----------
        forecast : array-like, shape (n_series * n_origins, horizon)
            A forecast from every origin, in the order of :attr:`X`.
        inverse : callable, optional
            Maps values back to the series' units (e.g. ``ScaledSplit.inverse``)
            before the errors are taken; None scores in the given units.

        Returns
        -------
        ndarray, shape (n_series, horizon)
            Entry ``(s, k)``: the mean over the origins of series ``s`` of the squared
            error at lead ``k + 1``. Each row is one unit for ``compare_scores``.

        Raises
        ------
        ValueError
            If ``forecast`` does not have the shape of :attr:`y` or holds NaN.
        """
        truth = self.y
        forecast = _checks.real_array(forecast, "forecast")
        if forecast.shape != truth.shape:
            raise ValueError(
                f"forecast must have shape {truth.shape} (one row per origin, in the order "
                f"of X), got {forecast.shape}"
            )
        _checks.finite(forecast, "forecast")
        if inverse is not None:
            truth, forecast = inverse(truth), inverse(forecast)
        errors = (forecast - truth).reshape(self.n_series, -1, self.horizon)  # (s, n_o, h)
        return np.mean(errors**2, axis=1)


def forecast_origins(values, window, *, horizon, train, validation) -> ForecastOrigins:
    """Cut the test part of each series at every forecast origin, by the course's one rule.

    The origins are those of ``helpers.data.split_windows(series, window,
    horizon=horizon, train=train, validation=validation).test``: each forecast's
    ``horizon`` targets lie in the test part, its window may reach back before it.

    Parameters
    ----------
    values : array-like, shape (time,) or (n_series, time)
        One series, or several of the same length (e.g. fresh draws of a generated
        process), scaled as the model expects. Not modified.
    window, horizon : int
    train, validation : float
        The split fractions, as for :func:`helpers.data.chronological_split`.

    Returns
    -------
    ForecastOrigins

    Raises
    ------
    ValueError, TypeError
        As :func:`helpers.data.split_windows` (a window or horizon the parts cannot
        hold), or if ``values`` is not 1-D or 2-D, or holds NaN.

    Examples
    --------
    >>> two = np.arange(20.0).reshape(2, 10)  # two series of 10 values
    >>> cut = forecast_origins(two, 3, horizon=2, train=0.5, validation=0.2)
    >>> cut.first_target  # the test part is rows 7..9: origins 7 and 8
    array([7, 8])
    >>> cut.X[:, :, 0]  # series 0, then series 1
    array([[ 4.,  5.,  6.],
           [ 5.,  6.,  7.],
           [14., 15., 16.],
           [15., 16., 17.]])
    >>> cut.y
    array([[ 7.,  8.],
           [ 8.,  9.],
           [17., 18.],
           [18., 19.]])
    """
    from helpers.data import split_windows

    array = _checks.real_array(values, "values")
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(
            f"values must be one series (time,) or several (n_series, time), got shape "
            f"{array.shape}"
        )
    _checks.finite(array, "values")
    test = split_windows(array[0], window, horizon=horizon, train=train, validation=validation)
    return ForecastOrigins(
        np.array(array, dtype=float), test.test.first_target, int(window), int(horizon)
    )


def plot_by_lead(comparisons, *, ax=None, label=None, color=None):
    """Draw one comparison's paired verdicts at leads 1, 2, ...: mean differences and intervals.

    The figure of :func:`helpers.metrics.compare_scores` (or ``compare_forecasts``)
    lead by lead: the mean loss difference (A - B) as a line, its interval as a band,
    and a line at 0. Where the band leaves 0 the rule names a winner: below it, A.

    Parameters
    ----------
    comparisons : sequence of ForecastComparison
        One per lead, lead 1 first.
    ax : matplotlib Axes, optional
    label : str, optional
        The legend entry of the line.
    color : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``comparisons`` is empty.
    TypeError
        If an item is not a comparison (it has no ``ci_low`` / ``ci_high``).
    """
    import matplotlib.pyplot as plt

    comparisons = list(comparisons)
    if not comparisons:
        raise ValueError("comparisons must hold one comparison per lead, got none")
    for lead, result in enumerate(comparisons, start=1):
        if not all(hasattr(result, n) for n in ("mean_loss_difference", "ci_low", "ci_high")):
            raise TypeError(
                f"comparisons[{lead - 1}] (lead {lead}) must be what metrics.compare_scores "
                f"returns, got {type(result).__name__}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    leads = np.arange(1, len(comparisons) + 1)
    mean = [result.mean_loss_difference for result in comparisons]
    (line,) = ax.plot(leads, mean, marker="o", ms=3, label=label, color=color)
    low = [result.ci_low for result in comparisons]
    high = [result.ci_high for result in comparisons]
    ax.fill_between(leads, low, high, color=line.get_color(), alpha=0.2, lw=0)
    ax.axhline(0.0, color="black", lw=1)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))  # leads are whole steps
    ax.set_xlabel("steps ahead")
    return ax


@dataclass(frozen=True)
class Oscillation:
    """What :func:`oscillation` measures.

    Attributes
    ----------
    amplitude : float
        Half the range of the values, (max - min) / 2.
    period : float
        The mean number of steps between upward crossings of the values' mean, NaN
        when they cross it upward fewer than twice (a run that has gone flat).
    """

    amplitude: float
    period: float


def oscillation(values) -> Oscillation:
    """The amplitude and period of a run of values, e.g. a one-step model fed its own forecasts.

    The period is read off the upward crossings of the mean, each placed between two
    steps by linear interpolation, so it is not limited to whole steps.

    Parameters
    ----------
    values : array-like, shape (n,)
        Leave out the start of a free run if it should not count (the steps while the
        observed window is still in it).

    Returns
    -------
    Oscillation

    Raises
    ------
    ValueError
        If ``values`` is not a finite 1-D series of at least 2 values.

    Examples
    --------
    >>> t = np.arange(200)
    >>> wave = oscillation(3.0 + 2.0 * np.sin(2 * np.pi * t / 25))
    >>> round(wave.amplitude, 2), round(wave.period, 2)
    (2.0, 25.0)
    >>> oscillation(np.full(50, 0.3))  # flat: no period
    Oscillation(amplitude=0.0, period=nan)
    """
    x = _checks.series(values, "values", min_length=2)
    amplitude = float((x.max() - x.min()) / 2)
    crossings = _upward_crossings(x)
    if crossings.size < 2:
        return Oscillation(amplitude, float("nan"))
    return Oscillation(amplitude, float(np.mean(np.diff(crossings))))


def phase_shift(reference, shifted) -> np.ndarray:
    """How many steps later ``shifted`` rises through its mean than ``reference``, cycle by cycle.

    Each upward crossing of ``reference``'s mean (placed between two steps by linear
    interpolation, as in :func:`oscillation`) is paired with the nearest upward
    crossing of ``shifted``'s mean; the shift is the difference of the two times.
    A phase says a shift only up to whole periods, so shifts are read within half
    of ``reference``'s period either way; a crossing at either end whose partner
    falls outside the runs would pair with the next cycle's, and is NaN.
    For two runs of the same oscillation, one disturbed at its start, shifts that
    stay the same from cycle to cycle say the disturbance persists as a shift in
    phase; shifts that shrink, that it dies out; shifts that grow, that the two
    runs have different periods.

    Parameters
    ----------
    reference, shifted : array-like, shape (n,)
        Two runs over the same steps (e.g. a free run and the same free run from a
        nudged start), without the steps that should not count.

    Returns
    -------
    ndarray of float, shape (n_crossings,)
        One shift per upward crossing of ``reference``, in steps: positive where
        ``shifted`` crosses later; NaN where it is more than half a period. NaN
        everywhere when ``shifted`` never crosses its mean upward (a run that has
        gone flat); empty when ``reference`` never does.

    Raises
    ------
    ValueError
        If either run is not a finite 1-D series of at least 2 values, or their
        lengths differ.

    Examples
    --------
    >>> t = np.arange(100)
    >>> wave = np.sin(2 * np.pi * t / 20)
    >>> phase_shift(wave, np.sin(2 * np.pi * (t - 1.5) / 20)).round(2)  # 1.5 steps later
    array([1.5, 1.5, 1.5, 1.5])
    >>> phase_shift(wave, np.full(100, 0.2))  # a flat run has no phase
    array([nan, nan, nan, nan])
    """
    a = _checks.series(reference, "reference", min_length=2)
    b = _checks.series(shifted, "shifted", min_length=2)
    if a.size != b.size:
        raise ValueError(
            f"reference and shifted must cover the same steps, got {a.size} and {b.size} values"
        )
    times_a, times_b = _upward_crossings(a), _upward_crossings(b)  # (n_a,), (n_b,)
    if times_b.size == 0:
        return np.full(times_a.size, np.nan)
    nearest = np.abs(times_b[None, :] - times_a[:, None]).argmin(axis=1)  # (n_a,)
    shifts = times_b[nearest] - times_a  # (n_a,)
    if times_a.size >= 2:  # a period to compare with
        half_period = np.mean(np.diff(times_a)) / 2
        shifts[np.abs(shifts) > half_period] = np.nan
    return shifts


def _upward_crossings(x):
    """The fractional steps at which ``x`` rises through its mean: ``(n_crossings,)``."""
    z = x - x.mean()  # (n,)
    up = np.flatnonzero((z[:-1] < 0) & (z[1:] >= 0))  # z crosses 0 between up and up + 1
    return up + z[up] / (z[up] - z[up + 1])
