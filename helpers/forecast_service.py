"""The course's forecasting service: a FastAPI app around a model package.

:func:`create_app` builds it; ``python -m helpers.serving PACKAGE`` runs it with
uvicorn (:mod:`helpers.serving`). What it adds to the few lines of lesson 09's
minimal app, each for a request that app gets wrong:

- the request body is declared with pydantic models (:func:`request_model`), so
  ``GET /openapi.json`` documents ``POST /forecast`` with the package's window
  length and features; pydantic's findings are turned into one message that says
  what was wrong and how to fix it (:func:`describe_errors`), with the status
  that says whose fault it is: 400 for a body that is not JSON (``NaN`` and
  ``Infinity`` included: JSON has neither), 413 for a body or a batch over its
  limit, 422 for JSON that is not a valid window;
- a body over the limit is read to its end (up to :data:`DRAIN_BYTES`) and then
  answered 413, so an ordinary client that is still sending gets the answer
  rather than a reset connection;
- ``GET /health`` (liveness: the process answers) apart from ``GET /ready``
  (readiness: 200 once the package is loaded and a warm-up forecast succeeded,
  503 before);
- every forecast names the ``model_version`` (a hash over every file of the
  package), a client's ``X-Request-ID`` is echoed (one is made when absent), and
  every request writes one JSON log line with the request id, the model version,
  the status, the latency and the batch size (:class:`JsonLines`);
- inputs farther than ``out_of_range_sd`` training standard deviations from the
  training mean are flagged: the forecast is still given, with a ``warnings``
  list, and a log line; ``refuse_out_of_range=True`` answers them 422 instead.

The interactive ``/docs`` page is switched off: FastAPI's loads its scripts from
a CDN, which an offline classroom cannot reach; ``/openapi.json`` is the schema.
"""

# No ``from __future__ import annotations``: pydantic reads the annotations of the
# request model, which is built inside a function from the package's shape.

import datetime
import json
import logging
import threading
import time
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

import numpy as np
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from helpers import _checks, model_package
from helpers.model_package import OUT_OF_RANGE_SD, RequestProblem

__all__ = [
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "DRAIN_BYTES",
    "create_app",
    "request_model",
    "describe_errors",
    "ForecastResponse",
    "RangeWarning",
    "Problem",
    "JsonLines",
]

#: Most windows one ``POST /forecast`` may hold (:func:`create_app` takes another).
MAX_BATCH = 1024
#: Largest request body in bytes (1 MB; :func:`create_app` takes another).
MAX_BODY_BYTES = 1_000_000
#: A body over the limit is read and discarded up to this many bytes before the 413
#: is sent, so that a client still sending it reads the answer; beyond it the
#: connection is closed (the client may then see a reset instead of the 413).
DRAIN_BYTES = 64 * 2**20

_LOG = logging.getLogger("helpers.serving")
_LOG.addHandler(logging.NullHandler())
_EXAMPLE = 'send {"window": [[...], ...]} for one window or {"windows": [...]} for a batch'


# --------------------------------------------------------------------------- the schema


class RangeWarning(BaseModel):
    """An input value far outside the training data (:meth:`ServedModel.out_of_range`)."""

    window: int = Field(description="index of the window in the request (0 for one window)")
    feature: str
    value: float = Field(description="the value farthest from the training mean")
    count: int = Field(description="values of this feature in this window outside the range")
    rule: str


class ForecastResponse(BaseModel):
    """Raw forecasts, the version of the package that made them, and any warnings."""

    forecast: list[float] | None = Field(None, description="for a request with window")
    forecasts: list[list[float]] | None = Field(None, description="for a request with windows")
    model_version: str
    warnings: list[RangeWarning] = Field(default_factory=list)


class Problem(BaseModel):
    """What was wrong with a request, and how to fix it."""

    detail: str


def _rows(value, n_features: int, index=None):
    """A flat list of numbers is one feature's window: [1, 2] -> [[1], [2]]."""
    if not isinstance(value, list) or not value or any(isinstance(v, list) for v in value):
        return value
    if n_features != 1:
        where = {} if index is None else {"index": index}
        raise PydanticCustomError("flat_window", "a flat list", {"length": len(value)} | where)
    return [[v] for v in value]


def request_model(window: int, features: list[str], *, max_batch: int = MAX_BATCH):
    """The pydantic model of a ``POST /forecast`` body for windows of this shape.

    ``{"window": [[...], ...]}``: ``window`` rows (time steps, oldest first) of one
    raw value per feature, or a flat list of ``window`` values for one feature;
    ``{"windows": [...]}``: 1 to ``max_batch`` such windows. Values are finite JSON
    numbers (strings, booleans and nulls are refused, never converted).

    Parameters
    ----------
    window : int
    features : list of str
    max_batch : int, default MAX_BATCH

    Returns
    -------
    type
        A pydantic ``BaseModel`` subclass named ``ForecastRequest``.

    Examples
    --------
    >>> Request = request_model(3, ["y"])
    >>> Request.model_validate({"window": [1, 2, 3.5]}).window
    [[1.0], [2.0], [3.5]]
    >>> Request.model_json_schema()["properties"]["window"]["anyOf"][0]["minItems"]
    3
    """
    n = _checks.integer(window, "window")
    n_features = len(features)
    batch = _checks.integer(max_batch, "max_batch")
    Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
    Row = Annotated[list[Number], Field(min_length=n_features, max_length=n_features)]
    Window = Annotated[list[Row], Field(min_length=n, max_length=n)]
    shape = f"{n} rows (oldest first) of {n_features} raw value(s): {', '.join(features)}"

    class ForecastRequest(BaseModel):
        """One window or a batch of windows of raw values; send exactly one of the two."""

        model_config = ConfigDict(extra="forbid")
        window: Window | None = Field(None, description=f"one window: {shape}")
        windows: Annotated[list[Window], Field(min_length=1, max_length=batch)] | None = Field(
            None, description=f"1 to {batch} windows, each {shape}"
        )

        @field_validator("window", mode="before")
        @classmethod
        def _flat_window(cls, value):
            return _rows(value, n_features)

        @field_validator("windows", mode="before")
        @classmethod
        def _flat_windows(cls, value):
            if not isinstance(value, list):
                return value
            return [_rows(v, n_features, index=i) for i, v in enumerate(value)]

        @model_validator(mode="after")
        def _one_of_the_two(self):
            if (self.window is None) == (self.windows is None):
                raise PydanticCustomError("one_of", "exactly one of window and windows")
            return self

        def array(self) -> np.ndarray:  # (n, window, n_features) float64
            return np.array([self.window] if self.window is not None else self.windows, float)

    return ForecastRequest


# --------------------------------------------------------------------------- messages


def _where(loc) -> str:
    path = [part for part in loc if part != "body"]
    if not path:
        return "the body"
    return str(path[0]) + "".join(f"[{part}]" for part in path[1:])


def _what_it_is(value) -> str:
    if value is None:
        return "is null: a forecast needs every value; fill missing values before sending"
    if isinstance(value, bool):
        return f"is {str(value).lower()}, expected a number"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "..."
        return f"is a string {shown!r}, expected a number"
    return f"is {'a list' if isinstance(value, list) else 'an object'}, expected a number"


def describe_errors(errors, *, window: int, features: list[str], max_batch: int):
    """pydantic's findings about a request -> (status, one message that says how to fix it).

    The first finding is described (with how many more there are): 400 for a body
    that is not JSON, 413 for a batch over ``max_batch``, 422 for the rest.

    Parameters
    ----------
    errors : list of dict
        ``RequestValidationError.errors()``.
    window : int
    features : list of str
    max_batch : int

    Returns
    -------
    tuple (int, str)

    Examples
    --------
    >>> describe_errors([{"type": "float_type", "loc": ("body", "window", 3, 0),
    ...                   "input": None}], window=10, features=["y"], max_batch=8)[1]
    'window[3][0] is null: a forecast needs every value; fill missing values before sending'
    """
    first, n = errors[0], len(errors)
    kind, loc, where = first["type"], tuple(first.get("loc", ())), _where(first.get("loc", ()))
    ctx, depth = first.get("ctx") or {}, len([p for p in first.get("loc", ()) if p != "body"])
    batch = bool(loc[1:2] == ("windows",))
    level = depth - (1 if batch else 0)  # 1: a window, 2: a row, 3: a value
    F, names = len(features), ", ".join(features)
    status = 422
    if kind == "json_invalid":
        status, message = 400, str(ctx.get("error", "the body is not valid JSON"))
        if not message.startswith("the body"):
            message = f"the body is not valid JSON: {message}"
    elif kind in ("missing", "model_type", "model_attributes_type", "dict_type") and depth == 0:
        message = f"the body must be a JSON object; {_EXAMPLE}"
    elif kind == "extra_forbidden":
        message = f"the body has the unknown field {where!r}; {_EXAMPLE}"
    elif kind == "one_of":
        message = f"the body must hold exactly one of the fields window and windows; {_EXAMPLE}"
    elif kind == "flat_window":
        where += f"[{ctx['index']}]" if "index" in ctx else ""
        message = (
            f"{where} is a flat list of {ctx.get('length')} values, but the model reads {F} "
            f"features per time step: send {window} rows of {F} numbers ({names})"
        )
    elif batch and depth == 1 and kind == "too_long":
        status = 413
        message = (
            f"the batch holds {ctx.get('actual_length')} windows; this service takes at most "
            f"{max_batch} per request: split it"
        )
    elif batch and depth == 1:
        message = f"windows must be a non-empty list of windows; {_EXAMPLE}"
    elif kind in ("too_short", "too_long") and level == 1:
        rows = ctx.get("actual_length")
        message = (
            f"{where} is empty: it must hold {window} rows of {F} number(s) ({names})"
            if rows == 0
            else f"{where} has {rows} rows (time steps), but the model reads windows of {window}"
        )
    elif kind in ("too_short", "too_long") and level == 2:
        message = (
            f"{where} has {ctx.get('actual_length')} value(s), but the model reads {F} "
            f"feature(s) per time step ({names})"
        )
    elif kind == "list_type" and level == 1:
        message = f"{where} must be a list of {window} rows of {F} number(s) ({names})"
    elif kind == "list_type":
        message = f"{where} is not a list: each row holds {F} number(s) ({names})"
    elif kind == "finite_number":
        message = (
            f"{where} = {first.get('input')!r} is not a finite number (a value too large for a "
            "64-bit float, such as 1e999, reads as inf): send finite numbers"
        )
    elif kind == "float_type":
        message = f"{where} {_what_it_is(first.get('input'))}"
    else:  # a finding this table does not know: pydantic's own words
        message = f"{where}: {first.get('msg', kind)}"
    if n > 1:
        message += f" (and {n - 1} more problem{'s' if n > 2 else ''} in this request)"
    return status, message


# --------------------------------------------------------------------------- JSON bodies


def _reject_constant(name: str):
    raise ValueError(
        f"the body contains {name}, which JSON does not allow (RFC 8259 has no NaN or Infinity) "
        "and which cannot be forecast: send finite numbers, and fill missing values first"
    )


def _parse_json(body: bytes):
    """Strict JSON: NaN, Infinity, bad UTF-8, deep nesting are JSONDecodeErrors with a message."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"the body is not valid JSON: not UTF-8 ({error.reason})"
        raise json.JSONDecodeError(message, "", 0) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        message = "the body is not valid JSON: it is nested too deeply"
        raise json.JSONDecodeError(message, "", 0) from None
    except json.JSONDecodeError as error:
        raise json.JSONDecodeError(f"the body is not valid JSON: {error}", "", 0) from None
    except ValueError as error:  # a NaN or Infinity literal, too many digits
        raise json.JSONDecodeError(str(error), "", 0) from None


class _StrictJSONRequest(Request):
    async def json(self):
        if not hasattr(self, "_strict_json"):
            self._strict_json = _parse_json(await self.body())
        return self._strict_json


class _StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by :func:`_parse_json` (FastAPI's way to swap it)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict(request: Request):
            return await handler(_StrictJSONRequest(request.scope, request.receive))

        return strict


# --------------------------------------------------------------------------- middleware


class _BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes is read to its end, then answered 413."""

    def __init__(self, app, limit: int, drain: int = DRAIN_BYTES):
        self.app, self.limit, self.drain = app, limit, drain

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        chunks, size, more = [], 0, True
        if not (declared.isdigit() and int(declared) > self.limit):
            while more and size <= self.limit:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
        if size > self.limit or more:  # over the limit: discard the rest, then answer
            while more and size <= self.drain:
                message = await receive()
                size += len(message.get("body", b""))
                more = message["type"] == "http.request" and message.get("more_body", False)
            problem = (
                f"the body is larger than this service's limit of {self.limit:,} bytes: send "
                "fewer windows per request"
            )
            headers = {"connection": "close"} if more else None
            return await JSONResponse({"detail": problem}, 413, headers=headers)(
                scope, receive, send
            )
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _request_id(scope) -> str:
    """The client's X-Request-ID if it is 1-128 printable ASCII characters, else a new one."""
    given = dict(scope["headers"]).get(b"x-request-id", b"")
    if 0 < len(given) <= 128 and all(33 <= byte <= 126 for byte in given):
        return given.decode("ascii")
    return uuid.uuid4().hex


class _RequestLog:
    """ASGI middleware: the request id (echoed) and one JSON log line per request."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500
        request_id = _request_id(scope)
        notes = scope.setdefault("state", {})
        notes["request_id"] = request_id

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = message | {"headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            milliseconds = 1000 * (time.perf_counter() - start)
            fields = {
                "event": "request", "request_id": request_id, "method": scope["method"],
                "path": scope["path"], "status": status, "latency_ms": round(milliseconds, 2),
                "model_version": self.state.version, "batch_size": notes.get("batch_size"),
                "warnings": notes.get("warnings", 0),
            }  # fmt: skip
            summary = f"{scope['method']} {scope['path']} {status} {milliseconds:.1f} ms"
            _LOG.info(summary, extra={"fields": fields})


class JsonLines(logging.Formatter):
    """One JSON object per log line: time, level, logger, message and the record's ``fields``.

    Examples
    --------
    >>> record = logging.LogRecord("helpers.serving", logging.INFO, "", 0, "GET /health 200",
    ...                            None, None)
    >>> record.fields = {"status": 200}
    >>> line = json.loads(JsonLines().format(record))
    >>> line["message"], line["status"], line["level"]
    ('GET /health 200', 200, 'INFO')
    """

    def format(self, record):
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        line = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= getattr(record, "fields", {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


# --------------------------------------------------------------------------- the app


class _State:
    """What the service knows: the package's manifest, then the loaded model, or why not."""

    def __init__(self, directory, manifest: dict):
        self.directory, self.manifest = directory, manifest
        self.served = self.failure = self.version = None  # version: once loaded and warmed up

    def load(self) -> None:
        served = model_package.load_package(self.directory)
        stats = served.training["features"] if served.training else None
        warm = [[stats[f]["mean"] if stats else 0.0 for f in served.features]] * served.window
        forecast = served.predict(np.array([warm]))  # the warm-up forecast: (1, horizon)
        if not np.all(np.isfinite(forecast)):
            raise ValueError("the warm-up forecast is not finite")
        self.served, self.version = served, served.model_version

    def load_or_fail(self, on_failure) -> None:
        """The background load: ready, or a failure said in the log and to ``on_failure``."""
        try:
            self.load()
            _LOG.info("ready", extra={"fields": {"event": "ready", "model_version": self.version}})
        except Exception as error:  # noqa: BLE001 - any failure leaves the service unready
            self.failure = f"{type(error).__name__}: {error}"
            _LOG.error("cannot serve the package: %s", self.failure)
            if on_failure is not None:
                on_failure(self.failure)


def _lifespan(state: _State, on_failure):
    @asynccontextmanager
    async def lifespan(app):  # the server starts: load in a thread unless loaded already
        if state.served is None:
            loader = threading.Thread(
                target=state.load_or_fail, args=(on_failure,), name="load-package", daemon=True
            )
            loader.start()
        yield

    return lifespan


def _answer_errors(app, shape: dict) -> None:
    """pydantic's findings and the service's own RequestProblems as {"detail": message}."""

    @app.exception_handler(RequestValidationError)
    async def answer_invalid(request: Request, error: RequestValidationError):
        status, message = describe_errors(error.errors(), **shape)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(RequestProblem)
    async def answer_problem(request: Request, problem: RequestProblem):
        return JSONResponse({"detail": str(problem)}, status_code=problem.status)


def _state_routes(app, state: _State) -> None:
    @app.get("/health")
    async def health():
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", responses={503: {"description": "still loading, or failed"}})
    async def ready():
        """Readiness: 200 once the package is loaded and a warm-up forecast succeeded."""
        if state.served is not None:
            return {"status": "ready", "model_version": state.version}
        if state.failure:
            return JSONResponse({"status": "failed", "detail": state.failure}, 503)
        return JSONResponse({"status": "loading"}, 503)

    @app.get("/model")
    async def model_manifest():
        """The package's manifest, with its model_version."""
        return state.manifest


def _out_of_range(request: Request, state: _State, X, k: float, refuse: bool) -> list[dict]:
    """Flag (log, and count for the request's line) or refuse values far outside training."""
    warnings = state.served._out_of_range(X, k) if state.served.training else []
    if warnings:
        request.state.warnings = len(warnings)
        fields = {"event": "out_of_range", "request_id": request.state.request_id,
                  "model_version": state.version, "warnings": warnings[:10]}  # fmt: skip
        _LOG.warning("inputs outside the training range", extra={"fields": fields})
    if warnings and refuse:
        w = warnings[0]
        raise RequestProblem(
            f"feature {w['feature']!r} = {w['value']:g} in window {w['window']} is outside the "
            f"training range ({w['rule']}); this service refuses such inputs: check that the "
            "values are raw values in the units of the training data"
        )
    return warnings


def _forecast_route(app, state: _State, ForecastRequest, k: float, refuse: bool) -> None:
    problems = {code: {"model": Problem} for code in (400, 413, 422, 503)}

    @app.post("/forecast", response_model_exclude_none=True, responses=problems)
    async def forecast(body: ForecastRequest, request: Request) -> ForecastResponse:  # type: ignore[valid-type]
        """Forecast one window or a batch; every answer names the model version."""
        if state.served is None:
            raise RequestProblem(
                "the model is not loaded yet: retry once GET /ready answers 200", status=503
            )
        X = body.array()  # (n, window, n_features), raw
        request.state.batch_size = len(X)
        warnings = _out_of_range(request, state, X, k, refuse)
        values = await run_in_threadpool(state.served._predict, X)  # (n, horizon), raw
        one = body.window is not None
        return ForecastResponse(
            forecast=values[0].tolist() if one else None,
            forecasts=None if one else values.tolist(),
            model_version=state.version,
            warnings=[RangeWarning(**w) for w in warnings],
        )


def create_app(
    directory,
    *,
    max_batch=MAX_BATCH,
    max_body_bytes=MAX_BODY_BYTES,
    out_of_range_sd=OUT_OF_RANGE_SD,
    refuse_out_of_range=False,
    load_in_background=False,
    on_load_failure=None,
):
    """The FastAPI service of a model package.

    Routes: ``POST /forecast`` (body :func:`request_model`, answer
    :class:`ForecastResponse`), ``GET /health``, ``GET /ready``, ``GET /model``
    (the manifest with ``model_version``), ``GET /openapi.json``.

    Parameters
    ----------
    directory : str or os.PathLike
        A package from :func:`helpers.model_package.package`; its hashes are
        checked now, whatever ``load_in_background`` says.
    max_batch : int, default MAX_BATCH
        Most windows per request (413 beyond).
    max_body_bytes : int, default MAX_BODY_BYTES
        Largest request body (413 beyond).
    out_of_range_sd : float, default OUT_OF_RANGE_SD
        :math:`k` of the rule ``|value - training mean| > k training sd``.
    refuse_out_of_range : bool, default False
        Answer such inputs 422 instead of forecasting them with warnings.
    load_in_background : bool, default False
        False: the model is loaded and warmed up now, so the app is ready at
        once (in-process use: tests, ``httpx.ASGITransport``). True: it is loaded
        in a thread when the server starts (its lifespan), while ``/health``
        already answers and ``/ready`` says 503.
    on_load_failure : callable, optional
        Called with the message when a background load fails (the command line
        stops the server with it).

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`helpers.model_package.check_package` (and ``load_package`` when
        not loading in the background); ValueError if a limit is not positive.
    TypeError
        If an argument has the wrong type.
    """
    max_batch = _checks.integer(max_batch, "max_batch")
    max_body_bytes = _checks.integer(max_body_bytes, "max_body_bytes")
    k = _checks.real(out_of_range_sd, "out_of_range_sd", low=0, low_open=True)
    refuse = _checks.boolean(refuse_out_of_range, "refuse_out_of_range")
    background = _checks.boolean(load_in_background, "load_in_background")
    if on_load_failure is not None and not background:
        raise ValueError("on_load_failure is called by a background load only: set both or neither")
    if on_load_failure is not None:
        _checks.function(on_load_failure, "on_load_failure", call="on_load_failure(message)")
    state = _State(directory, model_package.check_package(directory))
    if not background:
        state.load()
    manifest = state.manifest
    if manifest.get("training") is None:
        _LOG.warning("the package stores no training statistics: inputs are not checked")

    app = FastAPI(
        title=f"Forecast of {manifest['target']}",
        version=manifest["model_version"],
        description=f"{manifest['horizon']} step(s) ahead from raw windows; helpers.serving.",
        docs_url=None,  # FastAPI's /docs page loads from a CDN: switched off, offline
        redoc_url=None,
        lifespan=_lifespan(state, on_load_failure),
    )
    app.router.route_class = _StrictJSONRoute  # before the routes: their bodies are strict JSON
    app.add_middleware(_BodyLimit, limit=max_body_bytes)
    app.add_middleware(_RequestLog, state=state)  # added last, so outermost: it logs every answer
    app.state.service = state
    _answer_errors(app, dict(window=manifest["window"], features=manifest["features"],
                             max_batch=max_batch))  # fmt: skip
    _state_routes(app, state)
    ForecastRequest = request_model(manifest["window"], manifest["features"], max_batch=max_batch)
    _forecast_route(app, state, ForecastRequest, k, refuse)
    return app
