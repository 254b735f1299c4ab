"""set_seed and the quiet TensorFlow import."""

import random

import numpy as np
import pytest

import helpers
from helpers import _tf


def test_set_seed_repeats_python_numpy_and_keras_draws():
    import keras

    def draws():
        return (
            random.random(),
            np.random.rand(3),  # noqa: NPY002 (checks the global generator set_seed seeds)
            keras.random.normal((4,)).numpy(),
        )

    helpers.set_seed(11)
    first = draws()
    helpers.set_seed(11)
    second = draws()
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[2], second[2])
    helpers.set_seed(12)
    assert random.random() != first[0]


def test_set_seed_makes_layer_initialisation_repeatable():
    import keras

    def kernel():
        layer = keras.layers.LSTM(3)
        layer.build((None, 5, 2))
        return layer.get_weights()[0]

    helpers.set_seed(5)
    a = kernel()
    helpers.set_seed(5)
    np.testing.assert_array_equal(a, kernel())


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (1.5, TypeError), ("3", TypeError), (True, TypeError)]
)
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed must be"):
        helpers.set_seed(seed)


@pytest.mark.parametrize(
    "line",
    [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1795429825.592345    2175 port.cc:153] oneDNN custom operations are on.",
        "I0000 00:00:1795429825.592643    2175 cudart_stub.cc:31] Could not find cuda drivers",
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow",
        "2024-01-01 10:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations",
    ],
)
def test_tensorflow_start_up_noise_is_recognised(line):
    assert _tf._NOISE.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "E0000 00:00:1795429825.592643    2175 something.cc:31] a real error",
        "Traceback (most recent call last):",
        "ImportError: libcudart.so.12: cannot open shared object file",
    ],
)
def test_errors_during_import_are_not_filtered(line):
    assert not _tf._NOISE.match(line)


def test_import_tensorflow_returns_the_module():
    tf = _tf.import_tensorflow()
    assert hasattr(tf, "GradientTape")
