"""helpers.nonlinear_drivers: lesson 08's series with a product, a switch and a noisy copy.

The truth is checked against its own definition: the generated target is the equation
on the generated inputs; the exact Shapley values of the equation add up to its value at
the window minus its mean over the background, and match a brute-force sum over every
ordering of the three players; the refusals say what to change.
"""

import itertools
import subprocess
import sys

import numpy as np
import pytest
from sklearn.preprocessing import FunctionTransformer

from helpers import data
from helpers import nonlinear_drivers as drivers

COLUMNS = list(drivers.COLUMNS)


def test_importing_nonlinear_drivers_does_not_import_tensorflow():
    code = "import sys, helpers.nonlinear_drivers; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


@pytest.mark.parametrize("step", [1.5, -0.7])
def test_the_generated_target_is_its_equation(step):
    frame = drivers.nonlinear_drivers(500, step=step, noise=0.0, seed=3)
    assert list(frame.columns) == [*COLUMNS, "target"] and len(frame) == 500
    assert frame.index.freqstr == "D" and frame.index.name == "date"
    a, b, s, y = (frame[c].to_numpy() for c in ("a", "b", "switch", "target"))
    truth = drivers.NonlinearDrivers(10, step=step)
    t = np.arange(3, 500)
    np.testing.assert_allclose(y[t], truth.equation(a[t - 1], s[t - 2], b[t - 3]), atol=1e-12)
    # with noise, the residual from the equation is the noise, of the stated size
    noisy = drivers.nonlinear_drivers(5000, step=step, noise=0.2, seed=3)
    a, b, s, y = (noisy[c].to_numpy() for c in ("a", "b", "switch", "target"))
    t = np.arange(3, 5000)
    residual = y[t] - truth.equation(a[t - 1], s[t - 2], b[t - 3])
    assert abs(residual.std() - 0.2) < 0.01 and abs(residual.mean()) < 0.01


def test_the_inputs_have_the_stated_statistics():
    frame = drivers.nonlinear_drivers(20000, a_ar=0.8, b_ar=0.5, copy_noise=0.3, seed=1)
    for name, phi in (("a", 0.8), ("b", 0.5)):
        assert abs(frame[name].std() - 1.0) < 0.05  # unit variance, whatever phi is
        assert abs(frame[name].autocorr(1) - phi) < 0.03
    expected = 1 / np.sqrt(1 + 0.3**2)  # corr(a, a + 0.3 eta) for unit-variance a
    assert abs(frame["a"].corr(frame["a_copy"]) - expected) < 0.01
    on = frame["switch"] > 0.5
    assert abs(on.mean() - 0.5) < 0.02
    assert abs(frame.loc[on, "switch"].mean() - 1.0) < 0.02  # read with noise around 1
    exact = drivers.nonlinear_drivers(300, copy_noise=0.0, seed=2)
    np.testing.assert_array_equal(exact["a"], exact["a_copy"])


def test_the_series_is_reproducible_and_changes_with_the_seed():
    first = drivers.nonlinear_drivers(200, seed=5)
    assert first.equals(drivers.nonlinear_drivers(200, seed=5))
    assert not first.equals(drivers.nonlinear_drivers(200, seed=6))


def _scaled_windows(n=600, window=6, seed=0):
    frame = drivers.nonlinear_drivers(n, noise=0.0, seed=seed)
    scaled = data.scale_split(data.chronological_split(frame))
    parts = data.split_windows(scaled, window, target_columns="target", feature_columns=COLUMNS)
    return frame, scaled, parts


def test_shapley_values_add_up_to_the_equation_minus_its_background_mean():
    _, scaled, parts = _scaled_windows()
    truth = drivers.NonlinearDrivers(6)
    x, background = parts.test.X[:30], parts.train.X[:25]
    phi = truth.shapley_values(x, background, scaler=scaled.scaler, columns=scaled.columns)
    assert phi.shape == x.shape
    # only the three driver cells carry anything
    mask = np.zeros(x.shape[1:], dtype=bool)
    for feature, lag in truth.cells:
        mask[6 - lag, COLUMNS.index(feature)] = True
    assert np.all(phi[:, ~mask] == 0) and np.any(phi[:, mask] != 0)

    def raw(windows):  # raw a at lag 1, switch at lag 2, b at lag 3
        unscaled = scaled.scaler.inverse_transform(
            np.column_stack([windows[:, -1, 0], windows[:, -1, 1], windows[:, -3, 2],
                             windows[:, -2, 3], np.zeros(len(windows))])
        )  # fmt: skip
        return unscaled[:, 0], unscaled[:, 3], unscaled[:, 2]

    f_x = truth.equation(*raw(x))
    f_background = truth.equation(*raw(background)).mean()
    np.testing.assert_allclose(phi.sum(axis=(1, 2)), f_x - f_background, atol=1e-10)
    # the raw-value equation of the windows is the generated (noise-free) target
    np.testing.assert_allclose(f_x, scaled.scaler.inverse_transform(
        np.column_stack([np.zeros((30, 4)), parts.test.y[:30, 0]]))[:, 4], atol=1e-9)  # fmt: skip


def test_shapley_values_match_the_average_over_every_ordering():
    truth = drivers.NonlinearDrivers(3, step=2.0)
    identity = FunctionTransformer().fit(np.zeros((1, 5)))
    rng = np.random.default_rng(0)
    x, background = rng.normal(size=(4, 3, 4)), rng.normal(size=(7, 3, 4))
    phi = truth.shapley_values(x, background, scaler=identity, columns=[*COLUMNS, "target"])
    cells = [(2, 0), (1, 3), (0, 2)]  # a lag 1, switch lag 2, b lag 3 as (t, j)

    def value(window, kept):  # v(S): the equation averaged over the background
        mixed = background.copy()
        for t, j in kept:
            mixed[:, t, j] = window[t, j]
        return truth.equation(mixed[:, 2, 0], mixed[:, 1, 3], mixed[:, 0, 2]).mean()

    for i, window in enumerate(x):
        brute = np.zeros(3)
        for order in itertools.permutations(range(3)):
            for position, player in enumerate(order):
                before = [cells[p] for p in order[:position]]
                brute[player] += value(window, [*before, cells[player]]) - value(window, before)
        brute /= 6
        np.testing.assert_allclose([phi[i, t, j] for t, j in cells], brute, atol=1e-12)


def test_found_shares_and_split_error():
    truth = drivers.NonlinearDrivers(4)
    maps = np.zeros((3, 4, 4))
    maps[:, 3, 0], maps[:, 2, 3], maps[:, 1, 2] = 1.0, 2.0, 1.0  # the three drivers
    assert truth.found(maps, COLUMNS) == 1.0
    assert truth.switch_share(maps, COLUMNS) == 0.5
    np.testing.assert_allclose(truth.driver_shares(maps, COLUMNS), [[0.25, 0.5, 0.25]] * 3)
    moved = maps.copy()
    moved[:, 2, 3] = 0.0
    moved[:, 3, 1] = 5.0  # the switch's credit moved onto a_copy at lag 1
    assert truth.found(moved, COLUMNS) == pytest.approx(2 / 3)
    np.testing.assert_allclose(truth.split_error(moved, maps, COLUMNS), 0.5)
    np.testing.assert_allclose(truth.split_error(maps, maps, COLUMNS), 0.0)
    assert np.isnan(truth.driver_shares(np.zeros((1, 4, 4)), COLUMNS)).all()


def test_split_verdict_is_the_paired_rule_on_split_errors():
    truth = drivers.NonlinearDrivers(4)
    rng = np.random.default_rng(1)
    reference = np.abs(rng.normal(size=(30, 4, 4)))
    close = reference + 0.01 * rng.normal(size=reference.shape)
    far = rng.permutation(reference.reshape(-1)).reshape(reference.shape)
    verdict = truth.split_verdict(close, far, reference, COLUMNS, names=("close", "far"))
    assert verdict.winner == "close"


def test_on_a_readers_data_nothing_is_known(capsys):
    truth = drivers.for_lesson("mine.csv", feature_columns=["sales"], target_column="sales",
                               window=2)  # fmt: skip
    assert "skipping the ground-truth checks" in capsys.readouterr().out
    assert not truth and truth.cells == frozenset() and truth.lags == frozenset()
    maps = np.ones((2, 2, 1))
    assert np.isnan(truth.found(maps, ["sales"])) and np.isnan(truth.switch_share(maps, ["sales"]))
    assert np.isnan(truth.split_error(maps, maps, ["sales"])).all()
    assert truth.split_verdict(maps, maps, maps, ["sales"], names=("x", "y")) is None
    phi = truth.shapley_values(maps, maps, scaler=None, columns=["sales"])  # one input, any scaler
    assert phi.shape == maps.shape and np.isnan(phi).all()
    assert truth.switch_or_top(np.arange(2.0).reshape(1, 2, 1), ["sales"]) == ("sales", 1)
    assert list(truth.neighbour_pairs(["sales"])) == ["sales, lags 1 and 2"]


def test_the_generated_run_knows_its_drivers():
    truth = drivers.for_lesson(None, feature_columns=COLUMNS, target_column="target", window=10)
    assert truth.cells == {("a", 1), ("switch", 2), ("b", 3)} and truth.lags == {1, 2, 3}
    assert truth.switch_or_top(np.ones((1, 10, 4)), COLUMNS) == ("switch", 2)
    assert truth.interaction == (("a", 1), ("b", 3)) and truth.copy == {"a_copy": "a"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: drivers.for_lesson(None, feature_columns=["a", "b"], target_column="target",
                                    window=10), "leave FEATURE_COLUMNS None"),
        (lambda: drivers.for_lesson(None, feature_columns=COLUMNS, target_column="y", window=10),
         "set DATA_PATH"),
        (lambda: drivers.NonlinearDrivers(2), "window must be at least 3"),
        (lambda: drivers.nonlinear_drivers(100, a_ar=1.0), "a_ar"),
        (lambda: drivers.nonlinear_drivers(100, copy_noise=-0.1), "copy_noise"),
        (lambda: drivers.NonlinearDrivers(3).shapley_values(
            np.zeros((1, 3, 4)), np.zeros((1, 3, 4)),
            scaler=FunctionTransformer().fit(np.zeros((1, 2))), columns=["a", "target"]),
         "missing"),
        (lambda: drivers.NonlinearDrivers(3).found(np.zeros((1, 3)), COLUMNS),
         "one name per feature"),
    ],
)  # fmt: skip
def test_refusals_say_what_to_change(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
