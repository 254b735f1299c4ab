"""Serve a trained forecaster over HTTP: ``python -m helpers.serving PACKAGE``, and one import.

Three steps take a model out of the notebook::

    folder = serving.package(model, "forecaster", feature_names=["sine"],
                             target_name="sine", scaler=scaled.scaler,
                             training_data=split.train)
    served = serving.load_package(folder)   # refuses files changed since packaging
    served.predict(raw_windows)             # (n, window, n_features) -> (n, horizon)

and ``python -m helpers.serving forecaster`` answers ``POST /forecast`` on
127.0.0.1:8000 with the same numbers, in raw units. The pieces live in one
module per idea; this one re-exports them, so ``serving.<name>`` reaches all:

- :mod:`helpers.model_package`: the package format (``package``, ``load_package``,
  ``check_package``, ``package_version``, ``ServedModel``);
- :mod:`helpers.forecast_service`: the FastAPI app (``create_app``, the request
  schema, the messages, the limits ``MAX_BATCH`` and ``MAX_BODY_BYTES``);
- :mod:`helpers.server_process`: running it from a notebook or a test
  (``serve_in_subprocess``, ``serve_in_thread``, ``free_port``);
- here: the command line (:func:`main`).

Options of the command line::

    python -m helpers.serving PACKAGE [--host 127.0.0.1] [--port 8000]
        [--max-batch 1024] [--max-body-bytes 1000000]
        [--out-of-range-sd 4] [--refuse-out-of-range]

It checks the package's hashes before it starts (exit code 1 and a message if
one does not match), starts listening at once (``GET /health`` answers), loads
the model in the background (``GET /ready`` answers 503, then 200), and writes
one JSON object per log line to stderr. It stops gracefully (the requests in
flight are answered) on Ctrl+C or SIGTERM (POSIX) and Ctrl+Break (Windows):
uvicorn then re-raises the signal it caught, so the process ends by that signal
(``-15`` in ``subprocess`` for SIGTERM), as a process manager that sent it
expects. It exits with code 0 when the stdin pipe it is told to watch closes
(:func:`helpers.server_process.serve_in_subprocess`), and with code 1 when the
model cannot be loaded.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from helpers.forecast_service import (
    DRAIN_BYTES,
    MAX_BATCH,
    MAX_BODY_BYTES,
    JsonLines,
    create_app,
    request_model,
)
from helpers.model_package import (
    FORMAT,
    OUT_OF_RANGE_SD,
    RequestProblem,
    ServedModel,
    check_package,
    load_package,
    package,
    package_version,
)
from helpers.server_process import (
    STOP_ON_STDIN_EOF,
    RunningServer,
    ThreadServer,
    free_port,
    serve_in_subprocess,
    serve_in_thread,
    wait_until_ready,
)

__all__ = [
    "FORMAT",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "DRAIN_BYTES",
    "OUT_OF_RANGE_SD",
    "RequestProblem",
    "package",
    "check_package",
    "package_version",
    "load_package",
    "ServedModel",
    "create_app",
    "request_model",
    "JsonLines",
    "serve_in_subprocess",
    "RunningServer",
    "serve_in_thread",
    "ThreadServer",
    "wait_until_ready",
    "free_port",
    "main",
]

_LOG = logging.getLogger("helpers.serving")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


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
    parser.add_argument(
        "--out-of-range-sd",
        type=float,
        default=OUT_OF_RANGE_SD,
        help="flag inputs farther than this many training sd from the training mean (default 4)",
    )
    parser.add_argument(
        "--refuse-out-of-range",
        action="store_true",
        help="answer such inputs 422 instead of forecasting them with warnings",
    )
    parser.add_argument(STOP_ON_STDIN_EOF, action="store_true", help=argparse.SUPPRESS)
    return parser


def _stop_when_stdin_closes(server) -> None:
    """Shut the server down gracefully once stdin reaches its end (the parent is gone)."""

    def watch():
        sys.stdin.buffer.read()  # returns at end of file: the other end of the pipe closed
        _LOG.info("stdin closed: the process that started this server ended or asked it to stop")
        server.should_exit = True

    threading.Thread(target=watch, name="stop-on-stdin-eof", daemon=True).start()


def _log_json_lines() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def main(argv=None) -> int:
    """``python -m helpers.serving DIRECTORY [options]`` (the module's docstring lists them).

    Returns 1, with a message on stderr, if the package is missing or tampered
    with, an option is out of range, or the model cannot be loaded; 0 after a
    graceful stop through the stdin pipe (after a signal uvicorn re-raises it
    once it has shut down, so the process ends by that signal instead).
    """
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        _parser().error(f"--port must be between 0 and 65535, got {args.port}")
    _log_json_lines()
    failures = []
    server = None

    def stop_serving(message):
        failures.append(message)
        if server is not None:
            server.should_exit = True

    try:
        app = create_app(
            args.directory,
            max_batch=args.max_batch,
            max_body_bytes=args.max_body_bytes,
            out_of_range_sd=args.out_of_range_sd,
            refuse_out_of_range=args.refuse_out_of_range,
            load_in_background=True,
            on_load_failure=stop_serving,
        )
    except (OSError, ValueError, TypeError) as error:
        print(f"error: cannot serve {args.directory}: {error}", file=sys.stderr)
        return 1
    if args.host not in _LOOPBACK:
        _LOG.warning(
            "binding %s: other machines can reach this service, which has no authentication",
            args.host,
        )
    import uvicorn

    # log_config=None: uvicorn's own lines go through the JSON lines above; access_log=False:
    # the one line per request is the service's own, with its request id and latency.
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_config=None, access_log=False,
        timeout_graceful_shutdown=10,
    )  # fmt: skip
    server = uvicorn.Server(config)
    if args.stop_on_stdin_eof:
        _stop_when_stdin_closes(server)
    server.run()
    if failures:
        print(f"error: cannot serve {args.directory}: {failures[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
