"""helpers.global_models: three contenders that differ only in their layers, trained per seed
until early stopping fires, forecasting as their median; and the closed-form linear model.
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from helpers import global_models as gm
from helpers import models


def _linear_windows(n, seed):
    """Windows (n, 2, 3) whose 2 targets are a fixed linear map of the inputs, plus noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2, 3))
    weights = np.arange(12.0).reshape(6, 2) / 10 - 0.5  # (6, horizon=2)
    y = X.reshape(n, -1) @ weights + 0.05 * rng.normal(size=(n, 2))
    return X, y, weights


@pytest.mark.parametrize("kind", gm.KINDS)
def test_every_kind_reads_the_same_windows_with_the_same_loss_and_optimizer(kind):
    model = gm.build_global_model(kind, (3, 12), 24, units=8, loss="mae", learning_rate=0.01)
    assert model.input_shape == (None, 3, 12) and model.output_shape == (None, 24)
    assert model.loss == "mae"
    assert type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)


def test_the_lstm_is_the_courses_forecaster_and_the_linear_model_has_no_hidden_layer():
    lstm = gm.build_global_model("lstm", (3, 12), 24, units=8, seed=0)
    assert len(models.recurrent_layers(lstm)) == 1
    linear = gm.build_global_model("linear", (3, 12), 24)
    assert [type(layer).__name__ for layer in linear.layers] == ["Flatten", "Dense"]
    assert linear.count_params() == 3 * 12 * 24 + 24
    mlp = gm.build_global_model("mlp", (3, 12), 24, units=8)
    assert [layer.get_config().get("activation") for layer in mlp.layers[1:]] == [
        "relu",
        "relu",
        "linear",
    ]


def test_the_seed_fixes_the_initial_weights():
    a, b, c = (gm.build_global_model("mlp", (2, 3), 2, seed=s) for s in (5, 5, 6))
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (dict(kind="transformer"), ValueError, "kind must be one of"),
        (dict(loss="huber"), ValueError, "loss must be one of"),
        (dict(input_shape=(3,)), ValueError, "input_shape must be"),
        (dict(units=0), ValueError, "units must be a positive integer"),
        (dict(learning_rate=0), ValueError, "learning_rate must be"),
    ],
)
def test_bad_arguments_are_refused(change, error, words):
    arguments = dict(kind="linear", input_shape=(2, 3), horizon=2) | change
    with pytest.raises(error, match=words):
        gm.build_global_model(**arguments)


def test_train_seeds_trains_one_converged_member_per_seed_and_forecasts_their_median():
    X, y, _ = _linear_windows(400, seed=1)
    X_val, y_val, _ = _linear_windows(100, seed=2)
    ensemble = gm.train_seeds(
        "linear", (X, y), (X_val, y_val), seeds=[3, 4, 5], epochs=300, batch_size=32,
        patience=5, loss="mse", learning_rate=0.05,
    )  # fmt: skip
    models.assert_converged(*ensemble.histories, what="the test's linear models")
    assert ensemble.seeds == (3, 4, 5) and len(ensemble.members) == 3
    each = ensemble.predict_each(X_val)  # (3, 100, 2)
    np.testing.assert_allclose(ensemble.predict(X_val), np.median(each, axis=0))
    assert np.sqrt(np.mean((ensemble.predict(X_val) - y_val) ** 2)) < 0.1  # it learned the map
    assert "linear seed 4:" in ensemble.summary() and "early stopping fired" in ensemble.summary()
    with pytest.raises(ValueError, match="seeds must hold at least one integer"):
        gm.train_seeds("linear", (X, y), (X_val, y_val), seeds=[])


def test_ridge_on_windows_is_the_closed_form_least_squares_with_the_penalty_chosen_on_validation():
    X, y, weights = _linear_windows(500, seed=3)
    X_val, y_val, _ = _linear_windows(200, seed=4)
    model, alpha, scores = gm.ridge_on_windows((X, y), (X_val, y_val), alphas=(1e-3, 10.0, 1e4))
    assert alpha == min(scores, key=scores.get) and set(scores) == {1e-3, 10.0, 1e4}
    assert alpha != 1e4  # a huge penalty shrinks a true linear map towards 0
    expected = Ridge(alpha=alpha).fit(X.reshape(500, -1), y)
    np.testing.assert_allclose(model.coef_, expected.coef_)
    np.testing.assert_allclose(model.coef_.T, weights, atol=0.02)
