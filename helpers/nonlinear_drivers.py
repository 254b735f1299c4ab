"""A target with nonlinear known drivers: an interaction, a switch and a noisy copy (lesson 08).

Lesson 05's series is linear and additive, so every sound explanation method finds its
three drivers and no table can tell the methods apart. This series is built so that
their known weaknesses can show. With a persistent input :math:`a`, a noisy copy of it,
a second input :math:`b` and a switch that is either off or on:

.. math::

    a_t &= \\phi_a\\, a_{t-1} + \\sqrt{1 - \\phi_a^2}\\; \\varepsilon_t
        \\qquad\\text{(unit variance; neighbouring lags correlate } \\phi_a\\text{)}\\\\
    c_t &= a_t + \\sigma_c\\, \\eta_t
        \\qquad\\text{(a noisy copy of } a\\text{; it drives nothing)}\\\\
    b_t &= \\phi_b\\, b_{t-1} + \\sqrt{1 - \\phi_b^2}\\; \\zeta_t \\\\
    s_t &= o_t + \\sigma_s\\, \\nu_t, \\quad o_t \\sim \\text{Bernoulli}(1/2)
        \\qquad\\text{(the switch, read with noise)}\\\\
    y_t &= a_{t-1}\\, b_{t-3} + \\Delta\\; \\mathbb{1}[s_{t-2} > 1/2] + \\sigma\\, \\xi_t

with independent standard normal shocks. Read with windows of ``[a, a_copy, b, switch]``
ending at :math:`t-1`, the target has three driver cells: ``a`` at lag 1 and ``b`` at
lag 3, which act only together (a product of two zero-mean inputs: each alone moves
the target by nothing on average), and the switch at lag 2, which moves it by a step
:math:`\\Delta` and is flat on either side of 1/2 (its gradient at real values is
nearly zero: the saturation that fools gradients). ``a_copy`` correlates about
:math:`1/\\sqrt{1 + \\sigma_c^2}` with ``a`` at every lag, so credit can leak onto it.

- :func:`nonlinear_drivers`: the series, a daily DataFrame;
- :class:`NonlinearDrivers`: what an explanation of a model of it should find (the
  driver cells, their lags, the copy), with :meth:`NonlinearDrivers.found`, the share
  of the driver cells among a map's top cells, and
  :meth:`NonlinearDrivers.shapley_values`, the exact Shapley values of the generating
  equation itself for each window, against a background of windows: how the truth
  splits the credit among its three drivers;
- :func:`for_lesson`: whether a lesson's run is on this series (it refuses inputs that
  do not fit it, and says so when a reader's CSV replaces it).

NumPy and pandas only.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from helpers import _checks
from helpers.attributions import rank_cells
from helpers.comparison import compare_scores
from helpers.ground_truth import SKIP_MESSAGE

__all__ = ["nonlinear_drivers", "NonlinearDrivers", "for_lesson", "COLUMNS", "TARGET"]

#: The inputs of :func:`nonlinear_drivers`, in the order its windows use.
COLUMNS = ("a", "a_copy", "b", "switch")
#: Its target column.
TARGET = "target"
#: The driver cells (feature, lag) and the lag the window must reach back to.
_ORDER = (("a", 1), ("switch", 2), ("b", 3))  # the drivers, as equation() takes them
_CELLS = frozenset(_ORDER)
_DEEPEST = max(lag for _, lag in _CELLS)


def nonlinear_drivers(
    n=2000,
    *,
    a_ar=0.8,
    b_ar=0.5,
    copy_noise=0.3,
    switch_noise=0.25,
    step=1.5,
    noise=0.1,
    seed=0,
    start="2020-01-01",
):
    """A daily series whose target depends on its inputs through a product and a step.

    See the module's docstring for the equations. A burn-in of 100 steps is generated
    and dropped, so the autoregressive inputs start from their stationary distribution.

    Parameters
    ----------
    n : int, default 2000
        Number of days.
    a_ar, b_ar : float, default 0.8 and 0.5
        :math:`\\phi_a, \\phi_b`, autoregressive coefficients (absolute value below 1);
        both inputs have unit variance whatever they are.
    copy_noise : float, default 0.3
        :math:`\\sigma_c`, the copy's noise (0 makes an exact copy).
    switch_noise : float, default 0.25
        :math:`\\sigma_s`, the noise on the switch's reading of 0 (off) or 1 (on).
    step : float, default 1.5
        :math:`\\Delta`, what the switch adds to the target when it was on two days before.
    noise : float, default 0.1
        :math:`\\sigma`, the target's own noise.
    seed : int or numpy.random.Generator, default 0
    start : str, default "2020-01-01"
        First date of the daily index.

    Returns
    -------
    DataFrame, shape (n, 5)
        Columns ``["a", "a_copy", "b", "switch", "target"]``, daily DatetimeIndex.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> df = nonlinear_drivers(300, noise=0.0)
    >>> list(df.columns), df.shape
    (['a', 'a_copy', 'b', 'switch', 'target'], (300, 5))
    >>> a, b, s = (df[c].to_numpy() for c in ("a", "b", "switch"))
    >>> bool(np.allclose(df["target"].to_numpy()[3:], a[2:-1] * b[:-3] + 1.5 * (s[1:-2] > 0.5)))
    True
    """
    n = _checks.integer(n, "n")
    for name, value in (("a_ar", a_ar), ("b_ar", b_ar)):
        _checks.real(value, name, low=-1, high=1, low_open=True, high_open=True)
    copy_noise = _checks.real(copy_noise, "copy_noise", low=0)
    switch_noise = _checks.real(switch_noise, "switch_noise", low=0)
    step = _checks.real(step, "step")
    noise = _checks.real(noise, "noise", low=0)
    rng = _checks.rng(seed)
    total = n + 100
    a = _unit_ar(a_ar, rng.standard_normal(total))
    b = _unit_ar(b_ar, rng.standard_normal(total))
    copy = a + copy_noise * rng.standard_normal(total)
    switch = (rng.random(total) < 0.5) + switch_noise * rng.standard_normal(total)
    target_noise = rng.standard_normal(total)
    target = np.zeros(total)
    t = np.arange(_DEEPEST, total)
    target[t] = a[t - 1] * b[t - 3] + step * (switch[t - 2] > 0.5) + noise * target_noise[t]
    keep = slice(100, total)
    return pd.DataFrame(
        {"a": a[keep], "a_copy": copy[keep], "b": b[keep], "switch": switch[keep],
         "target": target[keep]},
        index=pd.date_range(start, periods=n, freq="D", name="date"),
    )  # fmt: skip


def _unit_ar(phi, shocks):
    """An AR(1) path with unit stationary variance, started at 0: (len(shocks),)."""
    values = np.zeros(len(shocks))
    scale = np.sqrt(1.0 - phi**2)
    for t in range(1, len(shocks)):
        values[t] = phi * values[t - 1] + scale * shocks[t]
    return values


class NonlinearDrivers:
    """What an explanation of a model of :func:`nonlinear_drivers` should find.

    Windows hold ``window`` time steps of :data:`COLUMNS`; column ``t`` of a window is
    lag ``window - t`` (lag 1 is the most recent value).

    Parameters
    ----------
    window : int
        Time steps per window; at least 3, the deepest driver's lag.
    step : float, default 1.5
        :math:`\\Delta`, as passed to :func:`nonlinear_drivers`.
    applies : bool, default True
        Whether the run is on the generated series; when False, :meth:`found` and
        :meth:`shapley_values` are NaN and :attr:`cells` is empty.

    Attributes
    ----------
    applies : bool
    cells : frozenset of (str, int)
        The driver cells: ``("a", 1)``, ``("switch", 2)``, ``("b", 3)``.
    lags : frozenset of int
        Their lags.
    interaction : tuple of (str, int)
        The two cells that act only through their product.
    switch : (str, int)
        The cell whose effect is a step.
    copy : dict
        ``{"a_copy": "a"}``: the input that copies a driver, and which.

    Raises
    ------
    ValueError
        If ``applies`` and the window cannot hold lag 3.

    Examples
    --------
    >>> truth = NonlinearDrivers(10)
    >>> sorted(truth.cells), sorted(truth.lags)
    ([('a', 1), ('b', 3), ('switch', 2)], [1, 2, 3])
    >>> a = np.zeros((2, 10, 4)); a[:, 9, 0] = 1.0; a[:, 8, 3] = 2.0; a[:, 7, 1] = 0.5
    >>> truth.found(a, ["a", "a_copy", "b", "switch"])  # top 3: a lag 1, switch lag 2, a_copy
    0.6666666666666666
    """

    def __init__(self, window, *, step=1.5, applies=True):
        self.window = _checks.integer(window, "window")
        self.step = _checks.real(step, "step")
        self.applies = _checks.boolean(applies, "applies")
        if self.applies and self.window < _DEEPEST:
            raise ValueError(
                f"window must be at least {_DEEPEST} to hold the drivers of the generated "
                f"series (b at lag {_DEEPEST}), got {self.window}"
            )
        self.cells = _CELLS if self.applies else frozenset()
        self.lags = frozenset(lag for _, lag in self.cells)
        self.interaction = (("a", 1), ("b", 3))
        self.switch = ("switch", 2)
        self.copy = {"a_copy": "a"}

    def __bool__(self):
        return self.applies

    def __repr__(self):
        state = "drivers known" if self.applies else "no known drivers (your data)"
        return f"NonlinearDrivers(window={self.window}: {state})"

    def found(self, attributions, feature_names, *, k=None):
        """The share of the driver cells among a map's ``k`` cells of largest mean |value|.

        Top-k precision with ``k`` the number of driver cells (3) by default: 1 when the
        map's three largest cells are the three drivers.

        Parameters
        ----------
        attributions : array-like, shape (n_samples, window, n_features)
            Any map shaped like the windows (gradients, attributions, weights).
        feature_names : sequence of str
            The names of its features, :data:`COLUMNS` on the generated series.
        k : int, optional
            How many top cells to look at; None: as many as there are driver cells.

        Returns
        -------
        float
            In [0, 1]; NaN when the drivers are unknown (``applies`` False).

        Raises
        ------
        TypeError, ValueError
            If the map is not numeric windows or its features do not match the names.
        """
        if not self.applies:
            return float("nan")
        cells = rank_cells(attributions, feature_names=feature_names)
        k = len(self.cells) if k is None else _checks.integer(k, "k")
        top = set(zip(cells["feature"][:k], cells["lag"][:k], strict=True))
        return len(top & self.cells) / len(self.cells)

    def switch_or_top(self, attributions, feature_names):
        """The switch's cell on the generated series; on a reader's data, a map's top cell.

        The cell a lesson looks at when it shows what the background does: the switch
        (whose value depends most plainly on the background), or, where there is no
        switch, the cell of largest mean |value| in ``attributions``.

        Returns
        -------
        (str, int)
            ``(feature, lag)``.
        """
        if self.applies:
            return self.switch
        top = rank_cells(attributions, feature_names=feature_names).iloc[0]
        return (str(top["feature"]), int(top["lag"]))

    def neighbour_pairs(self, feature_names):
        """Pairs of cells that move together, named: ``{name: ((feature, lag), (feature, lag))}``.

        On the generated series: ``a`` and its copy at lag 1, and ``a`` at lags 1 and 2
        (a persistent series). On a reader's data: the first input at lags 1 and 2.
        """
        names = list(feature_names)
        if not self.applies:
            return {f"{names[0]}, lags 1 and 2": ((names[0], 1), (names[0], 2))}
        return {
            "a and a_copy, lag 1": (("a", 1), ("a_copy", 1)),
            "a, lags 1 and 2": (("a", 1), ("a", 2)),
        }

    def driver_shares(self, attributions, feature_names):
        """Each window's |values| on the three driver cells as shares of their sum.

        Parameters
        ----------
        attributions : array-like, shape (n_samples, window, n_features)
        feature_names : sequence of str

        Returns
        -------
        ndarray, shape (n_samples, 3)
            Columns ``a`` lag 1, ``switch`` lag 2, ``b`` lag 3; rows sum to 1 (NaN where
            a window's three values are all 0); all NaN when the drivers are unknown.
        """
        a = _checks.windows(
            attributions, "attributions", timesteps=self.window, require_finite=self.applies
        )
        if not self.applies:
            return np.full((len(a), 3), np.nan)
        names = list(feature_names)
        cells = np.stack(
            [np.abs(a[:, self.window - lag, names.index(f)]) for f, lag in _ORDER], axis=1
        )  # (n, 3)
        total = cells.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, cells / total, np.nan)

    def switch_share(self, attributions, feature_names):
        """The switch's share of the mean |value| of the three driver cells (NaN if unknown).

        Examples
        --------
        >>> a = np.zeros((2, 3, 4)); a[:, 1, 3] = 2.0; a[:, 2, 0] = 1.0; a[:, 0, 2] = -1.0
        >>> NonlinearDrivers(3).switch_share(a, COLUMNS)
        0.5
        """
        if not self.applies:
            return float("nan")
        a = _checks.windows(attributions, "attributions", timesteps=self.window)
        names = list(feature_names)
        means = [np.abs(a[:, self.window - lag, names.index(f)]).mean() for f, lag in _ORDER]
        return float(means[1] / sum(means))

    def split_error(self, attributions, reference, feature_names):
        """Per window, how far a map splits the drivers' credit from a reference's split.

        .. math:: \\tfrac12 \\sum_{c \\in \\text{drivers}} |p_c - q_c|

        with :math:`p` and :math:`q` the two maps' shares (:meth:`driver_shares`): 0 for
        the same split, 1 when they put their credit on different cells.

        Returns
        -------
        ndarray, shape (n_samples,)
            All NaN when the drivers are unknown.

        Examples
        --------
        >>> truth, a = NonlinearDrivers(3), np.zeros((1, 3, 4))
        >>> a[0, 1, 3], a[0, 2, 0] = 1.0, 1.0  # half on the switch, half on a
        >>> b = np.zeros((1, 3, 4)); b[0, 1, 3] = 1.0  # all on the switch
        >>> truth.split_error(a, b, COLUMNS)
        array([0.5])
        """
        p = self.driver_shares(attributions, feature_names)
        q = self.driver_shares(reference, feature_names)
        return 0.5 * np.abs(p - q).sum(axis=1)

    def split_verdict(self, attributions_a, attributions_b, reference, feature_names, *, names):
        """Which of two maps splits the drivers' credit closer to ``reference``, window by window?

        The paired rule over the windows (:func:`helpers.comparison.compare_scores`) on
        each map's :meth:`split_error`: lower is closer. The windows should share no
        input value, so that they are independent units.

        Parameters
        ----------
        attributions_a, attributions_b : array-like, shape (n_samples, window, n_features)
            Two maps of the same windows.
        reference : array-like, shape (n_samples, window, n_features)
            The truth's map, e.g. :meth:`shapley_values`.
        feature_names : sequence of str
        names : pair of str
            How the verdict names the two maps.

        Returns
        -------
        helpers.comparison.ForecastComparison or None
            None when the drivers are unknown (a reader's data): there is no truth to be
            closer to.
        """
        if not self.applies:
            return None
        return compare_scores(
            self.split_error(attributions_a, reference, feature_names),
            self.split_error(attributions_b, reference, feature_names),
            names=names,
        )

    def equation(self, a1, switch2, b3):
        """The noise-free equation on raw values: ``a1 * b3 + step * [switch2 > 1/2]``.

        Examples
        --------
        >>> a1, switch2, b3 = np.array([2.0, 2.0]), np.array([0.1, 0.9]), np.array([0.5, 0.5])
        >>> NonlinearDrivers(3).equation(a1, switch2, b3)
        array([1. , 2.5])
        """
        return a1 * b3 + self.step * (switch2 > 0.5)

    def shapley_values(self, x, background, *, scaler, columns):
        """Exact Shapley values of the generating equation for each window, in target units.

        The players are the three driver cells (no other cell enters the equation, so
        every other cell's value is 0). A coalition :math:`S` keeps the window's values
        in its cells and takes the others from a background window; its value is the
        equation averaged over the background windows, and

        .. math:: \\phi_i = \\sum_{S \\subseteq P \\setminus \\{i\\}}
                  \\frac{|S|!\\,(|P| - |S| - 1)!}{|P|!}\\,\\big[v(S \\cup \\{i\\}) - v(S)\\big]

        over all :math:`2^3` coalitions, exactly: the game Kernel SHAP estimates for a
        model, played by the truth. The values add up to the equation at the window
        minus its mean over the background. The windows are scaled, as the model sees
        them; the equation reads raw values, so each cell is unscaled with ``scaler``.

        Parameters
        ----------
        x : array-like, shape (n_samples, window, 4)
            Windows of the scaled inputs, :data:`COLUMNS` in order.
        background : array-like, shape (n_background, window, 4)
        scaler : fitted scikit-learn scaler
            The one that scaled the data, per column (``ScaledSplit.scaler``).
        columns : sequence of str
            The scaler's columns (``ScaledSplit.columns``), holding :data:`COLUMNS`.

        Returns
        -------
        ndarray of float64, shape (n_samples, window, 4)
            In units of the target; all NaN when the drivers are unknown.

        Raises
        ------
        TypeError, ValueError
            If the windows are not numeric ``(n, window, 4)`` or the columns lack an input.

        Examples
        --------
        >>> from sklearn.preprocessing import FunctionTransformer
        >>> unscaled = FunctionTransformer().fit(np.zeros((1, 5)))  # the identity
        >>> truth, names = NonlinearDrivers(3), [*COLUMNS, "target"]
        >>> x = np.zeros((1, 3, 4)); x[0, 2, 0], x[0, 0, 2], x[0, 1, 3] = 2.0, 0.5, 1.0
        >>> background = np.zeros((1, 3, 4))  # a = b = 0, switch off
        >>> phi = truth.shapley_values(x, background, scaler=unscaled, columns=names)
        >>> [float(phi[0, 2, 0]), float(phi[0, 0, 2]), float(phi[0, 1, 3])]  # a * b halved; step
        [0.5, 0.5, 1.5]
        """
        features = len(COLUMNS) if self.applies else None  # a reader's windows: any width
        x = _checks.windows(x, "x", timesteps=self.window, features=features)
        background = _checks.windows(
            background, "background", timesteps=self.window, features=features
        )
        if not self.applies:
            return np.full(x.shape, np.nan)
        here = _raw_cells(x, _ORDER, self.window, scaler, columns)  # (n, 3)
        there = _raw_cells(background, _ORDER, self.window, scaler, columns)  # (m, 3)
        phi = np.zeros(here.shape)
        for mask in itertools.product((False, True), repeat=3):  # every coalition S
            keep = np.array(mask)
            v_s = self._coalition_value(here, there, keep)  # (n,)
            for i in np.flatnonzero(~keep):  # add player i to S
                with_i = keep.copy()
                with_i[i] = True
                weight = math.factorial(keep.sum()) * math.factorial(2 - keep.sum()) / 6
                phi[:, i] += weight * (self._coalition_value(here, there, with_i) - v_s)
        out = np.zeros(x.shape)
        for i, (feature, lag) in enumerate(_ORDER):
            out[:, self.window - lag, COLUMNS.index(feature)] = phi[:, i]
        return out

    def _coalition_value(self, here, there, keep):
        """v(S) of every window: the equation averaged over the background, (n,)."""
        cells = np.where(keep[None, None, :], here[:, None, :], there[None, :, :])  # (n, m, 3)
        return self.equation(cells[..., 0], cells[..., 1], cells[..., 2]).mean(axis=1)


def _raw_cells(windows, cells, window, scaler, columns):
    """The raw values of some cells of scaled windows: (n, len(cells))."""
    columns = list(columns)
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"columns must hold the inputs {list(COLUMNS)}, missing {missing}")
    rows = np.zeros((len(windows) * len(cells), len(columns)))  # one scaled row per cell value
    for k, (feature, lag) in enumerate(cells):
        rows[k * len(windows) : (k + 1) * len(windows), columns.index(feature)] = windows[
            :, window - lag, COLUMNS.index(feature)
        ]
    raw = scaler.inverse_transform(rows)  # (n * len(cells), len(columns))
    return np.column_stack(
        [
            raw[k * len(windows) : (k + 1) * len(windows), columns.index(feature)]
            for k, (feature, _) in enumerate(cells)
        ]
    )


def for_lesson(data_path, *, feature_columns, target_column, window, step=1.5):
    """The lesson's :class:`NonlinearDrivers`: are its known drivers this run's?

    On the generated series (``data_path`` None) they are, and the lesson's inputs must
    be the generated ones, in their order, with a window that reaches lag 3: anything
    else is refused, so that a claim about the generated series is never checked on
    other inputs. On a reader's CSV there are no known drivers: the returned object says
    so, and a sentence saying that the checks against them are skipped is printed.

    Parameters
    ----------
    data_path : str, path or None
        The lesson's ``DATA_PATH``.
    feature_columns : sequence of str
    target_column : str
    window : int
    step : float, default 1.5
        As passed to :func:`nonlinear_drivers`.

    Returns
    -------
    NonlinearDrivers

    Raises
    ------
    ValueError
        On the generated series, if the columns are not :data:`COLUMNS` and
        :data:`TARGET`, or the window is shorter than 3.

    Examples
    --------
    >>> for_lesson(None, feature_columns=list(COLUMNS), target_column="target", window=10)
    NonlinearDrivers(window=10: drivers known)
    >>> for_lesson("my.csv", feature_columns=["sales"], target_column="sales", window=10)
    DATA_PATH or the columns/window are changed: skipping the ground-truth checks, which \
need the generated series and its known drivers.
    NonlinearDrivers(window=10: no known drivers (your data))
    """
    window = _checks.integer(window, "window")
    if data_path is not None:
        print(SKIP_MESSAGE)
        return NonlinearDrivers(window, step=step, applies=False)
    if tuple(feature_columns) != COLUMNS or target_column != TARGET:
        raise ValueError(
            f"with DATA_PATH None the lesson runs on its generated series, whose inputs are "
            f"{list(COLUMNS)} and target {TARGET!r}; got {list(feature_columns)} and "
            f"{target_column!r}: leave FEATURE_COLUMNS None, or set DATA_PATH to your CSV"
        )
    return NonlinearDrivers(window, step=step)
