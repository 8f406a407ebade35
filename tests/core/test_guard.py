"""Request guards: bodies are limited before they are read, strangers are refused before their body is
read, and every response carries the security headers."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlalchemy import func, select

from shelfscope.app import create_app
from shelfscope.auth.models import User
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.http.guard import BULK_JSON_ROUTES, PUBLIC_WRITES, UPLOAD_ROUTES
from shelfscope.od.datasets.models import Dataset
from shelfscope.od.images.models import Image
from tests.support.app import TEST_PASSWORD, live_server, route_keys

MIB = 1024 * 1024
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Sent:
    """What an ASGI call answered, and how many body bytes the app pulled from the client."""

    status: int
    headers: dict[str, str]
    body: bytes
    pulled: int = 0
    chunks: int = 0
    _json: Any = field(default=None, repr=False)

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def call(
    app: FastAPI,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body_size: int = 0,
    prefix: bytes = b"",
    chunk: int = 64 * 1024,
) -> Sent:
    """One request straight through the ASGI app, its body generated chunk by chunk on demand (so a
    300 MB body costs nothing unless the app reads it), counting what the app read."""
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    sent = Sent(status=0, headers={}, body=b"")

    async def receive() -> dict[str, Any]:
        if sent.pulled >= body_size:
            if sent.chunks and sent.pulled >= body_size:
                await asyncio.sleep(3600)  # the client waits for the answer
            sent.chunks += 1
            return {"type": "http.request", "body": b"", "more_body": False}
        size = min(chunk, body_size - sent.pulled)
        data = (prefix[sent.pulled :] + b" " * size)[:size]
        sent.pulled += size
        sent.chunks += 1
        return {"type": "http.request", "body": data, "more_body": sent.pulled < body_size}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent.status = message["status"]
            sent.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            sent.body += message.get("body", b"")

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    return sent


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def _write_routes(app: FastAPI) -> list[tuple[str, str]]:
    return route_keys(app, WRITE_METHODS)


def _table_counts(ctx: AppContext) -> tuple[int, int, int]:
    with ctx.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Image)) or 0,
            session.scalar(select(func.count()).select_from(Dataset)) or 0,
            session.scalar(select(func.count()).select_from(User)) or 0,
        )


# ---- body limits ---------------------------------------------------------------------------------


def test_a_300_mb_body_to_login_gets_413_and_not_one_byte_of_it_is_read(app: FastAPI) -> None:
    declared = call(
        app,
        "POST",
        "/api/v1/auth/login",
        headers={"content-type": "application/json", "content-length": str(300 * MIB)},
        body_size=300 * MIB,
    )
    assert declared.status == 413
    body = declared.json()
    assert body["error"] == "PayloadTooLarge" and body["field"] == "body"
    assert body["limit_bytes"] == MIB and "1,048,576" in body["detail"]
    assert declared.pulled == 0

    # Without a Content-Length (chunked), reading stops at the first chunk past the limit.
    streamed = call(
        app, "POST", "/api/v1/auth/login", headers={"content-type": "application/json"}, body_size=300 * MIB
    )
    assert streamed.status == 413 and streamed.json()["error"] == "PayloadTooLarge"
    assert MIB < streamed.pulled <= MIB + 64 * 1024


def test_strangers_get_401_on_every_write_route_before_their_body_is_read(
    app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("admin", "admin")
    before = _table_counts(ctx)
    routes = [r for r in _write_routes(app) if r not in PUBLIC_WRITES]
    assert len(routes) > 30
    stranger_headers: list[dict[str, str]] = [
        {},
        {"authorization": "Bearer ssk_not-a-token"},
        {"cookie": "shelfscope_session=forged; shelfscope_csrf=x", "x-csrf-token": "x"},
    ]
    for method, template in routes:
        for extra in stranger_headers:
            sent = call(
                app,
                method,
                _concrete(template),
                headers={"content-type": "application/json", "content-length": str(512 * 1024), **extra},
                body_size=512 * 1024,
            )
            assert (sent.status, sent.pulled) == (401, 0), (method, template, extra, sent.body)
            assert sent.json()["error"] == "Unauthorized"
    assert _table_counts(ctx) == before


def test_json_bodies_over_the_limit_are_refused_for_signed_in_users_too(
    client: TestClient, ctx: AppContext
) -> None:
    padded = b'{"name": "big"' + b" " * (2 * MIB) + b"}"
    r = client.post("/api/v1/od/datasets", content=padded, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "PayloadTooLarge"
    assert _table_counts(ctx)[1] == 0
    # The editor's bulk routes carry up to 10,000 boxes: they get the larger bulk limit.
    bulk = b'{"ids": [123456]' + b" " * (2 * MIB) + b"}"
    r = client.post(
        "/api/v1/od/annotations/bulk-delete", content=bulk, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["not_found"] == [123456]


def test_login_and_setup_take_no_credentials_but_the_json_limit(anon_client: TestClient) -> None:
    r = anon_client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert r.status_code == 401 and "Wrong username" in r.json()["detail"]
    r = anon_client.post("/api/v1/auth/setup", json={"token": "x" * 20, "password": "long enough"})
    assert r.status_code == 404


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (32, 24), (seed * 60 % 256, 40, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_upload_request_bytes": 300_000, "max_import_upload_bytes": 200_000}
    )


def test_upload_requests_over_their_limit_get_413_and_store_nothing(
    client: TestClient, ctx: AppContext
) -> None:
    files = [("files", (f"f{i}.jpg", _jpeg(i) + b"\0" * 100_000, "image/jpeg")) for i in range(4)]
    r = client.post("/api/v1/od/images", files=files)
    assert r.status_code == 413 and r.json()["limit_bytes"] == 300_000
    assert _table_counts(ctx)[0] == 0 and list(ctx.storage.iter_keys()) == []
    # Under the limit, the same route takes several files in one request.
    r = client.post("/api/v1/od/images", files=files[:2])
    assert r.status_code == 200 and r.json()["stored"] == 2

    archive = b"PK" + b"\0" * 250_000
    r = client.post("/api/v1/od/images/import/coco", files={"file": ("a.zip", archive, "application/zip")})
    assert r.status_code == 413 and r.json()["error"] == "PayloadTooLarge"
    assert [k for k in ctx.storage.iter_keys() if not k.startswith(("images/", "thumbnails/"))] == []


def test_a_streamed_upload_past_its_limit_is_cut_with_413(
    app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("admin", "admin")
    with TestClient(app) as c:
        token = c.post("/api/v1/auth/login", json={"username": "admin", "password": TEST_PASSWORD})
        assert token.status_code == 200
        csrf = c.cookies["shelfscope_csrf"]
        cookie = f"shelfscope_session={c.cookies['shelfscope_session']}; shelfscope_csrf={csrf}"
    sent = call(
        app,
        "POST",
        "/api/v1/od/images",
        headers={"content-type": "multipart/form-data; boundary=xyz", "cookie": cookie, "x-csrf-token": csrf},
        body_size=50 * MIB,
        prefix=b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n",
    )
    assert sent.status == 413 and sent.json()["limit_bytes"] == 300_000
    assert sent.pulled <= 300_000 + 64 * 1024
    assert _table_counts(ctx)[0] == 0


def test_every_route_named_in_the_limit_tables_exists(app: FastAPI) -> None:
    known = set(_write_routes(app))
    for key in [*UPLOAD_ROUTES, *BULK_JSON_ROUTES, *PUBLIC_WRITES]:
        assert key in known, key


# ---- headers --------------------------------------------------------------------------------------

SECURITY = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _assert_secured(headers: Mapping[str, str], what: str) -> None:
    for name, value in SECURITY.items():
        assert headers.get(name) == value, (what, name, dict(headers))
    csp = headers.get("content-security-policy") or ""
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, (what, csp)


def test_every_kind_of_response_carries_the_security_headers(
    client: TestClient, anon_client: TestClient, app: FastAPI
) -> None:
    _assert_secured(client.get("/api/v1/auth/me").headers, "json")
    _assert_secured(anon_client.get("/api/v1/auth/me").headers, "401")
    _assert_secured(client.get("/api/v1/od/nothing").headers, "404")
    _assert_secured(client.get("/some/page").headers, "web shell")
    _assert_secured(anon_client.post("/api/v1/od/datasets", json={}).headers, "guard 401")
    too_big = call(app, "POST", "/api/v1/auth/login", headers={"content-length": str(5 * MIB)})
    _assert_secured(too_big.headers, "guard 413")
    docs = anon_client.get("/api/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_the_web_app_is_served_with_a_policy_it_can_run_under(ctx: AppContext, tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text('<script type="module" src="/assets/app.js"></script>')
    (web / "assets" / "app.js").write_text("console.log(1)")
    ctx.settings = ctx.settings.model_copy(update={"web_dir": web})
    with TestClient(create_app(ctx, start_runner=False)) as c:
        for path in ("/", "/od/datasets/3", "/assets/app.js"):
            r = c.get(path)
            assert r.status_code == 200, path
            _assert_secured(r.headers, path)
            csp = r.headers["content-security-policy"]
            assert "style-src 'self' 'unsafe-inline'" in csp and "img-src 'self' blob: data:" in csp


def test_an_unexpected_error_still_carries_the_headers(
    app: FastAPI, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("shelfscope.system.service.compute_stats", boom)
    make_user("admin", "admin")
    with TestClient(app, raise_server_exceptions=False) as c:
        c.post("/api/v1/auth/login", json={"username": "admin", "password": TEST_PASSWORD})
        r = c.get("/api/v1/od/stats")
    assert r.status_code == 500 and r.json()["error"] == "Internal"
    _assert_secured(r.headers, "500")


# ---- access log -----------------------------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    with live_server(app, log_config=None, access_log=True) as url:
        yield url


def test_setup_link_tokens_never_reach_the_access_log(server_url: str) -> None:
    access = logging.getLogger("uvicorn.access")
    lines = _Lines()
    access.addHandler(lines)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        secret = "SeCrEt-setup-token-1234567890"
        httpx.get(f"{server_url}/api/v1/auth/setup?token={secret}&x=1", timeout=10)
        httpx.get(f"{server_url}/setup?token={secret}", timeout=10)
    finally:
        access.removeHandler(lines)
        access.setLevel(level)
    logged = "\n".join(lines.lines)
    assert "/api/v1/auth/setup?token=[redacted]&x=1" in logged and "/setup?token=[redacted]" in logged
    assert secret not in logged


def test_image_bytes_are_served_as_their_stored_format_never_sniffed(client: TestClient) -> None:
    polyglot = _jpeg(3) + b"<html><script>alert(document.cookie)</script></html>"
    stored = client.post("/api/v1/od/images", files=[("files", ("shelf.html", polyglot, "text/html"))])
    assert stored.status_code == 200, stored.text
    image = stored.json()["results"][0]["image"]
    served = client.get(image["file_url"])
    assert served.status_code == 200 and served.content == polyglot
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in served.headers["content-security-policy"]
    thumb = client.get(image["thumbnail_url"])
    assert (
        thumb.headers["content-type"] == "image/jpeg" and thumb.headers["x-content-type-options"] == "nosniff"
    )
