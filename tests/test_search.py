"""Tests for helpers.search: the Keras wrapper in a time-ordered GridSearchCV, honestly.

What WindowRegressor promises, and what these tests hold it to:
- it is Keras 3's ``SKLearnRegressor`` (scikit-learn clones it with every option);
- each fit trains on the first windows of its rows and stops early on the last ones,
  with a gap of ``horizon - 1`` windows, and says whether early stopping fired;
- the scaling is fitted on the windows it trains on and on nothing else: changing the
  rows a fold is scored on, or its early-stopping tail, changes no scaler;
- in GridSearchCV every fit's history reaches the FitLog, in the search's order.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from helpers import model_pool, models, search
from helpers._keras import keras

WINDOW = 4


def _flat_windows(n=60, n_features=2, horizon=1, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n + WINDOW + horizon)
    series = np.column_stack([np.sin(t * 0.3), rng.normal(size=t.size)])[:, :n_features]
    X = np.stack([series[i : i + WINDOW] for i in range(n)])  # (n, WINDOW, f)
    y = np.stack([series[i + WINDOW : i + WINDOW + horizon, 0] for i in range(n)])
    return X.reshape(n, -1) * 10 + 5, y * 10 + 5  # raw units, far from standardised


def _build(X, y, units=2, learning_rate=0.01):
    return models.build_forecaster(
        X.shape[1],
        X.shape[2],
        units=units,
        horizon=y.shape[1],
        learning_rate=learning_rate,
        seed=0,
    )


def test_it_is_the_keras_wrapper_and_clones_with_every_option():
    regressor = search.WindowRegressor(_build, window=WINDOW, epochs=7, patience=2, seed=3)
    assert isinstance(regressor, keras.wrappers.SKLearnRegressor)
    copy = clone(regressor)
    assert copy is not regressor and copy.get_params() == regressor.get_params()


def test_a_fit_trains_on_the_head_stops_on_the_tail_and_scales_on_the_head_only():
    X, y = _flat_windows(n=50, horizon=3)
    regressor = search.WindowRegressor(
        _build, window=WINDOW, epochs=3, batch_size=16, patience=1, validation_fraction=0.2
    )
    log = search.FitLog()
    regressor.fit(X, y, log=log)
    fit = log.fits[0]
    assert (fit["n_train"], fit["n_validation"]) == (50 - 10 - 2, 10)  # a gap of horizon - 1
    assert fit["history"] is regressor.history_ and regressor.history_.max_epochs == 3
    windows = X.reshape(50, WINDOW, -1)
    np.testing.assert_allclose(
        regressor.x_scaler_.mean_, windows[:38].reshape(-1, windows.shape[2]).mean(axis=0)
    )
    np.testing.assert_allclose(regressor.y_scaler_.mean_, [y[:38].mean()])
    assert regressor.predict(X[:5]).shape == (5, 3)


def test_the_held_out_tail_shapes_no_scaler_and_no_weight_of_the_first_epoch():
    X, y = _flat_windows(n=40)
    spoiled = y.copy()
    spoiled[-8:] += 100.0  # only the early-stopping tail changes
    a = search.WindowRegressor(_build, window=WINDOW, epochs=1, patience=None).fit(X, y)
    weights = [w.copy() for w in a.model_.get_weights()]
    b = search.WindowRegressor(_build, window=WINDOW, epochs=1, patience=None).fit(X, spoiled)
    np.testing.assert_array_equal(a.y_scaler_.mean_, b.y_scaler_.mean_)
    for u, v in zip(weights, b.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(u, v)


def test_grid_search_logs_every_fit_in_order_and_scores_in_raw_units():
    X, y = _flat_windows(n=60)
    pool = model_pool.ModelPool(models.build_forecaster)

    def pooled(X, y, units, learning_rate):
        return pool(
            X.shape[1],
            X.shape[2],
            units=units,
            learning_rate=learning_rate,
            horizon=y.shape[1],
            seed=0,
        )

    candidates = [{"units": 2, "learning_rate": 0.01}, {"units": 3, "learning_rate": 0.01}]
    grid = GridSearchCV(
        search.WindowRegressor(pooled, window=WINDOW, epochs=30, batch_size=16, patience=2),
        {"model_kwargs": candidates},
        cv=TimeSeriesSplit(n_splits=2),
        scoring="neg_root_mean_squared_error",
        refit=False,
    )
    log = search.FitLog()
    grid.fit(X, y[:, 0], log=log)
    again = search.FitLog()  # the recording scorer scores as sklearn's RMSE ...
    same = clone(grid).set_params(scoring=again.score).fit(X, y[:, 0], log=again)
    np.testing.assert_allclose(
        same.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"], rtol=1e-5
    )
    y_seen, y_pred = again.scored(candidates[1])  # ... and keeps what it scored, in order
    np.testing.assert_array_equal(y_seen[:, 0], y[20:60, 0])  # the two folds' scored windows
    rmse = [np.sqrt(np.mean((y_seen[i:j] - y_pred[i:j]) ** 2)) for i, j in ((0, 20), (20, 40))]
    np.testing.assert_allclose(-np.mean(rmse), same.cv_results_["mean_test_score"][1], rtol=1e-5)
    assert len(log) == 4 and pool.architectures == 2
    assert [fit["model_kwargs"] for fit in log.fits] == [candidates[0]] * 2 + [candidates[1]] * 2
    assert [fit["n_train"] for fit in log.fits] == [16, 32, 16, 32]  # 80 % of 20 and 40 rows
    assert log.epochs(candidates[1]) == [h.epochs_run for h in log.histories[2:]]
    # scored in the target's own units: a forecast at the training mean would score ~7
    assert 0 < -grid.cv_results_["mean_test_score"].max() < 10


def test_bad_input_is_refused():
    regressor = search.WindowRegressor(_build, window=WINDOW)
    X, y = _flat_windows(n=20)
    with pytest.raises(ValueError, match=r"X must be flat windows \(n, window \* n_features\)"):
        regressor.fit(X[:, :-1], y)
    with pytest.raises(TypeError, match="^log must be a FitLog"):
        regressor.fit(X, y, log=[])
    with pytest.raises(ValueError, match="leave none to train on"):
        search.WindowRegressor(_build, window=WINDOW, validation_fraction=0.9).fit(X[:2], y[:2])
    with pytest.raises(ValueError, match="warm_start must be False"):
        search.WindowRegressor(_build, window=WINDOW, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="not fitted yet"):
        regressor.predict(X)
    with pytest.raises(ValueError, match="no scored fit of"):
        search.FitLog().scored({"units": 2})
    fitted = search.WindowRegressor(_build, window=WINDOW, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="scores the fit just made"):
        search.FitLog().score(fitted, X, y)
