"""The forecasters of a walk-forward evaluation: callables ``f(fold) -> (n_test, horizon)``.

:func:`helpers.walk_forward.walk_forward` refits each of them at every origin on the
same :class:`helpers.walk_forward.Fold`, and scores their forecasts in the target's units:

- :func:`persistence` (the last observed value) and :func:`climatology` (the mean of the
  same days of the year before the origin): the baselines a weather forecast must beat;
- :func:`ridge`, a linear autoregression on the flattened windows, and :class:`TunedRidge`,
  its penalty chosen at every origin on the fold's validation rows, as early stopping
  chooses a network's epochs;
- :class:`KerasForecaster`, a Keras model builder refitted at every origin (optionally
  warm-started from the previous origin's weights), and :class:`SeedEnsemble`, several
  seeds of one network and their median forecast, every fit kept so that its
  convergence can be asserted.

They live apart from the evaluation loop so that each file holds one idea;
:mod:`helpers.walk_forward` re-exports every name, so ``walk_forward.ridge`` and
``walk_forward.SeedEnsemble`` still work. TensorFlow is imported only when a
:class:`KerasForecaster` first trains.
"""

from __future__ import annotations

import numpy as np

from helpers import _checks
from helpers.features import climatology_forecast

__all__ = [
    "persistence",
    "climatology",
    "ridge",
    "TunedRidge",
    "KerasForecaster",
    "SeedEnsemble",
]


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
    >>> import pandas as pd
    >>> from helpers.walk_forward import walk_forward
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
