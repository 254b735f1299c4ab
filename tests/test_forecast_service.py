"""The FastAPI app of a package, called in this process through httpx's ASGI transport.

Every answer here is the app's own (routing, schema, messages, limits, request ids,
log lines, range warnings) without a network; ``tests/test_serving.py`` starts the
real command line on 127.0.0.1 and checks what only a real server shows (a 30 MB
body answered 413 to ordinary clients, the log file, start-up and shutdown).
"""

import asyncio
import json
import logging
import threading

import httpx
import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.preprocessing import StandardScaler
from test_model_package import (  # the package format's data (tests/ is on the path)
    FEATURES,
    HORIZON,
    TARGET,
    WINDOW,
    _frame,
    _raw_windows,
)

from helpers import forecast_service, model_package, models, server_process
from helpers.forecast_service import create_app, describe_errors, request_model


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    model = models.build_forecaster(WINDOW, len(FEATURES), units=3, horizon=HORIZON, seed=0)
    return model_package.package(
        model, tmp_path_factory.mktemp("service") / "forecaster", feature_names=FEATURES,
        target_name=TARGET, scaler=StandardScaler().fit(_frame()), training_data=_frame(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def served(folder):
    return model_package.load_package(folder)


@pytest.fixture(scope="module")
def app(folder):
    return create_app(folder)


def call(app, method, path, **kwargs):
    """One request to ``app`` through httpx's ASGI transport (no network, no lifespan)."""

    async def send():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(send())


def post(app, body, **kwargs):
    if isinstance(body, bytes):
        headers = {"content-type": "application/json"} | kwargs.pop("headers", {})
        return call(app, "POST", "/forecast", content=body, headers=headers, **kwargs)
    return call(app, "POST", "/forecast", json=body, **kwargs)


# --------------------------------------------------------------------------- good requests


def test_one_window_and_a_batch_equal_load_package_predict(app, served):
    X = _raw_windows(5, seed=7)
    one = post(app, {"window": X[0].tolist()})
    assert one.status_code == 200
    body = one.json()
    assert set(body) == {"forecast", "model_version", "warnings"}
    assert body["model_version"] == served.model_version and body["warnings"] == []
    np.testing.assert_allclose(body["forecast"], served.predict(X[:1])[0], rtol=1e-6)
    batch = post(app, {"windows": X.tolist()}).json()
    assert set(batch) == {"forecasts", "model_version", "warnings"}
    np.testing.assert_allclose(batch["forecasts"], served.predict(X), rtol=1e-6)


def test_integers_are_numbers(app, served):
    X = np.round(_raw_windows(1, seed=3))
    answer = post(app, {"window": X[0].astype(int).tolist()})
    np.testing.assert_allclose(answer.json()["forecast"], served.predict(X)[0], rtol=1e-6)


def test_health_ready_and_model(app, folder):
    assert call(app, "GET", "/health").json() == {"status": "ok"}
    version = model_package.package_version(folder)
    assert call(app, "GET", "/ready").json() == {"status": "ready", "model_version": version}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert call(app, "GET", "/model").json() == manifest | {"model_version": version}


def test_openapi_documents_the_forecast_body_with_the_package_shape(app):
    schema = call(app, "GET", "/openapi.json").json()
    body = schema["paths"]["/forecast"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/ForecastRequest")
    request = schema["components"]["schemas"]["ForecastRequest"]
    window = request["properties"]["window"]["anyOf"][0]
    assert (window["minItems"], window["maxItems"]) == (WINDOW, WINDOW)
    assert (window["items"]["minItems"], window["items"]["maxItems"]) == (2, 2)
    windows = request["properties"]["windows"]["anyOf"][0]
    assert windows["maxItems"] == forecast_service.MAX_BATCH
    answers = schema["paths"]["/forecast"]["post"]["responses"]
    assert {"200", "400", "413", "422", "503"} <= set(answers)
    assert call(app, "GET", "/docs").status_code == 404  # the CDN page is switched off


# --------------------------------------------------------------------------- bad requests


def _window_with(value, row=2, column=1):
    window = _raw_windows(1)[0].tolist()
    window[row][column] = value
    return window


BAD_REQUESTS = {
    "malformed JSON": (b'{"window": [[1, 2], [3', 400, "not valid JSON"),
    "NaN literal": (b'{"window": [[NaN, 1]]}', 400, "NaN, which JSON does not allow"),
    "Infinity literal": (b'{"window": [[-Infinity, 1]]}', 400, "-Infinity"),
    "too deeply nested": (b"[" * 100_000, 400, "nested too deeply"),
    "not UTF-8": (b'{"window": "\xff"}', 400, "not UTF-8"),
    "empty body": (b"", 422, "must be a JSON object"),
    "overflows to infinity": (
        json.dumps({"window": _window_with(123.0)}).replace("123.0", "1e999").encode(),
        422,
        "window[2][1] = inf is not a finite number",
    ),
    "beyond float32": ({"window": _window_with(1e300)}, 422, "too large"),
    "wrong window length": ({"window": _window_with(1.0)[:-1]}, 422, "windows of 6"),
    "wrong number of features": ({"window": [[1, 2, 3]] * WINDOW}, 422, "reads 2 feature(s)"),
    "flat list, two features": ({"window": [1.0] * WINDOW}, 422, "flat list"),
    "string": ({"window": _window_with("12.5")}, 422, "window[2][1] is a string"),
    "null": ({"window": _window_with(None)}, 422, "window[2][1] is null"),
    "boolean": ({"window": _window_with(True)}, 422, "is true, expected a number"),
    "nested list": ({"window": _window_with([1])}, 422, "is a list, expected a number"),
    "object": ({"window": _window_with({"v": 1})}, 422, "is an object, expected a number"),
    "empty window": ({"window": []}, 422, "window is empty"),
    "ragged rows": ({"window": [[1, 2]] * 3 + [[1]] + [[1, 2]] * 2}, 422, "window[3] has 1"),
    "mixed rows": ({"window": [[1, 2], 3] + [[1, 2]] * 4}, 422, "window[1] is not a list"),
    "window not a list": ({"window": "soon"}, 422, "window must be a list of 6 rows"),
    "not an object": ([[1, 2]], 422, "must be a JSON object"),
    "an unknown field": ({"window": _window_with(1.0), "note": 1}, 422, "unknown field 'note'"),
    "neither field": ({}, 422, "exactly one of the fields"),
    "both fields": (
        {"window": _window_with(1.0), "windows": [_window_with(1.0)]},
        422,
        "exactly one",
    ),  # fmt: skip
    "empty batch": ({"windows": []}, 422, "non-empty list"),
    "bad window in a batch": ({"windows": [_window_with(1.0), [[1, 2]]]}, 422, "windows[1] has 1"),
    "batch over the limit": ({"windows": [[[0, 0]] * WINDOW] * 1025}, 413, "at most 1024"),
    "body over the limit": (b" " * 1_000_001, 413, "limit of 1,000,000 bytes"),
}


@pytest.mark.parametrize("body, status, message", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_requests_get_4xx_with_a_message_naming_the_problem(app, body, status, message):
    answer = post(app, body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]


def test_a_request_with_several_problems_says_how_many_more(app):
    window = _window_with(None)
    window[0][0] = "x"
    detail = post(app, {"window": window}).json()["detail"]
    assert detail.startswith("window[0][0] is a string") and "(and 1 more problem" in detail


def test_describe_errors_falls_back_to_pydantic_words_for_a_finding_it_does_not_know():
    status, message = describe_errors(
        [{"type": "something_new", "loc": ("body", "window"), "msg": "Input is odd"}],
        window=3, features=["y"], max_batch=2,
    )  # fmt: skip
    assert (status, message) == (422, "window: Input is odd")


def test_the_request_model_takes_a_flat_list_for_one_feature_only():
    One = request_model(3, ["y"])
    assert One.model_validate({"windows": [[1, 2, 3]]}).array().shape == (1, 3, 1)
    with pytest.raises(ValidationError, match="flat"):
        request_model(3, ["y", "z"]).model_validate({"window": [1, 2, 3]})
    with pytest.raises(ValueError, match="max_batch"):
        request_model(3, ["y"], max_batch=0)


# --------------------------------------------------------------------------- ids, logs, ranges


def test_a_request_id_is_echoed_or_made(app):
    given = post(app, {"window": _window_with(1.0)}, headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = call(app, "GET", "/health").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    odd = call(app, "GET", "/health", headers={"X-Request-ID": "a b"}).headers["x-request-id"]
    assert odd != "a b" and len(odd) == 32  # not printable ASCII without spaces: replaced


def test_one_structured_log_line_per_request(app, served, caplog):
    caplog.set_level(logging.INFO, logger="helpers.serving")
    post(app, {"windows": _raw_windows(3).tolist()}, headers={"X-Request-ID": "batch-of-3"})
    post(app, {"window": []}, headers={"X-Request-ID": "empty"})
    call(app, "GET", "/nowhere", headers={"X-Request-ID": "lost"})
    lines = [r.fields for r in caplog.records if getattr(r, "fields", {}).get("event") == "request"]
    assert [(f["request_id"], f["status"], f["batch_size"]) for f in lines] == [
        ("batch-of-3", 200, 3), ("empty", 422, None), ("lost", 404, None)]  # fmt: skip
    for fields in lines:
        assert fields["model_version"] == served.model_version and fields["latency_ms"] >= 0
        assert json.loads(forecast_service.JsonLines().format(caplog.records[0]))  # JSON


def test_inputs_far_outside_the_training_range_are_flagged_and_still_forecast(app, served, caplog):
    caplog.set_level(logging.INFO, logger="helpers.serving")
    X = _raw_windows(2)
    X[1, 3, 0] = 1000.0  # feature a: mean about 50, sd about 8
    answer = post(app, {"windows": X.tolist()}, headers={"X-Request-ID": "far"})
    assert answer.status_code == 200
    body = answer.json()
    np.testing.assert_allclose(body["forecasts"], served.predict(X), rtol=1e-6)
    assert body["warnings"] == served.out_of_range(X)
    assert [(w["window"], w["feature"], w["value"]) for w in body["warnings"]] == [(1, "a", 1000.0)]
    flagged = [r for r in caplog.records if getattr(r, "fields", {}).get("event") == "out_of_range"]
    assert len(flagged) == 1 and flagged[0].fields["request_id"] == "far"
    assert flagged[0].levelno == logging.WARNING


def test_a_service_told_to_refuse_them_answers_422_and_k_is_its_own(folder):
    strict = create_app(folder, refuse_out_of_range=True)
    X = _raw_windows(1)
    X[0, 3, 0] = 1000.0
    answer = post(strict, {"window": X[0].tolist()})
    assert answer.status_code == 422
    assert "feature 'a' = 1000 in window 0 is outside the training range" in answer.json()["detail"]
    assert answer.json()["detail"].endswith("raw values in the units of the training data")
    assert post(strict, {"window": _raw_windows(1)[0].tolist()}).status_code == 200
    tight = create_app(folder, out_of_range_sd=0.01)  # every value is "far" at k = 0.01
    assert post(tight, {"window": _raw_windows(1)[0].tolist()}).json()["warnings"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(max_batch=0), ValueError, "max_batch"),
        (dict(max_body_bytes="1"), TypeError, "max_body_bytes"),
        (dict(out_of_range_sd=-1.0), ValueError, "out_of_range_sd"),
        (dict(refuse_out_of_range=1), TypeError, "refuse_out_of_range"),
        (dict(on_load_failure=print), ValueError, "background"),
        (dict(load_in_background=True, on_load_failure=3), TypeError, "on_load_failure"),
    ],
)
def test_create_app_checks_its_arguments(folder, kwargs, error, match):
    with pytest.raises(error, match=match):
        create_app(folder, **kwargs)


def test_a_tampered_package_is_refused_before_any_app_exists(folder, tmp_path):
    import shutil

    copy = shutil.copytree(folder, tmp_path / "copy")
    data = bytearray((copy / "scaler.json").read_bytes())
    data[10] ^= 1
    (copy / "scaler.json").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="scaler.json does not match"):
        create_app(copy, load_in_background=True)


# --------------------------------------------------------------------------- readiness


@pytest.mark.slow
def test_ready_says_503_until_the_background_load_and_warm_up_are_done(folder, monkeypatch):
    release, real_load = threading.Event(), model_package.load_package

    def slow_load(directory):
        release.wait(60)
        return real_load(directory)

    monkeypatch.setattr(model_package, "load_package", slow_load)
    app = create_app(folder, load_in_background=True)
    with server_process.serve_in_thread(app) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/health").json() == {"status": "ok"}  # alive...
        assert http.get("/ready").status_code == 503  # ...but not ready
        assert http.get("/ready").json() == {"status": "loading"}
        early = http.post("/forecast", json={"window": _window_with(1.0)})
        assert early.status_code == 503 and "GET /ready" in early.json()["detail"]
        release.set()
        server_process.wait_until_ready(server.url, timeout=60)
        assert http.post("/forecast", json={"window": _window_with(1.0)}).status_code == 200


@pytest.mark.slow
def test_a_failed_background_load_is_said_by_ready_and_reported(folder, monkeypatch):
    def broken(directory):
        raise ValueError("weights unreadable")

    monkeypatch.setattr(model_package, "load_package", broken)
    failures = []
    app = create_app(folder, load_in_background=True, on_load_failure=failures.append)
    with server_process.serve_in_thread(app) as server:
        with pytest.raises(RuntimeError, match="weights unreadable"):
            server_process.wait_until_ready(server.url, timeout=30)
        answer = httpx.get(f"{server.url}/ready")
    assert answer.status_code == 503 and answer.json()["status"] == "failed"
    assert failures == ["ValueError: weights unreadable"]
