"""Run a service and stop it again, from a notebook or a test: in a subprocess or a thread.

- :func:`serve_in_subprocess` starts ``python -m helpers.serving PACKAGE`` (the
  real command line) on 127.0.0.1 and returns once ``GET /ready`` answers 200.
  The server watches a pipe on its standard input: when the process that
  started it ends (however it ends: a failed cell, a killed kernel) or calls
  :meth:`RunningServer.stop`, the operating system closes that pipe and the
  server shuts down gracefully. A pipe works alike on Linux, macOS and Windows,
  where watching a parent's process id does not (Windows never re-parents an
  orphan, so ``os.getppid()`` keeps naming the dead parent).
- :func:`serve_in_thread` runs any ASGI app (a FastAPI app built in a notebook)
  with uvicorn in a thread of this process: a real server on a real port, at
  the cost of no second TensorFlow import.

Both bind 127.0.0.1 by default: only this machine can connect.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from helpers import _checks

__all__ = [
    "free_port",
    "wait_until_ready",
    "serve_in_subprocess",
    "RunningServer",
    "serve_in_thread",
    "ThreadServer",
    "STOP_ON_STDIN_EOF",
]

#: The command-line flag that makes ``python -m helpers.serving`` stop when its stdin closes.
STOP_ON_STDIN_EOF = "--stop-on-stdin-eof"


def free_port(host="127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the operating system picks it).

    Examples
    --------
    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _check_host_and_port(host, port):
    if not isinstance(host, str) or not host:
        raise TypeError(f"host must be an address (a non-empty str), got {host!r}")
    if port is None:
        return host, free_port(host)
    return host, _checks.integer(port, "port", minimum=1)


class RunningServer:
    """A service running in a subprocess, started by :func:`serve_in_subprocess`.

    Stop it with :meth:`stop`, or use it as a context manager. It also stops when
    the Python process that started it exits, however it exits.

    Attributes
    ----------
    url : str
        ``http://host:port``.
    port : int
    process : subprocess.Popen
    log_path : pathlib.Path
        The server's log (stdout and stderr): one JSON object per line.
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

    def wait_until_ready(self, timeout: float = 300.0) -> float:
        """Wait until ``GET /ready`` answers 200 (:func:`wait_until_ready`); return the seconds."""
        return wait_until_ready(
            self.url, process=self.process, log_path=self.log_path, timeout=timeout
        )

    def log_lines(self) -> list[str]:
        """The server's log so far, one string per line."""
        return self.log_path.read_text(errors="replace").splitlines()

    def stop(self, timeout: float = 30.0) -> int:
        """Stop the server gracefully and return its exit code (0 after a graceful stop).

        Closes the pipe the server watches: it finishes the requests in flight and
        exits. If it has not exited after ``timeout`` seconds it is terminated, then
        killed. Calling it again does nothing more.
        """
        if self.process.poll() is None:
            if self.process.stdin is not None and not self.process.stdin.closed:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        elif self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None
        atexit.unregister(self.stop)
        return self.process.returncode


def _tail(log_path: Path, lines: int = 5) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def wait_until_ready(url, *, process=None, log_path=None, timeout=300.0) -> float:
    """Poll ``GET /ready`` until it answers 200; return the seconds it took.

    Raises
    ------
    RuntimeError
        If ``process`` exits first (with the end of ``log_path``), or ``/ready``
        says the load failed.
    TimeoutError
        If it does not answer 200 within ``timeout`` seconds.
    """
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            tail = "" if log_path is None else f":\n{_tail(Path(log_path))}"
            raise RuntimeError(f"the server exited with code {process.returncode}{tail}")
        try:
            answer = httpx.get(f"{url}/ready", timeout=2.0)
            if answer.status_code == 200:
                return time.monotonic() - start
            if answer.json().get("status") == "failed":
                raise RuntimeError(f"the server cannot serve: {answer.json().get('detail')}")
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the server did not answer {url}/ready with 200 within {timeout:g} s")


def serve_in_subprocess(
    directory, *, host="127.0.0.1", port=None, options=(), log_path=None, wait=True,
    timeout=300.0,
):  # fmt: skip
    """Start ``python -m helpers.serving DIRECTORY`` in a subprocess and wait until it is ready.

    Returns once ``GET /ready`` answers 200 (the package loaded and a warm-up
    forecast made), or at once with ``wait=False`` (then call
    :meth:`RunningServer.wait_until_ready` before the first forecast). Use the
    result as a context manager (``with serve_in_subprocess(folder) as server:
    ...``) or call ``server.stop()``; the server also stops when this Python
    process ends, even if it is killed, so a failed notebook cell or test leaves
    no server behind.

    Parameters
    ----------
    directory : str or os.PathLike
        A package from :func:`helpers.model_package.package`.
    host : str, default "127.0.0.1"
        Only this machine can connect.
    port : int, optional
        Default: a free port.
    options : sequence of str, default ()
        More command-line options, e.g. ``["--refuse-out-of-range"]``.
    log_path : str or os.PathLike, optional
        The server's log (stdout and stderr) goes here; default a temporary
        file, deleted when the server stops. Nothing reaches the caller's terminal.
    wait : bool, default True
        Wait for readiness before returning.
    timeout : float, default 300
        Seconds to wait for readiness. The server imports TensorFlow first: a few
        seconds on an idle laptop, but we measured 113 s on a 2-core machine busy
        running other lessons' kernels, hence the margin.

    Returns
    -------
    RunningServer
        ``.url``, ``.port``, ``.process``, ``.log_lines()``, ``.stop()``.

    Raises
    ------
    RuntimeError
        If the server exits before it is ready (e.g. a tampered package), with
        the end of its log.
    TimeoutError
        If it is not ready within ``timeout`` seconds (it is stopped).
    """
    host, port = _check_host_and_port(host, port)
    timeout = _checks.real(timeout, "timeout", low=0, low_open=True)
    wait = _checks.boolean(wait, "wait")
    if isinstance(options, str) or not all(isinstance(o, str) for o in options):
        raise TypeError(f"options must be a sequence of strings, got {options!r}")
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
               "--port", str(port), STOP_ON_STDIN_EOF, *options]  # fmt: skip
    with open(log_path, "ab") as log:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, env=env
        )
    server = RunningServer(f"http://{host}:{port}", port, process, log_path, cleanup=cleanup)
    try:
        if wait:
            server.wait_until_ready(timeout)
    except BaseException:
        server.stop()
        raise
    return server


class ThreadServer:
    """An ASGI app served by uvicorn in a thread of this process (:func:`serve_in_thread`).

    Attributes
    ----------
    url : str
    server : uvicorn.Server
    thread : threading.Thread
    """

    def __init__(self, url, server, thread):
        self.url, self.server, self.thread = url, server, thread

    def __repr__(self):
        return f"ThreadServer({self.url!r}, {'running' if self.thread.is_alive() else 'stopped'})"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask uvicorn to shut down gracefully and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(app, *, host="127.0.0.1", port=None, timeout=60.0):
    """Serve ``app`` with uvicorn in a daemon thread; return once it listens.

    What lesson 09 does by hand for its minimal app, in one call: a
    ``uvicorn.Config`` and ``uvicorn.Server``, ``server.run`` in a thread (uvicorn
    leaves the process's signal handlers alone there), and ``server.should_exit``
    to stop it. Its lifespan runs, so an app that loads in the background starts
    loading. uvicorn's own log goes to the ``uvicorn`` loggers, unconfigured.

    Parameters
    ----------
    app : ASGI application (e.g. fastapi.FastAPI)
    host : str, default "127.0.0.1"
    port : int, optional
        Default: a free port.
    timeout : float, default 60
        Seconds to wait for the server to listen.

    Returns
    -------
    ThreadServer
        ``.url``, ``.stop()``; a context manager.

    Raises
    ------
    RuntimeError
        If the server's thread ends before it listens (a port in use, a failing
        lifespan).
    TimeoutError
        If it does not listen within ``timeout`` seconds.
    """
    import uvicorn

    _checks.function(app, "app", call="app(scope, receive, send)")
    host, port = _check_host_and_port(host, port)
    timeout = _checks.real(timeout, "timeout", low=0, low_open=True)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    exit_codes = []

    def run():
        try:
            server.run()
        except SystemExit as stop:  # uvicorn's way to give up, e.g. on a port in use
            exit_codes.append(stop.code)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            code = f" (exit code {exit_codes[0]})" if exit_codes else ""
            raise RuntimeError(f"uvicorn stopped before it listened on {host}:{port}{code}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"uvicorn did not listen on {host}:{port} within {timeout:g} s")
        time.sleep(0.02)
    return ThreadServer(f"http://{host}:{port}", server, thread)
