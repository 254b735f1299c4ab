"""Keras pieces for forecast intervals: a quantile head trained with the pinball loss,
and Monte Carlo dropout samples with the predictive interval built from them.

Both build on :func:`helpers.models.build_forecaster`, so the layers are
reached through :func:`helpers.models.recurrent_layers` and
:func:`helpers.models.head` as for every other forecaster of the course. The
intervals they give are scored with the NumPy functions of
:mod:`helpers.intervals`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from helpers import _checks, models
from helpers._keras import (  # TensorFlow imported quietly first
    check_model,
    check_windows,
    input_dtype,
    keras,
)

__all__ = [
    "quantile_loss",
    "build_quantile_forecaster",
    "train_quantiles",
    "mc_dropout_samples",
    "mc_noise_variance",
    "mc_dropout_interval",
]


def _check_quantiles(quantiles) -> tuple[float, ...]:
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__iter__"):
        raise TypeError(
            f"quantiles must be a sequence of levels such as (0.1, 0.5, 0.9), got {quantiles!r}"
        )
    levels = tuple(quantiles)
    if not levels:
        raise ValueError("quantiles must hold at least one level, got an empty sequence")
    for q in levels:
        _checks.real(q, f"every quantile in {levels}", low=0, high=1, low_open=True, high_open=True)
    if any(b <= a for a, b in zip(levels, levels[1:], strict=False)):
        raise ValueError(f"quantiles must be strictly increasing, got {levels}")
    return tuple(float(q) for q in levels)


def quantile_loss(quantiles):
    r"""A Keras loss: the pinball loss averaged over several quantiles predicted at once.

    For a head with one output per level :math:`q_j`,

    .. math::

        L = \frac{1}{n\,J} \sum_i \sum_j \max\big(q_j\,e_{ij},\ (q_j - 1)\,e_{ij}\big),
        \qquad e_{ij} = y_i - \hat y_{ij},

    the mean of :func:`helpers.intervals.pinball_loss` over the levels.

    Parameters
    ----------
    quantiles : sequence of float in (0, 1)
        Strictly increasing levels, e.g. ``(0.1, 0.5, 0.9)``; output ``j`` of
        the model forecasts level ``quantiles[j]``.

    Returns
    -------
    callable
        ``loss(y_true, y_pred)`` for ``model.compile``: ``y_true`` of shape
        ``(batch, 1)`` (or ``(batch, J)`` holding the target in every column),
        ``y_pred`` of shape ``(batch, J)``; returns one loss per window, ``(batch,)``.

    Raises
    ------
    TypeError, ValueError
        If ``quantiles`` is not a strictly increasing sequence of levels in (0, 1).

    Examples
    --------
    >>> loss = quantile_loss((0.1, 0.9))
    >>> y_true = np.array([[10.0]])
    >>> y_pred = np.array([[8.0, 12.0]])  # both inside: each costs (1 - 0.9) * 2 = 0.1 * 2
    >>> float(keras.ops.convert_to_numpy(loss(y_true, y_pred))[0])
    0.2
    """
    levels = _check_quantiles(quantiles)

    def pinball(y_true, y_pred):
        q = keras.ops.convert_to_tensor(levels, dtype=y_pred.dtype)  # (J,)
        e = keras.ops.cast(y_true, y_pred.dtype) - y_pred  # (batch, J) broadcasts (batch, 1)
        return keras.ops.mean(keras.ops.maximum(q * e, (q - 1.0) * e), axis=-1)  # (batch,)

    pinball.__name__ = "quantile_loss"
    return pinball


def build_quantile_forecaster(
    window,
    n_features=1,
    *,
    quantiles=(0.1, 0.5, 0.9),
    units=16,
    learning_rate=1e-3,
    seed=None,
):
    """An LSTM forecaster with one output per quantile, compiled with :func:`quantile_loss`.

    The same network as :func:`helpers.models.build_forecaster` (an LSTM layer
    and a ``Dense`` head), with ``len(quantiles)`` outputs that forecast the
    next value's quantiles, one step ahead, instead of ``horizon`` values.

    Parameters
    ----------
    window : int
        Time steps per input window.
    n_features : int, default 1
    quantiles : sequence of float in (0, 1), default (0.1, 0.5, 0.9)
        Strictly increasing levels; output ``j`` forecasts ``quantiles[j]``.
    units : int, default 16
    learning_rate : float, default 1e-3
    seed : int, optional
        Seeds the initial weights, as in :func:`helpers.models.build_forecaster`.

    Returns
    -------
    keras.Model
        Input ``(batch, window, n_features)``, output ``(batch, len(quantiles))``.

    Raises
    ------
    TypeError, ValueError
        As :func:`helpers.models.build_forecaster`, or for bad ``quantiles``.

    Examples
    --------
    >>> model = build_quantile_forecaster(12, quantiles=(0.05, 0.5, 0.95), units=4)
    >>> model.output_shape, model.loss.__name__
    ((None, 3), 'quantile_loss')
    """
    levels = _check_quantiles(quantiles)
    model = models.build_forecaster(
        window,
        n_features,
        units=units,
        horizon=len(levels),
        learning_rate=learning_rate,
        seed=seed,
        name="quantile_forecaster",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=quantile_loss(levels)
    )
    return model


def train_quantiles(model, X_train, y_train, *, validation_data=None, **options):
    """Fit a quantile forecaster on one-step targets, with :func:`helpers.models.train`.

    ``models.train`` expects targets shaped like the model's output; each
    target is repeated once per quantile, ``(n, 1)`` -> ``(n, J)``, which leaves
    :func:`quantile_loss` unchanged (every output is compared with the same value).

    Parameters
    ----------
    model : keras.Model
        From :func:`build_quantile_forecaster`, output ``(batch, J)``.
    X_train : array-like, shape (n, window, n_features)
    y_train : array-like, shape (n,) or (n, 1)
        The next value after each window.
    validation_data : tuple (X_val, y_val), optional
        The same shapes; enables early stopping.
    **options
        ``epochs``, ``batch_size``, ``patience``, ``shuffle``, ``verbose`` as in
        :func:`helpers.models.train`.

    Returns
    -------
    keras.callbacks.History

    Raises
    ------
    ValueError
        If a target array is not one value per window, or as :func:`helpers.models.train`.

    Examples
    --------
    >>> X, y = np.zeros((8, 5, 1)), np.zeros((8, 1))
    >>> history = train_quantiles(build_quantile_forecaster(5, units=2), X, y, epochs=2)
    >>> len(history.history["loss"])
    2
    """
    n_out = model.output_shape[-1]

    def repeat(y, name):
        y = np.asarray(y, dtype=float)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[1] != 1:
            raise ValueError(
                f"{name} must hold one target per window, shape (n,) or (n, 1), got {y.shape}"
            )
        return np.repeat(y, n_out, axis=1)  # (n, J) the same target for every quantile

    if validation_data is not None:
        X_val, y_val = validation_data
        validation_data = (X_val, repeat(y_val, "y_val (validation_data[1])"))
    return models.train(
        model, X_train, repeat(y_train, "y_train"), validation_data=validation_data, **options
    )


def mc_dropout_samples(model, X, *, n_samples=100):
    """Forecasts with dropout left on: ``n_samples`` draws per window (Gal & Ghahramani, 2016).

    ``model(X, training=True)`` keeps every ``Dropout`` layer dropping units,
    so each call gives a different network; the spread of the draws
    approximates the model's (epistemic) uncertainty, *not* the noise in the
    data. Gal & Ghahramani's predictive variance adds the noise term
    :math:`\tau^{-1}` to it (:func:`mc_noise_variance`, :func:`mc_dropout_interval`);
    an interval from the draws' spread alone is too narrow. All draws go
    through the model in one batch of ``n_samples * n`` windows, each with its
    own dropout mask. Dropout inside an LSTM (``dropout=``, ``recurrent_dropout=``)
    draws, in Keras 3, one mask per window and keeps it for all its time steps
    (keras-team/keras#19993), so each draw is one thinned network read over the
    whole window.

    Parameters
    ----------
    model : keras.Model
        With at least one ``Dropout`` layer (e.g. ``build_forecaster(..., dropout=0.2)``
        or an LSTM with ``dropout``/``recurrent_dropout``); input ``(batch, window, n_features)``.
    X : array-like, shape (n, window, n_features)
        Not modified.
    n_samples : int, default 100
        Draws per window.

    Returns
    -------
    ndarray of float, shape (n_samples, n, horizon)
        The random masks come from the model's dropout seeds (``seed=`` when
        it was built, else the global Keras seed): the same model called the
        same way after ``helpers.set_seed`` repeats its draws.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``n_samples`` not an integer.
    ValueError
        If the model has no dropout (every draw would be the same), ``X`` does
        not fit the model, or ``n_samples < 2``.

    Examples
    --------
    >>> model = models.build_forecaster(5, units=4, dropout=0.5, horizon=2, seed=0)
    >>> draws = mc_dropout_samples(model, np.ones((3, 5, 1)), n_samples=10)
    >>> draws.shape, bool(draws.std(axis=0).min() > 0)
    ((10, 3, 2), True)
    """
    check_model(model)
    X = check_windows("X", X, model)
    n_samples = _checks.integer(n_samples, "n_samples", minimum=2)
    if not _has_dropout(model):
        raise ValueError(
            "model has no dropout, so every Monte Carlo draw would be the same: build it with "
            "dropout > 0, e.g. models.build_forecaster(..., dropout=0.2)"
        )
    batch = np.tile(X, (n_samples, 1, 1)).astype(input_dtype(model))  # (S*n, T, F)
    draws = keras.ops.convert_to_numpy(model(batch, training=True))  # (S*n, horizon)
    return draws.reshape(n_samples, len(X), -1)  # (S, n, horizon)


def _has_dropout(model) -> bool:
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout) and layer.rate > 0:
            return True
        if getattr(layer, "dropout", 0) or getattr(layer, "recurrent_dropout", 0):
            return True
    return False


def _check_draws(draws, name="draws"):
    draws = _checks.finite_array(draws, name)
    if draws.ndim not in (2, 3) or draws.shape[0] < 2:
        raise ValueError(
            f"{name} must be (n_samples, n) or (n_samples, n, horizon) with at least 2 "
            f"samples, as mc_dropout_samples returns it, got shape {draws.shape}"
        )
    return draws


def mc_noise_variance(y_calibration, calibration_draws):
    r"""The noise variance :math:`\tau^{-1}` of Monte Carlo dropout, estimated on held-out windows.

    The squared error of the draws' mean on windows the network never trained on
    holds the noise and the model's own uncertainty; taking the mean variance of the
    draws away leaves the noise (per step ahead, clipped at 0):

    .. math::

        \hat\tau^{-1} = \max\Big(0,\ \frac1n\sum_i (y_i - \bar y_i)^2
                           - \frac1n\sum_i s_i^2\Big),
        \qquad \bar y_i, s_i^2 = \text{mean and variance of window } i\text{'s draws},

    so that the predictive variance :math:`s_i^2 + \hat\tau^{-1}` of
    :func:`mc_dropout_interval` matches the held-out squared error on average.

    Parameters
    ----------
    y_calibration : array-like of float, shape (n,) or (n, horizon)
        The truth of held-out windows (not used for training or early stopping).
    calibration_draws : array-like of float, shape (n_samples, n) or (n_samples, n, horizon)
        :func:`mc_dropout_samples` of the same windows, in the units of ``y``.

    Returns
    -------
    float or ndarray of float, shape (horizon,)
        One variance per step ahead (a float for 1-D ``y_calibration``).

    Raises
    ------
    TypeError
        If an array does not hold numbers.
    ValueError
        If the shapes do not fit each other or an array holds NaN or inf.

    Examples
    --------
    >>> draws = np.array([[1.0, 3.0], [3.0, 5.0]])  # 2 draws of 2 windows: means 2, 4; var 1, 1
    >>> float(mc_noise_variance([5.0, 1.0], draws))  # squared errors 9, 9; minus 1
    8.0
    """
    y = _checks.finite_array(y_calibration, "y_calibration")
    draws = _check_draws(calibration_draws, "calibration_draws")
    _checks.same_shape({"y_calibration": y, "calibration_draws[0]": draws[0]})
    squared_error = np.mean((y - draws.mean(axis=0)) ** 2, axis=0)  # () or (H,)
    model_variance = np.mean(draws.var(axis=0), axis=0)  # () or (H,)
    noise = np.maximum(squared_error - model_variance, 0.0)
    return float(noise) if noise.ndim == 0 else noise


def mc_dropout_interval(draws, *, coverage, noise_variance=0.0):
    r"""The Gaussian predictive interval of Monte Carlo dropout (Gal & Ghahramani, 2016).

    With the draws' mean :math:`\bar y` and variance :math:`s^2` for each window,
    the predictive variance is :math:`s^2 + \tau^{-1}` (model uncertainty plus
    noise), and the central interval of coverage :math:`1 - \alpha`

    .. math:: \bar y \pm z_{1-\alpha/2}\,\sqrt{s^2 + \tau^{-1}}.

    With ``noise_variance=0`` it is the interval of the model's uncertainty alone.

    Parameters
    ----------
    draws : array-like of float, shape (n_samples, n) or (n_samples, n, horizon)
        As :func:`mc_dropout_samples` returns them, in the units of ``y``.
    coverage : float in (0, 1), keyword-only
    noise_variance : float or array-like of float, shape (horizon,), default 0.0
        :math:`\tau^{-1}`, e.g. from :func:`mc_noise_variance`; non-negative.

    Returns
    -------
    lower, upper : ndarray of float, shape (n,) or (n, horizon)

    Raises
    ------
    TypeError
        If an argument does not hold numbers.
    ValueError
        If ``coverage`` is outside (0, 1), ``noise_variance`` is negative, not
        finite or does not fit the draws' last axis.

    Examples
    --------
    >>> draws = np.array([[1.0], [3.0]])  # one window: mean 2, variance 1
    >>> lower, upper = mc_dropout_interval(draws, coverage=0.95, noise_variance=3.0)
    >>> round(float(upper[0] - 2.0), 2)  # 1.96 * sqrt(1 + 3)
    3.92
    """
    coverage = _checks.probability(coverage, "coverage")
    draws = _check_draws(draws)
    noise = _checks.finite_array(noise_variance, "noise_variance")
    if np.any(noise < 0):
        raise ValueError(f"noise_variance must be >= 0, got {noise}")
    if noise.ndim > 1 or (noise.ndim == 1 and noise.shape[0] != draws.shape[-1]):
        raise ValueError(
            f"noise_variance must be one number or one per step ahead ({draws.shape[-1]}), "
            f"got shape {noise.shape}"
        )
    z = stats.norm.ppf(0.5 + coverage / 2)  # z_{1 - alpha/2}
    centre = draws.mean(axis=0)  # (n,) or (n, H)
    half = z * np.sqrt(draws.var(axis=0) + noise)  # (n,) or (n, H)
    return centre - half, centre + half
