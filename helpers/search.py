"""A Keras forecaster inside scikit-learn's search, trained until early stopping fires.

scikit-learn's ``GridSearchCV`` with a ``TimeSeriesSplit`` is the honest way to choose a
configuration on the rows before the test: every candidate is fitted on each fold's
earlier rows and scored on its later ones. Keras 3 ships the bridge,
``keras.wrappers.SKLearnRegressor``; :class:`WindowRegressor` is that wrapper with its
``fit`` and ``predict`` replaced, for three reasons a lesson cares about:

- scikit-learn hands estimators flat rows ``(n, window * n_features)``; the wrapper
  turns them back into windows ``(n, window, n_features)`` for the recurrent network;
- each fit holds out the last ``validation_fraction`` of its fold's windows (after a
  gap of ``horizon - 1`` windows, so no target is in both) and trains with
  :func:`helpers.models.train` until early stopping fires on them, and keeps the
  :class:`~helpers.training.TrainingHistory`, so a lesson can assert that every
  candidate converged (``model.fit`` costs several times more per epoch on windows
  this few; :mod:`helpers.training` says why);
- each fit standardises the inputs (one ``StandardScaler`` per feature, over every
  lag) and the target on the windows it trains on, and on nothing else: the rows the
  fold is scored on never shape the scaling, as in :func:`helpers.data.scale_split`;
- :class:`FitLog`, passed to ``search.fit(..., log=...)``, collects every fit's history
  across the clones ``GridSearchCV`` makes and throws away; used as the search's
  ``scoring``, it also keeps each candidate's forecasts of the windows it was scored on,
  so that two candidates can be compared on the same windows by the paired rule.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import StandardScaler

from helpers import _checks
from helpers._keras import keras

__all__ = ["FitLog", "WindowRegressor"]


class FitLog:
    """Every fit of a search, in the order ``GridSearchCV`` ran them.

    Attributes
    ----------
    fits : list of dict
        One per fit: ``model_kwargs`` (the candidate), ``n_train`` and
        ``n_validation`` (windows), ``history`` (the
        :class:`~helpers.training.TrainingHistory`).

    Examples
    --------
    >>> log = FitLog()
    >>> len(log), log.histories
    (0, [])
    """

    def __init__(self):
        self.fits = []

    def __len__(self):
        return len(self.fits)

    @property
    def histories(self):
        """The training histories, in the order of the fits."""
        return [fit["history"] for fit in self.fits]

    def epochs(self, model_kwargs):
        """Epochs run by each fit of one candidate, in fold order."""
        return [
            fit["history"].epochs_run for fit in self.fits if fit["model_kwargs"] == model_kwargs
        ]

    def score(self, estimator, X, y):
        """A ``GridSearchCV`` scorer: minus the RMSE, with the forecasts kept for pairing.

        ``GridSearchCV(..., scoring=log.score)`` scores like
        ``scoring="neg_root_mean_squared_error"`` and also records, for the fit just
        made, the targets and forecasts of the windows it was scored on, so that two
        candidates can later be compared on the same windows (:meth:`scored`).
        """
        y_true = np.asarray(y, dtype=float).reshape(len(y), -1)  # (n, horizon)
        y_pred = np.asarray(estimator.predict(X), dtype=float).reshape(y_true.shape)
        if not self.fits or "y_pred" in self.fits[-1]:
            raise ValueError(
                "FitLog.score scores the fit just made: pass the same FitLog to "
                "GridSearchCV.fit(..., log=log), and keep return_train_score=False"
            )
        self.fits[-1].update(y_true=y_true, y_pred=y_pred)
        return -float(np.sqrt(np.mean((y_true - y_pred) ** 2)))

    def scored(self, model_kwargs):
        """The targets and forecasts one candidate was scored on, every fold in order.

        Returns
        -------
        y_true, y_pred : ndarray, shape (n_scored, horizon)
            The folds' scored windows, stacked in time order: the same windows for every
            candidate of one search, so two candidates can be compared point by point.
        """
        fits = [fit for fit in self.fits if fit["model_kwargs"] == model_kwargs and "y_pred" in fit]
        if not fits:
            raise ValueError(
                f"no scored fit of {model_kwargs!r}: was the search run with scoring=log.score?"
            )
        return (
            np.concatenate([fit["y_true"] for fit in fits]),
            np.concatenate([fit["y_pred"] for fit in fits]),
        )


class WindowRegressor(keras.wrappers.SKLearnRegressor):
    """``keras.wrappers.SKLearnRegressor`` for windows, trained by ``models.train``.

    Parameters
    ----------
    model : callable
        ``model(X=X, y=y, **model_kwargs)`` returning a compiled Keras model for
        windows ``X`` ``(n, window, n_features)`` and targets ``y`` ``(n, horizon)``
        (the fold's training windows), as the Keras wrapper calls it.
    window : int
        Time steps per window: the flat rows scikit-learn passes are reshaped to
        ``(n, window, n_columns // window)``.
    model_kwargs : dict, optional
        The candidate: passed to ``model``; what ``GridSearchCV`` varies.
    epochs, batch_size, patience, min_delta
        As in :func:`helpers.models.train`; ``epochs`` is the cap.
    validation_fraction : float in (0, 1), default 0.2
        The last windows of each fit's rows that stop it early (not trained on).
    seed : int, default 0
        Each epoch's order of the windows (:func:`helpers.models.train`'s ``seed``).
    warm_start, fit_kwargs
        Kept for the Keras wrapper's interface; ``warm_start`` must be False and
        ``fit_kwargs`` None.

    Attributes
    ----------
    model_ : keras.Model
        The fitted model.
    history_ : helpers.training.TrainingHistory
        Its training history: ``history_.converged`` says whether early stopping fired.
    """

    def __init__(
        self,
        model,
        *,
        window,
        model_kwargs=None,
        epochs=100,
        batch_size=32,
        patience=10,
        min_delta=0.0,
        validation_fraction=0.2,
        seed=0,
        warm_start=False,
        fit_kwargs=None,
    ):
        super().__init__(model, warm_start=warm_start, model_kwargs=model_kwargs)
        self.window = window
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.min_delta = min_delta
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.fit_kwargs = fit_kwargs

    def __sklearn_clone__(self):
        # The Keras wrapper's clone passes on only model, warm_start and model_kwargs.
        return type(self)(**self.get_params(deep=False))

    def _windows(self, X):
        window = _checks.integer(self.window, "window")
        X = _checks.real_array(X, "X")
        if X.ndim != 2 or X.shape[1] % window:
            raise ValueError(
                f"X must be flat windows (n, window * n_features) with window={window}, "
                f"got shape {X.shape}"
            )
        return X.reshape(len(X), window, X.shape[1] // window)  # (n, window, n_features)

    def fit(self, X, y, *, log=None):
        """Fit on the fold's rows: train on the first ones, stop early on the last.

        Parameters
        ----------
        X : array-like, shape (n, window * n_features)
        y : array-like, shape (n,) or (n, horizon)
        log : FitLog, optional
            Receives this fit's history (``GridSearchCV.fit(X, y, log=log)`` passes it on).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If the shapes do not fit ``window``, or too few windows are left to train
            on after the held-out tail.
        """
        from helpers import models

        if self.warm_start or self.fit_kwargs:
            raise ValueError(
                "WindowRegressor trains each fit afresh with models.train: warm_start must be "
                f"False and fit_kwargs None, got {self.warm_start!r} and {self.fit_kwargs!r}"
            )
        if log is not None and not isinstance(log, FitLog):
            raise TypeError(f"log must be a FitLog, got {type(log).__name__}")
        fraction = _checks.fraction(self.validation_fraction, "validation_fraction")
        X = self._windows(X)
        y = _checks.real_array(y, "y")
        y = y.reshape(len(y), -1)  # (n, horizon)
        n, horizon = y.shape
        n_validation = max(1, round(fraction * n))
        n_train = n - n_validation - (horizon - 1)  # a gap: no target in both parts
        if n_train < 1:
            raise ValueError(
                f"{n} windows leave none to train on after {n_validation} held out for early "
                f"stopping and a gap of {horizon - 1}: lower validation_fraction"
            )
        n_features = X.shape[2]
        self.x_scaler_ = StandardScaler().fit(X[:n_train].reshape(-1, n_features))
        self.y_scaler_ = StandardScaler().fit(y[:n_train].reshape(-1, 1))
        X, y = self._scale_x(X), self.y_scaler_.transform(y.reshape(-1, 1)).reshape(y.shape)
        train = X[:n_train], y[:n_train]
        validation = X[n - n_validation :], y[n - n_validation :]
        model = self.model(X=train[0], y=train[1], **(self.model_kwargs or {}))
        self.history_ = models.train(
            model,
            *train,
            validation_data=validation,
            epochs=self.epochs,
            batch_size=self.batch_size,
            patience=self.patience,
            min_delta=self.min_delta,
            seed=self.seed,
        )
        self.model_ = model
        self.n_features_in_ = X.shape[1] * X.shape[2]
        self.horizon_ = horizon
        if log is not None:
            log.fits.append(
                {
                    "model_kwargs": dict(self.model_kwargs or {}),
                    "n_train": n_train,
                    "n_validation": n_validation,
                    "history": self.history_,
                }
            )
        return self

    def predict(self, X):
        """Forecasts of flat windows: ``(n,)`` for one step ahead, else ``(n, horizon)``."""
        from helpers import models

        if not hasattr(self, "model_"):
            raise ValueError("this WindowRegressor is not fitted yet: call fit first")
        y = models.predict(self.model_, self._scale_x(self._windows(X)))  # (n, horizon)
        y = self.y_scaler_.inverse_transform(y.reshape(-1, 1)).reshape(y.shape)
        return y[:, 0] if y.shape[1] == 1 else y

    def _scale_x(self, X):
        shape = X.shape  # (n, window, n_features)
        return self.x_scaler_.transform(X.reshape(-1, shape[2])).reshape(shape)
