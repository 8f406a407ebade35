"""The app under test: where the shared test data lives, the test password, signed-in clients, its
routes, and a real uvicorn server around it."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shelfscope.auth.deps import CSRF_COOKIE, CSRF_HEADER
from shelfscope.http.guard import api_routes
from tests.support.servers import free_port

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


TEST_PASSWORD = "correct horse battery staple"


def signed_in_client(app: FastAPI, username: str, password: str = TEST_PASSWORD) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers[CSRF_HEADER] = client.cookies[CSRF_COOKIE]
    return client


def route_keys(app: FastAPI, methods: Collection[str]) -> list[tuple[str, str]]:
    """(method, path template) of every API route answering one of `methods`, sorted."""
    return sorted(
        {
            (method, route.path_format)
            for route in api_routes(app)
            if route.path_format.startswith("/api/v1/")
            for method in route.methods
            if method in methods
        }
    )


@contextmanager
def live_server(app: FastAPI, **config: object) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **config))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
