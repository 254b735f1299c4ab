"""Train one architecture afresh many times (seeds, origins) for the cost of one trace.

A verdict about a network rests on several seeds, and a rolling-origin evaluation
refits it at every origin: lesson 04 trains the same small LSTM some fifty times.
Each freshly built Keras model is traced again before its first step, and on the
lessons' few dozen windows the trace costs about ten times the training
(``benchmarks/README.md`` measures the same effect for ``model.fit``).

:class:`Refitter` keeps one model and, before each fit, gives it the initial
weights of a freshly built model of the requested seed and puts its optimizer
back to its state before the first step. The fit is then the one
:func:`helpers.models.train` gives a fresh model of that seed (tested: the same
weights), while the traced steps are reused. Public Keras API only:
``get_weights``/``set_weights`` and the optimizer's ``variables``.
"""

from __future__ import annotations

from helpers import _checks

__all__ = ["Refitter"]


class Refitter:
    """One architecture, trained afresh at every call, its traced steps reused.

    Parameters
    ----------
    build : callable
        ``build(seed)`` returning a compiled model whose initial weights depend on
        ``seed`` only, e.g. ``lambda seed: models.build_forecaster(24, units=2, seed=seed)``.
        Every call must return the same architecture and optimizer settings.

    Attributes
    ----------
    model : keras.Model or None
        The model of the last fit (None before the first).

    Raises
    ------
    TypeError
        If ``build`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers import models
    >>> refit = Refitter(lambda seed: models.build_forecaster(5, units=2, seed=seed))
    >>> X, y = np.zeros((8, 5, 1)), np.ones((8, 1))
    >>> history = refit.fit(0, X, y, validation_data=(X, y), epochs=2)
    >>> refit.predict(X).shape, history.epochs_run
    ((8, 1), 2)
    """

    def __init__(self, build):
        self.build = _checks.function(build, "build", call="build(seed)")
        self.model = None
        self._optimizer_start = None

    def fit(self, seed, X_train, y_train, **train_options):
        """Train the architecture from the initial weights of ``build(seed)``.

        Parameters
        ----------
        seed : int
            Passed to ``build`` (the initial weights) and to :func:`helpers.models.train`
            (each epoch's order of the windows).
        X_train : array-like, shape (n_samples, window, n_features)
        y_train : array-like, shape (n_samples, horizon)
        **train_options
            Passed to :func:`helpers.models.train` (``validation_data``, ``epochs``,
            ``patience``, ...).

        Returns
        -------
        helpers.training.TrainingHistory

        Raises
        ------
        TypeError
            If ``seed`` is not an integer, or ``build`` returns something other than a
            Keras model.
        ValueError
            If ``seed`` is negative, or ``build`` returns another architecture or optimizer
            settings than at the first fit.
        """
        from helpers import models
        from helpers._keras import check_model

        seed = _checks.seed(seed)
        fresh = self.build(seed)
        check_model(fresh, "build(seed)")
        if self.model is None:
            self.model = fresh
            self.model.optimizer.build(self.model.trainable_variables)
            self._optimizer_start = [v.numpy() for v in self.model.optimizer.variables]
        else:
            self._check_same(fresh)
            self.model.set_weights(fresh.get_weights())
            for variable, start in zip(
                self.model.optimizer.variables, self._optimizer_start, strict=True
            ):
                variable.assign(start)
        return models.train(self.model, X_train, y_train, seed=seed, **train_options)

    def predict(self, X):
        """The last fit's forecasts (:func:`helpers.models.predict`): ``(n, horizon)``."""
        from helpers import models

        if self.model is None:
            raise ValueError("nothing is trained yet: call fit first")
        return models.predict(self.model, X)

    def _check_same(self, fresh):
        shapes = [w.shape for w in self.model.get_weights()]
        if [w.shape for w in fresh.get_weights()] != shapes:
            raise ValueError(
                "build(seed) must return the same architecture at every call, got weights "
                f"of shapes {[w.shape for w in fresh.get_weights()]} after {shapes}"
            )
        first, now = (
            {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
            for model in (self.model, fresh)
        )
        if first != now:
            raise ValueError(
                f"build(seed) must return the same optimizer settings at every call, got "
                f"{now} after {first}"
            )
