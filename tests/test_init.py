"""set_seed and the quiet TensorFlow import (helpers._tf), run for real in fresh processes."""

import os
import random
import subprocess
import sys

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


def test_the_text_filter_drops_the_noise_and_keeps_every_other_line_in_order():
    noise = "I0000 00:00:1795429825.592643    2175 cudart_stub.cc:31] Could not find cuda drivers"
    kept = ["E0000 00:00:1 x.cc:1] a real error", "Traceback (most recent call last):"]
    text = f"{noise}\n{kept[0]}\n\n{noise}\n{kept[1]}\n"
    assert _tf.without_start_up_noise(text) == "\n".join(kept)


# The filter runs only in a process that has not imported TensorFlow yet, so it is tested in
# fresh ones: `python -c CODE` with the reader's TF_CPP_MIN_LOG_LEVEL unset (helpers then sets
# it to 3, too late for TensorFlow's first lines) or set to 0 (the reader asked for every log).
QUIET_IMPORT = "import helpers; from helpers import _tf; print(_tf.import_tensorflow().__file__)"


def _stderr_of(code, *, level=None, path=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return run.stdout, run.stderr


@pytest.fixture
def chatty_tensorflow(tmp_path):
    """A stand-in ``tensorflow`` that writes to file descriptor 2 as the real one's C++ does."""
    package = tmp_path / "tensorflow"
    package.mkdir()
    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1795429825.592345    2175 port.cc:153] oneDNN custom operations are on.",
        "E0000 00:00:1795429825.592643    2175 loader.cc:31] a real error",
        "W0000 00:00:1795429825.592700    2175 cpu_feature_guard.cc:227] optimized build",
        "a line that is no log at all",
    ]
    text = "".join(f"{line}\n" for line in lines)
    (package / "__init__.py").write_text(f"import os\nos.write(2, {text.encode()!r})\n")
    return tmp_path, lines


def test_import_tensorflow_filters_what_is_written_to_file_descriptor_2(chatty_tensorflow):
    path, lines = chatty_tensorflow
    stdout, stderr = _stderr_of(QUIET_IMPORT, path=path)
    assert stdout.strip() == str(path / "tensorflow" / "__init__.py")  # the stand-in loaded
    assert stderr.splitlines() == [lines[2], lines[4]]  # the error and the stray line, in order
    _, everything = _stderr_of(QUIET_IMPORT, level="0", path=path)
    assert everything.splitlines() == lines  # TF_CPP_MIN_LOG_LEVEL=0: nothing filtered


@pytest.mark.slow  # two fresh TensorFlow imports, about 8 s
def test_real_tensorflow_starts_quietly_where_it_would_not_without_the_filter():
    _, unfiltered = _stderr_of("import helpers; import tensorflow")
    noise = [line for line in unfiltered.splitlines() if _tf._NOISE.match(line)]
    if not noise:
        pytest.skip("TensorFlow writes no start-up lines on this machine: nothing to filter")
    assert _tf.without_start_up_noise(unfiltered) == ""  # every line of it is known noise
    _, filtered = _stderr_of(QUIET_IMPORT)
    assert filtered == ""


def test_import_tensorflow_returns_the_imported_module_once_loaded():
    tf = _tf.import_tensorflow()
    assert tf is sys.modules["tensorflow"] and hasattr(tf, "GradientTape")
