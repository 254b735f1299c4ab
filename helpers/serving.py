"""Serve a trained forecaster over HTTP: a checked model package and a FastAPI service.

Three steps take a model out of the notebook::

    folder = serving.package(model, "forecaster", feature_names=["sine"],
                             target_name="sine", scaler=scaled.scaler)
    served = serving.load_package(folder)   # refuses files changed since packaging
    served.predict(raw_windows)             # (n, window, n_features) -> (n, horizon)

and ``python -m helpers.serving forecaster`` answers ``POST /forecast`` on
127.0.0.1:8000 with the same numbers. The service takes and returns **raw**
values: it scales each window with the stored scaler and un-scales the
forecast with the target column's parameters, so a client never sees the
model's scaled units.

The scaler is stored as its fitted parameters in JSON (``mean_`` and
``scale_`` of a ``StandardScaler``, ``min_`` and ``scale_`` of a
``MinMaxScaler``), not as a pickle: unpickling runs whatever code the file
names, so a pickled scaler is a program, while JSON numbers are only numbers.
The model is loaded with Keras's ``safe_mode=True`` for the same reason. The
manifest's SHA-256 hashes catch a file that was corrupted or replaced after
packaging; they do not stop someone who rewrites the manifest as well (that
takes a signature, which a model registry adds).

TensorFlow is imported only when a model is saved or loaded, so checking a
package (and refusing a tampered one) takes a fraction of a second.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import hashlib
import json
import logging
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata as _metadata
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

__all__ = [
    "FORMAT",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "package",
    "load_package",
    "ServedModel",
    "create_app",
    "serve_in_subprocess",
    "RunningServer",
    "free_port",
    "main",
]

#: Written into every manifest; :func:`load_package` refuses any other value.
FORMAT = "helpers.serving/1"
#: Most windows one ``POST /forecast`` may hold (:func:`create_app` takes another).
MAX_BATCH = 1024
#: Largest request body in bytes (1 MB; :func:`create_app` takes another).
MAX_BODY_BYTES = 1_000_000

MODEL_FILE, SCALER_FILE, MANIFEST_FILE = "model.keras", "scaler.json", "manifest.json"
_SCALER_PARAMETERS = {"StandardScaler": ("mean_", "scale_"), "MinMaxScaler": ("min_", "scale_")}
_LOG = logging.getLogger("helpers.serving")


class RequestProblem(ValueError):
    """A client's mistake: the service answers ``status`` (4xx) with this message, never a 500."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- the package


def _sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _versions(*, with_scaler: bool) -> dict:
    import helpers

    names = ["keras", "tensorflow", "numpy"] + (["scikit-learn"] if with_scaler else [])
    versions = {"helpers": helpers.__version__, "python": platform.python_version()}
    return versions | {name: _metadata.version(name) for name in names}


def _check_names(feature_names, target_name, n_features: int) -> tuple[list[str], str]:
    if isinstance(feature_names, str) or not hasattr(feature_names, "__iter__"):
        raise TypeError(
            f"feature_names must be a list of column names, got {type(feature_names).__name__}"
        )
    names = list(feature_names)
    if not all(isinstance(name, str) and name for name in names):
        raise TypeError(f"feature_names must hold non-empty strings, got {names!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"feature_names must not repeat a name, got {names!r}")
    if len(names) != n_features:
        raise ValueError(
            f"feature_names must name the model's {n_features} input feature(s), "
            f"got {len(names)}: {names!r}"
        )
    if not isinstance(target_name, str) or not target_name:
        raise TypeError(f"target_name must be a non-empty string, got {target_name!r}")
    return names, target_name


def _model_shapes(model) -> tuple[int, int, int]:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    try:
        input_shape, output_shape = tuple(model.input_shape), tuple(model.output_shape)
    except (AttributeError, ValueError) as error:
        raise ValueError("model must be built, with one input and one output") from error
    if len(input_shape) != 3 or None in input_shape[1:]:
        raise ValueError(
            "model must take windows of a fixed shape (batch, window, n_features), "
            f"its input shape is {input_shape}"
        )
    if len(output_shape) != 2 or output_shape[1] is None:
        raise ValueError(
            f"model must forecast (batch, horizon) values of one target, its output shape is "
            f"{output_shape}"
        )
    return int(input_shape[1]), int(input_shape[2]), int(output_shape[1])


def _scaler_parameters(scaler, names: list[str], target_name: str) -> dict:
    kind = type(scaler).__name__
    if kind not in _SCALER_PARAMETERS:
        raise TypeError(
            "scaler must be a fitted scikit-learn StandardScaler or MinMaxScaler (their "
            f"parameters are stored as JSON numbers, never as a pickle), got {kind}"
        )
    if not hasattr(scaler, "n_features_in_"):
        raise ValueError(
            f"scaler must be fitted (call scaler.fit on the training part), got {kind}()"
        )
    if scaler.n_features_in_ != len(names):
        raise ValueError(
            f"scaler was fitted on {scaler.n_features_in_} column(s), but feature_names lists "
            f"{len(names)}: {names!r}"
        )
    fitted_names = getattr(scaler, "feature_names_in_", None)
    if fitted_names is not None and list(fitted_names) != names:
        raise ValueError(
            f"scaler was fitted on the columns {list(fitted_names)!r}, feature_names is "
            f"{names!r}: give the names in the order the scaler saw them"
        )
    if target_name not in names:
        raise ValueError(
            f"target_name {target_name!r} must be one of feature_names {names!r} when a scaler "
            "is given: the forecast is un-scaled with the target column's parameters"
        )
    stored = {"kind": kind, "features": names}
    for attribute in _SCALER_PARAMETERS[kind]:
        value = getattr(scaler, attribute)
        stored[attribute] = None if value is None else np.asarray(value, dtype=float).tolist()
    if kind == "MinMaxScaler":
        stored |= {
            "clip": bool(scaler.clip),
            "feature_range": list(map(float, scaler.feature_range)),
        }
    return stored


def package(model, directory, *, feature_names, target_name, scaler=None, metadata=None):
    """Write a self-contained model package: the model, its scaling and a manifest with hashes.

    The folder holds ``model.keras`` (the native Keras format), ``scaler.json``
    (the fitted scaler's parameters, when there is one) and ``manifest.json``:
    the window length and features (read from the model's input), the horizon
    (its output), the target, the versions of the libraries that wrote it, the
    creation time, and the SHA-256 of every other file. The manifest is written
    last, so a half-written folder has none and is never served.

    Parameters
    ----------
    model : keras.Model
        Input ``(batch, window, n_features)``, output ``(batch, horizon)``, such
        as :func:`helpers.models.build_forecaster` builds.
    directory : str or os.PathLike
        Folder to write; created if missing, refused if it already holds files.
    feature_names : list of str
        The input columns in the model's feature order (the scaler's order).
    target_name : str
        The forecast column; with a scaler it must be one of ``feature_names``.
    scaler : sklearn StandardScaler or MinMaxScaler, optional
        Fitted on the training part over ``feature_names``; the service then
        takes and returns raw values. None: the model reads raw values itself.
    metadata : dict, optional
        JSON-serialisable notes stored as they are (data source, metrics, ...).

    Returns
    -------
    pathlib.Path
        ``directory``.

    Raises
    ------
    TypeError
        If ``model``, a name, ``scaler`` or ``metadata`` has the wrong type.
    ValueError
        If the names do not match the model or the scaler, or the scaler is not fitted.
    FileExistsError
        If ``directory`` exists and is not an empty folder.

    Examples
    --------
    >>> import tempfile
    >>> from helpers import models
    >>> scratch = tempfile.TemporaryDirectory()
    >>> folder = package(models.build_forecaster(4, units=2, seed=0), scratch.name,
    ...                  feature_names=["y"], target_name="y")
    >>> sorted(p.name for p in folder.iterdir())
    ['manifest.json', 'model.keras']
    >>> load_package(folder).manifest["window"]
    4
    >>> scratch.cleanup()
    """
    from helpers import models

    window, n_features, horizon = _model_shapes(model)
    names, target_name = _check_names(feature_names, target_name, n_features)
    scaled = None if scaler is None else _scaler_parameters(scaler, names, target_name)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    try:
        notes = json.loads(json.dumps(metadata or {}, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise TypeError(f"metadata must be JSON-serialisable: {error}") from error
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}")
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(
            f"directory {directory.name!r} already exists and is not an empty folder: "
            "package into a new folder (one folder per model version)"
        )
    directory.mkdir(parents=True, exist_ok=True)

    models.save_model(model, directory / MODEL_FILE)
    files = [MODEL_FILE]
    if scaled is not None:
        (directory / SCALER_FILE).write_text(json.dumps(scaled, indent=2) + "\n")
        files.append(SCALER_FILE)
    hashes = {name: _sha256(directory / name) for name in files}
    manifest = {
        "format": FORMAT,
        "model_version": hashes[MODEL_FILE][:12],
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "window": window,
        "n_features": n_features,
        "features": names,
        "horizon": horizon,
        "target": target_name,
        "scaler": None if scaled is None else scaled["kind"],
        "input_dtype": str(model.inputs[0].dtype),
        "versions": _versions(with_scaler=scaled is not None),
        "metadata": notes,
        "files": hashes,
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return directory


def _read_manifest(directory) -> tuple[Path, dict]:
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}")
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no model package at {str(directory)!r}: not a folder")
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{str(directory)!r} holds no {MANIFEST_FILE}: not a package written by "
            "serving.package (or one whose writing did not finish)"
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(
            f"{MANIFEST_FILE} is not valid JSON ({error}): re-package the model"
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ValueError(f"{MANIFEST_FILE} must declare format {FORMAT!r}, got {found!r}")
    return directory, manifest


def _verify_files(directory: Path, manifest: dict) -> None:
    files = manifest.get("files")
    expected = {MODEL_FILE} | ({SCALER_FILE} if manifest.get("scaler") else set())
    if not isinstance(files, dict) or set(files) != expected:
        listed = sorted(files) if isinstance(files, dict) else files
        raise ValueError(
            f"{MANIFEST_FILE} must list the hashes of exactly {sorted(expected)}, got {listed!r}"
        )
    for name, digest in files.items():
        path = directory / name
        if not path.is_file():
            raise FileNotFoundError(f"the package lacks {name}, which {MANIFEST_FILE} lists")
        actual = _sha256(path)
        if actual != digest:
            raise ValueError(
                f"{name} does not match its SHA-256 in {MANIFEST_FILE} (expected "
                f"{str(digest)[:12]}..., found {actual[:12]}...): the file changed after "
                "packaging; refusing to serve it. Re-package the model."
            )


@dataclass(frozen=True)
class _Scaling:
    """The stored scaler, applied with the same arithmetic scikit-learn uses."""

    kind: str
    parameters: dict
    target: int

    def transform(self, X):  # (n, window, n_features), raw -> scaled, float64
        X = np.array(X, dtype=float)  # a copy
        p = self.parameters
        if self.kind == "StandardScaler":  # z = (x - mean) / scale
            if p["mean_"] is not None:
                X -= np.asarray(p["mean_"])
            if p["scale_"] is not None:
                X /= np.asarray(p["scale_"])
        else:  # MinMaxScaler: z = x * scale + min
            X *= np.asarray(p["scale_"])
            X += np.asarray(p["min_"])
            if p["clip"]:
                np.clip(X, *p["feature_range"], out=X)
        return X

    def inverse_target(self, z):  # (n, horizon), scaled target -> raw, float64
        z = np.array(z, dtype=float)
        p, j = self.parameters, self.target
        if self.kind == "StandardScaler":  # x = z * scale + mean
            if p["scale_"] is not None:
                z *= p["scale_"][j]
            if p["mean_"] is not None:
                z += p["mean_"][j]
        else:  # x = (z - min) / scale
            z -= p["min_"][j]
            z /= p["scale_"][j]
        return z


def _read_scaling(directory: Path, manifest: dict) -> _Scaling | None:
    if not manifest.get("scaler"):
        return None
    stored = json.loads((directory / SCALER_FILE).read_text())
    kind = stored.get("kind")
    if kind not in _SCALER_PARAMETERS or stored.get("features") != manifest["features"]:
        raise ValueError(f"{SCALER_FILE} does not describe a scaler over {manifest['features']}")
    return _Scaling(kind, stored, manifest["features"].index(manifest["target"]))


class ServedModel:
    """A loaded package: ``predict`` takes raw windows and returns raw forecasts.

    Made by :func:`load_package`; the service of :func:`create_app` answers
    with exactly what :meth:`predict` returns.

    Attributes
    ----------
    manifest : dict
        The package's ``manifest.json``.
    window, n_features, horizon : int
    features : list of str
    target : str
    model_version : str
        The first 12 hex digits of ``model.keras``'s SHA-256.
    """

    def __init__(self, model, manifest: dict, scaling: _Scaling | None):
        import tensorflow as tf

        self.manifest = manifest
        self.window, self.n_features = manifest["window"], manifest["n_features"]
        self.horizon, self.features = manifest["horizon"], list(manifest["features"])
        self.target, self.model_version = manifest["target"], manifest["model_version"]
        self._model, self._scaling = model, scaling
        self._dtype = manifest["input_dtype"]
        spec = tf.TensorSpec((None, self.window, self.n_features), self._dtype)
        # Traced once for any batch size: later calls skip Python's layer-by-layer dispatch.
        self._forward = tf.function(lambda x: model(x, training=False), input_signature=[spec])
        self._forward(np.zeros((1, self.window, self.n_features), self._dtype))  # trace now

    def __repr__(self):
        return (
            f"ServedModel(window={self.window}, features={self.features}, "
            f"horizon={self.horizon}, target={self.target!r}, version={self.model_version!r})"
        )

    def predict(self, windows):
        """Forecast raw windows in raw units.

        Parameters
        ----------
        windows : array-like, shape (n, window, n_features)
            Raw values, oldest first; ``(n, window)`` is accepted for one feature.

        Returns
        -------
        numpy.ndarray of float64, shape (n, horizon)

        Raises
        ------
        TypeError
            If ``windows`` does not hold real numbers.
        ValueError
            If its shape does not match the package, it is empty, or it holds
            NaN or infinite values.
        """
        X = np.asarray(windows)
        if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
            raise TypeError(f"windows must hold real numbers, got dtype {X.dtype}")
        if X.ndim == 2 and self.n_features == 1:
            X = X[:, :, np.newaxis]
        expected = f"(n, {self.window}, {self.n_features})"
        if X.ndim != 3 or X.shape[1:] != (self.window, self.n_features):
            raise ValueError(f"windows must have shape {expected}, got {np.shape(windows)}")
        if len(X) == 0:
            raise ValueError(f"windows is empty: shape {np.shape(windows)}, expected {expected}")
        if not np.all(np.isfinite(X)):
            raise ValueError("windows contains NaN or infinite values: fill or drop them first")
        return self._predict(X.astype(float))

    def _predict(self, X):  # (n, window, n_features) raw float64 -> (n, horizon) raw float64
        Z = X if self._scaling is None else self._scaling.transform(X)
        if np.abs(Z).max() > np.finfo(self._dtype).max:
            raise RequestProblem(f"a value is too large for the model's {self._dtype} inputs")
        z = self._forward(Z.astype(self._dtype)).numpy().astype(float)  # (n, horizon)
        forecast = z if self._scaling is None else self._scaling.inverse_target(z)
        if not np.all(np.isfinite(forecast)):
            raise RequestProblem(
                "the model's forecast is not finite for these values: they lie far outside "
                "the range it was trained on"
            )
        return forecast


def load_package(directory):
    """Load a package written by :func:`package`, after checking every file's SHA-256.

    Parameters
    ----------
    directory : str or os.PathLike

    Returns
    -------
    ServedModel
        ``.predict(windows)`` on raw values, ``.manifest``, ``.model_version``.

    Raises
    ------
    TypeError
        If ``directory`` is not a path.
    FileNotFoundError
        If the folder, its manifest or a file the manifest lists is missing.
    ValueError
        If a file does not match its hash, the manifest is malformed, or the
        model would need unsafe deserialisation (e.g. a ``Lambda`` layer).
    """
    directory, manifest = _read_manifest(directory)
    _verify_files(directory, manifest)
    scaling = _read_scaling(directory, manifest)
    import keras

    model = keras.saving.load_model(directory / MODEL_FILE, safe_mode=True, compile=False)
    shape = (manifest.get("window"), manifest.get("n_features"))
    if tuple(model.input_shape[1:]) != shape:
        raise ValueError(
            f"{MANIFEST_FILE} says windows {shape}, the model reads {model.input_shape}"
        )
    installed = _versions(with_scaler=scaling is not None)
    differ = {k: v for k, v in manifest.get("versions", {}).items() if installed.get(k) != v}
    if differ:
        _LOG.warning("package written with %s; installed: %s", differ, installed)
    return ServedModel(model, manifest, scaling)


# --------------------------------------------------------------------------- requests


def _number(value, where: str) -> float:
    if isinstance(value, bool):
        raise RequestProblem(f"{where} is {str(value).lower()}, expected a number")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise RequestProblem(
                f"{where} = {value!r} is not a finite number (a value too large for a 64-bit "
                "float, such as 1e999, reads as inf): send finite numbers"
            )
        return number
    if value is None:
        raise RequestProblem(
            f"{where} is null: a forecast needs every value; fill missing values before sending"
        )
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise RequestProblem(f"{where} is a string {shown!r}, expected a number")
    kind = "a list" if isinstance(value, list) else "an object"
    raise RequestProblem(f"{where} is {kind}, expected a number")


def _parse_window(value, where: str, served: ServedModel) -> np.ndarray:
    """One JSON window -> (window, n_features) float64, or a RequestProblem naming the fault."""
    W, F = served.window, served.n_features
    shape = f"{W} rows of {F} number(s) ({', '.join(served.features)})"
    if not isinstance(value, list):
        raise RequestProblem(f"{where} must be a list of {shape}, got {type(value).__name__}")
    if not value:
        raise RequestProblem(f"{where} is empty: it must hold {shape}")
    nested = [isinstance(row, list) for row in value]
    if not any(nested):  # a flat list: one value per time step
        if F != 1:
            raise RequestProblem(
                f"{where} is a flat list of {len(value)} values, but the model reads {F} "
                f"features per time step: send {shape}"
            )
        value = [[v] for v in value]
    elif not all(nested):
        i = nested.index(False)
        raise RequestProblem(f"{where} mixes rows and bare values ({where}[{i}] is not a list)")
    lengths = [len(row) for row in value]
    if len(set(lengths)) > 1:
        i = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise RequestProblem(
            f"{where} has ragged rows: {where}[{i}] has {lengths[i]} values, "
            f"{where}[0] has {lengths[0]}"
        )
    if lengths[0] != F:
        raise RequestProblem(
            f"{where} has {lengths[0]} value(s) per row, but the model reads {F} feature(s) per "
            f"time step ({', '.join(served.features)})"
        )
    if len(value) != W:
        raise RequestProblem(
            f"{where} has {len(value)} rows (time steps), but the model reads windows of {W}"
        )
    rows = [
        [_number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(value)
    ]
    return np.array(rows, dtype=float)  # (window, n_features)


def _reject_constant(name: str):
    raise RequestProblem(
        f"the body contains {name}, which JSON does not allow (RFC 8259 has no NaN or Infinity) "
        "and which cannot be forecast: send finite numbers, and fill missing values first",
        status=400,
    )


def _parse_body(body: bytes, served: ServedModel, max_batch: int) -> tuple[str, np.ndarray]:
    """Request bytes -> ("window" or "windows", (n, window, n_features) raw values)."""
    try:
        payload = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise RequestProblem("the body is not valid JSON: it is nested too deeply", 400) from None
    except RequestProblem:
        raise
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise RequestProblem(f"the body is not valid JSON: {error}", 400) from None
    example = 'send {"window": [[...], ...]} for one window or {"windows": [...]} for a batch'
    if not isinstance(payload, dict):
        raise RequestProblem(f"the body must be a JSON object; {example}")
    keys = set(payload)
    if len(keys & {"window", "windows"}) != 1 or keys - {"window", "windows"}:
        raise RequestProblem(f"the body has the fields {sorted(keys)}; {example}")
    if "window" in payload:
        return "window", _parse_window(payload["window"], "window", served)[np.newaxis]
    windows = payload["windows"]
    if not isinstance(windows, list) or not windows:
        raise RequestProblem(f"windows must be a non-empty list of windows; {example}")
    if len(windows) > max_batch:
        raise RequestProblem(
            f"the batch holds {len(windows)} windows; this service takes at most {max_batch} "
            "per request: split it",
            status=413,
        )
    return "windows", np.stack(
        [_parse_window(w, f"windows[{i}]", served) for i, w in enumerate(windows)]
    )


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = RequestProblem(
        f"the body is larger than this service's limit of {limit:,} bytes: send fewer windows "
        "per request",
        status=413,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


class _RequestLog:
    """ASGI middleware: one log line per request, ``METHOD PATH STATUS LATENCY``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def send_and_note_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            milliseconds = 1000 * (time.perf_counter() - start)
            _LOG.info("%s %s %d %.1f ms", scope["method"], scope["path"], status, milliseconds)


def create_app(directory, *, max_batch=MAX_BATCH, max_body_bytes=MAX_BODY_BYTES):
    """Build the FastAPI service of a model package (loaded and checked now).

    Routes:

    - ``POST /forecast``: ``{"window": [[...], ...]}`` (``window`` rows of
      ``n_features`` raw values; a flat list for one feature) answers
      ``{"forecast": [...], "model_version": ...}``; ``{"windows": [...]}``
      answers ``{"forecasts": [[...], ...], "model_version": ...}``.
    - ``GET /health``: ``{"status": "ok"}``.
    - ``GET /model``: the manifest.

    A bad request gets ``{"detail": message}``: 400 for a body that is not
    JSON (``NaN`` and ``Infinity`` included: JSON has neither), 413 for a
    body over ``max_body_bytes`` or a batch over ``max_batch``, 422 for JSON
    that is not a valid window. Every request is logged on the
    ``helpers.serving`` logger as ``METHOD PATH STATUS LATENCY``.

    Parameters
    ----------
    directory : str or os.PathLike
        A package from :func:`package`.
    max_batch : int, default MAX_BATCH
        Most windows per request.
    max_body_bytes : int, default MAX_BODY_BYTES
        Largest request body.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_package`, or if a limit is not a positive integer.
    """
    for name, value in {"max_batch": max_batch, "max_body_bytes": max_body_bytes}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    served = load_package(directory)
    app = FastAPI(title=f"Forecast of {served.target}", version=served.model_version)
    app.add_middleware(_RequestLog)
    app.state.served = served

    @app.exception_handler(RequestProblem)
    async def answer_problem(request: Request, problem: RequestProblem):
        return JSONResponse({"detail": str(problem)}, status_code=problem.status)

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/model")
    async def model_manifest():
        return served.manifest

    @app.post("/forecast")
    async def forecast(request: Request):
        body = await _read_body(request, max_body_bytes)
        key, X = _parse_body(body, served, max_batch)  # (n, window, n_features)
        values = await run_in_threadpool(served._predict, X)  # (n, horizon)
        answer = values[0].tolist() if key == "window" else values.tolist()
        name = "forecast" if key == "window" else "forecasts"
        return {name: answer, "model_version": served.model_version}

    return app


# --------------------------------------------------------------------------- running it


def free_port(host="127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the operating system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class RunningServer:
    """A service running in a subprocess, started by :func:`serve_in_subprocess`.

    Stop it with :meth:`stop`, or use it as a context manager. It also stops
    when the Python process that started it exits (an exit hook here, and the
    server's own watch on its parent process, should that process be killed).

    Attributes
    ----------
    url : str
        ``http://host:port``.
    port : int
    process : subprocess.Popen
    log_path : pathlib.Path
        The server's log (stdout and stderr).
    """

    def __init__(self, url, port, process, log_path, *, cleanup=None):
        self.url, self.port, self.process, self.log_path = url, port, process, Path(log_path)
        self._cleanup = cleanup
        atexit.register(self.stop)

    def __repr__(self):
        state = "running" if self.process.poll() is None else f"stopped ({self.process.returncode})"
        return f"RunningServer({self.url!r}, {state})"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def log_lines(self) -> list[str]:
        """The server's log so far, one string per line."""
        return self.log_path.read_text(errors="replace").splitlines()

    def stop(self, timeout: float = 15.0) -> int:
        """Stop the server (SIGTERM, then a kill after ``timeout`` s); return its exit code.

        Calling it again does nothing more.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None
        atexit.unregister(self.stop)
        return self.process.returncode


def _wait_until_healthy(process, url: str, log_path: Path, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-5:])
            raise RuntimeError(f"the server exited with code {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the server did not answer {url}/health within {timeout:g} s")


def serve_in_subprocess(directory, *, host="127.0.0.1", port=None, log_path=None, timeout=300.0):
    """Start ``python -m helpers.serving DIRECTORY`` in a subprocess and wait until it answers.

    Returns once ``GET /health`` answers. Use the result as a context manager
    (``with serve_in_subprocess(folder) as server: ...``) or call
    ``server.stop()``; either way the server also stops when this Python
    process ends, even if it is killed, so a failed notebook cell or test
    leaves no server behind.

    Parameters
    ----------
    directory : str or os.PathLike
        A package from :func:`package`.
    host : str, default "127.0.0.1"
        Only this machine can connect.
    port : int, optional
        Default: a free port.
    log_path : str or os.PathLike, optional
        The server's log (stdout and stderr) goes here; default a temporary
        file, deleted when the server stops. Nothing reaches the caller's terminal.
    timeout : float, default 300
        Seconds to wait for the server to answer. It imports TensorFlow first: a few
        seconds on an idle laptop, but we measured 113 s on a 2-core machine busy
        running other lessons' kernels, hence the margin.

    Returns
    -------
    RunningServer
        ``.url`` (``http://host:port``), ``.port``, ``.process``, ``.log_lines()``, ``.stop()``.

    Raises
    ------
    RuntimeError
        If the server exits before it answers (e.g. a tampered package), with
        the end of its log.
    TimeoutError
        If it does not answer within ``timeout`` seconds (it is stopped).
    """
    port = free_port(host) if port is None else port
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's helpers, first
    paths = [root, os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    cleanup = None
    if log_path is None:
        scratch = tempfile.TemporaryDirectory()
        log_path, cleanup = Path(scratch.name) / "server.log", scratch.cleanup
    log_path = Path(log_path)
    command = [sys.executable, "-m", "helpers.serving", str(directory), "--host", host,
               "--port", str(port), "--exit-with-parent", str(os.getpid())]  # fmt: skip
    with open(log_path, "ab") as log:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
        )
    server = RunningServer(f"http://{host}:{port}", port, process, log_path, cleanup=cleanup)
    try:
        _wait_until_healthy(process, server.url, log_path, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _exit_with_parent(parent: int) -> None:
    """Stop this server (SIGTERM to itself) once the process that started it is gone."""

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        print(f"the parent process {parent} has ended: stopping the server", file=sys.stderr)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.serving",
        description="Serve a model package (from helpers.serving.package) over HTTP.",
    )
    parser.add_argument("directory", help="the package folder")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH, help="windows per request")
    parser.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES, help="body size")
    parser.add_argument("--exit-with-parent", type=int, metavar="PID", help=argparse.SUPPRESS)
    return parser


def main(argv=None) -> int:
    """``python -m helpers.serving DIRECTORY [--host 127.0.0.1] [--port 8000]``.

    Returns 1, with a message on stderr, if the package is missing or tampered
    with; otherwise serves until stopped (Ctrl+C or SIGTERM) and returns 0.
    """
    args = _parser().parse_args(argv)
    if args.exit_with_parent is not None:
        _exit_with_parent(args.exit_with_parent)
    if not 0 <= args.port <= 65535:
        _parser().error(f"--port must be between 0 and 65535, got {args.port}")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        app = create_app(
            args.directory, max_batch=args.max_batch, max_body_bytes=args.max_body_bytes
        )
    except (OSError, ValueError) as error:
        print(f"error: cannot serve {args.directory}: {error}", file=sys.stderr)
        return 1
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _LOG.warning(
            "binding %s: other machines can reach this service, which has no authentication",
            args.host,
        )
    import uvicorn

    # log_config=None: uvicorn's own lines go through the format above; access_log=False:
    # the one line per request is _RequestLog's, with its latency.
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
