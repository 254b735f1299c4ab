"""helpers._keras: the checks, the per-model cache of traced functions and the log filter."""

from __future__ import annotations

import gc
import logging
import weakref

import numpy as np
import pytest

from helpers import _keras
from helpers._keras import keras


def _model(window=4, features=2, outputs=3, dtype=None):
    return keras.Sequential(
        [
            keras.Input((window, features), dtype=dtype),
            keras.layers.Flatten(dtype=dtype),
            keras.layers.Dense(outputs, dtype=dtype),
        ]
    )


def test_check_model_refuses_what_is_not_a_built_keras_model():
    _keras.check_model(_model())
    with pytest.raises(TypeError, match="model must be a keras.Model, got str"):
        _keras.check_model("lstm")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="known input shape"):
        _keras.check_model(unbuilt)


def test_check_window_model_wants_three_dimensional_windows():
    _keras.check_window_model(_model())
    flat = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"one input of shape \(batch, timesteps, features\)"):
        _keras.check_window_model(flat)


def test_input_dtype_and_check_dtype():
    assert _keras.input_dtype(_model()) == "float32"
    assert _keras.input_dtype(_model(dtype="float64")) == "float64"
    assert _keras.check_dtype(None) is None
    assert _keras.check_dtype("float64") == "float64"
    with pytest.raises(ValueError, match="floating dtype such as 'float64', got 'int32'"):
        _keras.check_dtype("int32")


def test_check_output_index_counts_from_either_end():
    model = _model(outputs=3)
    assert _keras.check_output_index(model, 2) == 2
    assert _keras.check_output_index(model, -1) == 2
    with pytest.raises(ValueError, match=r"output_index must be in \[0, 2\]"):
        _keras.check_output_index(model, 3)
    with pytest.raises(TypeError, match="output_index must be an integer"):
        _keras.check_output_index(model, 1.0)


def test_output_function_is_traced_once_per_model_and_computes_the_output():
    model = _model()
    x = np.random.default_rng(0).normal(size=(5, 4, 2)).astype("float32")
    forward = _keras.output_function(model, 1)
    assert _keras.output_function(model, 1) is forward  # cached
    np.testing.assert_allclose(forward(x).numpy(), model(x).numpy()[:, 1], rtol=1e-6)
    y, gradient = _keras.output_function(model, 1, gradient=True)(x)
    kernel = model.layers[-1].get_weights()[0][:, 1].reshape(4, 2)  # d f_1 / d x
    np.testing.assert_allclose(gradient.numpy(), np.broadcast_to(kernel, x.shape), rtol=1e-6)


def test_the_cache_does_not_keep_a_model_alive():
    model = _model()
    _keras.output_function(model, 0)(np.zeros((2, 4, 2), "float32"))  # traced and run
    assert model in _keras._COMPILED
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_the_log_filter_drops_retracing_warnings_about_per_model_functions_only():
    keep = _keras._PerModelRetracingFilter()

    def record(message):
        return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)

    assert not keep.filter(record("5 out of the last 5 calls to _per_model_output triggered "
                                  "tf.function retracing"))  # fmt: skip
    assert keep.filter(record("5 out of the last 5 calls to my_function triggered "
                              "tf.function retracing"))  # fmt: skip
    assert keep.filter(record("something else about _per_model_output"))
    assert any(isinstance(f, type(keep)) for f in logging.getLogger("tensorflow").filters)


# --------------------------------------------------------------------------- public API only

# Names that hold Keras or TensorFlow objects in helpers/ (models, layers, optimizers, ...).
FRAMEWORK_NAMES = {
    "keras", "tf", "tensorflow", "model", "layer", "optimizer", "history", "callback",
    "stopper", "loaded", "explainer", "shap", "lime",
}  # fmt: skip


def _private_framework_uses(path):
    """Private framework names a module uses, and attributes it writes onto framework objects."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            found += [m for m in modules if m.startswith(("keras.src", "tensorflow.python"))]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if node.value.id in FRAMEWORK_NAMES and private:
                found.append(f"{node.value.id}.{node.attr}")
            if node.value.id in FRAMEWORK_NAMES - {"keras", "tf"} and isinstance(
                node.ctx, ast.Store
            ):
                found.append(f"writes {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
            "getattr",
            "setattr",
        ):
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and str(name.value).startswith("_"):
                found.append(f"{node.func.id}(..., {name.value!r})")
    return found


def test_helpers_use_public_keras_and_tensorflow_api_only():
    # A Keras upgrade must not change what a lesson computes without a test failing: no
    # keras.src, no tensorflow.python, no underscore attribute of a Keras/TF object, and
    # nothing written onto one.
    from pathlib import Path

    root = Path(_keras.__file__).parent
    uses = {p.name: _private_framework_uses(p) for p in sorted(root.glob("*.py"))}
    assert {name: found for name, found in uses.items() if found} == {}


def test_the_scan_finds_what_it_looks_for(tmp_path):
    # The scan above must be able to fail: each kind of use it forbids is found.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from tensorflow.python.eager import execute\n"
        "import keras.src.trainers\n"
        "model._symbolic_build()\n"
        "model.extra = 1\n"
        "getattr(model, '_compile_loss', None)\n"
        "self._private = 2\n"  # a module's own object: allowed
    )
    assert sorted(_private_framework_uses(bad)) == sorted(
        [
            "tensorflow.python.eager",
            "keras.src.trainers",
            "model._symbolic_build",
            "writes model.extra",
            "getattr(..., '_compile_loss')",
        ]
    )
