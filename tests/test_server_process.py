"""Running a service from Python: a free port, a server in a thread, the waits and their limits.

The subprocess side (``serve_in_subprocess`` and its pipe watch) is tested with the
real command line in ``tests/test_serving.py``.
"""

import time

import httpx
import pytest

from helpers import server_process


async def _hello(scope, receive, send):  # the smallest ASGI app: no FastAPI, no model
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def test_free_port_gives_a_port_one_can_bind():
    import socket

    port = server_process.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


@pytest.mark.slow
def test_serve_in_thread_listens_on_loopback_and_stops():
    with server_process.serve_in_thread(_hello) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(server.url).text == "hello"
        assert "running" in repr(server)
    assert not server.thread.is_alive()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url, timeout=2)


@pytest.mark.slow
def test_serve_in_thread_says_when_the_port_is_taken():
    with server_process.serve_in_thread(_hello) as first:
        with pytest.raises(RuntimeError, match="before it listened"):
            server_process.serve_in_thread(_hello, port=first.server.config.port)


def test_wait_until_ready_gives_up_after_its_timeout():
    start = time.monotonic()
    url = f"http://127.0.0.1:{server_process.free_port()}"  # nobody listens there
    with pytest.raises(TimeoutError, match="within 0.5 s"):
        server_process.wait_until_ready(url, timeout=0.5)
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(port=0), ValueError, "port"),
        (dict(port="80"), TypeError, "port"),
        (dict(host=""), TypeError, "host"),
        (dict(options="--refuse-out-of-range"), TypeError, "options"),
        (dict(timeout=0), ValueError, "timeout"),
        (dict(wait="yes"), TypeError, "wait"),
    ],
)
def test_serve_in_subprocess_checks_its_arguments_before_starting(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        server_process.serve_in_subprocess(tmp_path, **kwargs)


def test_serve_in_thread_checks_its_arguments():
    with pytest.raises(TypeError, match="app"):
        server_process.serve_in_thread("not an app")
