"""A model package: one folder that holds everything a service needs to forecast raw values.

::

    folder = model_package.package(model, "forecaster-v1", feature_names=["sine"],
                                   target_name="sine", scaler=scaled.scaler,
                                   training_data=split.train)
    served = model_package.load_package(folder)   # refuses files changed since packaging
    served.predict(raw_windows)                   # (n, window, n_features) -> (n, horizon)
    served.out_of_range(raw_windows)              # values far outside the training data

(``helpers.serving`` re-exports ``package`` and ``load_package``.)

The folder holds ``model.keras`` (the native Keras format), ``scaler.json`` (the
fitted scaler's parameters, when there is one) and ``manifest.json`` (window,
features, horizon, target, the training data's mean and standard deviation per
feature, library versions, and the SHA-256 of every other file).

The scaler is stored as JSON numbers, not as a pickle: unpickling runs whatever
code the file names, so a pickled scaler is a program, while JSON numbers are
only numbers. The model is loaded with Keras's ``safe_mode=True`` for the same
reason. The hashes catch a file that was corrupted or replaced after packaging;
they do not stop someone who rewrites the manifest as well (that takes a
signature, which a model registry adds), but such a package gets another
**version**: :func:`package_version` hashes every file, the manifest included.

TensorFlow is imported only when a model is saved or loaded: checking a package
(:func:`check_package`, and refusing a tampered one) takes a fraction of a second.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import platform
from dataclasses import dataclass
from importlib import metadata as _metadata
from pathlib import Path

import numpy as np

from helpers import _checks

__all__ = [
    "FORMAT",
    "OUT_OF_RANGE_SD",
    "MODEL_FILE",
    "SCALER_FILE",
    "MANIFEST_FILE",
    "RequestProblem",
    "package",
    "check_package",
    "package_version",
    "load_package",
    "ServedModel",
]

#: Written into every manifest; :func:`load_package` refuses any other value.
FORMAT = "helpers.serving/2"
#: The default rule for inputs outside the training data: farther than this many
#: training standard deviations from the training mean.
OUT_OF_RANGE_SD = 4.0

MODEL_FILE, SCALER_FILE, MANIFEST_FILE = "model.keras", "scaler.json", "manifest.json"
_SCALER_PARAMETERS = {"StandardScaler": ("mean_", "scale_"), "MinMaxScaler": ("min_", "scale_")}
_LOG = logging.getLogger("helpers.serving")
_LOG.addHandler(logging.NullHandler())  # a library logs; the application decides where to


class RequestProblem(ValueError):
    """A client's mistake: a service answers ``status`` (4xx) with this message, never a 500."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- writing


def _sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _versions(*, with_scaler: bool) -> dict:
    import helpers

    names = ["keras", "tensorflow", "numpy"] + (["scikit-learn"] if with_scaler else [])
    versions = {"helpers": helpers.__version__, "python": platform.python_version()}
    return versions | {name: _metadata.version(name) for name in names}


def _check_directory(directory) -> Path:
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}")
    return Path(directory)


def _check_names(feature_names, target_name, n_features: int) -> tuple[list[str], str]:
    if isinstance(feature_names, str) or not isinstance(feature_names, (list, tuple)):
        raise TypeError(
            f"feature_names must be a list of column names, got {type(feature_names).__name__}"
        )
    names = [_checks.column_name(name, "feature_names") for name in feature_names]
    if len(set(names)) != len(names):
        raise ValueError(f"feature_names must not repeat a name, got {names!r}")
    if len(names) != n_features:
        raise ValueError(
            f"feature_names must name the model's {n_features} input feature(s), "
            f"got {len(names)}: {names!r}"
        )
    return names, _checks.column_name(target_name, "target_name")


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


def _training_statistics(training_data, names: list[str]) -> dict | None:
    """Mean, standard deviation, minimum and maximum of every feature's training values."""
    if training_data is None:
        return None
    if hasattr(training_data, "columns"):  # a DataFrame: its columns named as the features
        frame = _checks.dataframe(training_data, "training_data")
        _checks.column_positions(
            names, list(frame.columns), "feature_names (training_data's columns)", positions=False
        )
        training_data = frame[names].to_numpy()
    values = _checks.finite_array(training_data, "training_data")  # (rows, n_features)
    if values.ndim == 1 and len(names) == 1:
        values = values[:, np.newaxis]
    if values.ndim != 2 or values.shape[1] != len(names) or len(values) < 2:
        raise ValueError(
            f"training_data must hold at least 2 rows of the {len(names)} feature(s) "
            f"{names!r}, got shape {values.shape}"
        )
    columns = zip(names, values.T, strict=True)
    return {
        "rows": len(values),
        "features": {
            name: {"mean": float(column.mean()), "sd": float(column.std(ddof=1)),
                   "min": float(column.min()), "max": float(column.max())}
            for name, column in columns
        },
    }  # fmt: skip


def package(
    model, directory, *, feature_names, target_name, scaler=None, training_data=None, metadata=None
):
    """Write a model package: the model, its scaling, its training range and a manifest.

    The manifest is written last, so a half-written folder has none and is never served.

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
    training_data : DataFrame or array-like, shape (rows, n_features), optional
        The raw training rows (a DataFrame with the ``feature_names`` columns, or
        an array in their order). Their mean, standard deviation, minimum and
        maximum per feature go into the manifest, so a service can flag inputs
        far outside them (:meth:`ServedModel.out_of_range`). None: nothing is flagged.
    metadata : dict, optional
        JSON-serialisable notes stored as they are (data source, metrics, ...).

    Returns
    -------
    pathlib.Path
        ``directory``.

    Raises
    ------
    TypeError
        If ``model``, a name, ``scaler``, ``training_data`` or ``metadata`` has the wrong type.
    ValueError
        If the names do not match the model, the scaler or ``training_data``, the
        scaler is not fitted, or ``training_data`` holds NaN or fewer than 2 rows.
    FileExistsError
        If ``directory`` exists and is not an empty folder.

    Examples
    --------
    >>> import tempfile
    >>> from helpers import models
    >>> scratch = tempfile.TemporaryDirectory()
    >>> folder = package(models.build_forecaster(4, units=2, seed=0), scratch.name,
    ...                  feature_names=["y"], target_name="y", training_data=[1.0, 2.0, 3.0])
    >>> sorted(p.name for p in folder.iterdir())
    ['manifest.json', 'model.keras']
    >>> check_package(folder)["training"]["features"]["y"]["sd"]
    1.0
    >>> scratch.cleanup()
    """
    from helpers import models

    window, n_features, horizon = _model_shapes(model)
    names, target_name = _check_names(feature_names, target_name, n_features)
    scaled = None if scaler is None else _scaler_parameters(scaler, names, target_name)
    training = _training_statistics(training_data, names)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    try:
        notes = json.loads(json.dumps(metadata or {}, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise TypeError(f"metadata must be JSON-serialisable: {error}") from error
    directory = _check_directory(directory)
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
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "window": window,
        "n_features": n_features,
        "features": names,
        "horizon": horizon,
        "target": target_name,
        "scaler": None if scaled is None else scaled["kind"],
        "input_dtype": str(model.inputs[0].dtype),
        "training": training,
        "versions": _versions(with_scaler=scaled is not None),
        "metadata": notes,
        "files": {name: _sha256(directory / name) for name in files},
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return directory


# --------------------------------------------------------------------------- checking


def _read_manifest(directory: Path) -> dict:
    if not directory.is_dir():
        raise FileNotFoundError(f"no model package at {str(directory)!r}: not a folder")
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{str(directory)!r} holds no {MANIFEST_FILE}: not a package written by "
            "package() (or one whose writing did not finish)"
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(
            f"{MANIFEST_FILE} is not valid JSON ({error}): re-package the model"
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ValueError(
            f"{MANIFEST_FILE} must declare format {FORMAT!r}, got {found!r}: re-package the "
            "model with this version of helpers"
        )
    return manifest


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


def package_version(directory) -> str:
    """The package's version: a hash over every file of it, the manifest included.

    The first 12 hex digits of the SHA-256 of the lines ``<sha256>  <name>``, one
    per file in name order, which is what ``sha256sum manifest.json model.keras
    scaler.json | sha256sum`` prints on Linux. New weights, a new scaler or a new
    manifest (another training range, another creation time) give a new version.

    Parameters
    ----------
    directory : str or os.PathLike
        A package folder; its files are hashed as they are, not checked (see
        :func:`check_package`).

    Returns
    -------
    str
        12 hex digits.

    Raises
    ------
    TypeError
        If ``directory`` is not a path.
    FileNotFoundError
        If the folder or its manifest is missing.
    """
    directory = _check_directory(directory)
    manifest = _read_manifest(directory)
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    names = sorted({MANIFEST_FILE, *listed})
    lines = "".join(f"{_sha256(directory / name)}  {name}\n" for name in names)
    return hashlib.sha256(lines.encode()).hexdigest()[:12]


def check_package(directory) -> dict:
    """Check a package without loading its model: its manifest, and every file's SHA-256.

    Fast (no TensorFlow): a service calls it before anything else, so a tampered
    package is refused at once.

    Parameters
    ----------
    directory : str or os.PathLike

    Returns
    -------
    dict
        The manifest, with ``"model_version"`` (:func:`package_version`) added.

    Raises
    ------
    TypeError
        If ``directory`` is not a path.
    FileNotFoundError
        If the folder, its manifest or a file the manifest lists is missing.
    ValueError
        If a file does not match its hash, or the manifest is malformed.
    """
    directory = _check_directory(directory)
    manifest = _read_manifest(directory)
    _verify_files(directory, manifest)
    return manifest | {"model_version": package_version(directory)}


# --------------------------------------------------------------------------- loading


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

    Made by :func:`load_package`.

    Attributes
    ----------
    manifest : dict
        The package's ``manifest.json``, with ``model_version`` added.
    window, n_features, horizon : int
    features : list of str
    target : str
    model_version : str
        :func:`package_version`: 12 hex digits of a hash over every file.
    training : dict or None
        The training data's ``mean``, ``sd``, ``min`` and ``max`` per feature.
    """

    def __init__(self, model, manifest: dict, scaling: _Scaling | None):
        import tensorflow as tf

        self.manifest = manifest
        self.window, self.n_features = manifest["window"], manifest["n_features"]
        self.horizon, self.features = manifest["horizon"], list(manifest["features"])
        self.target, self.model_version = manifest["target"], manifest["model_version"]
        self.training = manifest.get("training")
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

    def _windows(self, windows) -> np.ndarray:
        X = _checks.real_array(windows, "windows")
        if X.ndim == 2 and self.n_features == 1:
            X = X[:, :, np.newaxis]  # (n, window) for one feature
        X = _checks.windows(X, "windows", timesteps=self.window, features=self.n_features)
        return X.astype(float, copy=False)

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
        return self._predict(self._windows(windows))

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

    def out_of_range(self, windows, *, sd=OUT_OF_RANGE_SD) -> list[dict]:
        r"""The values of each window farther than ``sd`` training standard deviations out.

        The rule: a value :math:`x` of feature :math:`j` is outside the training
        range when :math:`|x - \mu_j| > k\, s_j`, with :math:`\mu_j` and :math:`s_j`
        the mean and standard deviation of that feature's training values and
        :math:`k` = ``sd``. (A feature that was constant in training, :math:`s_j = 0`,
        flags every other value.)

        Parameters
        ----------
        windows : array-like, shape (n, window, n_features)
            Raw values, as :meth:`predict` takes them.
        sd : float, default OUT_OF_RANGE_SD
            :math:`k`, a positive number.

        Returns
        -------
        list of dict
            One per window and feature with a value outside: ``window`` (its
            index), ``feature``, ``value`` (the farthest), ``count`` (how many of
            the window's values of that feature are outside) and ``rule`` in
            words. Empty when nothing is outside, or the package stores no
            training statistics.

        Raises
        ------
        TypeError, ValueError
            As :meth:`predict` for ``windows``; if ``sd`` is not a positive number.
        """
        k = _checks.real(sd, "sd", low=0, low_open=True)
        X = self._windows(windows)  # (n, window, n_features)
        return [] if self.training is None else self._out_of_range(X, k)

    def _out_of_range(self, X, k: float) -> list[dict]:
        stats = [self.training["features"][name] for name in self.features]
        mean = np.array([s["mean"] for s in stats])  # (n_features,)
        spread = np.array([s["sd"] for s in stats])
        distance = np.abs(X - mean)  # (n, window, n_features)
        outside = distance > k * spread
        found = []
        for i, j in zip(*np.nonzero(outside.any(axis=1)), strict=True):
            farthest = X[i, np.argmax(distance[i, :, j]), j]
            found.append({
                "window": int(i), "feature": self.features[j], "value": float(farthest),
                "count": int(outside[i, :, j].sum()),
                "rule": f"|value - training mean| > {k:g} training sd (mean {mean[j]:.4g}, "
                        f"sd {spread[j]:.4g}: outside [{mean[j] - k * spread[j]:.4g}, "
                        f"{mean[j] + k * spread[j]:.4g}])",
            })  # fmt: skip
        return found


def load_package(directory):
    """Load a package written by :func:`package`, after checking every file's SHA-256.

    Parameters
    ----------
    directory : str or os.PathLike

    Returns
    -------
    ServedModel
        ``.predict(windows)`` on raw values, ``.out_of_range(windows)``,
        ``.manifest``, ``.model_version``.

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
    manifest = check_package(directory)
    directory = Path(directory)
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
