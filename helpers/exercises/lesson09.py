"""Checks for lesson 09's exercises (serving the forecaster).

No check trains or loads a model: 09.1 hashes the forged package's files, 09.2
forecasts with the lesson's loaded package (``served``), 09.3 asks the student's
app in process (FastAPI's test client, no server), 09.4 judges the forecasts the
two services returned.
"""

from __future__ import annotations

import re

import numpy as np

from helpers.exercises._core import (
    Hint,
    as_number,
    close,
    exercise,
    judges,
)

_VERSION = re.compile(r"^[0-9a-f]{12}$")


def _is_version(value) -> bool:
    return isinstance(value, str) and bool(_VERSION.match(value))


@exercise(
    "09.1",
    results={
        "ex1_package": "the forged package's folder (new model, rewritten manifest)",
        "ex1_version": "the model_version the forged package reports",
        "ex1_loaded": "whether serving.load_package loaded it: True or False",
    },
    needs=("folder", "served"),
)
def _forged_package(a):
    from pathlib import Path

    from helpers import model_package

    try:
        forged = Path(a.ex1_package)
    except TypeError:
        raise Hint("`ex1_package` should be the forged package's folder (a Path)") from None
    if not (forged / "manifest.json").is_file():
        raise Hint("`ex1_package` is not a package folder: it has no manifest.json")
    if forged.resolve() == Path(a.folder).resolve():
        raise Hint("`ex1_package` is the released package itself: forge a copy of it")
    model_file = "model.keras"
    if (forged / model_file).read_bytes() == (Path(a.folder) / model_file).read_bytes():
        yield (
            "the forged package's model.keras is the released one: replace it with another "
            "model of the same shape (models.build_forecaster, models.save_model)"
        )
    try:
        model_package.check_package(forged)
        passes = True
    except (ValueError, FileNotFoundError):
        passes = False
    loaded = a.ex1_loaded
    if not isinstance(loaded, (bool, np.bool_)):
        raise Hint(f"`ex1_loaded` should be True or False, got {type(loaded).__name__}")
    if not passes:
        yield (
            "the package in `ex1_package` fails its hash check, so no attacker got through: "
            "write the new model.keras's SHA-256 into its manifest.json"
        )
    elif not loaded:
        yield (
            "`ex1_loaded` says the forged package did not load, but its hashes all match: "
            "call serving.load_package on it and see"
        )
    version = a.ex1_version
    if not _is_version(version):
        raise Hint("`ex1_version` should be a model_version: a string of 12 hex digits")
    if version == a.served.model_version:
        yield "`ex1_version` is the released package's version: give the forged package's"
    elif version != model_package.package_version(forged):
        yield (
            "`ex1_version` is not the version of the package in `ex1_package`: load it (or "
            "serving.package_version) after rewriting its manifest, and read its model_version"
        )


def _training_stats(a) -> tuple[np.ndarray, np.ndarray]:
    stats = a.manifest["training"]["features"]
    mean = np.array([stats[name]["mean"] for name in a.FEATURE_COLUMNS], dtype=float)
    sd = np.array([stats[name]["sd"] for name in a.FEATURE_COLUMNS], dtype=float)
    return mean, sd


def _number_dict(a, name: str, keys) -> dict:
    found = getattr(a, name)
    if not isinstance(found, dict):
        raise Hint(f"`{name}` should be a dict, got {type(found).__name__}")
    try:
        have = {as_number(key, f"a key of `{name}`"): value for key, value in found.items()}
    except Hint:
        raise Hint(f"`{name}` should have numbers as keys, {sorted(keys)}") from None
    if set(have) != set(keys):
        raise Hint(f"`{name}` should have exactly the keys {sorted(keys)}")
    return {key: as_number(value, f"`{name}[{key:g}]`") for key, value in have.items()}


@exercise(
    "09.2",
    results={
        "ex2_false_alarms": "a dict: k (2, 3, 4, 5) -> share of held-out windows it flags",
        "ex2_rmse_by_shift": "a dict: delta (0 to 6) -> RMSE of the forecasts of shifted windows",
        "ex2_k": "the k you choose",
        "ex2_policy": "'warn' or 'refuse'",
    },
    needs=(
        "raw",
        "served",
        "manifest",
        "X_test_raw",
        "y_test_raw",
        "FEATURE_COLUMNS",
        "TARGET_COLUMN",
    ),  # fmt: skip
    points=2,
)
def _how_far(a):
    mean, sd = _training_stats(a)
    ks = (2, 3, 4, 5)
    alarms = _number_dict(a, "ex2_false_alarms", ks)
    unseen = np.concatenate([a.raw.validation.X, a.raw.test.X]).astype(float)
    for k in ks:
        share = np.mean((np.abs(unseen - mean) > k * sd).any(axis=(1, 2)))
        if not close(alarms[k], share):
            yield (
                f"`ex2_false_alarms[{k}]` is not the share of the validation and test windows "
                f"(raw, together) with a value farther than {k} training sd from the training "
                "mean: count windows, not values"
            )
            break

    shifts = range(7)
    rmse = _number_dict(a, "ex2_rmse_by_shift", shifts)
    target = np.array(a.FEATURE_COLUMNS) == a.TARGET_COLUMN
    target_sd = sd[target][0]
    X, y = np.asarray(a.X_test_raw, dtype=float), np.asarray(a.y_test_raw, dtype=float)
    for delta in shifts:
        squared = (y + delta * target_sd - a.served.predict(X + delta * target_sd * target)) ** 2
        pooled, per_lead = np.sqrt(squared.mean()), np.sqrt(squared.mean(axis=0)).mean()
        if not any(close(rmse[delta], r, rtol=2e-3, atol=1e-9) for r in (pooled, per_lead)):
            yield (
                f"`ex2_rmse_by_shift[{delta}]` is not the RMSE of `served.predict` on the test "
                f"windows shifted by {delta} training sd of the target, against the targets "
                "shifted alike (over every lead; shift the target's values only)"
            )
            break

    k = as_number(a.ex2_k, "`ex2_k`")
    if k <= 0:
        yield "`ex2_k` should be a positive number of training sd"
    if a.ex2_policy not in ("warn", "refuse"):
        yield f"`ex2_policy` should be 'warn' or 'refuse', got {a.ex2_policy!r}"


def _request_schema(app) -> dict:
    """The schema of the body of ``app``'s POST /forecast, from its OpenAPI document."""
    document = app.openapi()
    try:
        body = document["paths"]["/forecast"]["post"]["requestBody"]["content"]
        ref = body["application/json"]["schema"]["$ref"]
    except KeyError:
        raise Hint("`ex3_app` has no POST /forecast taking a JSON body") from None
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _bounds(field: dict) -> tuple:
    """(type, lowest, highest) allowed integer of a field's schema, anyOf included."""
    for option in [field, *field.get("anyOf", [])]:
        if option.get("type") == "integer":
            low, high = option.get("minimum"), option.get("maximum")
            if low is None and "exclusiveMinimum" in option:
                low = option["exclusiveMinimum"] + 1
            if high is None and "exclusiveMaximum" in option:
                high = option["exclusiveMaximum"] - 1
            return "integer", low, high
    return field.get("type"), None, None


def _ask(app, window, horizons) -> list:
    """``app``'s answers to one window with each horizon (None: the field left out)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's test client warns about httpx
        from fastapi.testclient import TestClient

        bodies = [{"window": window} | ({} if h is None else {"horizon": h}) for h in horizons]
        client = TestClient(app, raise_server_exceptions=False)  # no lifespan: the state left
        answers = [client.post("/forecast", json=body) for body in bodies]  # by its server
        if any(answer.status_code >= 500 for answer in answers):  # no state: run the lifespan
            with TestClient(app, raise_server_exceptions=False) as client:
                answers = [client.post("/forecast", json=body) for body in bodies]
    return answers


@exercise(
    "09.3",
    results={
        "ex3_app": "the minimal service with an optional field `horizon` (a FastAPI app)",
        "ex3_schema": "its request schema, from its /openapi.json",
    },
    needs=("served", "X_test_raw", "HORIZON"),
)
def _horizon_field(a):
    from fastapi import FastAPI

    app, horizon = a.ex3_app, int(a.HORIZON)
    if not isinstance(app, FastAPI):
        raise Hint(f"`ex3_app` should be a FastAPI app, got {type(app).__name__}")
    schema = _request_schema(app)
    if not isinstance(a.ex3_schema, dict) or a.ex3_schema != schema:
        yield (
            "`ex3_schema` is not the request schema `ex3_app` publishes: take it from its "
            "/openapi.json, under components/schemas"
        )
    field = schema.get("properties", {}).get("horizon")
    if field is None:
        raise Hint("the request schema of `ex3_app` has no field `horizon`")
    kind, low, high = _bounds(field)
    if kind != "integer" or (low, high) != (1, horizon):
        yield (
            "`/openapi.json` does not document `horizon` as an integer with its bounds, 1 to "
            "HORIZON: give the field pydantic's Field(..., ge=..., le=...)"
        )
    if field.get("default") != horizon:
        yield "`horizon` is not optional with the default HORIZON: give the field its default"

    window = np.asarray(a.X_test_raw[0], dtype=float).tolist()
    expected = a.served.predict(np.asarray([window]))  # (1, HORIZON)
    answers = _ask(app, window, (1, None, 0, horizon + 1))
    short, default, *outside = answers
    for body_horizon, answer in ((1, short), (horizon, default)):
        if answer.status_code != 200:
            yield (
                f"`ex3_app` answers {answer.status_code} to a good window with horizon "
                f"{'left out' if answer is default else body_horizon}: it should forecast"
            )
            continue
        forecasts = np.asarray(answer.json().get("forecasts"), dtype=float)
        if not close(forecasts, expected[:, :body_horizon], rtol=1e-4, atol=1e-5):
            yield (
                "`ex3_app`'s forecasts are not the first `horizon` steps of the model's "
                f"forecast (asked with horizon {'left out' if answer is default else 1}): "
                "keep the first `horizon` columns of each forecast, in the series' units"
            )
    for answer in outside:
        detail = answer.json().get("detail") if answer.status_code == 422 else None
        names = isinstance(detail, list) and any(
            "horizon" in map(str, problem.get("loc", ())) for problem in detail
        )
        if not names:
            yield (
                "`ex3_app` does not answer 422 naming the field `horizon` to a horizon outside "
                "1 to HORIZON: let pydantic check the bounds"
            )
            break


@exercise(
    "09.4",
    results={
        "ex4_verdicts": "a dict: lead (1 to HORIZON) -> the paired rule's verdict, v2 against v1",
        "ex4_versions": "the two services' model_version, v1 first",
        "ex4_forecasts": "the forecasts the two services returned, v1 first, (n_test, HORIZON)",
    },
    needs=("served", "X_test_raw", "y_test_raw", "HORIZON"),
    points=2,
)
def _version_two(a):
    from helpers.comparison import ForecastComparison

    versions = a.ex4_versions
    if not isinstance(versions, (tuple, list)) or len(versions) != 2:
        raise Hint("`ex4_versions` should be the two model_versions, v1 first: a pair")
    if not all(_is_version(v) for v in versions):
        yield "`ex4_versions` should hold the model_version of each answer: 12 hex digits each"
    elif versions[0] != a.served.model_version:
        yield (
            "`ex4_versions[0]` is not version 1's: read `model_version` from the course's "
            "service's answer"
        )
    elif versions[1] == versions[0]:
        yield "both services answered with the same version: serve version 2's package beside"

    found = a.ex4_forecasts
    if not isinstance(found, (tuple, list)) or len(found) != 2:
        raise Hint("`ex4_forecasts` should be the two services' forecasts, v1 first: a pair")
    y = np.asarray(a.y_test_raw, dtype=float)
    shape = y.shape
    v1, v2 = (np.asarray(f, dtype=float) for f in found)
    if v1.shape != shape or v2.shape != shape:
        raise Hint(
            f"each of `ex4_forecasts` should be (n_test, HORIZON) = {shape}, one row per test "
            f"target; they are {v1.shape} and {v2.shape}"
        )
    if not close(v1, a.served.predict(a.X_test_raw), rtol=1e-5, atol=1e-6):
        yield (
            "`ex4_forecasts[0]` is not version 1's forecast of the test windows: send "
            "`X_test_raw` to the course's service"
        )
    if close(v2, v1, rtol=1e-6, atol=1e-9):
        yield "`ex4_forecasts[1]` is version 1's forecast again: ask the version 2 service"

    verdicts = a.ex4_verdicts
    leads = tuple(range(1, int(a.HORIZON) + 1))
    if not isinstance(verdicts, dict) or set(verdicts) != set(leads):
        raise Hint(f"`ex4_verdicts` should be a dict with one verdict per lead, keys {leads}")
    for lead in leads:
        verdict = verdicts[lead]
        if not isinstance(verdict, ForecastComparison):
            raise Hint(
                f"`ex4_verdicts[{lead}]` should be what metrics.compare_forecasts returns, "
                f"got {type(verdict).__name__}"
            )
        if verdict.h != lead:
            yield (
                f"`ex4_verdicts[{lead}]` was made with h={verdict.h}: at lead k the errors "
                "overlap k - 1 steps, so pass h=k (as section 1 does)"
            )
        elif not judges(verdict, y[:, lead - 1], v2[:, lead - 1], v1[:, lead - 1]):
            yield (
                f"`ex4_verdicts[{lead}]` is not the paired rule on the two services' forecasts "
                f"of lead {lead} (column {lead - 1} of `ex4_forecasts`) against `y_test_raw`"
            )
