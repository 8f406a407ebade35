"""Retries and errors against a small real HTTP server that fails on purpose: idempotent calls are
retried on 429/5xx and dropped connections, other calls never are, and errors keep the server's shape."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shelfscope.client import RateLimited, ServerError, TransportError, ValidationFailed
from shelfscope.client._transport import Transport
from tests.support.servers import free_port


class Flaky:
    """Answers each path with the scripted (status, body) list in turn, then 200; counts requests."""

    def __init__(self) -> None:
        self.script: dict[str, list[tuple[int, object]]] = {}
        self.count: dict[str, int] = {}


@pytest.fixture
def flaky() -> Iterator[tuple[str, Flaky]]:
    state = Flaky()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            state.count[self.path] = state.count.get(self.path, 0) + 1
            steps = state.script.get(self.path, [])
            status, body = steps.pop(0) if steps else (200, {"ok": True})
            raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
            self.send_header("Content-Length", str(len(raw)))
            if status in (429, 503):
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", state
    finally:
        server.shutdown()
        server.server_close()


BUSY = {"error": "Busy", "detail": "The database is busy with another write.", "retry_after_s": 0}


def test_a_get_is_retried_through_busy_and_rate_limited_answers(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.script["/x"] = [
        (503, BUSY),
        (429, {"error": "RateLimited", "detail": "slow down"}),
        (502, "bad gw"),
    ]
    t = Transport(url, "token", backoff_s=0.001)
    assert t.json("GET", "/x") == {"ok": True}
    assert state.count["/x"] == 4


def test_a_post_is_not_retried_unless_it_is_marked_idempotent(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.script["/once"] = [(503, BUSY)]
    t = Transport(url, "token", backoff_s=0.001)
    with pytest.raises(ServerError) as caught:
        t.json("POST", "/once", json_body={})
    assert state.count["/once"] == 1
    assert caught.value.kind == "Busy" and caught.value.retry_after_s == 0
    state.script["/safe"] = [(503, BUSY)]
    assert t.json("POST", "/safe", json_body={}, idempotent=True) == {"ok": True}
    assert state.count["/safe"] == 2


def test_retries_end_and_the_last_error_is_raised(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.script["/down"] = [(429, {"error": "RateLimited", "detail": "slow down"})] * 10
    t = Transport(url, "token", retries=2, backoff_s=0.001)
    with pytest.raises(RateLimited):
        t.json("GET", "/down")
    assert state.count["/down"] == 3


def test_a_validation_error_is_raised_at_once_with_its_fields(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    body = {
        "error": "ValidationFailed",
        "detail": "threshold: must be between 0 and 1",
        "fields": [{"field": "threshold", "message": "must be between 0 and 1"}],
    }
    state.script["/v"] = [(422, body)]
    with pytest.raises(ValidationFailed) as caught:
        Transport(url, "token", backoff_s=0.001).json("GET", "/v")
    assert state.count["/v"] == 1
    assert caught.value.fields == [{"field": "threshold", "message": "must be between 0 and 1"}]
    assert caught.value.body == body


def test_an_error_without_the_shape_still_gets_a_kind(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.script["/proxy"] = [(500, "<html>proxy error</html>")]
    with pytest.raises(ServerError) as caught:
        Transport(url, "token", retries=0).json("GET", "/proxy")
    assert caught.value.kind == "Internal" and "proxy error" in caught.value.detail


def test_a_server_that_is_not_there_raises_a_transport_error() -> None:
    t = Transport(f"http://127.0.0.1:{free_port()}", "token", retries=1, backoff_s=0.001)
    with pytest.raises(TransportError, match="GET"):
        t.json("GET", "/anything")
