"""The known drivers of the generated series, and the switch for the claims that need them.

A lesson that explains a model of :func:`helpers.generators.known_drivers` can hold
its explanations against the truth, because the target was built as

.. math:: y_t = w_p\\,(p_{t-1} - p_{t-2}) + w_d\\, d_{t-L} + \\sigma\\,\\xi_t

from a price :math:`p`, an irrelevant volume and an indicator :math:`d`. On a
reader's CSV (``DATA_PATH`` set) there is no such truth. :func:`for_lesson` decides
once which case a run is and returns a :class:`KnownDrivers`; the lesson then
states every claim that needs the truth through it, with no ``if`` in its cells:

- ``truth.check(condition, claim)``: a claim about the method, asserted at every
  seed (:func:`helpers.claims.check`) on the generated series, skipped on a CSV;
- ``truth.check_draw(condition, claim)``: a claim about the stored run
  (:class:`helpers.claims.Draw`), likewise;
- ``truth.assert_converged(history)``: the fit a verdict rests on must have
  converged (:func:`helpers.training.assert_converged`); on a CSV there is no
  verdict against known drivers, so it is reported, not asserted;
- ``truth.cells``, ``truth.lags``, ``truth.drivers``, ``truth.irrelevant``: the
  answer an explanation should find; ``truth.coefficients`` and
  :meth:`KnownDrivers.attributions`: the true gradient and the true contributions,
  shaped like the lessons' maps (NaN on a CSV, where they are unknown).

NumPy only at import (the convergence check imports :mod:`helpers.training` when
it is called, on histories that training produced).
"""

from __future__ import annotations

import numpy as np

from helpers import _checks, claims
from helpers.attributions import to_raw_units

__all__ = ["KnownDrivers", "for_lesson", "GENERATED_COLUMNS", "GENERATED_TARGET"]

#: The inputs of :func:`helpers.generators.known_drivers`, in the lessons' order.
GENERATED_COLUMNS = ("price", "volume", "indicator")
#: Its target column.
GENERATED_TARGET = "target"
#: Printed when a run is not on the generated series (tests/test_own_data.py looks for it).
SKIP_MESSAGE = (
    "DATA_PATH or the columns/window are changed: skipping the ground-truth checks, "
    "which need the generated series and its known drivers."
)


class KnownDrivers:
    """The drivers of ``known_drivers``' target, as a lesson's windows see them.

    Windows hold ``window`` time steps of ``feature_columns``; column ``t`` of a
    window is lag ``window - t`` (lag 1 is the most recent value).

    Parameters
    ----------
    feature_columns : sequence of str
        The model's inputs, in the order of the windows' last axis.
    window : int
        Time steps per window.
    indicator_lag : int, default 5
        :math:`L`, as passed to ``known_drivers``.
    price_weight, indicator_weight : float, default 1.0 and 0.8
        :math:`w_p, w_d`, as passed to ``known_drivers`` (its defaults).
    noise : float, default 0.1
        :math:`\\sigma`, the standard deviation of the target's own noise, as passed to
        ``known_drivers`` (its default); :meth:`r2_ceiling` reads it.
    applies : bool, default True
        Whether the run is on the generated series with these inputs; when False
        every check is skipped and the true maps are NaN.
    draw : helpers.claims.Draw, optional
        The lesson's claims about its stored run, for :meth:`check_draw`.

    Attributes
    ----------
    applies : bool
    cells : frozenset of (str, int)
        The true drivers as (feature, lag): price at lags 1 and 2, the indicator at ``L``.
    lags : frozenset of int
        Their lags.
    drivers : tuple of str
        The features that drive the target, the price first.
    irrelevant : tuple of str
        The generated inputs that carry no signal (the volume).

    Raises
    ------
    ValueError
        If ``applies`` is True and the columns are not the generated inputs in a
        window long enough to hold lag ``L``.

    Examples
    --------
    >>> truth = KnownDrivers(["price", "volume", "indicator"], 6, indicator_lag=5)
    >>> sorted(truth.cells), truth.drivers, truth.irrelevant
    ([('indicator', 5), ('price', 1), ('price', 2)], ('price', 'indicator'), ('volume',))
    >>> truth.coefficients[::-1]  # rows are lags 1..6, columns price, volume, indicator
    array([[ 1. ,  0. ,  0. ],
           [-1. ,  0. ,  0. ],
           [ 0. ,  0. ,  0. ],
           [ 0. ,  0. ,  0. ],
           [ 0. ,  0. ,  0.8],
           [ 0. ,  0. ,  0. ]])
    """

    def __init__(
        self,
        feature_columns,
        window,
        *,
        indicator_lag=5,
        price_weight=1.0,
        indicator_weight=0.8,
        noise=0.1,
        applies=True,
        draw=None,
    ):
        self.feature_columns = _check_columns(feature_columns)
        self.window = _checks.integer(window, "window")
        self.indicator_lag = _checks.integer(indicator_lag, "indicator_lag")
        self.price_weight = _checks.real(price_weight, "price_weight")
        self.indicator_weight = _checks.real(indicator_weight, "indicator_weight")
        self.noise = _checks.real(noise, "noise", low=0)
        self.applies = _checks.boolean(applies, "applies")
        if draw is not None and not isinstance(draw, claims.Draw):
            raise TypeError(
                f"draw must be a helpers.claims.Draw or None, got {type(draw).__name__}"
            )
        self.draw = draw
        if self.applies and not _fits(self.feature_columns, self.window, self.indicator_lag):
            raise ValueError(
                f"the known drivers need feature_columns {list(GENERATED_COLUMNS)} and a window "
                f"longer than indicator_lag={self.indicator_lag}, got {list(self.feature_columns)} "
                f"and window={self.window}; pass applies=False for other inputs"
            )
        self._weights = {
            ("price", 1): self.price_weight,
            ("price", 2): -self.price_weight,
            ("indicator", self.indicator_lag): self.indicator_weight,
        }
        self.cells = frozenset(self._weights)
        self.lags = frozenset(lag for _, lag in self._weights)
        self.drivers = ("price", "indicator")
        self.irrelevant = ("volume",)

    def __bool__(self):
        return self.applies

    def __repr__(self):
        state = "checks on" if self.applies else "checks skipped"
        return (
            f"KnownDrivers(window={self.window}, indicator_lag={self.indicator_lag}, "
            f"price_weight={self.price_weight:g}, indicator_weight={self.indicator_weight:g}: "
            f"{state})"
        )

    # ------------------------------------------------------------------ the truth as maps

    @property
    def coefficients(self):
        """The true gradient :math:`\\partial y / \\partial x_{t,j}` in raw units.

        Returns
        -------
        ndarray of float64, shape (window, n_features)
            :math:`w_p` at price lag 1, :math:`-w_p` at lag 2, :math:`w_d` at the
            indicator's lag ``L``, 0 elsewhere; all NaN when the truth does not apply.
        """
        shape = (self.window, len(self.feature_columns))
        if not self.applies:
            return np.full(shape, np.nan)
        out = np.zeros(shape)
        for (feature, lag), weight in self._weights.items():
            out[self.window - lag, self.feature_columns.index(feature)] = weight
        return out

    def attributions(self, x, scaler, *, columns=None):
        """The true contribution of every input value to the forecast, in target units.

        The generating equation is linear, so its integrated gradients from the
        baseline :math:`x'` (the scaled input 0, the training mean for a
        ``StandardScaler``) are exact: :math:`w_{t,j}\\,(x_{t,j} - x'_{t,j})` in raw
        units. They add up to :math:`y - \\sigma\\xi - f(x')` for every window. Compare
        them with a model's attributions converted to target units
        (``to_raw_units(..., kind="attribution")``).

        Parameters
        ----------
        x : array-like, shape (n_samples, window, n_features)
            Windows of the scaled inputs, as the model sees them.
        scaler : fitted scikit-learn scaler
            The one that scaled the data (per-column affine), e.g. ``ScaledSplit.scaler``.
        columns : sequence of str, optional
            The scaler's column names (``ScaledSplit.columns``), when it has none itself.

        Returns
        -------
        ndarray of float64, shape (n_samples, window, n_features)
            All NaN when the truth does not apply.

        Raises
        ------
        TypeError, ValueError
            If ``x`` is not numeric windows of shape ``(n, window, n_features)``, or the
            scaler is not a fitted per-column affine scaler holding the inputs.

        Examples
        --------
        >>> from sklearn.preprocessing import StandardScaler
        >>> raw = np.array([[0.0, 1.0, 0.0, 0.0], [2.0, 1.0, 4.0, 0.0]])  # price sd 1, indicator 2
        >>> scaler = StandardScaler().fit(raw)
        >>> truth = KnownDrivers(["price", "volume", "indicator"], 2, indicator_lag=1,
        ...                      indicator_weight=0.5)
        >>> x = np.zeros((1, 2, 3))  # one window, scaled: lag 2 first, then lag 1
        >>> x[0, 0, 0] = 0.5  # price at lag 2: half a sd (0.5 raw) above its mean
        >>> x[0, 1] = [1.0, 0.0, 1.0]  # lag 1: price and indicator one sd above their means
        >>> truth.attributions(x, scaler, columns=["price", "volume", "indicator", "target"])[0]
        array([[-0.5,  0. ,  0. ],
               [ 1. ,  0. ,  1. ]])
        """
        x = _checks.windows(
            x, "x", timesteps=self.window, features=len(self.feature_columns)
        ).astype(np.float64)
        if not self.applies:
            return np.full(x.shape, np.nan)
        # d(scaled)/d(raw) of each input: a raw step of 1 / slope is one scaled unit.
        slopes = to_raw_units(
            np.ones(len(self.feature_columns)),
            scaler,
            target_column=None,
            feature_columns=list(self.feature_columns),
            columns=columns,
        )  # (n_features,)
        return self.coefficients[None] * x / slopes  # (n, window, n_features)

    def r2_ceiling(self, y):
        """The :math:`R^2` that even the generating equation reaches on targets ``y``.

        The equation without its noise term misses :math:`\\sigma\\,\\xi_t` and
        nothing else, so on targets ``y`` its :math:`R^2` is about
        :math:`1 - \\sigma^2 / \\operatorname{var}(y)`: the ceiling a forecaster's test
        :math:`R^2` is read against.

        Parameters
        ----------
        y : array_like of float, shape (n,)
            Targets in raw units (:math:`R^2` itself does not change with the scale,
            the noise's :math:`\\sigma` does), at least two.

        Returns
        -------
        float
            :math:`1 - \\sigma^2 / \\operatorname{var}(y)`; NaN when the truth does not apply.

        Examples
        --------
        >>> truth = KnownDrivers(["price", "volume", "indicator"], 10, noise=0.5)
        >>> truth.r2_ceiling([-1.0, 1.0, -1.0, 1.0])  # var(y) = 1
        0.75
        """
        y = _checks.series(y, "y", min_length=2, why=" to have a variance")
        if not self.applies:
            return float("nan")
        return float(1.0 - self.noise**2 / y.var())

    # ------------------------------------------------------------------ the switch

    def check(self, condition, claim, *, value=None):
        """On the generated series, assert a claim about the method (every seed); else skip.

        Raises
        ------
        AssertionError
            From :func:`helpers.claims.check`, when the truth applies and the claim fails.
        """
        if self.applies:
            claims.check(condition, claim, value=value)

    def check_draw(self, condition, claim, *, value=None):
        """On the generated series, a claim about the stored run (``draw.check``); else skip.

        Raises
        ------
        ValueError
            If this object was made without ``draw``.
        AssertionError
            From :meth:`helpers.claims.Draw.check`, in the stored run, when the claim fails.
        """
        if self.draw is None:
            raise ValueError(
                "check_draw needs the lesson's claims.Draw: pass draw=... when creating the truth"
            )
        if self.applies:
            self.draw.check(condition, claim, value=value)

    def assert_converged(self, *histories, what="the model"):
        """Assert that early stopping fired (generated series), or report it (a CSV).

        On the generated series the lesson judges the model's explanations against
        the known drivers, so every fit they rest on must have converged
        (:func:`helpers.training.assert_converged`). On a CSV nothing is judged
        against known drivers: each fit's :meth:`~helpers.training.TrainingHistory.summary`
        is printed with a word on what to do when early stopping did not fire.

        Raises
        ------
        AssertionError
            On the generated series, when a fit stopped at its epoch cap.
        TypeError
            If a history is not what :func:`helpers.training.train` returns.
        """
        from helpers import training  # a history exists, so TensorFlow is loaded already

        if self.applies:
            training.assert_converged(*histories, what=what)
            return
        for history in histories:
            if not isinstance(history, training.TrainingHistory):
                raise TypeError(
                    "assert_converged takes what helpers.training.train returns, got "
                    f"{type(history).__name__}"
                )
            advice = ": not converged, so raise EPOCHS before you trust its maps"
            note = "" if history.converged else advice
            print(f"{what}: {history.summary()}{note}")


def for_lesson(
    data_path,
    *,
    feature_columns,
    target_column,
    window,
    indicator_lag=5,
    price_weight=1.0,
    indicator_weight=0.8,
    noise=0.1,
    draw=None,
):
    """The lesson's :class:`KnownDrivers`: do the known drivers describe this run?

    They do when the lesson runs on its generated series (``data_path`` None) with
    its inputs (price, volume, indicator), its target and a window that holds lag
    ``indicator_lag``. Otherwise the returned object skips every check, and a
    sentence saying so is printed once.

    Parameters
    ----------
    data_path : str, path or None
        The lesson's ``DATA_PATH``: None for the generated series.
    feature_columns : sequence of str
    target_column : str
    window : int
    indicator_lag, price_weight, indicator_weight, noise
        As passed to :func:`helpers.generators.known_drivers`.
    draw : helpers.claims.Draw, optional

    Returns
    -------
    KnownDrivers

    Examples
    --------
    >>> bool(for_lesson(None, feature_columns=["price", "volume", "indicator"],
    ...                 target_column="target", window=10))
    True
    >>> for_lesson("my.csv", feature_columns=["sales"], target_column="sales", window=10)
    DATA_PATH or the columns/window are changed: skipping the ground-truth checks, which \
need the generated series and its known drivers.
    KnownDrivers(window=10, indicator_lag=5, price_weight=1, indicator_weight=0.8: checks skipped)
    """
    columns = _check_columns(feature_columns)
    window = _checks.integer(window, "window")
    lag = _checks.integer(indicator_lag, "indicator_lag")
    applies = (
        data_path is None and target_column == GENERATED_TARGET and _fits(columns, window, lag)
    )
    if not applies:
        print(SKIP_MESSAGE)
    return KnownDrivers(
        columns,
        window,
        indicator_lag=lag,
        price_weight=price_weight,
        indicator_weight=indicator_weight,
        noise=noise,
        applies=applies,
        draw=draw,
    )


def _fits(columns, window, lag):
    return tuple(columns) == GENERATED_COLUMNS and window > lag


def _check_columns(feature_columns):
    if isinstance(feature_columns, str) or not all(isinstance(c, str) for c in feature_columns):
        raise TypeError(f"feature_columns must be a list of column names, got {feature_columns!r}")
    if not feature_columns:
        raise ValueError("feature_columns must name at least one column, got none")
    return tuple(feature_columns)
