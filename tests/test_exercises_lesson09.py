"""Lesson 09's exercise checks, on synthetic namespaces: no kernel, no TensorFlow, no server.

The lesson's loaded package (``served``) is stood in for by a NumPy forecaster
with the same ``predict`` on raw windows; the packages of exercise 1 are folders
written here with the manifest and hashes of the course's format; the apps of
exercise 3 are real FastAPI apps, asked in process. Every right answer is computed
here the way a student would, by another route than the check's where there is one.
"""

import hashlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import metrics, model_package
from helpers.exercises import check, grade

WINDOW, HORIZON = 10, 3
VERSION_1 = "8eceaebdd67a"


class ScaledModel:  # the Keras model of the minimal service: scaled windows -> scaled forecasts
    def predict(self, Z, verbose=0):
        recent = np.asarray(Z, dtype=float)[:, -3:, 0]
        steps = [recent.mean(axis=1), recent[:, -1], 0.9 * recent[:, -2]]
        return np.tanh(np.stack(steps, axis=1))  # saturates: a level shift costs


class Served:  # what serving.load_package returns, as far as the checks use it
    model_version = VERSION_1

    def __init__(self, mean, scale):
        self.mean, self.scale, self.model = mean, scale, ScaledModel()

    def predict(self, windows):
        X = np.asarray(windows, dtype=float)
        return self.model.predict((X - self.mean) / self.scale) * self.scale[0] + self.mean[0]


def windows_of(values):  # (n, WINDOW, 1) windows and (n, HORIZON) targets
    n = len(values) - WINDOW - HORIZON + 1
    X = np.stack([values[i : i + WINDOW] for i in range(n)])[:, :, None]
    y = np.stack([values[i + WINDOW : i + WINDOW + HORIZON] for i in range(n)])
    return X, y


@pytest.fixture(scope="module")
def lesson():
    rng = np.random.default_rng(9)
    t = np.arange(1000)
    series = np.sin(2 * np.pi * t / 25) + 0.3 * rng.standard_t(3, size=len(t))  # heavy tails
    train, validation, test = series[:700], series[700:850], series[850:]
    mean, sd = train.mean(), train.std(ddof=1)
    X_val, y_val = windows_of(validation)
    X_test, y_test = windows_of(test)
    manifest = {"training": {"features": {"sine": {"mean": mean, "sd": sd}}}}
    return {
        "served": Served(np.array([mean]), np.array([train.std()])),
        "manifest": manifest,
        "raw": SimpleNamespace(
            validation=SimpleNamespace(X=X_val, y=y_val), test=SimpleNamespace(X=X_test, y=y_test)
        ),
        "X_test_raw": X_test,
        "y_test_raw": y_test,
        "FEATURE_COLUMNS": ["sine"],
        "TARGET_COLUMN": "sine",
        "HORIZON": HORIZON,
    }


def hints_of(key, namespace):
    result = check(key, namespace)
    assert not result.right, f"{key} should not be right"
    return "\n".join(result.hints)


# ------------------------------------------------------------------ exercise 1


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def version_by_hand(folder):  # sha256sum manifest.json model.keras scaler.json | sha256sum
    names = sorted(["manifest.json", "model.keras", "scaler.json"])
    lines = "".join(f"{sha256(folder / name)}  {name}\n" for name in names)
    return hashlib.sha256(lines.encode()).hexdigest()[:12]


def write_manifest(folder):
    files = {name: sha256(folder / name) for name in ("model.keras", "scaler.json")}
    manifest = {"format": model_package.FORMAT, "scaler": "StandardScaler", "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("packages")
    released = root / "forecaster-v1"
    released.mkdir()
    (released / "model.keras").write_bytes(b"the trained weights" * 100)
    (released / "scaler.json").write_text('{"kind": "StandardScaler"}')
    write_manifest(released)
    swapped = Path(shutil.copytree(released, root / "swapped"))  # new model, old manifest
    (swapped / "model.keras").write_bytes(b"an untrained model" * 100)
    forged = Path(shutil.copytree(swapped, root / "forged"))  # ... and the manifest rewritten
    write_manifest(forged)
    return {"released": released, "swapped": swapped, "forged": forged}


@pytest.fixture
def right_1(lesson, packages):
    namespace = {**lesson, "folder": packages["released"]}
    namespace["served"] = SimpleNamespace(model_version=version_by_hand(packages["released"]))
    forged = packages["forged"]
    return {
        **namespace,
        "ex1_package": forged,
        "ex1_version": version_by_hand(forged),
        "ex1_loaded": True,
    }


def test_1_right(right_1):
    assert check("09.1", right_1).right
    grade("09.1", right_1)
    assert check("09.1", {**right_1, "ex1_package": str(right_1["ex1_package"])}).right


def test_1_nothing_defined(lesson, packages):
    hints = check("09.1", {**lesson, "folder": packages["released"]}).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex1_package`",
        "define `ex1_version`",
        "define `ex1_loaded`",
    ]


def test_1_manifest_not_rewritten(right_1, packages):
    swapped = {
        **right_1,
        "ex1_package": packages["swapped"],
        "ex1_version": version_by_hand(packages["swapped"]),
    }
    text = hints_of("09.1", swapped)
    assert "fails its hash check" in text and "`ex1_package`" in text
    with pytest.raises(AssertionError, match="ex1_package"):
        grade("09.1", swapped)


def test_1_the_released_package(right_1, packages):
    text = hints_of("09.1", {**right_1, "ex1_package": packages["released"]})
    assert "`ex1_package` is the released package" in text
    assert "`ex1_package` should be" in hints_of("09.1", {**right_1, "ex1_package": 3})


def test_1_the_same_model_repackaged(right_1, tmp_path, packages):
    same = Path(shutil.copytree(packages["released"], tmp_path / "same"))
    text = hints_of("09.1", {**right_1, "ex1_package": same, "ex1_version": version_by_hand(same)})
    assert "model.keras is the released one" in text


@pytest.mark.parametrize("loaded", [False, "True", 1])
def test_1_wrong_loaded(right_1, loaded):
    text = hints_of("09.1", {**right_1, "ex1_loaded": loaded})
    assert "`ex1_loaded`" in text


def test_1_wrong_version(right_1, packages):
    released = right_1["served"].model_version
    before_rewrite = version_by_hand(packages["swapped"])
    for version, words in [
        (released, "the released package's version"),
        (before_rewrite, "not the version of the package in `ex1_package`"),
        (version_by_hand(packages["forged"]).upper(), "12 hex digits"),
        (int(released, 16), "12 hex digits"),
    ]:
        text = hints_of("09.1", {**right_1, "ex1_version": version})
        assert "`ex1_version`" in text and words in text
        assert version_by_hand(packages["forged"]) not in text


# ------------------------------------------------------------------ exercise 2


def right_answers_2(ns):  # counted per window from the z-scores; RMSE with scikit-learn's rule
    stats = ns["manifest"]["training"]["features"]["sine"]
    unseen = np.concatenate([ns["raw"].validation.X, ns["raw"].test.X])
    farthest = np.abs((unseen - stats["mean"]) / stats["sd"]).max(axis=(1, 2))
    alarms = {k: float(np.mean(farthest > k)) for k in (2, 3, 4, 5)}
    rmse = {
        delta: metrics.root_mean_squared_error(
            ns["y_test_raw"] + delta * stats["sd"],
            ns["served"].predict(ns["X_test_raw"] + delta * stats["sd"]),
        )
        for delta in range(7)
    }
    return alarms, rmse


@pytest.fixture(scope="module")
def right_2(lesson):
    alarms, rmse = right_answers_2(lesson)
    assert 0 < alarms[3] < alarms[2] < 1  # the heavy tails give false alarms to find
    assert rmse[3] > 2 * rmse[0]  # and a level shift costs
    return {
        **lesson,
        "ex2_false_alarms": alarms,
        "ex2_rmse_by_shift": rmse,
        "ex2_k": 4,
        "ex2_policy": "warn",
    }


def test_2_right(right_2):
    assert check("09.2", right_2).right
    grade("09.2", right_2)
    assert check("09.2", {**right_2, "ex2_k": 3.5, "ex2_policy": "refuse"}).right
    sd = right_2["manifest"]["training"]["features"]["sine"]["sd"]
    pooled = {  # one RMSE over every lead's errors, instead of the mean of the leads' RMSEs
        delta: np.sqrt(np.mean((right_2["y_test_raw"] + delta * sd - forecast) ** 2))
        for delta in range(7)
        for forecast in [right_2["served"].predict(right_2["X_test_raw"] + delta * sd)]
    }
    per_lead = right_2["ex2_rmse_by_shift"]
    assert any(not np.isclose(pooled[d], per_lead[d], rtol=2e-3) for d in range(7))
    assert check("09.2", {**right_2, "ex2_rmse_by_shift": pooled}).right


def test_2_nothing_defined(lesson):
    hints = check("09.2", lesson).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex2_false_alarms`",
        "define `ex2_rmse_by_shift`",
        "define `ex2_k`",
        "define `ex2_policy`",
    ]


def test_2_false_alarms_counted_over_values_or_one_part(right_2):
    stats = right_2["manifest"]["training"]["features"]["sine"]
    unseen = np.concatenate([right_2["raw"].validation.X, right_2["raw"].test.X])
    z = np.abs(unseen - stats["mean"]) / stats["sd"]
    over_values = {k: float(np.mean(z > k)) for k in (2, 3, 4, 5)}
    test_only = {k: float(np.mean((z[-len(right_2["X_test_raw"]) :] > k).any(axis=(1, 2))))
                 for k in (2, 3, 4, 5)}  # fmt: skip
    for wrong in (over_values, test_only):
        text = hints_of("09.2", {**right_2, "ex2_false_alarms": wrong})
        assert "`ex2_false_alarms[2]` is not the share" in text
        assert not shown(text, list(right_2["ex2_false_alarms"].values()))


@pytest.mark.parametrize(
    "alarms", [{2: 0.1, 3: 0.0}, {"2": 0.1, "3": 0, "4": 0, "5": 0}, [0.1, 0, 0, 0], {2: "a"}]
)
def test_2_false_alarms_malformed(right_2, alarms):
    assert "`ex2_false_alarms" in hints_of("09.2", {**right_2, "ex2_false_alarms": alarms})


def test_2_rmse_against_unshifted_targets(right_2):
    sd = right_2["manifest"]["training"]["features"]["sine"]["sd"]
    unshifted = {
        delta: metrics.root_mean_squared_error(
            right_2["y_test_raw"], right_2["served"].predict(right_2["X_test_raw"] + delta * sd)
        )
        for delta in range(7)
    }
    text = hints_of("09.2", {**right_2, "ex2_rmse_by_shift": unshifted})
    assert "`ex2_rmse_by_shift[1]` is not the RMSE" in text
    assert not shown(text, list(right_2["ex2_rmse_by_shift"].values()))
    with pytest.raises(AssertionError, match="ex2_rmse_by_shift"):
        grade("09.2", {**right_2, "ex2_rmse_by_shift": unshifted})


def test_2_rmse_with_other_shifts(right_2):
    rmse = right_2["ex2_rmse_by_shift"]
    from_one = {delta + 1: value for delta, value in rmse.items()}
    assert "exactly the keys" in hints_of("09.2", {**right_2, "ex2_rmse_by_shift": from_one})


@pytest.mark.parametrize(
    ("name", "value"), [("ex2_k", -1), ("ex2_k", 0), ("ex2_policy", "block"), ("ex2_policy", 1)]
)
def test_2_wrong_choice(right_2, name, value):
    assert f"`{name}`" in hints_of("09.2", {**right_2, name: value})


# ------------------------------------------------------------------ exercise 3


def minimal_app(served, *, horizon_field="bounded", cut=True, state=True):
    """The lesson's minimal service, with the exercise's field done right or wrong."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from pydantic import BaseModel, Field

    class ForecastRequest(BaseModel):
        window: list[list[float]] | None = None
        windows: list[list[list[float]]] | None = None

    class ForecastResponse(BaseModel):
        forecasts: list[list[float]]

    fields = {
        "bounded": Field(HORIZON, ge=1, le=HORIZON, description="steps to return"),
        "unbounded": Field(HORIZON),
        "required": Field(ge=1, le=HORIZON),
    }

    request = ForecastRequest
    if horizon_field is not None:

        class HorizonRequest(ForecastRequest):
            horizon: int = fields[horizon_field]

        request = HorizonRequest

    @asynccontextmanager
    async def lifespan(app):
        app.state.mean, app.state.scale = mean, scale
        app.state.model = ScaledModel()
        yield

    app = FastAPI(title="A minimal forecaster with a horizon", lifespan=lifespan)
    mean, scale = served.mean, served.scale

    @app.post("/forecast")
    def forecast(body: request) -> ForecastResponse:
        X = np.array([body.window] if body.window is not None else body.windows)
        z = app.state.model.predict((X - app.state.mean) / app.state.scale, verbose=0)
        steps = getattr(body, "horizon", HORIZON) if cut else HORIZON
        return ForecastResponse(forecasts=(z[:, :steps] * scale[0] + mean[0]).tolist())

    if state:  # as a server that ran its lifespan leaves it
        app.state.mean, app.state.scale, app.state.model = mean, scale, ScaledModel()
    return app


def schema_of(app, name):
    return app.openapi()["components"]["schemas"][name]


@pytest.fixture(scope="module")
def lesson_3(lesson):
    return lesson


def asked(namespace, app, schema_name):
    return {**namespace, "ex3_app": app, "ex3_schema": schema_of(app, schema_name)}


@pytest.fixture(scope="module")
def right_3(lesson_3):
    app = minimal_app(lesson_3["served"])
    return asked(lesson_3, app, "HorizonRequest")


def test_3_right(right_3, lesson_3):
    assert check("09.3", right_3).right
    grade("09.3", right_3)
    fresh = minimal_app(lesson_3["served"], state=False)  # state from its lifespan only
    assert check("09.3", asked(lesson_3, fresh, "HorizonRequest")).right


def test_3_nothing_defined(lesson_3):
    hints = check("09.3", lesson_3).hints
    assert [h.split(":")[0] for h in hints] == ["define `ex3_app`", "define `ex3_schema`"]


def test_3_no_bounds(lesson_3):
    app = minimal_app(lesson_3["served"], horizon_field="unbounded")
    text = hints_of("09.3", asked(lesson_3, app, "HorizonRequest"))
    assert "with its bounds" in text and "does not answer 422 naming the field `horizon`" in text
    with pytest.raises(AssertionError, match="horizon"):
        grade("09.3", asked(lesson_3, app, "HorizonRequest"))


def test_3_not_optional(lesson_3):
    app = minimal_app(lesson_3["served"], horizon_field="required")
    text = hints_of("09.3", asked(lesson_3, app, "HorizonRequest"))
    assert "not optional" in text and "horizon left out" in text


def test_3_no_field(lesson_3):
    app = minimal_app(lesson_3["served"], horizon_field=None)
    text = hints_of("09.3", asked(lesson_3, app, "ForecastRequest"))
    assert "has no field `horizon`" in text


def test_3_answers_every_step(lesson_3):
    app = minimal_app(lesson_3["served"], cut=False)
    text = hints_of("09.3", asked(lesson_3, app, "HorizonRequest"))
    assert "`ex3_app`'s forecasts are not the first `horizon` steps" in text
    assert not shown(text, lesson_3["served"].predict(lesson_3["X_test_raw"][:1]))


def test_3_another_schema_or_no_app(right_3):
    other = minimal_app(right_3["served"], horizon_field=None)
    text = hints_of("09.3", {**right_3, "ex3_schema": schema_of(other, "ForecastRequest")})
    assert "`ex3_schema` is not the request schema" in text
    assert "`ex3_app` should be a FastAPI app" in hints_of("09.3", {**right_3, "ex3_app": "app"})


# ------------------------------------------------------------------ exercise 4


@pytest.fixture(scope="module")
def right_4(lesson):
    v1 = lesson["served"].predict(lesson["X_test_raw"])
    v2 = v1 + np.random.default_rng(4).normal(scale=0.05, size=v1.shape)
    y = lesson["y_test_raw"]
    verdicts = {
        k + 1: metrics.compare_forecasts(y[:, k], v2[:, k], v1[:, k], h=k + 1, names=("v2", "v1"))
        for k in range(HORIZON)
    }
    return {
        **lesson,
        "ex4_verdicts": verdicts,
        "ex4_versions": (VERSION_1, "0123456789ab"),
        "ex4_forecasts": (v1, v2),
    }


def test_4_right(right_4):
    assert check("09.4", right_4).right
    grade("09.4", right_4)
    v1, v2 = right_4["ex4_forecasts"]
    y = right_4["y_test_raw"]
    other_order = {
        k + 1: metrics.compare_forecasts(y[:, k], v1[:, k], v2[:, k], h=k + 1)
        for k in range(HORIZON)
    }
    assert check("09.4", {**right_4, "ex4_verdicts": other_order}).right


def test_4_nothing_defined(lesson):
    hints = check("09.4", lesson).hints
    assert [h.split(":")[0] for h in hints] == [
        "define `ex4_verdicts`",
        "define `ex4_versions`",
        "define `ex4_forecasts`",
    ]


@pytest.mark.parametrize(
    ("versions", "words"),
    [
        (("0123456789ab", VERSION_1), "`ex4_versions[0]` is not version 1's"),
        ((VERSION_1, VERSION_1), "the same version"),
        ((VERSION_1, "v2"), "12 hex digits"),
        (VERSION_1, "a pair"),
    ],
)
def test_4_wrong_versions(right_4, versions, words):
    assert words in hints_of("09.4", {**right_4, "ex4_versions": versions})


def test_4_wrong_forecasts(right_4):
    v1, v2 = right_4["ex4_forecasts"]
    shifted = np.roll(v1, 1, axis=0)  # answers for the windows one step off
    text = hints_of("09.4", {**right_4, "ex4_forecasts": (shifted, v2)})
    assert "`ex4_forecasts[0]` is not version 1's forecast" in text
    assert "is version 1's forecast again" in hints_of(
        "09.4", {**right_4, "ex4_forecasts": (v1, v1)}
    )
    assert "(n_test, HORIZON)" in hints_of("09.4", {**right_4, "ex4_forecasts": (v1, v2[:, 0])})
    assert "a pair" in hints_of("09.4", {**right_4, "ex4_forecasts": v1})


def test_4_wrong_verdicts(right_4):
    v1, v2 = right_4["ex4_forecasts"]
    y = right_4["y_test_raw"]
    at_h1 = {k + 1: metrics.compare_forecasts(y[:, k], v2[:, k], v1[:, k]) for k in range(HORIZON)}
    text = hints_of("09.4", {**right_4, "ex4_verdicts": at_h1})
    assert "`ex4_verdicts[2]` was made with h=1" in text
    wrong_lead = {lead: right_4["ex4_verdicts"][1] for lead in (1, 2, 3)}
    text = hints_of("09.4", {**right_4, "ex4_verdicts": wrong_lead})
    assert "`ex4_verdicts[2]`" in text
    against_own = {
        k + 1: metrics.compare_forecasts(y[:, k], v2[:, k], y[:, k] * 0, h=k + 1)
        for k in range(HORIZON)
    }
    text = hints_of("09.4", {**right_4, "ex4_verdicts": against_own})
    assert "`ex4_verdicts[1]` is not the paired rule" in text
    assert not shown(text, [v.p_value for v in right_4["ex4_verdicts"].values()])
    with pytest.raises(AssertionError, match="ex4_verdicts"):
        grade("09.4", {**right_4, "ex4_verdicts": against_own})
    zero_based = {k: v for k, v in enumerate(right_4["ex4_verdicts"].values())}
    assert "keys (1, 2, 3)" in hints_of("09.4", {**right_4, "ex4_verdicts": zero_based})
    not_verdicts = {lead: "v2 wins" for lead in (1, 2, 3)}
    assert "compare_forecasts returns" in hints_of(
        "09.4", {**right_4, "ex4_verdicts": not_verdicts}
    )
