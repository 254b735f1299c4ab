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

This module imports TensorFlow only when a :class:`KerasForecaster` first trains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import _checks, data, metrics
from helpers.features import climatology_forecast

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


# --------------------------------------------------------------------------- forecasters


def persistence(fold):
    """Tomorrow as today: the last observed target value, for every step ahead.

    Parameters
    ----------
    fold : Fold
        Its features must include the target.

    Returns
    -------
    ndarray, shape (n_test, horizon)

    Raises
    ------
    ValueError
        If the target is not one of the fold's input features.
    """
    if fold.target not in fold.features:
        raise ValueError(
            f"persistence reads the last value of {fold.target!r} from the input window, "
            f"but the features are {fold.features}: add the target to the features"
        )
    last = fold.test_X[:, -1, fold.features.index(fold.target)]  # (n_test,) scaled
    return np.repeat(fold.inverse(last)[:, None], fold.horizon, axis=1)  # (n_test, horizon)


def climatology(fold, *, half_width=7):
    """The mean of the rows before the origin on the same days of the year.

    See :func:`helpers.features.climatology_forecast`; the fold's history (training
    and validation rows) is the climatology's past.

    Parameters
    ----------
    fold : Fold
        Its time stamps must be dates.
    half_width : int, default 7
        Days either side of the same day of the year that are averaged.

    Returns
    -------
    ndarray, shape (n_test, horizon)

    Raises
    ------
    ValueError
        If the series has no usable calendar (the message says why).
    """
    history = fold.history[fold.target]
    when = np.asarray(fold.times)[fold.target_rows]  # (n_test, horizon) dates
    return climatology_forecast(history, when, half_width=half_width)


def ridge(fold, *, alpha=1.0):
    """A linear autoregression: scikit-learn's ``Ridge`` on the flattened training windows.

    .. math:: \\hat y = W\\,\\mathrm{vec}(x) + b, \\qquad
              \\min_{W, b} \\lVert Y - XW^\\top - b \\rVert^2 + \\alpha \\lVert W \\rVert^2

    Fitted on the fold's training windows only (as the networks' weights are), on the
    same scaled inputs.

    Parameters
    ----------
    fold : Fold
    alpha : float, default 1.0
        Strength of the penalty on the weights, at least 0.

    Returns
    -------
    ndarray, shape (n_test, horizon)

    Raises
    ------
    TypeError, ValueError
        If ``alpha`` is not a non-negative number.
    """
    alpha = _checks.real(alpha, "alpha", low=0)
    model = _fit_ridge(fold.train, alpha)
    return fold.inverse(_ridge_predict(model, fold.test_X))  # (n_test, horizon)


def _fit_ridge(windows, alpha):
    from sklearn.linear_model import Ridge

    X, y = windows  # (n, window, n_features), (n, horizon)
    return Ridge(alpha=alpha).fit(X.reshape(len(X), -1), y)  # (n, window * n_features)


def _ridge_predict(model, X):
    return model.predict(X.reshape(len(X), -1)).reshape(len(X), -1)  # (n, horizon) scaled


class TunedRidge:
    """The ridge with its penalty chosen at every origin on the fold's validation windows.

    Early stopping chooses how long a network trains by its loss on the validation
    rows; this forecaster gives the ridge the same care. At each origin it fits
    :func:`ridge` for every ``alpha`` on the training windows, keeps the one with the
    smallest mean squared error on the validation windows, and forecasts with that fit:
    like the networks, it never trains on the validation rows.

    Parameters
    ----------
    alphas : sequence of float, default ``np.logspace(-3, 3, 13)``
        The penalties tried, each at least 0.

    Attributes
    ----------
    alphas_ : list of float
        The penalty chosen at each origin.
    validation_mse_ : list of ndarray
        At each origin, the validation mean squared error of every ``alpha`` (in the
        scaled units of the fold).

    Raises
    ------
    ValueError
        When called on a fold without validation windows, or if ``alphas`` is empty or
        holds a negative value.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.sin(np.arange(80.0) / 3)})
    >>> tuned = TunedRidge(alphas=[0.01, 100.0])
    >>> result = walk_forward(frame, {"ridge": tuned}, origins=[60, 70], window=6,
    ...                       target="y", validation_size=10)
    >>> tuned.alphas_  # a clean sine needs little penalty
    [0.01, 0.01]
    """

    def __init__(self, alphas=None):
        alphas = np.logspace(-3, 3, 13) if alphas is None else alphas
        if isinstance(alphas, (str, bytes)) or np.ndim(alphas) != 1 or len(alphas) == 0:
            raise ValueError(f"alphas must be a non-empty sequence of numbers, got {alphas!r}")
        self.alphas = [_checks.real(a, f"alphas[{i}]", low=0) for i, a in enumerate(alphas)]
        self.alphas_ = []
        self.validation_mse_ = []

    def __call__(self, fold):
        if not len(fold.validation):
            raise ValueError(
                "TunedRidge chooses alpha on the fold's validation windows, but the fold has "
                "none: pass validation_size > 0 to walk_forward"
            )
        X_val, y_val = fold.validation
        fits = [_fit_ridge(fold.train, alpha) for alpha in self.alphas]
        mse = np.array([np.mean((_ridge_predict(f, X_val) - y_val) ** 2) for f in fits])
        best = int(np.argmin(mse))  # the first of equal scores: the smaller penalty
        self.alphas_.append(self.alphas[best])
        self.validation_mse_.append(mse)
        return fold.inverse(_ridge_predict(fits[best], fold.test_X))  # (n_test, horizon)


class KerasForecaster:
    """Refit a Keras model builder at every origin, early stopping on the fold's validation rows.

    Parameters
    ----------
    build : callable
        ``build(window, n_features, horizon=horizon)`` returning a compiled model with
        input ``(batch, window, n_features)`` and output ``(batch, horizon)``, e.g.
        ``functools.partial(models.build_forecaster, units=16, seed=0)``.
    epochs, batch_size, patience
        As in :func:`helpers.models.train`.
    warm_start : bool, default False
        False: a fresh model at every origin. True: one model, built at the first
        origin, goes on training from its last weights at each later origin. Still
        honest (the weights have only seen rows before the earlier origin), and much
        cheaper, since later origins need few epochs.
    warm_epochs : int, optional
        With ``warm_start``, the most epochs at each origin after the first (early
        stopping may end them sooner); None: ``epochs``.

    Attributes
    ----------
    model_ : keras.Model or None
        The model of the last origin.
    epochs_ : list of int
        Epochs trained at each origin.
    histories_ : list of helpers.training.TrainingHistory
        The fit at each origin: ``histories_[k].converged`` says whether early stopping
        fired (assert it with :func:`helpers.models.assert_converged`).

    Raises
    ------
    TypeError
        If ``build`` is not callable, ``warm_start`` not a bool or a count not an integer.
    ValueError
        If a count is below its minimum (``patience`` may be 0, the others at least 1).
    """

    def __init__(
        self, build, *, epochs=100, batch_size=32, patience=10, warm_start=False, warm_epochs=None
    ):
        self.build = _checks.function(build, "build", call="build(window, n_features, horizon=...)")
        self.epochs = _checks.integer(epochs, "epochs")
        self.batch_size = _checks.integer(batch_size, "batch_size")
        self.patience = (
            None if patience is None else _checks.integer(patience, "patience", minimum=0)
        )
        self.warm_start = _checks.boolean(warm_start, "warm_start")
        self.warm_epochs = (
            self.epochs if warm_epochs is None else _checks.integer(warm_epochs, "warm_epochs")
        )
        self.model_ = None
        self.epochs_ = []
        self.histories_ = []

    def __call__(self, fold):
        from helpers import models

        warm = self.model_ is not None and self.warm_start
        if not warm:
            self.model_ = self.build(fold.window, fold.n_features, horizon=fold.horizon)
        validation = tuple(fold.validation) if len(fold.validation) else None
        history = models.train(
            self.model_,
            *fold.train,
            validation_data=validation,
            epochs=self.warm_epochs if warm else self.epochs,
            batch_size=self.batch_size,
            patience=self.patience,
        )
        self.epochs_.append(len(history.history["loss"]))
        self.histories_.append(history)
        return fold.inverse(models.predict(self.model_, fold.test_X))  # (n_test, horizon)


class SeedEnsemble:
    """Several seeds of one network refitted at every origin; their median forecast.

    One network draw says little about the architecture: another seed (initial weights,
    order of the windows) gives another model. The ensemble trains the same
    configuration from ``len(seeds)`` seeds at every origin, each until early stopping
    fires on the fold's validation windows, and forecasts the median of their forecasts
    at every point. Every member's forecasts and training history are kept, so a lesson
    can assert that every fit converged and look at the spread between seeds.

    All members share one traced Keras model (:class:`helpers.model_pool.ModelPool`):
    each fit starts from a fresh build's state copied into it, or, with ``warm_start``,
    from that member's own state at the end of the previous origin
    (:func:`helpers.model_pool.snapshot` / :func:`~helpers.model_pool.restore`).

    Parameters
    ----------
    build : callable
        ``build(window, n_features, horizon=horizon, seed=seed)`` returning a compiled
        model, e.g. ``functools.partial(models.build_forecaster, units=16)``. The seed
        sets the initial weights (and dropout masks).
    seeds : sequence of int
        One member per seed; the seed also draws that member's order of the windows.
    epochs, batch_size, patience, min_delta
        As in :func:`helpers.models.train`; ``epochs`` is the cap of every fit.
    warm_start : bool, default True
        True: from the second origin on, each member goes on from its own weights (and
        optimizer state) of the previous origin, which have seen only earlier rows.
    combine : {"median", "mean"}, default "median"
        How the members' forecasts are combined at each point.

    Attributes
    ----------
    members_ : list of ndarray, shape (n_seeds, n_test, horizon)
        At each origin, every member's forecasts in the target's units.
    histories_ : list of list of helpers.training.TrainingHistory
        At each origin, every member's fit.
    epochs_ : list of list of int
        At each origin, the epochs each member ran.

    Raises
    ------
    TypeError, ValueError
        If ``build`` is not callable, ``seeds`` is empty or not integers, or an option
        is out of range.
    """

    def __init__(
        self,
        build,
        *,
        seeds,
        epochs=100,
        batch_size=32,
        patience=10,
        min_delta=0.0,
        warm_start=True,
        combine="median",
    ):
        from helpers.model_pool import ModelPool

        self.build = _checks.function(
            build, "build", call="build(window, n_features, horizon=..., seed=...)"
        )
        self.seeds = [_checks.seed(s, f"seeds[{i}]") for i, s in enumerate(seeds)]
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct integers, at least one, got {seeds!r}")
        self.epochs = _checks.integer(epochs, "epochs")
        self.batch_size = _checks.integer(batch_size, "batch_size")
        self.patience = _checks.integer(patience, "patience", minimum=0)
        self.min_delta = _checks.real(min_delta, "min_delta", low=0)
        self.warm_start = _checks.boolean(warm_start, "warm_start")
        if combine not in ("median", "mean"):
            raise ValueError(f"combine must be 'median' or 'mean', got {combine!r}")
        self.combine = combine
        self.pool = ModelPool(self.build, state_options=("seed",))
        self.members_, self.histories_, self.epochs_ = [], [], []
        self._states = {}
        self._orders = {s: np.random.default_rng(s) for s in self.seeds}

    def __call__(self, fold):
        from helpers import models
        from helpers.model_pool import restore, snapshot

        validation = tuple(fold.validation) if len(fold.validation) else None
        forecasts, histories = [], []
        for seed in self.seeds:
            if self.warm_start and seed in self._states:  # this member's previous origin
                model = restore(self._model, self._states[seed])
            else:  # a fresh build's state, in the one traced model
                model = self._model = self.pool(
                    fold.window, fold.n_features, horizon=fold.horizon, seed=seed
                )
            history = models.train(
                model,
                *fold.train,
                validation_data=validation,
                epochs=self.epochs,
                batch_size=self.batch_size,
                patience=self.patience,
                min_delta=self.min_delta,
                seed=self._orders[seed],
            )
            if self.warm_start:
                self._states[seed] = snapshot(model)
            histories.append(history)
            forecasts.append(fold.inverse(models.predict(model, fold.test_X)))
        members = np.stack(forecasts)  # (n_seeds, n_test, horizon)
        self.members_.append(members)
        self.histories_.append(histories)
        self.epochs_.append([h.epochs_run for h in histories])
        return np.median(members, axis=0) if self.combine == "median" else members.mean(axis=0)

    @property
    def all_histories(self):
        """Every fit of every origin and seed, in one flat list."""
        return [h for at_origin in self.histories_ for h in at_origin]


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
