"""helpers.ground_truth: the known drivers of the generated series and the switch for their claims.

The truth is checked against the generator itself: on a series generated without
noise, the true contributions of every window add up to its target.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from helpers import claims, data, ground_truth

GENERATED = ["price", "volume", "indicator"]


def test_importing_ground_truth_does_not_import_tensorflow():
    code = "import sys, helpers.ground_truth; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


@pytest.mark.parametrize(("lag", "window"), [(5, 10), (3, 4), (1, 6)])
def test_true_contributions_add_up_to_the_generated_target(lag, window):
    frame = data.known_drivers(400, indicator_lag=lag, noise=0.0, seed=lag)
    scaled = data.scale_split(data.chronological_split(frame))
    parts = data.split_windows(scaled, window, target_columns="target", feature_columns=GENERATED)
    x = parts.test.X
    truth = ground_truth.KnownDrivers(GENERATED, window, indicator_lag=lag)
    contributions = truth.attributions(x, scaled.scaler, columns=scaled.columns)
    assert contributions.shape == x.shape
    # y_t = sum of w * (x - mean) + w_d * mean(d): the baseline's own forecast is w_d * mu_d
    mu_d = frame["indicator"].iloc[: len(scaled.train)].mean()
    y = frame["target"].to_numpy()[parts.test.first_target]
    np.testing.assert_allclose(contributions.sum(axis=(1, 2)) + 0.8 * mu_d, y, atol=1e-9)
    # only the true cells carry anything, with the sign of their weight times the input's side
    mask = truth.coefficients != 0
    assert np.all(contributions[:, ~mask] == 0)
    found = {(GENERATED[j], window - t) for t, j in zip(*np.nonzero(mask), strict=True)}
    assert found == truth.cells


def test_the_truth_names_the_drivers_and_the_generators_weights():
    truth = ground_truth.KnownDrivers(GENERATED, 8, indicator_lag=4, price_weight=2.0)
    assert truth.cells == {("price", 1), ("price", 2), ("indicator", 4)}
    assert truth.lags == {1, 2, 4}
    assert truth.drivers == ("price", "indicator") and truth.irrelevant == ("volume",)
    coefficients = truth.coefficients
    assert coefficients.shape == (8, 3)
    assert (coefficients[-1, 0], coefficients[-2, 0], coefficients[-4, 2]) == (2.0, -2.0, 0.8)
    assert np.count_nonzero(coefficients) == 3
    assert bool(truth) and "checks on" in repr(truth)


def test_for_lesson_applies_only_to_the_generated_series(capsys):
    common = dict(feature_columns=GENERATED, target_column="target", window=10)
    assert ground_truth.for_lesson(None, **common).applies
    assert capsys.readouterr().out == ""
    others = [
        ("my.csv", common),
        (None, {**common, "feature_columns": ["price", "indicator"]}),
        (None, {**common, "feature_columns": ["volume", "price", "indicator"]}),
        (None, {**common, "target_column": "price"}),
        (None, {**common, "window": 5}),  # lag 5 does not fit a window of 5
    ]
    for data_path, kwargs in others:
        truth = ground_truth.for_lesson(data_path, **kwargs)
        assert not truth and not truth.applies
        assert "skipping the ground-truth checks" in capsys.readouterr().out


def test_without_the_truth_the_maps_are_nan_and_nothing_is_checked(tmp_path, monkeypatch):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.CLAIMS_LOG_VARIABLE, str(log))
    draw = claims.Draw(0, stored_seed=0)
    truth = ground_truth.for_lesson(
        "my.csv", feature_columns=["sales"], target_column="sales", window=4, draw=draw
    )
    assert np.isnan(truth.coefficients).all() and truth.coefficients.shape == (4, 1)
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(np.arange(10.0)[:, None])
    assert np.isnan(truth.attributions(np.zeros((2, 4, 1)), scaler)).all()
    truth.check(False, "a claim that needs the known drivers")
    truth.check_draw(False, "a claim about the stored run that needs them")
    assert not log.exists()  # skipped: neither asserted nor recorded


def test_with_the_truth_checks_are_claims_and_draws(tmp_path, monkeypatch):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.CLAIMS_LOG_VARIABLE, str(log))
    stored = ground_truth.KnownDrivers(GENERATED, 10, draw=claims.Draw(0, stored_seed=0))
    stored.check(True, "the maps find the drivers", value=0.5)
    with pytest.raises(AssertionError, match="the maps find the drivers"):
        stored.check(False, "the maps find the drivers")
    with pytest.raises(AssertionError, match="in this run the head matters"):
        stored.check_draw(False, "in this run the head matters")
    other = ground_truth.KnownDrivers(GENERATED, 10, draw=claims.Draw(1, stored_seed=0))
    other.check_draw(False, "in this run the head matters")  # recorded, not asserted
    kinds = [(r["kind"], r["checked"], r["held"]) for r in map(json.loads, log.open())]
    assert kinds == [
        ("method", True, True),
        ("method", True, False),
        ("draw", True, False),
        ("draw", False, False),
    ]
    with pytest.raises(ValueError, match="pass draw="):
        ground_truth.KnownDrivers(GENERATED, 10).check_draw(True, "no draw given")


def _history(converged, max_epochs=5):
    from helpers import training

    history = training.TrainingHistory(max_epochs=max_epochs)
    history.epochs_run, history.best_epoch, history.converged = max_epochs, 2, converged
    return history


def test_the_r2_ceiling_is_what_the_generating_equation_reaches():
    frame = data.known_drivers(4000, indicator_lag=5, seed=3)
    p, d, y = (frame[c].to_numpy() for c in ("price", "indicator", "target"))
    equation = (p[4:-1] - p[3:-2]) + 0.8 * d[:-5]  # y_t without its noise, t = 5 .. n-1
    reached = 1 - np.mean((y[5:] - equation) ** 2) / y[5:].var()
    truth = ground_truth.KnownDrivers(GENERATED, 10)
    assert truth.noise == 0.1
    assert truth.r2_ceiling(y[5:]) == pytest.approx(reached, abs=2e-3)
    assert 0.99 < reached < 1  # the generated target is almost all signal
    skipped = ground_truth.KnownDrivers(["sales"], 10, applies=False)
    assert np.isnan(skipped.r2_ceiling(y))


def test_convergence_is_asserted_on_the_generated_series_and_reported_otherwise(capsys):
    truth = ground_truth.KnownDrivers(GENERATED, 10)
    truth.assert_converged(_history(True), what="the LSTM")
    with pytest.raises(AssertionError, match="1 of 2 fits of the LSTM stopped at the epoch cap"):
        truth.assert_converged(_history(True), _history(False), what="the LSTM")
    capsys.readouterr()
    reader = ground_truth.KnownDrivers(["sales"], 10, applies=False)
    reader.assert_converged(_history(False), what="the LSTM")  # no verdict rests on it
    printed = capsys.readouterr().out
    assert "the LSTM: 5 of 5 epochs, best epoch 2: stopped by the epoch cap" in printed
    assert "raise EPOCHS" in printed
    reader.assert_converged(_history(True), what="the LSTM")
    assert "raise EPOCHS" not in capsys.readouterr().out
    with pytest.raises(TypeError, match="assert_converged takes"):
        reader.assert_converged({"loss": [1.0]})


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ground_truth.KnownDrivers("price", 10), TypeError, "feature_columns must be"),
        (lambda: ground_truth.KnownDrivers([], 10, applies=False), ValueError, "at least one"),
        (lambda: ground_truth.KnownDrivers(["sales"], 10), ValueError, "pass applies=False"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 5), ValueError, "longer than indicator_lag"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 0), ValueError, "window"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 9, applies=1), TypeError, "applies"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 9, draw=0), TypeError, "draw must be"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 9, noise=-1), ValueError, "noise"),
        (lambda: ground_truth.KnownDrivers(GENERATED, 9).r2_ceiling([1.0]), ValueError, "variance"),
        (
            lambda: ground_truth.KnownDrivers(GENERATED, 6).attributions(np.zeros((1, 5, 3)), None),
            ValueError,
            "time steps",
        ),
    ],
)
def test_bad_arguments_are_refused_with_their_name(call, error, message):
    with pytest.raises(error, match=message):
        call()
