"""The model package and the HTTP service, tested against a real uvicorn server on 127.0.0.1.

One tiny model (3 LSTM units, untrained: its numbers need not be good, only
served faithfully) with two features and a fitted scaler whose target is the
SECOND column, so a service that un-scaled with the wrong column's parameters,
or not at all, would be caught.
"""

import json
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, StandardScaler

from helpers import models, serving

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
    path = tmp_path_factory.mktemp("served") / "forecaster"
    return serving.package(
        model, path, feature_names=FEATURES, target_name=TARGET, scaler=scaler,
        metadata={"trained_on": "test frame"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def served(folder):
    return serving.load_package(folder)


def _copy(folder, tmp_path):
    return shutil.copytree(folder, tmp_path / "copy")


# --------------------------------------------------------------------------- package


def test_package_writes_model_scaler_and_a_manifest_with_every_hash(folder, model):
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "model.keras",
        "scaler.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["window"], manifest["n_features"], manifest["horizon"]) == (WINDOW, 2, HORIZON)
    assert manifest["features"] == FEATURES and manifest["target"] == TARGET
    assert manifest["scaler"] == "StandardScaler"
    assert manifest["metadata"] == {"trained_on": "test frame"}
    assert {"keras", "tensorflow", "numpy", "scikit-learn", "python"} <= set(manifest["versions"])
    assert manifest["versions"]["keras"] == keras.__version__
    import hashlib

    for name in ("model.keras", "scaler.json"):
        assert manifest["files"][name] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert manifest["model_version"] == manifest["files"]["model.keras"][:12]
    pd.Timestamp(manifest["created"])  # an ISO time stamp


def test_scaler_is_stored_as_json_numbers_not_a_pickle(folder, scaler):
    stored = json.loads((folder / "scaler.json").read_text())
    assert stored["kind"] == "StandardScaler" and stored["features"] == FEATURES
    np.testing.assert_array_equal(stored["mean_"], scaler.mean_)
    np.testing.assert_array_equal(stored["scale_"], scaler.scale_)


def test_raw_predictions_equal_the_model_on_scaled_values_unscaled(served, model, scaler):
    X = _raw_windows(5)  # (5, WINDOW, 2) raw
    rows = pd.DataFrame(X.reshape(-1, 2), columns=FEATURES)  # (5 * WINDOW, 2)
    Z = scaler.transform(rows).reshape(X.shape)  # what the model was trained on
    expected = models.predict(model, Z) * scaler.scale_[1] + scaler.mean_[1]  # target is b
    np.testing.assert_allclose(served.predict(X), expected, rtol=1e-5, atol=1e-6)
    # ...and differs from un-scaling with the wrong column or not at all:
    wrong = models.predict(model, Z) * scaler.scale_[0] + scaler.mean_[0]
    assert not np.allclose(served.predict(X), wrong)


@pytest.mark.parametrize(
    "make",
    [lambda: StandardScaler(), lambda: MinMaxScaler((-1, 1)), lambda: MinMaxScaler(clip=True)],
)
def test_scaler_round_trip_matches_scikit_learn(tmp_path, model, make):
    frame = _frame(seed=3)
    fitted = make().fit(frame.to_numpy())  # fitted without names: any names are accepted
    folder = serving.package(model, tmp_path / "p", feature_names=FEATURES, target_name="a",
                             scaler=fitted)  # fmt: skip
    scaling = serving.load_package(folder)._scaling
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
    folder = serving.package(model, tmp_path / "p", feature_names=FEATURES, target_name="c")
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "model.keras"]
    X = _raw_windows(3)
    np.testing.assert_allclose(
        serving.load_package(folder).predict(X), models.predict(model, X), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(feature_names=["a"]), ValueError, "2 input feature"),
        (dict(feature_names="ab"), TypeError, "list of column names"),
        (dict(feature_names=["a", "a"]), ValueError, "repeat"),
        (dict(target_name="c", scaler=StandardScaler().fit(_frame())), ValueError, "one of"),
        (dict(scaler=StandardScaler()), ValueError, "fitted"),
        (dict(scaler=StandardScaler().fit(_frame()[["a"]])), ValueError, "1 column"),
        (
            dict(feature_names=["b", "a"], scaler=StandardScaler().fit(_frame())),
            ValueError,
            "order",
        ),
        (dict(scaler=QuantileTransformer(n_quantiles=10).fit(_frame())), TypeError, "pickle"),
        (dict(metadata={"when": object()}), TypeError, "JSON"),
        (dict(metadata=[1]), TypeError, "dict"),
    ],
)
def test_package_refuses_what_it_cannot_serve(tmp_path, model, kwargs, error, match):
    arguments = dict(feature_names=FEATURES, target_name=TARGET) | kwargs
    with pytest.raises(error, match=match):
        serving.package(model, tmp_path / "p", **arguments)


def test_package_refuses_a_folder_that_holds_files(tmp_path, model):
    (tmp_path / "old.txt").write_text("an earlier version")
    with pytest.raises(FileExistsError, match="new folder"):
        serving.package(model, tmp_path, feature_names=FEATURES, target_name=TARGET)


def test_package_refuses_a_model_without_a_fixed_window(tmp_path):
    free = keras.Sequential([keras.Input((None, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="fixed shape"):
        serving.package(free, tmp_path / "p", feature_names=["y"], target_name="y")


# --------------------------------------------------------------------------- load_package


@pytest.mark.parametrize("name", ["model.keras", "scaler.json"])
def test_a_changed_file_is_refused(folder, tmp_path, name):
    copy = _copy(folder, tmp_path)
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 1  # one bit
    (copy / name).write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{name} does not match its SHA-256"):
        serving.load_package(copy)


@pytest.mark.parametrize("name", ["model.keras", "scaler.json", "manifest.json"])
def test_a_missing_file_is_refused(folder, tmp_path, name):
    copy = _copy(folder, tmp_path)
    (copy / name).unlink()
    with pytest.raises(FileNotFoundError, match=name):
        serving.load_package(copy)


def test_a_missing_folder_and_a_foreign_manifest_are_refused(folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        serving.load_package(tmp_path / "nothing")
    copy = _copy(folder, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["../../elsewhere"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="exactly"):
        serving.load_package(copy)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        serving.load_package(copy)


def test_load_uses_keras_safe_mode(tmp_path):
    unsafe = keras.Sequential(
        [keras.Input((4, 1)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.LSTM(2),
         keras.layers.Dense(1)]
    )  # fmt: skip
    folder = serving.package(unsafe, tmp_path / "p", feature_names=["y"], target_name="y")
    with pytest.raises(ValueError, match="safe_mode"):
        serving.load_package(folder)


@pytest.mark.parametrize(
    "windows, error, match",
    [
        (np.zeros((2, WINDOW - 1, 2)), ValueError, "shape"),
        (np.zeros((2, WINDOW, 3)), ValueError, "shape"),
        (np.zeros((0, WINDOW, 2)), ValueError, "empty"),
        (np.full((1, WINDOW, 2), np.nan), ValueError, "NaN"),
        (np.full((1, WINDOW, 2), "1"), TypeError, "real numbers"),
    ],
)
def test_predict_refuses_bad_windows(served, windows, error, match):
    with pytest.raises(error, match=match):
        served.predict(windows)


# --------------------------------------------------------------------------- the real server


@pytest.fixture(scope="module")
def server(folder, tmp_path_factory):
    """uvicorn in a subprocess on 127.0.0.1, a free port; always stopped afterwards."""
    log = tmp_path_factory.mktemp("log") / "server.log"
    with serving.serve_in_subprocess(folder, log_path=log, timeout=300) as running:
        yield running
    assert running.process.poll() is not None, "the server is still running after the tests"
    assert running.stop() == running.process.returncode  # a second stop does nothing more


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


@pytest.mark.slow
def test_server_binds_loopback_and_answers_health_and_model(server, client, folder):
    assert server.url.startswith("http://127.0.0.1:")
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/model").json() == json.loads((folder / "manifest.json").read_text())


@pytest.mark.slow
def test_good_requests_equal_load_package_predict(client, served):
    X = _raw_windows(5, seed=7)
    one = client.post("/forecast", json={"window": X[0].tolist()})
    assert one.status_code == 200
    assert one.json()["model_version"] == served.model_version
    np.testing.assert_allclose(one.json()["forecast"], served.predict(X[:1])[0], rtol=1e-6)
    batch = client.post("/forecast", json={"windows": X.tolist()}).json()
    np.testing.assert_allclose(batch["forecasts"], served.predict(X), rtol=1e-6)


def _window_with(value, row=2, column=1):
    window = _raw_windows(1)[0].tolist()
    window[row][column] = value
    return window


BAD_REQUESTS = {
    "malformed JSON": (b'{"window": [[1, 2], [3', 400, "not valid JSON"),
    "NaN literal": (b'{"window": [[NaN, 1]]}', 400, "NaN, which JSON does not allow"),
    "Infinity literal": (b'{"window": [[-Infinity, 1]]}', 400, "-Infinity"),
    "too deeply nested": (b"[" * 100_000, 400, "nested too deeply"),
    "not UTF-8": (b'{"window": "\xff"}', 400, "not valid JSON"),
    "overflows to infinity": (
        json.dumps({"window": _window_with(123.0)}).replace("123.0", "1e999").encode(),
        422,
        "window[2][1] = inf is not a finite number",
    ),
    "beyond float32": ({"window": _window_with(1e300)}, 422, "too large"),
    "wrong window length": ({"window": _window_with(1.0)[:-1]}, 422, "windows of 6"),
    "wrong number of features": ({"window": [[1, 2, 3]] * WINDOW}, 422, "2 feature(s)"),
    "flat list, two features": ({"window": [1.0] * WINDOW}, 422, "flat list"),
    "string": ({"window": _window_with("12.5")}, 422, "window[2][1] is a string"),
    "null": ({"window": _window_with(None)}, 422, "window[2][1] is null"),
    "boolean": ({"window": _window_with(True)}, 422, "is true, expected a number"),
    "nested list": ({"window": _window_with([1])}, 422, "is a list, expected a number"),
    "empty window": ({"window": []}, 422, "window is empty"),
    "ragged rows": ({"window": [[1, 2]] * 3 + [[1]] + [[1, 2]] * 2}, 422, "ragged"),
    "mixed rows": ({"window": [[1, 2], 3]}, 422, "mixes rows"),
    "not an object": ([[1, 2]], 422, "must be a JSON object"),
    "no window": ({"values": [1]}, 422, "fields ['values']"),
    "both keys": ({"window": [], "windows": []}, 422, "fields"),
    "empty batch": ({"windows": []}, 422, "non-empty list"),
    "bad window in a batch": ({"windows": [_window_with(1.0), [[1, 2]]]}, 422, "windows[1] has 1"),
    "batch over the limit": ({"windows": [[[0, 0]] * WINDOW] * 1025}, 413, "at most 1024"),
    "body over the limit": (b" " * 1_000_001, 413, "limit of 1,000,000 bytes"),
}


@pytest.mark.slow
@pytest.mark.parametrize("body, status, message", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_requests_get_4xx_with_a_message_naming_the_problem(client, body, status, message):
    if isinstance(body, bytes):
        answer = client.post(
            "/forecast", content=body, headers={"content-type": "application/json"}
        )
    else:
        answer = client.post("/forecast", json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]


@pytest.mark.slow
def test_the_server_keeps_serving_after_bad_requests(client, served):
    for body in (b"{", b'{"window": [NaN]}', b"[" * 50_000):
        assert 400 <= client.post("/forecast", content=body).status_code < 500
    X = _raw_windows(1, seed=11)
    answer = client.post("/forecast", json={"window": X[0].tolist()}).json()
    np.testing.assert_allclose(answer["forecast"], served.predict(X)[0], rtol=1e-6)
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.slow
def test_one_log_line_per_request_with_method_path_status_latency(server, client):
    before = len(server.log_lines())
    client.get("/health")
    client.post("/forecast", json={"window": []})
    client.get("/nowhere")
    deadline = time.monotonic() + 10
    while len(server.log_lines()) < before + 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    new = server.log_lines()[before:]
    assert len(new) == 3, new
    for line, (method, path, status) in zip(
        new, [("GET", "/health", 200), ("POST", "/forecast", 422), ("GET", "/nowhere", 404)],
        strict=True,
    ):  # fmt: skip
        assert f"helpers.serving: {method} {path} {status} " in line and line.endswith(" ms")


@pytest.mark.slow
def test_concurrent_requests_are_all_answered_correctly(server, served):
    X = _raw_windows(200, seed=13)  # (200, WINDOW, 2)
    expected = served.predict(X)
    local = threading.local()

    def ask(i):
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=server.url, timeout=60)
        return local.http.post("/forecast", json={"window": X[i].tolist()})

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(len(X))))
    seconds = time.perf_counter() - start
    assert [a.status_code for a in answers] == [200] * len(X)
    np.testing.assert_allclose([a.json()["forecast"] for a in answers], expected, rtol=1e-6)
    assert seconds < 120, f"200 requests took {seconds:.1f} s"  # generous: a shared 2-core CI
    assert httpx.get(f"{server.url}/health", timeout=10).json() == {"status": "ok"}


# --------------------------------------------------------------------------- start-up


def _start(folder, *extra):
    command = [sys.executable, "-m", "helpers.serving", str(folder), "--port", "0", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_tampered_model_file_is_refused_at_start_up(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    data = bytearray((copy / "model.keras").read_bytes())
    data[-100] ^= 0xFF
    (copy / "model.keras").write_bytes(bytes(data))
    run = _start(copy)
    assert run.returncode != 0
    assert "cannot serve" in run.stderr and "model.keras does not match its SHA-256" in run.stderr


@pytest.mark.slow
def test_a_missing_package_is_refused_at_start_up(tmp_path):
    run = _start(tmp_path / "no_such_package")
    assert run.returncode != 0
    assert "cannot serve" in run.stderr and "not a folder" in run.stderr


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell as the parent")
def test_the_server_stops_when_the_process_that_started_it_is_gone(folder, tmp_path):
    log = tmp_path / "orphan.log"
    # A shell starts the server in the background, names itself as the parent, and exits.
    command = (
        f'"{sys.executable}" -m helpers.serving "{folder}" --port 0 --exit-with-parent $$ '
        f'> "{log}" 2>&1 & sleep 3'
    )
    subprocess.run(["sh", "-c", command], check=True, timeout=30)
    deadline = time.monotonic() + 300
    while "has ended: stopping the server" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "has ended: stopping the server" in log.read_text()


def test_the_command_line_binds_loopback_unless_told_otherwise():
    args = serving._parser().parse_args(["folder"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_flat_list_is_accepted_for_one_feature(tmp_path):
    from fastapi.testclient import TestClient

    one = models.build_forecaster(WINDOW, units=2, seed=1)
    scaler = StandardScaler().fit(_frame()[["a"]])
    folder = serving.package(one, tmp_path / "p", feature_names=["a"], target_name="a",
                             scaler=scaler)  # fmt: skip
    values = _raw_windows(1)[0, :, 0]  # (WINDOW,)
    with TestClient(serving.create_app(folder)) as http:
        flat = http.post("/forecast", json={"window": values.tolist()}).json()
        rows = http.post("/forecast", json={"window": values[:, None].tolist()}).json()
    assert flat == rows
    expected = serving.load_package(folder).predict(values[None, :])[0]
    np.testing.assert_allclose(flat["forecast"], expected, rtol=1e-6)
