"""Global models: one model trained on the windows of every series of a panel.

Three contenders that differ in their layers and nothing else, so that a gap between
two of them belongs to the layers, not to the loss, the inputs or the training:

- ``"linear"``: the window, flattened, times a matrix, plus a bias;
- ``"mlp"``: the flattened window through two dense ``relu`` layers (no recurrence);
- ``"lstm"``: :func:`helpers.models.build_forecaster`'s LSTM reading the window step by step.

:func:`build_global_model` builds each, compiled with the same optimiser (Adam), the
same learning rate and the same loss; :func:`train_seeds` trains one per seed with
:func:`helpers.models.train` (the same loop, the same early stopping) and returns an
:class:`Ensemble`, whose forecast is the median of its members' (Hewamalage, Bergmeir
& Bandara (2021), "Recurrent neural networks for time series forecasting: current
status and future directions", *International Journal of Forecasting* 37(1), 388-427,
take the median over seeds too). :func:`ridge_on_windows` is the linear model fitted
in closed form (squared loss only), its penalty chosen on the validation windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import _checks
from helpers._keras import keras
from helpers.models import build_forecaster, predict
from helpers.training import train

__all__ = ["KINDS", "build_global_model", "Ensemble", "train_seeds", "ridge_on_windows"]

#: The contenders :func:`build_global_model` builds.
KINDS = ("linear", "mlp", "lstm")

_LOSSES = ("mae", "mse")


def build_global_model(
    kind, input_shape, horizon, *, units=32, loss="mae", learning_rate=3e-3, seed=None
):
    """One of the three contenders, compiled with Adam and ``loss``.

    Parameters
    ----------
    kind : {"linear", "mlp", "lstm"}
    input_shape : tuple of two int
        ``(steps, features)`` of one window, e.g. ``(3, 12)``: three years, one per step.
    horizon : int
        Values forecast at once (the Dense head's width).
    units : int, default 32
        The LSTM's units, or the width of each of the MLP's two hidden layers; unused
        by ``"linear"``.
    loss : {"mae", "mse"}, default "mae"
    learning_rate : float, default 3e-3
    seed : int, optional
        Seeds the initial weights (the epoch order is :func:`helpers.models.train`'s ``seed``).

    Returns
    -------
    keras.Model
        Input ``(batch, steps, features)``, output ``(batch, horizon)``.

    Raises
    ------
    ValueError
        On an unknown ``kind`` or ``loss``, or a size below 1.

    Examples
    --------
    >>> [build_global_model(k, (3, 12), 24, units=8).count_params() for k in KINDS]
    [888, 584, 888]
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be (steps, features), got {input_shape!r}")
    steps = _checks.integer(input_shape[0], "input_shape[0]")
    features = _checks.integer(input_shape[1], "input_shape[1]")
    horizon = _checks.integer(horizon, "horizon")
    units = _checks.integer(units, "units")
    learning_rate = _checks.real(learning_rate, "learning_rate", low=0, low_open=True)
    seed = None if seed is None else _checks.seed(seed)
    if kind == "lstm":
        model = build_forecaster(
            steps, n_features=features, units=units, horizon=horizon, seed=seed, name="lstm"
        )
    else:
        init = (lambda k: {}) if seed is None else _glorot(seed)
        hidden = (
            []
            if kind == "linear"
            else [
                keras.layers.Dense(units, activation="relu", name=f"hidden_{i}", **init(i))
                for i in (1, 2)
            ]
        )
        model = keras.Sequential(
            [
                keras.Input((steps, features), name="window"),
                keras.layers.Flatten(name="flatten"),  # (batch, steps * features)
                *hidden,
                keras.layers.Dense(horizon, name="head", **init(0)),
            ],
            name=kind,
        )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=loss)
    return model


def _glorot(seed):
    def initializer(k):
        return {"kernel_initializer": keras.initializers.GlorotUniform(seed=seed + k)}

    return initializer


@dataclass(frozen=True)
class Ensemble:
    """Models of one kind trained from different seeds; they forecast as their median.

    Attributes
    ----------
    kind : str
    members : tuple of keras.Model
    histories : tuple of TrainingHistory
        One per member, as :func:`helpers.models.train` returned it.
    seeds : tuple of int
    """

    kind: str
    members: tuple
    histories: tuple
    seeds: tuple

    def predict(self, X):
        """The median of the members' forecasts: shape (n, horizon)."""
        return np.median([predict(model, X) for model in self.members], axis=0)

    def predict_each(self, X):
        """Every member's forecast: shape (n_members, n, horizon)."""
        return np.stack([predict(model, X) for model in self.members])

    def summary(self):
        """One line per member: its seed and what early stopping did."""
        return "\n".join(
            f"{self.kind} seed {seed}: {history.summary()}"
            for seed, history in zip(self.seeds, self.histories, strict=True)
        )


def train_seeds(
    kind,
    train_windows,
    validation_windows,
    *,
    seeds,
    epochs=100,
    batch_size=512,
    patience=5,
    min_delta=0.0,
    **options,
):
    """Train one model of ``kind`` per seed, each until early stopping fires.

    Each member gets its seed for its initial weights and for its epoch order; all
    see the same windows and stop on the same validation windows.

    Parameters
    ----------
    kind : {"linear", "mlp", "lstm"}
    train_windows, validation_windows : pair (X, y)
        ``X`` ``(n, steps, features)``, ``y`` ``(n, horizon)``; e.g.
        ``(part.X, part.y)`` of a :class:`helpers.panel.PanelWindows`.
    seeds : sequence of int
    epochs, batch_size, patience, min_delta
        As in :func:`helpers.models.train`.
    **options
        ``units``, ``loss``, ``learning_rate`` for :func:`build_global_model`.

    Returns
    -------
    Ensemble

    Examples
    --------
    >>> X, y = np.zeros((16, 2, 3)), np.zeros((16, 4))
    >>> ensemble = train_seeds("linear", (X, y), (X, y), seeds=[0, 1], epochs=2)
    >>> ensemble.predict(X).shape, len(ensemble.histories)
    ((16, 4), 2)
    """
    seeds = _checks.integers(list(seeds), "seeds", minimum=0)  # refuses an empty list too
    X, y = train_windows
    X_val, y_val = validation_windows
    X = _checks.windows(X, "train_windows X")
    members, histories = [], []
    for seed in seeds:
        model = build_global_model(kind, X.shape[1:], np.shape(y)[1], seed=seed, **options)
        history = train(
            model,
            X,
            y,
            validation_data=(X_val, y_val),
            epochs=epochs,
            batch_size=batch_size,
            patience=patience,
            min_delta=min_delta,
            seed=seed,
        )
        members.append(model)
        histories.append(history)
    return Ensemble(kind, tuple(members), tuple(histories), tuple(seeds))


def ridge_on_windows(train_windows, validation_windows, *, alphas=(1e-4, 1e-2, 1.0, 100.0)):
    """A linear model on the flattened windows, squared loss, its penalty chosen on validation.

    The closed-form minimum of the squared loss (scikit-learn's ``Ridge``), so no
    training run can leave it short of its optimum. ``alpha`` is the one with the
    smallest validation mean squared error; the model returned is fitted on the
    training windows with it.

    Parameters
    ----------
    train_windows, validation_windows : pair (X, y)
        As for :func:`train_seeds`.
    alphas : sequence of float, default (1e-4, 1e-2, 1.0, 100.0)

    Returns
    -------
    model : sklearn.linear_model.Ridge
        Predicts from ``X.reshape(len(X), -1)``.
    alpha : float
    validation_mse : dict of float to float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3, 1))
    >>> y = X[:, :, 0] @ np.array([[1.0], [0.0], [-2.0]])
    >>> model, alpha, _ = ridge_on_windows((X[:150], y[:150]), (X[150:], y[150:]))
    >>> np.ravel(model.coef_).round(3).tolist(), alpha  # (1, 3) on older scikit-learn
    ([1.0, 0.0, -2.0], 0.0001)
    """
    from sklearn.linear_model import Ridge

    X, y = train_windows
    X_val, y_val = validation_windows
    X = _checks.windows(X, "train_windows X").reshape(len(X), -1)  # (n, steps * features)
    X_val = _checks.windows(X_val, "validation_windows X").reshape(len(X_val), -1)
    alphas = [_checks.real(a, "alphas", low=0, low_open=True) for a in alphas]
    scores = {}
    for alpha in alphas:
        fitted = Ridge(alpha=alpha).fit(X, y)
        y_hat = fitted.predict(X_val).reshape(np.shape(y_val))  # Ridge drops a single column
        scores[alpha] = float(np.mean((y_hat - np.asarray(y_val)) ** 2))
    best = min(scores, key=scores.get)
    return Ridge(alpha=best).fit(X, y), best, scores
