"""Tests for helpers.fold_forecasters: the forecasters a walk-forward evaluation refits.

Each is called the way :func:`helpers.walk_forward.walk_forward` calls it, on a
:class:`helpers.walk_forward.Fold`; ``walk_forward`` re-exports them (``wf.ridge`` is
``fold_forecasters.ridge``, checked first).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from test_walk_forward import _frame  # the frame the loop's tests use (tests/ is on the path)

from helpers import fold_forecasters
from helpers import walk_forward as wf


def test_walk_forward_re_exports_every_forecaster():
    for name in fold_forecasters.__all__:
        assert getattr(wf, name) is getattr(fold_forecasters, name)
        assert name in wf.__all__


def test_persistence_repeats_the_last_observed_value():
    frame = _frame()
    fold = wf.make_fold(frame, 100, 110, window=5, horizon=3, target="y")
    forecast = wf.persistence(fold)
    y = frame["y"].to_numpy()
    np.testing.assert_allclose(forecast[:, 0], y[fold.target_rows[:, 0] - 1])
    np.testing.assert_allclose(forecast[:, 2], forecast[:, 0])


def test_persistence_needs_the_target_among_the_inputs():
    fold = wf.make_fold(_frame(), 100, 110, window=5, target="y", features=["x"])
    with pytest.raises(ValueError, match="add the target to the features"):
        wf.persistence(fold)


def test_ridge_recovers_an_exact_linear_autoregression():
    n = 200
    y = np.zeros(n)
    y[:2] = [1.0, 0.5]
    for t in range(2, n):
        y[t] = 0.6 * y[t - 1] - 0.3 * y[t - 2] + np.sin(t)  # driven, so the scaler has spread
    frame = pd.DataFrame({"y": y})
    result = wf.walk_forward(
        frame,
        {"ridge": functools.partial(wf.ridge, alpha=1e-8)},
        origins=[150, 175],
        window=2,
        target="y",
    )
    # sin(t) is not an input, so the fit is not exact; but it beats persistence by far.
    assert result.scores["RMSE"].max() < np.std(y) * 1.1


def test_climatology_uses_the_history_only():
    frame = _frame(800)
    fold = wf.make_fold(frame, 700, 730, window=5, target="y")
    forecast = wf.climatology(fold, half_width=3)
    assert forecast.shape == (30, 1)
    spoiled = frame.copy()
    spoiled.iloc[700:, 0] += 100.0
    again = wf.climatology(wf.make_fold(spoiled, 700, 730, window=5, target="y"), half_width=3)
    np.testing.assert_allclose(forecast, again)


def test_climatology_refuses_a_series_without_dates():
    fold = wf.make_fold(_frame().reset_index(drop=True), 100, 110, window=5, target="y")
    with pytest.raises(ValueError, match="no usable calendar"):
        wf.climatology(fold)


def _tiny_build(window, n_features, horizon=1):
    from helpers import models

    return models.build_forecaster(window, n_features, units=2, horizon=horizon, seed=0)


def _tiny_build_seeded(window, n_features, horizon=1, seed=0):
    from helpers import models

    return models.build_forecaster(window, n_features, units=2, horizon=horizon, seed=seed)


def test_keras_forecaster_warm_start_keeps_one_model_and_caps_later_epochs():
    frame = _frame()
    cold = wf.KerasForecaster(_tiny_build, epochs=3, batch_size=64, patience=None)
    warm = wf.KerasForecaster(
        _tiny_build, epochs=3, batch_size=64, patience=None, warm_start=True, warm_epochs=1
    )
    seen = []

    def remember(fold):
        forecast = warm(fold)
        seen.append(warm.model_)
        return forecast

    result = wf.walk_forward(
        frame,
        {"cold": cold, "warm": remember},
        origins=[100, 110],
        window=5,
        target="y",
        validation_size=10,
    )
    assert cold.epochs_ == [3, 3] and warm.epochs_ == [3, 1]
    assert [h.epochs_run for h in warm.histories_] == warm.epochs_
    assert seen[0] is seen[1]
    assert result.forecasts["warm"].shape == (20, 1)


def test_keras_forecaster_refuses_bad_options():
    with pytest.raises(TypeError, match=r"^build must be callable as build\(window, n_features"):
        wf.KerasForecaster(3)
    with pytest.raises(TypeError, match="^warm_start must be True or False, got int 1$"):
        wf.KerasForecaster(_tiny_build, warm_start=1)
    with pytest.raises(ValueError, match="^epochs must be a positive integer, got 0$"):
        wf.KerasForecaster(_tiny_build, epochs=0)
    with pytest.raises(TypeError, match="^patience must be a non-negative integer, got float"):
        wf.KerasForecaster(_tiny_build, patience=2.5)


def test_seed_ensemble_is_the_median_of_its_members_each_a_fresh_or_warm_fit():
    frame = _frame()
    ensemble = wf.SeedEnsemble(
        _tiny_build_seeded,
        seeds=[0, 1, 2],
        epochs=3,
        batch_size=64,
        patience=1,
    )
    result = wf.walk_forward(
        frame,
        {"ensemble": ensemble},
        origins=[100, 110],
        window=5,
        target="y",
        validation_size=10,
    )
    assert [m.shape for m in ensemble.members_] == [(3, 10, 1)] * 2  # (seeds, n_test, horizon)
    np.testing.assert_allclose(
        result.forecasts["ensemble"], np.median(np.concatenate(ensemble.members_, axis=1), axis=0)
    )
    assert len(ensemble.all_histories) == 6 and ensemble.pool.architectures == 1
    assert ensemble.epochs_ == [[h.epochs_run for h in at] for at in ensemble.histories_]
    # the members differ (their seeds do), and the first member is the fresh model of seed 0
    first = ensemble.members_[0]
    assert not np.allclose(first[0], first[1])
    fold = wf.make_fold(frame, 100, 110, window=5, target="y", validation_size=10)
    alone = _tiny_build_seeded(5, 2, horizon=1, seed=0)
    from helpers import models

    models.train(
        alone,
        *fold.train,
        validation_data=tuple(fold.validation),
        epochs=3,
        batch_size=64,
        patience=1,
        seed=np.random.default_rng(0),
    )
    np.testing.assert_allclose(first[0], fold.inverse(models.predict(alone, fold.test_X)))


def test_seed_ensemble_warm_start_resumes_each_member_from_its_own_weights():
    from helpers import models

    frame = _frame()
    with pytest.raises(TypeError, match="patience must be a non-negative integer"):
        wf.SeedEnsemble(_tiny_build_seeded, seeds=[3], patience=None)  # early stopping is the point
    ensemble = wf.SeedEnsemble(
        _tiny_build_seeded, seeds=[3, 4], epochs=2, batch_size=64, patience=5, combine="mean"
    )
    wf.walk_forward(
        frame, {"e": ensemble}, origins=[100, 110], window=5, target="y", validation_size=10
    )
    # member 4 by hand: its own model, trained at the first origin, then again at the second
    alone = _tiny_build_seeded(5, 2, horizon=1, seed=4)
    order = np.random.default_rng(4)
    for origin, stop in [(100, 110), (110, 120)]:
        fold = wf.make_fold(frame, origin, stop, window=5, target="y", validation_size=10)
        models.train(
            alone,
            *fold.train,
            validation_data=tuple(fold.validation),
            epochs=2,
            batch_size=64,
            patience=5,
            seed=order,
        )
    np.testing.assert_allclose(
        ensemble.members_[1][1], fold.inverse(models.predict(alone, fold.test_X)), rtol=1e-6
    )


def test_seed_ensemble_refuses_bad_options():
    with pytest.raises(ValueError, match="seeds must be distinct integers, at least one"):
        wf.SeedEnsemble(_tiny_build_seeded, seeds=[])
    with pytest.raises(ValueError, match="seeds must be distinct"):
        wf.SeedEnsemble(_tiny_build_seeded, seeds=[1, 1])
    with pytest.raises(ValueError, match="combine must be 'median' or 'mean'"):
        wf.SeedEnsemble(_tiny_build_seeded, seeds=[1], combine="mode")
    with pytest.raises(TypeError, match=r"^build must be callable"):
        wf.SeedEnsemble(3, seeds=[1])


def test_tuned_ridge_chooses_alpha_on_the_validation_windows_and_fits_on_training_only():
    frame = _frame()
    alphas = [0.001, 1.0, 1e4]
    tuned = wf.TunedRidge(alphas=alphas)
    result = wf.walk_forward(
        frame, {"tuned": tuned}, origins=[100], window=5, target="y", validation_size=10
    )
    fold = wf.make_fold(frame, 100, 120, window=5, target="y", validation_size=10)
    X_val, y_val = fold.validation
    scores = []
    for alpha in alphas:  # by hand: each fitted on the training windows, scored on validation
        forecast = wf.ridge(wf.Fold(**{**fold.__dict__, "test_X": X_val}), alpha=alpha)
        scores.append(np.mean((forecast - fold.inverse(y_val)) ** 2))
    best = alphas[int(np.argmin(scores))]
    assert tuned.alphas_ == [best] and best != 1e4  # a huge penalty forecasts the mean
    np.testing.assert_allclose(result.forecasts["tuned"], wf.ridge(fold, alpha=best))
    assert tuned.validation_mse_[0].shape == (3,)
    with pytest.raises(ValueError, match="validation_size > 0"):
        wf.TunedRidge()(wf.make_fold(frame, 100, 120, window=5, target="y"))
    with pytest.raises(ValueError, match="alphas must be a non-empty sequence"):
        wf.TunedRidge(alphas=[])
    with pytest.raises(ValueError, match=r"alphas\[1\] must be a non-negative number"):
        wf.TunedRidge(alphas=[1.0, -1.0])


def test_ridge_refuses_a_negative_penalty():
    fold = wf.make_fold(_frame(), 100, 110, window=5, target="y")
    with pytest.raises(ValueError, match="^alpha must be a non-negative number, got -1$"):
        wf.ridge(fold, alpha=-1)
    with pytest.raises(TypeError, match="^alpha must be a non-negative number, got str"):
        wf.ridge(fold, alpha="1")
