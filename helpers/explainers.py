"""SHAP and LIME on window models: flat tables of windows, a counted predict, maps back.

SHAP's model-agnostic explainers and LIME's tabular explainer take a 2-D table,
one row per sample and one column per feature. A forecaster takes windows
``(n_samples, n_timesteps, n_features)``. This module is the glue:

- :func:`flatten_windows` / :func:`unflatten_windows`, :func:`cell_names`,
  :class:`FlatPredict` (the counted predict function SHAP and LIME call) and
  :func:`as_list_input`: the glue between windows and flat tables, in
  :mod:`helpers.flat_windows`, re-exported here.
- :func:`expected_gradients`, :func:`kernel_shap`, :func:`lime_weights`:
  one call each of ``shap.GradientExplainer``, ``shap.KernelExplainer`` and
  ``lime.lime_tabular.LimeTabularExplainer``, returning maps shaped like the
  windows, so :func:`helpers.sensitivity.count_passes` and the rankings of
  :mod:`helpers.sensitivity` apply to them as to any other method. NumPy's global
  random state, which SHAP reseeds, is put back as it was. Their budgets default to
  the libraries' own: SHAP's ``nsamples="auto"``
  (:func:`kernel_shap_default_samples`, ``2 * n_cells + 2048`` coalitions) and LIME's
  ``num_samples=5000``.
- :func:`lime_map`: one LIME explanation as a ``(n_timesteps, n_features)`` map.
- :func:`deep_explainer_error`: run ``shap.DeepExplainer`` in a child process and
  return its error, so the patch of TensorFlow it leaves behind when it fails stays there.

``shap`` and ``lime`` are imported when first needed, so importing this module
costs only what :mod:`helpers.models` costs.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from helpers import _checks
from helpers._keras import (  # keras and tf: TensorFlow imported quietly first
    check_model,
    check_windows,
    input_dtype,
)
from helpers.flat_windows import (  # the glue between windows and flat tables, re-exported
    FlatPredict,
    _check_array,
    as_list_input,
    cell_names,
    flatten_windows,
    unflatten_windows,
)

with warnings.catch_warnings():
    # shap imports tqdm.auto for its progress bars; in a notebook without ipywidgets that
    # warns "IProgress not found" at import. The lessons show no progress bars (silent=True),
    # so import it once here, quietly; shap then finds it imported.
    warnings.filterwarnings("ignore", message="IProgress not found")
    import tqdm.auto  # noqa: F401, E402


__all__ = [
    "flatten_windows",
    "unflatten_windows",
    "cell_names",
    "FlatPredict",
    "as_list_input",
    "expected_gradients",
    "kernel_shap",
    "kernel_shap_default_samples",
    "lime_weights",
    "lime_map",
    "share_beyond",
    "deep_explainer_error",
]


# --------------------------------------------------------------------------- checks


def _import_shap():
    """``import shap``, without the PendingDeprecationWarnings its colour maps raise at import.

    shap 0.51 builds its plot colour maps with matplotlib's ``set_bad``/``set_over``,
    which matplotlib 3.11 marks for deprecation; nothing here plots with shap.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="shap")
        import shap
    return shap


@contextlib.contextmanager
def _numpy_global_state_kept():
    """SHAP seeds NumPy's global generator (``np.random.seed``); put it back afterwards."""
    state = np.random.get_state()  # noqa: NPY002  (SHAP uses the legacy global generator)
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


# --------------------------------------------------------------------------- SHAP and LIME


def _check_pair(model, x, background, name="background"):
    check_model(model)
    x = check_windows("x", x, model).astype(input_dtype(model))
    background = check_windows(name, background, model).astype(input_dtype(model))
    return x, background


def expected_gradients(
    model, x, background, *, samples=64, seed=0, output_index=0, batch_size=None
):
    """SHAP's expected gradients (``shap.GradientExplainer``) as maps shaped like ``x``.

    .. math::

        \\phi_{t,j}(x) = \\mathbb{E}_{x' \\sim D,\\ \\alpha \\sim U(0,1)}
        \\Big[(x - x')_{t,j}\\, \\frac{\\partial f(x' + \\alpha (x - x'))}{\\partial x_{t,j}}\\Big]

    Integrated gradients averaged over baselines :math:`x'` drawn from the
    background set :math:`D`, estimated with ``samples`` random pairs
    :math:`(x', \\alpha)` per window. In expectation the values add up to
    :math:`f(x) - \\mathbb{E}_D[f(x')]`; with finitely many samples only
    approximately. Cost: ``samples`` forward and backward passes per window,
    plus one forward pass of ``x``.

    Parameters
    ----------
    model : keras.Model
        Input ``(batch, window, n_features)``, output ``(batch, horizon)``.
    x : array-like, shape (n_samples, window, n_features)
        The windows to explain.
    background : array-like, shape (n_background, window, n_features)
        The baselines' distribution, e.g. a sample of training windows.
    samples : int, default 64
        Random (baseline, alpha) pairs per window (SHAP's ``nsamples``).
    seed : int, default 0
        SHAP's ``rseed``; NumPy's global random state is restored afterwards.
    output_index : int, default 0
    batch_size : int, optional
        Gradients per call of the model; None: ``samples``, one call per window (and
        one traced shape; SHAP's default of 50 traces two shapes when ``samples=64``).

    Returns
    -------
    ndarray of float64, shape (n_samples, window, n_features)

    Raises
    ------
    TypeError, ValueError
        If the model or the windows do not fit each other, or an option is invalid.
    """
    shap = _import_shap()

    x, background = _check_pair(model, x, background)
    samples = _checks.integer(samples, "samples")
    batch_size = samples if batch_size is None else _checks.integer(batch_size, "batch_size")
    seed = _checks.seed(seed)
    index = FlatPredict(model, output_index=output_index).output_index
    with _numpy_global_state_kept():
        explainer = shap.GradientExplainer(as_list_input(model), background, batch_size=batch_size)
        values = explainer.shap_values(x, nsamples=samples, rseed=seed)  # (n, T, F, outputs)
    return np.asarray(values, dtype=np.float64)[..., index]


def kernel_shap_default_samples(n_cells):
    """The coalitions per window SHAP's ``KernelExplainer`` draws at its default budget.

    ``nsamples="auto"`` is ``2 * M + 2048`` for ``M`` players (shap's documentation of
    ``KernelExplainer.shap_values``), capped at the ``2**M - 2`` coalitions that exist
    besides the empty and the full one, when ``M`` is at most 30. Here every cell of a
    window is a player: ``M = window * n_features``.

    Parameters
    ----------
    n_cells : int
        Players, cells of a window.

    Returns
    -------
    int

    Examples
    --------
    >>> kernel_shap_default_samples(40), kernel_shap_default_samples(3)
    (2128, 6)
    """
    n_cells = _checks.integer(n_cells, "n_cells")
    default = 2 * n_cells + 2048
    return min(default, 2**n_cells - 2) if n_cells <= 30 else default


def kernel_shap(model, x, background, *, samples="auto", seed=0, output_index=0):
    """Kernel SHAP (``shap.KernelExplainer``) on flattened windows, shaped like ``x``.

    Each of the ``window * n_features`` cells is a player. A coalition :math:`z`
    keeps the window's values in its cells and takes the others from a
    background window; its value is the model's output averaged over the
    background. Kernel SHAP draws ``samples`` coalitions and fits the linear
    model :math:`g(z) = \\phi_0 + \\sum_c \\phi_c z_c` to their values by least squares
    weighted with the Shapley kernel, under the constraint
    :math:`\\sum_c \\phi_c = f(x) - \\mathbb{E}_D[f(x')]`: the values add up exactly
    (to floating-point error), however few the samples. No L1 feature selection
    (``l1_reg=False``), so every cell gets a value.

    Cost: ``samples`` coalitions per window, each evaluated on every background
    window: about ``samples * n_background`` forward passes, no backward pass.
    SHAP's default budget (``"auto"``, :func:`kernel_shap_default_samples`) is
    ``2 * n_cells + 2048`` coalitions: 2,128 for a window of 10 steps of 4 features.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, window, n_features)
    background : array-like, shape (n_background, window, n_features)
        At most 100 windows (more make SHAP slow and warn).
    samples : int or "auto", default "auto"
        Coalitions per window (SHAP's ``nsamples``); ``"auto"``: SHAP's default,
        :func:`kernel_shap_default_samples`.
    seed : int, default 0
        Seeds the draw of the coalitions (SHAP draws from NumPy's global
        generator; its state is restored afterwards).
    output_index : int, default 0

    Returns
    -------
    ndarray of float64, shape (n_samples, window, n_features)

    Raises
    ------
    TypeError, ValueError
        If the model or the windows do not fit each other, or an option is invalid.
    """
    shap = _import_shap()

    x, background = _check_pair(model, x, background)
    n_cells = x.shape[1] * x.shape[2]
    if isinstance(samples, str) and samples == "auto":
        samples = kernel_shap_default_samples(n_cells)
    samples = _checks.integer(samples, "samples")
    seed = _checks.seed(seed)
    if len(background) > 100:
        raise ValueError(
            f"background must hold at most 100 windows (Kernel SHAP evaluates every one for "
            f"each coalition), got {len(background)}; take a sample"
        )
    predict = FlatPredict(model, output_index=output_index)
    with _numpy_global_state_kept():
        np.random.seed(seed)  # noqa: NPY002  (KernelExplainer draws from it; restored below)
        explainer = shap.KernelExplainer(predict, flatten_windows(background))
        values = explainer.shap_values(
            flatten_windows(x), nsamples=samples, l1_reg=False, silent=True
        )  # (n, n_cells)
    return unflatten_windows(np.asarray(values), window=x.shape[1], n_features=x.shape[2])


def share_beyond(windows, real, first, second, *, feature_names):
    """The share of ``windows`` in which two cells differ more than they ever do in ``real``.

    Kernel SHAP, LIME and occlusion evaluate the model on windows they make up, each cell
    taken from the explained window or from elsewhere independently of the others. Two
    cells that move together in the data (an input and its copy, one input on two
    neighbouring days) can then disagree as no real window does. This counts how often:
    ``|x[first] - x[second]|`` above its largest value over the real windows.

    Parameters
    ----------
    windows : array-like, shape (n, window, n_features)
        The windows to check, e.g. those an explainer sent to the model.
    real : array-like, shape (m, window, n_features)
        Real windows, e.g. the training windows.
    first, second : (str, int)
        Two cells as ``(feature, lag)``; lag 1 is the last step of a window.
    feature_names : sequence of str

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    TypeError, ValueError
        If the windows are not 3-D, their shapes differ, or a cell is not in the window.

    Examples
    --------
    >>> real = np.zeros((5, 2, 2)); real[:, 1, 1] = np.linspace(-0.2, 0.2, 5)  # |gap| <= 0.2
    >>> made_up = np.zeros((4, 2, 2)); made_up[:, 1, 1] = [0.1, 0.3, -0.5, 0.0]
    >>> share_beyond(made_up, real, ("p", 1), ("q", 1), feature_names=["p", "q"])
    0.5
    """
    windows = _check_array("windows", windows, 3)
    real = _check_array("real", real, 3)
    if windows.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"windows and real must have the same window shape, got {windows.shape[1:]} and "
            f"{real.shape[1:]}"
        )
    names = list(feature_names)
    window = windows.shape[1]
    positions = []
    for name, cell in (("first", first), ("second", second)):
        feature, lag = cell
        if feature not in names or not (isinstance(lag, (int, np.integer)) and 1 <= lag <= window):
            raise ValueError(
                f"{name} must be a (feature, lag) of the window, features {names} and lags 1 "
                f"to {window}, got {cell!r}"
            )
        positions.append((window - lag, names.index(feature)))
    (t1, j1), (t2, j2) = positions
    largest = np.abs(real[:, t1, j1] - real[:, t2, j2]).max()
    return float(np.mean(np.abs(windows[:, t1, j1] - windows[:, t2, j2]) > largest))


def lime_map(explanation, *, window, n_features):
    """One LIME explanation of a flattened window as a map ``(window, n_features)``.

    Reads the weights of a regression-mode explanation (``local_exp[1]``; LIME
    stores their negatives under 0) and puts each at its cell; cells LIME left
    out of the explanation get 0.

    Parameters
    ----------
    explanation : lime.explanation.Explanation
        From ``LimeTabularExplainer(..., mode="regression").explain_instance``
        on a row of :func:`flatten_windows`.
    window, n_features : int

    Returns
    -------
    ndarray of float64, shape (window, n_features)

    Raises
    ------
    TypeError
        If ``explanation`` is not a LIME explanation.
    ValueError
        If it is not in regression mode or names a column outside the window.
    """
    window = _checks.integer(window, "window")
    n_features = _checks.integer(n_features, "n_features")
    local = getattr(explanation, "local_exp", None)
    if not isinstance(local, dict):
        raise TypeError(f"explanation must be a LIME Explanation, got {type(explanation).__name__}")
    if getattr(explanation, "mode", None) != "regression" or 1 not in local:
        raise ValueError(
            "explanation must come from an explainer with mode='regression' (a forecaster "
            f"has no class probabilities), got mode {getattr(explanation, 'mode', None)!r}"
        )
    weights = np.zeros(window * n_features)
    for column, weight in local[1]:
        if not 0 <= column < len(weights):
            raise ValueError(
                f"explanation names column {column}, outside a window of "
                f"{window} * {n_features} = {len(weights)} cells"
            )
        weights[column] = weight
    return weights.reshape(window, n_features)


def lime_weights(
    model,
    x,
    training,
    *,
    samples=5000,
    seed=0,
    discretize=True,
    kernel_width=None,
    output_index=0,
):
    """LIME's local linear weights for each window, shaped like ``x``.

    For each window LIME draws ``samples`` perturbed rows (from the training
    rows' distribution, per column), asks the model for their forecasts, and
    fits a ridge regression weighted by each row's closeness to the window
    (an exponential kernel of width ``kernel_width``). The coefficients are
    the explanation: one weight per cell. With ``discretize=True`` (LIME's
    default) each cell is first replaced by "is it in the same quartile as in
    the window", so a weight is the effect of leaving that quartile.

    Cost: ``samples`` forward passes per window (one call of the predict
    function), no backward pass. LIME's own ridge fits run with BLAS on one thread
    (``threadpoolctl``): the same weights, about twice as fast beside TensorFlow.

    Parameters
    ----------
    model : keras.Model
    x : array-like, shape (n_samples, window, n_features)
    training : array-like, shape (n_training, window, n_features)
        Windows LIME takes each column's statistics (and quartiles) from.
    samples : int, default 5000
        Perturbed rows per window (LIME's ``num_samples``, and its default).
    seed : int, default 0
        LIME's ``random_state``; the same seed gives the same weights.
    discretize : bool, default True
        LIME's ``discretize_continuous`` (quartile bins).
    kernel_width : float, optional
        None: LIME's default, :math:`0.75 \\sqrt{n_{cells}}`.
    output_index : int, default 0

    Returns
    -------
    ndarray of float64, shape (n_samples, window, n_features)

    Raises
    ------
    TypeError, ValueError
        If the model or the windows do not fit each other, or an option is invalid.
    """
    from lime.lime_tabular import LimeTabularExplainer

    x, _ = _check_pair(model, x, training, name="training")
    training = np.asarray(training, dtype=np.float64)  # LIME's statistics, in full precision
    samples = _checks.integer(samples, "samples")
    seed = _checks.seed(seed)
    if not isinstance(discretize, (bool, np.bool_)):
        raise TypeError(f"discretize must be True or False, got {discretize!r}")
    predict = FlatPredict(model, output_index=output_index)
    _, window, n_features = x.shape
    explainer = LimeTabularExplainer(
        flatten_windows(training),
        mode="regression",
        discretize_continuous=bool(discretize),
        kernel_width=kernel_width,
        feature_selection="none",  # the same weights as LIME's "auto" when all cells are kept
        random_state=seed,
    )
    maps = np.empty(x.shape, dtype=np.float64)
    # LIME's weighted ridge on (samples, n_cells) is small; run BLAS on one thread for it,
    # which here is faster than several threads contending with TensorFlow's.
    with threadpool_limits(limits=1, user_api="blas"):
        for i, row in enumerate(flatten_windows(x).astype(np.float64)):
            explanation = explainer.explain_instance(  # every cell kept: no feature selection
                row, predict, num_features=window * n_features, num_samples=samples
            )
            maps[i] = lime_map(explanation, window=window, n_features=n_features)
    return maps


def deep_explainer_error(model, background, x, *, timeout=300):
    """Try ``shap.DeepExplainer`` on ``model`` in a separate Python process; return its error.

    On a Keras 3 LSTM DeepExplainer fails inside TensorFlow's gradient
    machinery (``LookupError: gradient registry has no entry for:
    shap_TensorListStack``, shap issue #3605), and a failure leaves TensorFlow's
    gradient recording patched by shap, so every later gradient in that process
    fails too. Running it in a child process (the model saved to a temporary
    ``.keras`` file and loaded there) keeps the lesson's own session untouched,
    without reaching into TensorFlow's private modules to undo the patch.

    Parameters
    ----------
    model : keras.Model
    background : array-like, shape (n_background, window, n_features)
    x : array-like, shape (n_samples, window, n_features)
    timeout : float, default 300
        Seconds to wait for the child process (it imports TensorFlow: a few seconds).

    Returns
    -------
    str or None
        ``"<ErrorType>: <last line of the message>"``, or None if it worked.

    Raises
    ------
    TypeError, ValueError
        If the model or the windows do not fit each other.
    RuntimeError
        If the child process itself failed (it could not load the model, say).
    """
    from helpers.models import save_model

    x, background = _check_pair(model, x, background)
    timeout = _checks.real(timeout, "timeout", low=0, low_open=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        save_model(model, folder / "model.keras")
        np.save(folder / "background.npy", background)
        np.save(folder / "x.npy", x)
        child = subprocess.run(
            [sys.executable, "-c", _DEEP_EXPLAINER_CHILD, str(folder)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            check=False,
        )
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        raise RuntimeError(
            f"the DeepExplainer process failed (exit code {child.returncode}): "
            f"{child.stderr.strip()[-500:]}"
        )
    return json.loads(lines[-1])["error"]


# What the child process runs: load the model and the windows, try DeepExplainer, print
# {"error": ...} as the last line of its output.
_DEEP_EXPLAINER_CHILD = """
import json, sys, warnings
from pathlib import Path
import numpy as np
from helpers import explainers, models
folder = Path(sys.argv[1])
model = models.load_model(folder / "model.keras")
background, x = np.load(folder / "background.npy"), np.load(folder / "x.npy")
shap = explainers._import_shap()
try:
    with warnings.catch_warnings():
        # "Your TensorFlow version is newer than 2.4.0 and so graph support has been
        # removed in eager mode": shap's notice that it runs eagerly; the error is the news.
        warnings.filterwarnings("ignore", message="Your TensorFlow version is newer")
        shap.DeepExplainer(explainers.as_list_input(model), background).shap_values(x)
    error = None
except Exception as caught:
    lines = [line.strip() for line in str(caught).strip().splitlines() if line.strip()]
    error = f"{type(caught).__name__}: {lines[-1] if lines else ''}"
print(json.dumps({"error": error}))
"""
