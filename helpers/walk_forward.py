"""Walk-forward evaluation: refit every forecaster at expanding origins, score it on the next block.

One test score rests on one stretch of time. Walk-forward evaluation cuts the last
``test_size`` rows into ``K`` consecutive blocks and, at each block's first row (its
*origin*), refits every forecaster on everything before it::

    origin o_k:  rows [0, o_k - validation_size)   training   (the scaler is fitted here only)
                 rows [o_k - validation_size, o_k)  validation (early stopping)
                 rows [o_k, o_{k+1})               the block forecast, then scored

The windows of each origin come from :func:`helpers.data.split_windows`, the course's one
split rule: a window belongs to the part holding its first target, and its inputs may
reach back into earlier rows. Every forecaster gets the same :class:`Fold` at the same
origins, and returns forecasts in the target's own units; :func:`walk_forward` scores
them all with MASE and RMSE and keeps every forecast, so that two forecasters can be
compared on the paired errors of the same points (:meth:`WalkForwardResult.compare`,
:func:`comparison_table`, both through :func:`helpers.metrics.compare_forecasts`).

Forecasters are callables ``f(fold) -> (n_test, horizon)``: :func:`persistence`,
:func:`climatology`, :func:`ridge`, :class:`TunedRidge` (its penalty chosen at every
origin on the fold's validation rows, as early stopping chooses a network's epochs),
:class:`KerasForecaster` (which refits a Keras model builder, optionally warm-starting
from the previous origin's weights) and :class:`SeedEnsemble` (several seeds of one
network, their median forecast, every fit kept so that its convergence can be asserted).

The forecasters live in :mod:`helpers.fold_forecasters` and are re-exported here. This
module imports TensorFlow only when a :class:`KerasForecaster` first trains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import _checks, data, metrics
from helpers.fold_forecasters import (  # the forecasters, in a module of their own
    KerasForecaster,
    SeedEnsemble,
    TunedRidge,
    climatology,
    persistence,
    ridge,
)

__all__ = [
    "expanding_origins",
    "Fold",
    "make_fold",
    "WalkForwardResult",
    "walk_forward",
    "persistence",
    "climatology",
    "ridge",
    "TunedRidge",
    "KerasForecaster",
    "SeedEnsemble",
    "comparison_table",
    "rolling_origin_evaluation",
]


# --------------------------------------------------------------------------- checks


def _check_frame(frame, target, features):
    """The input columns' names, after checking the frame, its target and its features."""
    labels = list(_checks.dataframe(frame, "frame").columns)
    target = _checks.column_name(target, "target")
    _checks.column_positions(target, labels, "target", positions=False)
    if features is None:
        return labels
    spec = features if isinstance(features, str) else list(features)  # a str is one column
    positions = _checks.column_positions(spec, labels, "features", positions=False)
    return [labels[i] for i in positions]


# --------------------------------------------------------------------------- origins


def expanding_origins(n_rows, *, test_size, n_origins):
    """The first rows of ``n_origins`` consecutive blocks that cover the last ``test_size`` rows.

    The blocks are as equal as integers allow; earlier blocks get the extra rows.

    Parameters
    ----------
    n_rows : int
        Rows in the whole series.
    test_size : int
        Rows at the end of the series that are forecast (the test part).
    n_origins : int
        Number of blocks, each refitted and scored separately.

    Returns
    -------
    ndarray of int, shape (n_origins,)
        Increasing origins; block ``k`` is rows ``[origins[k], origins[k + 1])``, the
        last one ends at ``n_rows``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``test_size >= n_rows`` or a block would hold no row.

    Examples
    --------
    >>> expanding_origins(100, test_size=20, n_origins=5)
    array([80, 84, 88, 92, 96])
    >>> expanding_origins(100, test_size=22, n_origins=5)
    array([78, 83, 88, 92, 96])
    """
    n_rows = _checks.integer(n_rows, "n_rows")
    test_size = _checks.integer(test_size, "test_size")
    n_origins = _checks.integer(n_origins, "n_origins")
    if test_size >= n_rows:
        raise ValueError(
            f"test_size must be below n_rows={n_rows} to leave rows to train on, "
            f"got test_size={test_size}"
        )
    if n_origins > test_size:
        raise ValueError(
            f"n_origins={n_origins} blocks need at least {n_origins} test rows, got "
            f"test_size={test_size}: use fewer origins or a larger test part"
        )
    sizes = np.full(n_origins, test_size // n_origins)  # (K,)
    sizes[: test_size % n_origins] += 1
    return n_rows - test_size + np.concatenate([[0], np.cumsum(sizes)[:-1]])


# --------------------------------------------------------------------------- one fold


@dataclass(frozen=True)
class Fold:
    """What every forecaster may use at one origin (no test target is in it).

    Attributes
    ----------
    origin, stop : int
        The block forecast is rows ``[origin, stop)`` of the series.
    train, validation : helpers.data.Windows
        Scaled windows (``X (n, window, n_features)``, ``y (n, horizon)``) whose targets
        lie in the training and validation rows.
    test_X : ndarray, shape (n_test, window, n_features)
        Scaled input windows of the block; their targets are not here.
    target_rows : ndarray of int, shape (n_test, horizon)
        Row numbers of the targets each test window forecasts.
    times : pandas.Index
        The time stamps of rows ``[0, stop)`` (dates are known in advance).
    history : pandas.DataFrame
        The raw rows before the origin (training and validation), all columns.
    scaled : helpers.data.ScaledSplit
        The scaled rows; its scaler was fitted on the training rows only.
    target : str
        The column forecast.
    features : list of str
        The input columns, in the order of the windows' last axis.
    """

    origin: int
    stop: int
    train: data.Windows
    validation: data.Windows
    test_X: np.ndarray
    target_rows: np.ndarray
    times: pd.Index
    history: pd.DataFrame
    scaled: data.ScaledSplit
    target: str
    features: list = field(default_factory=list)

    @property
    def window(self) -> int:
        """Time steps per input window."""
        return self.test_X.shape[1]

    @property
    def n_features(self) -> int:
        """Values per time step."""
        return self.test_X.shape[2]

    @property
    def horizon(self) -> int:
        """Steps forecast by every window."""
        return self.target_rows.shape[1]

    def inverse(self, values):
        """Scaled target values (any shape) back in the target's own units."""
        return self.scaled.inverse(values, column=self.target)


def make_fold(frame, origin, stop, *, window, horizon=1, target, features=None, validation_size=0):
    """Cut, scale and window the rows of one origin, as :func:`walk_forward` does.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (time, columns)
        The whole series, oldest row first; not modified.
    origin, stop : int
        The block is rows ``[origin, stop)``; the forecasters see rows before ``origin``.
    window, horizon : int
    target : str
        The column forecast.
    features : list of str, optional
        Input columns; default every column.
    validation_size : int, default 0
        The last rows before ``origin`` kept for early stopping.

    Returns
    -------
    Fold

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame, ``target`` not a column name or a size not an
        integer.
    ValueError
        If the rows cannot hold the windows (the message names WINDOW or HORIZON), or a
        column is unknown.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.arange(30.0)})
    >>> fold = make_fold(frame, 20, 25, window=3, target="y", validation_size=5)
    >>> fold.train.X.shape, fold.validation.X.shape, fold.test_X.shape
    ((12, 3, 1), (5, 3, 1), (5, 3, 1))
    >>> fold.target_rows[:, 0]
    array([20, 21, 22, 23, 24])
    """
    inputs = _check_frame(frame, target, features)
    origin = _checks.integer(origin, "origin")
    stop = _checks.integer(stop, "stop")
    validation_size = _checks.integer(validation_size, "validation_size", minimum=0)
    if not origin < stop <= len(frame):
        raise ValueError(
            f"origin and stop must satisfy origin < stop <= {len(frame)} (rows of frame), "
            f"got origin={origin}, stop={stop}"
        )
    columns = list(dict.fromkeys([*inputs, target]))  # inputs, then the target if not one
    rows = frame.iloc[:stop][columns]
    split = data.chronological_split(rows, test_size=stop - origin, validation_size=validation_size)
    scaled = data.scale_split(split)
    parts = data.split_windows(
        scaled, window, horizon=horizon, target_columns=target, feature_columns=inputs
    )
    first = parts.test.first_target  # (n_test,)
    return Fold(
        origin=origin,
        stop=stop,
        train=parts.train,
        validation=parts.validation,
        test_X=parts.test.X,
        target_rows=first[:, None] + np.arange(horizon)[None, :],
        times=frame.index[:stop],
        history=frame.iloc[:origin].copy(),
        scaled=scaled,
        target=target,
        features=inputs,
    )


# --------------------------------------------------------------------------- the loop


@dataclass(frozen=True)
class WalkForwardResult:
    """Scores and forecasts of every forecaster at every origin.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (origin, model): ``origin``, ``model``, ``MASE``, ``RMSE``, ``n``
        (forecast windows in the block).
    y_true : ndarray, shape (N, horizon)
        The targets of every block, stacked in time order.
    forecasts : dict of str to ndarray, shape (N, horizon)
        Each forecaster's forecasts of ``y_true``.
    origin : ndarray of int, shape (N,)
        The origin each row of ``y_true`` was forecast from.
    origins : tuple of int
    """

    scores: pd.DataFrame
    y_true: np.ndarray
    forecasts: dict
    origin: np.ndarray
    origins: tuple

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation over the origins, one row per model, best MASE first.

        Returns
        -------
        pandas.DataFrame
            Index ``model``; columns ``MASE mean``, ``MASE std``, ``RMSE mean``,
            ``RMSE std`` (the sample standard deviation, ``ddof=1``).
        """
        grouped = self.scores.groupby("model", sort=False)[["MASE", "RMSE"]]
        table = grouped.agg(["mean", "std"])
        table.columns = [f"{metric} {stat}" for metric, stat in table.columns]
        return table.sort_values("MASE mean")

    def _pair(self, a, b, lead):
        for name in (a, b):
            if name not in self.forecasts:
                raise ValueError(
                    f"{name!r} is not a forecaster of this result: expected one of "
                    f"{list(self.forecasts)}"
                )
        horizon = self.y_true.shape[1]
        lead = _checks.integer(lead, "lead")
        if lead > horizon:
            raise ValueError(f"lead must be at most the horizon {horizon}, got {lead}")
        column = lead - 1
        return self.y_true[:, column], self.forecasts[a][:, column], self.forecasts[b][:, column]

    def compare(self, a, b, *, lead=1, loss="squared", alpha=0.05):
        """The paired verdict between forecasters ``a`` and ``b`` on every forecast point.

        :func:`helpers.metrics.compare_forecasts` on the errors of the same targets, at
        one lead; ``h`` is the lead, since ``lead``-step forecasts made on consecutive
        days share ``lead - 1`` days of unknown future and so have correlated errors.

        Parameters
        ----------
        a, b : str
            Names of two forecasters of this result.
        lead : int, default 1
            Steps ahead (1 .. horizon).
        loss : {"squared", "absolute"}, default "squared"
        alpha : float, default 0.05

        Returns
        -------
        helpers.comparison.ForecastComparison
            ``mean_loss_difference`` is loss(a) - loss(b), with its interval and winner.

        Raises
        ------
        ValueError
            If a name is unknown or ``lead`` exceeds the horizon.

        Examples
        --------
        >>> frame = pd.DataFrame({"y": np.sin(np.arange(80.0) / 3)})
        >>> result = walk_forward(frame, {"persistence": persistence, "ridge": ridge},
        ...                       origins=[50, 65], window=6, target="y")
        >>> result.compare("ridge", "persistence").winner
        'ridge'
        """
        y, forecast_a, forecast_b = self._pair(a, b, lead)
        return metrics.compare_forecasts(
            y, forecast_a, forecast_b, h=lead, loss=loss, alpha=alpha, names=(str(a), str(b))
        )

    def per_origin(self, a, b, *, lead=1, loss="squared"):
        """The mean loss difference ``a - b`` within each origin's block.

        Parameters
        ----------
        a, b : str
        lead : int, default 1
        loss : {"squared", "absolute"}, default "squared"

        Returns
        -------
        pandas.Series
            Indexed by origin, in time order.
        """
        if loss not in ("squared", "absolute"):
            raise ValueError(f"loss must be 'squared' or 'absolute', got {loss!r}")
        y, forecast_a, forecast_b = self._pair(a, b, lead)
        power = 2 if loss == "squared" else 1
        d = np.abs(y - forecast_a) ** power - np.abs(y - forecast_b) ** power  # (N,)
        return pd.Series(d).groupby(self.origin).mean().rename_axis("origin")


def _check_origins(origins, n_rows):
    origins = _checks.integers(origins, "origins")
    if any(b <= a for a, b in zip(origins, origins[1:], strict=False)) or origins[-1] >= n_rows:
        raise ValueError(
            f"origins must increase strictly and stay below the {n_rows} rows of frame, "
            f"got {origins}"
        )
    return origins


def walk_forward(
    frame,
    forecasters,
    *,
    origins,
    window,
    horizon=1,
    target,
    features=None,
    validation_size=0,
    m=1,
):
    """Refit every forecaster at every origin and score it on the block that follows.

    At origin ``o_k`` the block is rows ``[o_k, o_{k+1})`` (the last ends with the
    series). :func:`make_fold` cuts, scales and windows the rows; every forecaster is
    called with the same fold, in the order given, and must return the block's
    forecasts, shape ``(n_test, horizon)``, in the target's units. Each is scored with

    .. math:: \\mathrm{MASE} = \\frac{\\mathrm{mean}\\,|y - \\hat y|}
              {\\frac{1}{n - m}\\sum_{t > m} |y_t - y_{t-m}|}, \\qquad
              \\mathrm{RMSE} = \\sqrt{\\mathrm{mean}\\,(y - \\hat y)^2}

    the MASE's scale taken from the rows before the origin.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (time, columns)
        The whole series, oldest row first; not modified.
    forecasters : mapping of str to callable
        ``name -> f(fold)``; see :func:`persistence`, :func:`ridge`, :class:`KerasForecaster`.
    origins : sequence of int
        Increasing first rows of the blocks, e.g. from :func:`expanding_origins`.
    window, horizon : int
    target : str
    features : list of str, optional
        Input columns (default all).
    validation_size : int, default 0
        Rows before each origin kept for early stopping (not trained on).
    m : int, default 1
        Seasonal period of the MASE's naive scale.

    Returns
    -------
    WalkForwardResult

    Raises
    ------
    TypeError
        If ``forecasters`` is not a mapping of callables or an option has the wrong type.
    ValueError
        If ``forecasters`` is empty, the origins do not fit the frame, a block holds no
        window, or a forecaster returns the wrong shape or a non-finite value (the message
        names it and the origin).

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.sin(np.arange(60.0) / 3)})
    >>> result = walk_forward(frame, {"persistence": persistence}, origins=[40, 50],
    ...                       window=4, target="y")
    >>> result.scores[["origin", "model", "n"]].values.tolist()
    [[40, 'persistence', 10], [50, 'persistence', 10]]
    """
    inputs = _check_frame(frame, target, features)
    _checks.named_functions(forecasters, "forecasters", call="f(fold)")
    origins = _check_origins(origins, len(frame))
    m = _checks.integer(m, "m")
    stops = [*origins[1:], len(frame)]
    series = frame[target].to_numpy(dtype=float)  # (time,)
    rows, truths, kept, where = [], [], {name: [] for name in forecasters}, []
    for origin, stop in zip(origins, stops, strict=True):
        fold = make_fold(
            frame,
            origin,
            stop,
            window=window,
            horizon=horizon,
            target=target,
            features=inputs,
            validation_size=validation_size,
        )
        y_true = series[fold.target_rows]  # (n_test, horizon)
        y_history = fold.history[target].to_numpy(dtype=float)  # (origin,)
        for name, forecaster in forecasters.items():
            returned = f"the forecast of forecasters[{name!r}] at origin {origin}"
            y_pred = _checks.real_array(forecaster(fold), returned).astype(float)
            _checks.same_shape({"the block's targets (n_test, horizon)": y_true, returned: y_pred})
            _checks.finite(y_pred, returned)
            rows.append(
                {
                    "origin": origin,
                    "model": str(name),
                    "MASE": metrics.mean_absolute_scaled_error(
                        y_true, y_pred, y_train=y_history, m=m
                    ),
                    "RMSE": metrics.root_mean_squared_error(y_true, y_pred),
                    "n": len(y_true),
                }
            )
            kept[name].append(y_pred)
        truths.append(y_true)
        where.append(np.full(len(y_true), origin))
    return WalkForwardResult(
        scores=pd.DataFrame(rows),
        y_true=np.concatenate(truths),
        forecasts={name: np.concatenate(parts) for name, parts in kept.items()},
        origin=np.concatenate(where),
        origins=tuple(origins),
    )


# --------------------------------------------------------------------------- verdicts


def comparison_table(result, verdicts, *, origin_labels=None):
    """The paired verdicts in one table, with the mean difference within each origin's block.

    Parameters
    ----------
    result : WalkForwardResult
        Where the verdicts' forecasts come from.
    verdicts : mapping of str to ForecastComparison
        Row label -> :meth:`WalkForwardResult.compare` of two of its forecasters.
    origin_labels : sequence of str, optional
        Column labels of the per-origin differences (e.g. the origins' dates); default
        ``"origin <row>"``.

    Returns
    -------
    pandas.DataFrame
        One row per verdict: ``mean difference`` (A - B over every point), ``low`` and
        ``high`` (its interval), ``p``, ``verdict`` (the winner, or "no difference"), then
        the mean difference within each origin's block.

    Raises
    ------
    TypeError
        If ``result`` is not a WalkForwardResult or a verdict is not a comparison.
    ValueError
        If ``verdicts`` is empty or ``origin_labels`` has the wrong length.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.sin(np.arange(80.0) / 3)})
    >>> result = walk_forward(frame, {"persistence": persistence, "ridge": ridge},
    ...                       origins=[50, 65], window=6, target="y")
    >>> table = comparison_table(result, {"ridge - persistence":
    ...                                   result.compare("ridge", "persistence")})
    >>> table.loc["ridge - persistence", "verdict"]
    'ridge'
    >>> list(table.columns[-2:])
    ['origin 50', 'origin 65']
    """
    if not isinstance(result, WalkForwardResult):
        raise TypeError(f"result must be a WalkForwardResult, got {type(result).__name__}")
    if not isinstance(verdicts, Mapping) or not verdicts:
        raise ValueError("verdicts must be a non-empty mapping of label to a comparison")
    labels = [f"origin {o}" for o in result.origins] if origin_labels is None else origin_labels
    labels = [str(label) for label in labels]
    if len(labels) != len(result.origins):
        raise ValueError(
            f"origin_labels must hold one label per origin ({len(result.origins)}), "
            f"got {len(labels)}"
        )
    rows = {}
    for label, verdict in verdicts.items():
        if not all(hasattr(verdict, name) for name in ("names", "ci_low", "winner", "h")):
            raise TypeError(
                f"verdicts[{label!r}] must be what WalkForwardResult.compare returns, "
                f"got {type(verdict).__name__}"
            )
        within = result.per_origin(*verdict.names, lead=verdict.h, loss=verdict.loss)
        rows[label] = {
            "mean difference": verdict.mean_loss_difference,
            "low": verdict.ci_low,
            "high": verdict.ci_high,
            "p": verdict.p_value,
            "verdict": verdict.winner or "no difference",
            **dict(zip(labels, within.to_numpy(), strict=True)),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- rolling origin


def rolling_origin_evaluation(
    y, forecasters: Mapping, *, initial, horizon, step=1, m=1
) -> pd.DataFrame:
    """Refit and score forecasters at several cut points of one series (time-series CV).

    At each origin ``o`` = ``initial``, ``initial + step``, ... (while
    ``o + horizon <= len(y)``) every forecaster sees ``y[:o]`` only and
    forecasts ``y[o:o + horizon]``; the forecast is scored with MASE and
    RMSSE (scaled by ``y[:o]`` with period ``m``), MAE, RMSE and sMAPE.
    The spread of the scores over the origins shows how much one test
    period's score can be trusted. A univariate, function-based sibling of
    :func:`walk_forward` (which refits on windows of a data frame); it lives
    here and :mod:`helpers.metrics` re-exports it, where lesson 04 calls it.

    Parameters
    ----------
    y : array-like, shape (n,)
        The whole series, in time order.
    forecasters : mapping of str to callable
        Name -> ``f(y_train, horizon)`` returning an array of shape
        ``(horizon,)``, e.g. ``helpers.baselines.naive_forecast``.
    initial : int, keyword-only
        Length of the first training part; must exceed ``m``.
    horizon : int, keyword-only
        Steps forecast at each origin.
    step : int, keyword-only
        Distance between consecutive origins.
    m : int, keyword-only
        Seasonal period for MASE and RMSSE.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, model): columns ``origin`` (the length of the
        training part, i.e. the index of the first forecast point), ``model``,
        MASE, RMSSE, MAE, RMSE, sMAPE.

    Raises
    ------
    ValueError
        If ``y`` is not 1-D or not finite, ``initial + horizon > len(y)``,
        ``initial <= m``, a forecaster returns the wrong shape or NaN/inf, or a
        training part is flat at lag ``m``.
    TypeError
        If ``forecasters`` is not a mapping of callables or an integer option
        is not an integer.
    ValueError
        If ``forecasters`` is empty.

    Examples
    --------
    >>> def last(y_train, horizon):
    ...     return np.repeat(y_train[-1], horizon)
    >>> scores = rolling_origin_evaluation(np.arange(8.0), {"naive": last},
    ...                                    initial=5, horizon=2)
    >>> scores["origin"].tolist()
    [5, 6]
    >>> scores["MAE"].tolist()  # forecasts 4, 4 of 5, 6 and 5, 5 of 6, 7
    [1.5, 1.5]
    """
    initial = _checks.integer(initial, "initial")
    horizon = _checks.integer(horizon, "horizon")
    step = _checks.integer(step, "step")
    m = _checks.integer(m, "m")
    forecasters = _checks.named_functions(forecasters, "forecasters", call="f(y_train, horizon)")
    y = _checks.series(y, "y")
    if initial <= m:
        raise ValueError(f"initial must be larger than m={m}, got {initial}")
    if initial + horizon > y.size:
        raise ValueError(
            f"initial + horizon must be at most len(y)={y.size}, got {initial} + {horizon}"
        )
    rows = []
    for origin in range(initial, y.size - horizon + 1, step):
        y_train, y_test = y[:origin].copy(), y[origin : origin + horizon]
        for name, forecaster in forecasters.items():
            y_pred = _checks.real_array(
                forecaster(y_train.copy(), horizon), f"forecasters[{name!r}]"
            ).astype(float)
            if y_pred.shape != (horizon,):
                raise ValueError(
                    f"forecasters[{name!r}] must return shape ({horizon},), "
                    f"got {y_pred.shape} at origin {origin}"
                )
            _checks.finite(y_pred, f"the forecast of forecasters[{name!r}] at origin {origin}")
            scores = metrics._scores(y_test, y_pred, y_train, m)
            rows.append(
                {
                    "origin": origin,
                    "model": str(name),
                    **{k: scores[k] for k in ("MASE", "RMSSE", "MAE", "RMSE", "sMAPE")},
                }
            )
    return pd.DataFrame(rows)
