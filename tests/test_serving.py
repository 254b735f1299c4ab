"""The course's service as it runs: ``python -m helpers.serving`` on 127.0.0.1, called over HTTP.

One tiny package (two features, the target the SECOND column, training statistics
stored) served by the real command line in a subprocess, as lesson 09 starts it.
Each point of the service is checked against the running server: the schema,
liveness and readiness, the version over every file, request ids and the JSON log
lines, flagged and refused out-of-range inputs, bad requests answered 4xx while the
server stays up, a 30 MB body answered 413 to ``urllib`` and ``httpx``, refusal of a
tampered package at start-up, a graceful stop, and the stop when the process that
started it dies. The app's answers in detail are tested in process, without a
server, in ``tests/test_forecast_service.py``.
"""

import json
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler
from test_model_package import (  # the package format's data (tests/ is on the path)
    FEATURES,
    HORIZON,
    TARGET,
    WINDOW,
    _frame,
    _raw_windows,
)

from helpers import forecast_service, model_package, models, server_process, serving


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    model = models.build_forecaster(WINDOW, len(FEATURES), units=3, horizon=HORIZON, seed=0)
    return serving.package(
        model, tmp_path_factory.mktemp("served") / "forecaster", feature_names=FEATURES,
        target_name=TARGET, scaler=StandardScaler().fit(_frame()), training_data=_frame(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def served(folder):
    return serving.load_package(folder)


@pytest.fixture(scope="module")
def server(folder, tmp_path_factory):
    """The command line in a subprocess on 127.0.0.1 and a free port; stopped afterwards."""
    log = tmp_path_factory.mktemp("log") / "server.log"
    with serving.serve_in_subprocess(folder, log_path=log, timeout=300) as running:
        yield running
    assert running.process.poll() is not None, "the server is still running after the tests"


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


def _log_records(server, event="request"):
    records = []
    for line in server.log_lines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == event:
            records.append(record)
    return records


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


# --------------------------------------------------------------------------- the names


def test_serving_re_exports_the_pieces_it_was_split_into():
    assert serving.package is model_package.package
    assert serving.load_package is model_package.load_package
    assert serving.create_app is forecast_service.create_app
    assert serving.serve_in_subprocess is server_process.serve_in_subprocess
    assert serving.MAX_BATCH == 1024 and serving.MAX_BODY_BYTES == 1_000_000
    assert set(serving.__all__) <= set(dir(serving))


def test_the_command_line_binds_loopback_unless_told_otherwise():
    args = serving._parser().parse_args(["folder"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert (args.out_of_range_sd, args.refuse_out_of_range) == (4.0, False)


# --------------------------------------------------------------------------- the real server


@pytest.mark.slow
def test_server_binds_loopback_and_answers_health_ready_model_and_openapi(server, client, folder):
    assert server.url.startswith("http://127.0.0.1:")
    assert client.get("/health").json() == {"status": "ok"}
    version = model_package.package_version(folder)
    assert client.get("/ready").json() == {"status": "ready", "model_version": version}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert client.get("/model").json() == manifest | {"model_version": version}
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/forecast"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/ForecastRequest")
    assert client.get("/docs").status_code == 404


@pytest.mark.slow
def test_forecasts_equal_load_package_and_carry_the_version_and_request_id(client, served):
    X = _raw_windows(5, seed=7)
    one = client.post("/forecast", json={"window": X[0].tolist()}, headers={"X-Request-ID": "r1"})
    assert one.status_code == 200 and one.headers["x-request-id"] == "r1"
    assert one.json()["model_version"] == served.model_version
    np.testing.assert_allclose(one.json()["forecast"], served.predict(X[:1])[0], rtol=1e-6)
    batch = client.post("/forecast", json={"windows": X.tolist()})
    assert len(batch.headers["x-request-id"]) == 32  # made, since none was sent
    np.testing.assert_allclose(batch.json()["forecasts"], served.predict(X), rtol=1e-6)


@pytest.mark.slow
def test_every_request_writes_one_json_line_with_id_version_status_latency_batch(
    server, client, served
):
    sent = {"log-ok": ({"windows": _raw_windows(4).tolist()}, 200, 4),
            "log-bad": ({"window": []}, 422, None)}  # fmt: skip
    for request_id, (body, _, _) in sent.items():
        client.post("/forecast", json=body, headers={"X-Request-ID": request_id})
    client.get("/nowhere", headers={"X-Request-ID": "log-404"})
    ids = {*sent, "log-404"}

    def logged():
        return [r for r in _log_records(server) if r["request_id"] in ids]

    assert _wait_for(lambda: len(logged()) == 3), logged()
    by_id = {record["request_id"]: record for record in logged()}
    for request_id, (_, status, batch) in sent.items():
        record = by_id[request_id]
        assert (record["status"], record["batch_size"]) == (status, batch)
        assert record["model_version"] == served.model_version
        assert record["latency_ms"] >= 0 and record["path"] == "/forecast"
    assert by_id["log-404"]["status"] == 404


@pytest.mark.slow
def test_inputs_outside_the_training_range_are_forecast_with_warnings_and_logged(
    server, client, served
):
    X = _raw_windows(1)
    X[0, 2, 1] = 40.0  # feature b: mean about -3, sd about 0.5
    answer = client.post("/forecast", json={"window": X[0].tolist()}, headers={"X-Request-ID": "w"})
    assert answer.status_code == 200
    warnings = answer.json()["warnings"]
    assert [(w["feature"], w["value"], w["count"]) for w in warnings] == [("b", 40.0, 1)]
    assert "> 4 training sd" in warnings[0]["rule"]
    np.testing.assert_allclose(answer.json()["forecast"], served.predict(X)[0], rtol=1e-6)
    assert _wait_for(lambda: any(
        r["request_id"] == "w" for r in _log_records(server, "out_of_range")))  # fmt: skip


BAD_REQUESTS = {
    "malformed JSON": (b'{"window": [[1, 2], [3', 400, "not valid JSON"),
    "NaN literal": (b'{"window": [[NaN, 1]]}', 400, "NaN"),
    "too deeply nested": (b"[" * 100_000, 400, "nested too deeply"),
    "null": (json.dumps({"window": [[None, 1.0]] * WINDOW}).encode(), 422, "is null"),
    "ragged rows": (json.dumps({"window": [[1, 2]] * 5 + [[1]]}).encode(), 422, "window[5] has"),
    "batch over the limit": (
        json.dumps({"windows": [[[0, 0]] * WINDOW] * 1025}).encode(), 413, "at most 1024"),
    "body over the limit": (b" " * 1_000_001, 413, "limit of 1,000,000 bytes"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("body, status, message", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_requests_get_4xx_with_a_message_and_the_server_stays_up(
    client, served, body, status, message
):
    answer = client.post("/forecast", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]
    X = _raw_windows(1, seed=11)
    again = client.post("/forecast", json={"window": X[0].tolist()}).json()
    np.testing.assert_allclose(again["forecast"], served.predict(X)[0], rtol=1e-6)


THIRTY_MB = b'{"window": "' + b"x" * 30_000_000 + b'"}'


@pytest.mark.slow
def test_a_30_mb_body_is_answered_413_to_urllib(server):
    request = urllib.request.Request(
        f"{server.url}/forecast", data=THIRTY_MB, headers={"content-type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:  # not a reset connection
        urllib.request.urlopen(request, timeout=120)
    assert refused.value.code == 413
    assert "limit of 1,000,000 bytes" in json.loads(refused.value.read())["detail"]


@pytest.mark.slow
def test_a_30_mb_body_is_answered_413_to_httpx_and_the_server_stays_up(server, client):
    answer = httpx.post(f"{server.url}/forecast", content=THIRTY_MB, timeout=120)
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.slow
def test_concurrent_requests_are_all_answered_correctly(server, served):
    X = _raw_windows(200, seed=13)  # (200, WINDOW, 2)
    expected = served.predict(X)
    with httpx.Client(base_url=server.url, timeout=60) as http:  # shared by the threads

        def ask(i):
            return http.post("/forecast", json={"window": X[i].tolist()})

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(ask, range(len(X))))
    assert [a.status_code for a in answers] == [200] * len(X)
    np.testing.assert_allclose([a.json()["forecast"] for a in answers], expected, rtol=1e-6)


# --------------------------------------------------------------------------- start and stop


@pytest.mark.slow
def test_the_refuse_flag_answers_out_of_range_inputs_422(folder, tmp_path):
    log = tmp_path / "strict.log"  # kept after the stop, unlike the default temporary log
    with serving.serve_in_subprocess(
        folder, options=["--refuse-out-of-range"], log_path=log
    ) as strict:
        X = _raw_windows(1)
        fine = httpx.post(f"{strict.url}/forecast", json={"window": X[0].tolist()}, timeout=60)
        X[0, 2, 1] = 40.0
        far = httpx.post(f"{strict.url}/forecast", json={"window": X[0].tolist()}, timeout=60)
        assert fine.status_code == 200 and far.status_code == 422
        assert "outside the training range" in far.json()["detail"]
        assert strict.stop() == 0  # a graceful stop through the pipe
    assert any("Finished server process" in line for line in strict.log_lines())


def _start(folder, *extra):
    command = [sys.executable, "-m", "helpers.serving", str(folder), "--port", "0", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_tampered_model_file_is_refused_at_start_up(folder, tmp_path):
    import shutil

    copy = shutil.copytree(folder, tmp_path / "copy")
    data = bytearray((copy / "model.keras").read_bytes())
    data[-100] ^= 0xFF
    (copy / "model.keras").write_bytes(bytes(data))
    run = _start(copy)
    assert run.returncode == 1
    assert "cannot serve" in run.stderr and "model.keras does not match its SHA-256" in run.stderr
    with pytest.raises(RuntimeError, match="exited with code 1"):
        serving.serve_in_subprocess(copy, timeout=300)


@pytest.mark.slow
def test_a_missing_package_is_refused_at_start_up(tmp_path):
    run = _start(tmp_path / "no_such_package")
    assert run.returncode == 1
    assert "cannot serve" in run.stderr and "not a folder" in run.stderr


@pytest.mark.slow
def test_the_server_stops_when_the_process_that_started_it_is_killed(folder, tmp_path):
    log = tmp_path / "orphan.log"
    parent = textwrap.dedent(f"""
        import time
        from helpers import serving
        server = serving.serve_in_subprocess({str(folder)!r}, log_path={str(log)!r})
        print(server.url, flush=True)
        time.sleep(600)
    """)  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True
    )  # a parent that starts the server, then waits
    try:
        url = process.stdout.readline().strip()
        assert httpx.get(f"{url}/ready", timeout=10).status_code == 200
        process.kill()  # no exit hook runs: only the pipe can tell the server
        process.wait(30)

        def finished():
            return "Finished server process" in log.read_text()

        assert _wait_for(finished, seconds=120), log.read_text()[-2000:]
        assert "stdin closed" in log.read_text()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/health", timeout=5)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX; Windows sends Ctrl+Break")
def test_sigterm_stops_the_server_gracefully_while_it_still_watches_its_stdin(folder, tmp_path):
    import signal

    log = tmp_path / "sigterm.log"
    server = serving.serve_in_subprocess(folder, log_path=log, timeout=300)
    try:
        assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
        server.process.send_signal(signal.SIGTERM)  # what a process manager sends
        # uvicorn shuts down gracefully, then re-raises the signal it caught, so the process
        # ends by SIGTERM (as a manager that sent it expects), not with exit code 0
        assert server.process.wait(60) == -signal.SIGTERM, log.read_text()[-2000:]
        assert "Finished server process" in log.read_text()
        assert "Fatal Python error" not in log.read_text()  # the stdin watcher did not hang exit
    finally:
        server.stop()
