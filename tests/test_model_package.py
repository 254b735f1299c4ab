"""The model package: what it writes, what it refuses, its version, its training range.

One tiny model (3 LSTM units, untrained: its numbers need not be good, only
served faithfully) with two features and a fitted scaler whose target is the
SECOND column, so a package that un-scaled with the wrong column's parameters,
or not at all, would be caught.
"""

import hashlib
import json
import shutil
import subprocess

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, StandardScaler

from helpers import model_package, models
from helpers.model_package import check_package, load_package, package, package_version

WINDOW, HORIZON, FEATURES, TARGET = 6, 2, ["a", "b"], "b"


def _frame(seed=0, n=200):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(50.0, 8.0, n), "b": rng.normal(-3.0, 0.5, n)})


def _raw_windows(n, seed=1):
    rng = np.random.default_rng(seed)
    return np.stack([rng.normal(50.0, 8.0, (n, WINDOW)), rng.normal(-3.0, 0.5, (n, WINDOW))], -1)


@pytest.fixture(scope="module")
def model():
    return models.build_forecaster(WINDOW, len(FEATURES), units=3, horizon=HORIZON, seed=0)


@pytest.fixture(scope="module")
def scaler():
    return StandardScaler().fit(_frame())


@pytest.fixture(scope="module")
def folder(tmp_path_factory, model, scaler):
    path = tmp_path_factory.mktemp("package") / "forecaster"
    return package(
        model, path, feature_names=FEATURES, target_name=TARGET, scaler=scaler,
        training_data=_frame(), metadata={"trained_on": "test frame"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def served(folder):
    return load_package(folder)


def _copy(folder, tmp_path):
    return shutil.copytree(folder, tmp_path / "copy")


# --------------------------------------------------------------------------- writing


def test_package_writes_model_scaler_and_a_manifest_with_every_hash(folder):
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "model.keras",
        "scaler.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == model_package.FORMAT
    assert (manifest["window"], manifest["n_features"], manifest["horizon"]) == (WINDOW, 2, HORIZON)
    assert manifest["features"] == FEATURES and manifest["target"] == TARGET
    assert manifest["scaler"] == "StandardScaler"
    assert manifest["metadata"] == {"trained_on": "test frame"}
    assert {"keras", "tensorflow", "numpy", "scikit-learn", "python"} <= set(manifest["versions"])
    assert manifest["versions"]["keras"] == keras.__version__
    for name in ("model.keras", "scaler.json"):
        assert manifest["files"][name] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    pd.Timestamp(manifest["created"])  # an ISO time stamp


def test_the_training_statistics_are_those_of_the_training_rows(folder):
    stored = json.loads((folder / "manifest.json").read_text())["training"]
    frame = _frame()
    assert stored["rows"] == len(frame)
    for name in FEATURES:
        column = frame[name]
        expected = [column.mean(), column.std(ddof=1), column.min(), column.max()]
        got = [stored["features"][name][key] for key in ("mean", "sd", "min", "max")]
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_training_data_as_an_array_in_feature_order_equals_the_frame(tmp_path, model):
    frame = _frame()
    # The frame's columns are found by name, in any order.
    one = package(model, tmp_path / "frame", feature_names=FEATURES, target_name=TARGET,
                  training_data=frame[["b", "a"]])  # fmt: skip
    two = package(model, tmp_path / "array", feature_names=FEATURES, target_name=TARGET,
                  training_data=frame.to_numpy())  # fmt: skip
    assert check_package(one)["training"] == check_package(two)["training"]


def test_scaler_is_stored_as_json_numbers_not_a_pickle(folder, scaler):
    stored = json.loads((folder / "scaler.json").read_text())
    assert stored["kind"] == "StandardScaler" and stored["features"] == FEATURES
    np.testing.assert_array_equal(stored["mean_"], scaler.mean_)
    np.testing.assert_array_equal(stored["scale_"], scaler.scale_)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(feature_names=["a"]), ValueError, "2 input feature"),
        (dict(feature_names="ab"), TypeError, "list of column names"),
        (dict(feature_names=["a", ""]), TypeError, "column name"),
        (dict(feature_names=["a", "a"]), ValueError, "repeat"),
        (dict(target_name=""), TypeError, "target_name"),
        (dict(target_name="c", scaler=StandardScaler().fit(_frame())), ValueError, "one of"),
        (dict(scaler=StandardScaler()), ValueError, "fitted"),
        (dict(scaler=StandardScaler().fit(_frame()[["a"]])), ValueError, "1 column"),
        (
            dict(feature_names=["b", "a"], scaler=StandardScaler().fit(_frame())),
            ValueError,
            "order",
        ),
        (dict(scaler=QuantileTransformer(n_quantiles=10).fit(_frame())), TypeError, "pickle"),
        (dict(training_data=_frame()[["a"]]), ValueError, "unknown column 'b'"),
        (dict(training_data=np.zeros((10, 3))), ValueError, "2 feature"),
        (dict(training_data=np.zeros((1, 2))), ValueError, "at least 2 rows"),
        (dict(training_data=np.full((5, 2), np.nan)), ValueError, "finite"),
        (dict(training_data=[["x", "y"]] * 3), TypeError, "real numbers"),
        (dict(metadata={"when": object()}), TypeError, "JSON"),
        (dict(metadata=[1]), TypeError, "dict"),
    ],
)
def test_package_refuses_what_it_cannot_serve(tmp_path, model, kwargs, error, match):
    arguments = dict(feature_names=FEATURES, target_name=TARGET) | kwargs
    with pytest.raises(error, match=match):
        package(model, tmp_path / "p", **arguments)
    assert not (tmp_path / "p").exists()  # refused before anything was written


def test_package_refuses_a_folder_that_holds_files_and_a_path_that_is_not_one(tmp_path, model):
    (tmp_path / "old.txt").write_text("an earlier version")
    with pytest.raises(FileExistsError, match="new folder"):
        package(model, tmp_path, feature_names=FEATURES, target_name=TARGET)
    with pytest.raises(TypeError, match="directory must be a path"):
        package(model, 42, feature_names=FEATURES, target_name=TARGET)


def test_package_refuses_a_model_without_a_fixed_window(tmp_path):
    free = keras.Sequential([keras.Input((None, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="fixed shape"):
        package(free, tmp_path / "p", feature_names=["y"], target_name="y")


# --------------------------------------------------------------------------- the version


def test_the_version_is_a_hash_over_every_file_as_sha256sum_prints_it(folder):
    lines = "".join(
        f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("manifest.json", "model.keras", "scaler.json")
    )
    assert package_version(folder) == hashlib.sha256(lines.encode()).hexdigest()[:12]
    if shutil.which("sha256sum"):  # the shell command the docstring names
        listing = subprocess.run(
            ["sha256sum", "manifest.json", "model.keras", "scaler.json"],
            cwd=folder, capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert listing.decode() == lines


@pytest.mark.parametrize("name", ["model.keras", "scaler.json", "manifest.json"])
def test_a_change_to_any_file_gives_a_new_version(folder, tmp_path, name):
    copy = _copy(folder, tmp_path)
    if name == "manifest.json":  # a new manifest that still matches the files it lists
        manifest = json.loads((copy / name).read_text())
        manifest["metadata"] = {"trained_on": "another frame"}
        (copy / name).write_text(json.dumps(manifest))
        assert check_package(copy)["model_version"] != package_version(folder)
        return
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 1
    (copy / name).write_bytes(bytes(data))
    assert package_version(copy) != package_version(folder)


def test_a_new_scaler_with_a_rewritten_manifest_loads_under_a_new_version(folder, tmp_path, served):
    copy = _copy(folder, tmp_path)
    other = StandardScaler().fit(_frame(seed=9))
    stored = json.loads((copy / "scaler.json").read_text())
    stored["mean_"], stored["scale_"] = other.mean_.tolist(), other.scale_.tolist()
    (copy / "scaler.json").write_text(json.dumps(stored))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["scaler.json"] = model_package._sha256(copy / "scaler.json")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    again = load_package(copy)  # consistent, so loaded: the hashes cannot tell
    assert again.model_version != served.model_version  # ...but the version can
    X = _raw_windows(3)
    assert not np.allclose(again.predict(X), served.predict(X))


# --------------------------------------------------------------------------- load_package


def test_raw_predictions_equal_the_model_on_scaled_values_unscaled(folder, served, model, scaler):
    X = _raw_windows(5)  # (5, WINDOW, 2) raw
    rows = pd.DataFrame(X.reshape(-1, 2), columns=FEATURES)  # (5 * WINDOW, 2)
    Z = scaler.transform(rows).reshape(X.shape)  # what the model was trained on
    expected = models.predict(model, Z) * scaler.scale_[1] + scaler.mean_[1]  # target is b
    np.testing.assert_allclose(served.predict(X), expected, rtol=1e-5, atol=1e-6)
    wrong = models.predict(model, Z) * scaler.scale_[0] + scaler.mean_[0]
    assert not np.allclose(served.predict(X), wrong)
    assert served.model_version == package_version(folder) == served.manifest["model_version"]


@pytest.mark.parametrize(
    "make",
    [lambda: StandardScaler(), lambda: MinMaxScaler((-1, 1)), lambda: MinMaxScaler(clip=True)],
)
def test_scaler_round_trip_matches_scikit_learn(tmp_path, model, make):
    frame = _frame(seed=3)
    fitted = make().fit(frame.to_numpy())  # fitted without names: any names are accepted
    folder = package(model, tmp_path / "p", feature_names=FEATURES, target_name="a",
                     scaler=fitted)  # fmt: skip
    scaling = load_package(folder)._scaling
    X = _raw_windows(4, seed=5)  # (4, WINDOW, 2), partly outside the fitted range
    np.testing.assert_allclose(
        scaling.transform(X), fitted.transform(X.reshape(-1, 2)).reshape(X.shape), rtol=1e-12
    )
    z = np.linspace(-2, 2, 6).reshape(3, 2)  # scaled forecasts of the target, column a
    filled = np.zeros((z.size, 2))
    filled[:, 0] = z.ravel()
    back = fitted.inverse_transform(filled)[:, 0].reshape(z.shape)
    np.testing.assert_allclose(scaling.inverse_target(z), back, rtol=1e-12)


def test_without_a_scaler_the_model_reads_raw_values(tmp_path, model):
    folder = package(model, tmp_path / "p", feature_names=FEATURES, target_name="c")
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "model.keras"]
    X = _raw_windows(3)
    np.testing.assert_allclose(
        load_package(folder).predict(X), models.predict(model, X), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("name", ["model.keras", "scaler.json"])
def test_a_changed_file_is_refused(folder, tmp_path, name):
    copy = _copy(folder, tmp_path)
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 1  # one bit
    (copy / name).write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{name} does not match its SHA-256"):
        check_package(copy)
    with pytest.raises(ValueError, match=f"{name} does not match its SHA-256"):
        load_package(copy)


@pytest.mark.parametrize("name", ["model.keras", "scaler.json", "manifest.json"])
def test_a_missing_file_is_refused(folder, tmp_path, name):
    copy = _copy(folder, tmp_path)
    (copy / name).unlink()
    with pytest.raises(FileNotFoundError, match=name):
        load_package(copy)


def test_a_missing_folder_a_foreign_manifest_and_an_old_format_are_refused(folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_package(tmp_path / "nothing")
    copy = _copy(folder, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["../../elsewhere"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="exactly"):
        load_package(copy)
    (copy / "manifest.json").write_text(json.dumps(manifest | {"format": "helpers.serving/1"}))
    with pytest.raises(ValueError, match="re-package"):
        load_package(copy)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_package(copy)


def test_load_uses_keras_safe_mode(tmp_path):
    unsafe = keras.Sequential(
        [keras.Input((4, 1)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.LSTM(2),
         keras.layers.Dense(1)]
    )  # fmt: skip
    folder = package(unsafe, tmp_path / "p", feature_names=["y"], target_name="y")
    with pytest.raises(ValueError, match="safe_mode"):
        load_package(folder)


@pytest.mark.parametrize(
    "windows, error, match",
    [
        (np.zeros((2, WINDOW - 1, 2)), ValueError, "window=6"),
        (np.zeros((2, WINDOW, 3)), ValueError, "n_features=2"),
        (np.zeros((0, WINDOW, 2)), ValueError, "no windows"),
        (np.full((1, WINDOW, 2), np.nan), ValueError, "NaN"),
        (np.full((1, WINDOW, 2), "1"), TypeError, "real numbers"),
        (np.zeros((WINDOW, 2)), ValueError, "3-D"),
    ],
)
def test_predict_refuses_bad_windows(served, windows, error, match):
    with pytest.raises(error, match=match):
        served.predict(windows)


def test_a_flat_window_is_accepted_for_one_feature(tmp_path):
    one = models.build_forecaster(WINDOW, units=2, seed=1)
    folder = package(one, tmp_path / "p", feature_names=["a"], target_name="a")
    served = load_package(folder)
    values = _raw_windows(2)[:, :, 0]  # (2, WINDOW)
    np.testing.assert_array_equal(served.predict(values), served.predict(values[:, :, None]))


# --------------------------------------------------------------------------- out of range


def test_out_of_range_flags_exactly_the_values_beyond_k_training_sd(served):
    stats = served.training["features"]
    mean, sd = stats["a"]["mean"], stats["a"]["sd"]
    X = np.stack([np.full((WINDOW,), mean), np.full((WINDOW,), -3.0)], -1)[None].repeat(3, 0)
    X[0, 2, 0] = mean + 3.99 * sd  # inside the rule at k = 4
    X[1, 2, 0] = mean + 4.01 * sd  # outside
    X[2, 1, 0], X[2, 4, 0] = mean - 5 * sd, mean - 9 * sd  # two outside, the second farther
    found = served.out_of_range(X)
    assert [(w["window"], w["feature"], w["count"]) for w in found] == [(1, "a", 1), (2, "a", 2)]
    assert found[1]["value"] == pytest.approx(mean - 9 * sd)
    assert "> 4 training sd" in found[0]["rule"]
    assert served.out_of_range(X, sd=3.9)[0]["window"] == 0  # a smaller k flags more
    assert served.out_of_range(X[:1]) == []


def test_out_of_range_checks_its_arguments_and_is_empty_without_statistics(tmp_path, served):
    with pytest.raises(ValueError, match="sd"):
        served.out_of_range(_raw_windows(1), sd=0)
    with pytest.raises(TypeError, match="sd"):
        served.out_of_range(_raw_windows(1), sd="4")
    bare = load_package(
        package(models.build_forecaster(WINDOW, 2, units=2, horizon=HORIZON, seed=0),
                tmp_path / "bare", feature_names=FEATURES, target_name=TARGET)
    )  # fmt: skip
    assert bare.training is None and bare.out_of_range(_raw_windows(2) * 1e6) == []


def test_a_feature_constant_in_training_flags_every_other_value(tmp_path, model):
    frame = _frame().assign(a=7.0)
    folder = package(model, tmp_path / "p", feature_names=FEATURES, target_name=TARGET,
                     training_data=frame)  # fmt: skip
    X = _raw_windows(1)
    X[0, :, 0] = 7.0
    served = load_package(folder)
    assert served.out_of_range(X) == []
    X[0, 3, 0] = 7.001
    assert [w["count"] for w in served.out_of_range(X)] == [1]
