"""Helpers for the LSTM-for-time-series lessons.

Importing this package quietens TensorFlow's C++ logging *before* TensorFlow is
first imported, so import it first in every notebook::

    import helpers
    from helpers import data, metrics

The NumPy-only modules (``lstm_numpy``, ``data``, ``generators``, ``lesson_data``,
``csv_loading``, ``metrics``, ``baselines``, ``attributions``) never import TensorFlow,
so they stay fast to import and to test.

A map of the package (module, the idea it holds, the lessons that use it) is
in ``helpers/README.md``.
"""

from __future__ import annotations

import os
import random

# Keep TensorFlow's log chatter (CPU feature notes, missing CUDA drivers) out
# of stored notebook outputs. setdefault: a reader who wants the logs back can
# export TF_CPP_MIN_LOG_LEVEL=0 before starting Jupyter. The lines TensorFlow
# prints while it loads ignore a value set this late; helpers._tf filters them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

__version__ = "0.1.0"
__all__ = ["set_seed", "__version__"]


def set_seed(seed: int) -> None:
    """Seed every source of randomness a lesson touches, and make TensorFlow deterministic.

    Seeds Python's ``random``, NumPy's legacy global generator, Keras (which
    seeds TensorFlow) and switches on TensorFlow's op determinism, so a
    notebook run twice on the same machine prints the same numbers. Library
    functions in this package never call it: those that draw random numbers
    themselves take ``seed=``; Keras layers built by ``helpers.models`` draw
    their initial weights from the Keras seed that this function sets.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer (a bool or a float is not).
    ValueError
        If ``seed`` is negative.

    Examples
    --------
    >>> set_seed(7)
    >>> a = np.random.rand()
    >>> set_seed(7)
    >>> bool(a == np.random.rand())
    True
    """
    from helpers import _checks

    seed = _checks.seed(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (set_seed exists to seed the legacy global generator)
    # TensorFlow is imported here, not at module level, so that
    # `import helpers` stays fast for the NumPy-only lessons and tests.
    from helpers._tf import import_tensorflow

    tf = import_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
