"""What every request passes before a route reads it: the credential gate and body size limits (pure
ASGI, so bodies stream), and the security headers on every response.

FastAPI reads and parses a JSON body before it resolves the route's dependencies, so without this a
stranger's 300 MB body was buffered and parsed before the sign-in check refused it. Here a write
request without a live credential gets 401 before one byte of its body is read, and a body larger
than its route allows gets 413: at once when Content-Length says so, else when the streamed bytes
pass the limit.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import fastapi.routing
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shelfscope.auth.deps import identify
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.errors import PayloadTooLarge, ShelfscopeError, Unauthorized

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LimitOf = Callable[[Settings], int]

# Routes that take multipart uploads, and their limit (a JSON body to them keeps the JSON limit).
UPLOAD_ROUTES: dict[tuple[str, str], LimitOf] = {
    ("POST", "/api/v1/od/images"): lambda s: s.max_upload_request_bytes,
    ("POST", "/api/v1/od/images/import/{fmt}"): lambda s: s.max_import_upload_bytes,
    # One image to test a registered model on.
    ("POST", "/api/v1/od/models/{model_id}/inference"): lambda s: s.max_upload_bytes + 64 * 1024,
    # Product gallery uploads: many images per request, like the library's.
    ("POST", "/api/v1/pr/products/{product_id}/images"): lambda s: s.max_upload_request_bytes,
    # A product video (its frames are taken by a job), and a catalogue with its zip of images.
    ("POST", "/api/v1/pr/products/{product_id}/videos"): lambda s: s.max_video_bytes + 1024 * 1024,
    ("POST", "/api/v1/pr/catalogue/import"): lambda s: s.max_import_upload_bytes,
}
# JSON routes that carry many items per request (the editor save, bulk writes, id lists).
BULK_JSON_ROUTES = frozenset(
    {
        ("PUT", "/api/v1/od/datasets/{dataset_id}/images/{image_id}/annotations"),
        ("POST", "/api/v1/od/annotations/bulk"),
        ("DELETE", "/api/v1/od/annotations/bulk"),
        ("POST", "/api/v1/od/annotations/bulk-delete"),
        ("POST", "/api/v1/od/datasets/{dataset_id}/images"),
        ("POST", "/api/v1/od/datasets/{dataset_id}/images/remove"),
        ("POST", "/api/v1/od/images/bulk"),
    }
)
# Writes a stranger may send: signing in and completing a setup link (they still get the JSON limit).
PUBLIC_WRITES = frozenset({("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/setup")})


@dataclass(frozen=True)
class RouteInfo:
    path_regex: re.Pattern[str]
    methods: frozenset[str]
    path_format: str


def api_routes(app: Any) -> list[RouteInfo]:
    """The app's routes in matching order, flattened through included routers (newer FastAPI keeps
    included routers as nodes; `iter_route_contexts` walks them, older versions list routes flat)."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    contexts = list(walk(app.routes)) if walk is not None else list(app.routes)
    found = []
    for context in contexts:
        regex = getattr(context, "path_regex", None)
        methods = getattr(context, "methods", None)
        path_format = getattr(context, "path_format", None)
        if regex is not None and methods and path_format:
            found.append(RouteInfo(regex, frozenset(methods), path_format))
    return found


def _route_template(scope: Scope, routes: list[RouteInfo]) -> str | None:
    """The path template of the route this request goes to ('/api/v1/od/images/{image_id}')."""
    for route in routes:
        if scope["method"] in route.methods and route.path_regex.match(scope["path"]):
            return route.path_format
    return None


@dataclass(frozen=True)
class BodyRule:
    limit: int
    needs_credentials: bool


def body_rule(settings: Settings, method: str, template: str | None, content_type: str) -> BodyRule:
    key = (method, template or "")
    if key in UPLOAD_ROUTES and content_type.lower().startswith("multipart/form-data"):
        limit = UPLOAD_ROUTES[key](settings)
    elif key in BULK_JSON_ROUTES:
        limit = settings.max_bulk_json_body_bytes
    else:
        limit = settings.max_json_body_bytes
    return BodyRule(limit=limit, needs_credentials=method not in _READ_METHODS and key not in PUBLIC_WRITES)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than this route's limit of {limit:,} bytes.",
        field="body",
        limit_bytes=limit,
    )


async def _answer(send: Send, error: ShelfscopeError, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(error.to_body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _credential_error(ctx: AppContext, method: str, headers: Headers) -> ShelfscopeError | None:
    """None when the request carries a live credential (checked in the database, nothing written)."""
    cookies = cookie_parser(headers.get("cookie", ""))
    if not headers.get("authorization") and not cookies:
        return Unauthorized("Sign in first.")

    def check() -> ShelfscopeError | None:
        with ctx.db.read() as session:
            try:
                identify(session, method, headers, cookies)
            except ShelfscopeError as exc:
                return exc
        return None

    return await anyio.to_thread.run_sync(check)


class RequestGuard:
    """The credential gate and the body limit; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[RouteInfo] | None = None

    def _routes(self, application: Any) -> list[RouteInfo]:
        # Routes are fixed once the app serves; flattened on the first request.
        if self._table is None:
            self._table = api_routes(application)
        return self._table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        application = scope["app"]
        ctx: AppContext = application.state.ctx
        headers = Headers(scope=scope)
        method = scope["method"]
        template = None if method in _READ_METHODS else _route_template(scope, self._routes(application))
        rule = body_rule(ctx.settings, method, template, headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > rule.limit:
            await _answer(send, _too_large(rule.limit))
            return
        if rule.needs_credentials:
            error = await _credential_error(ctx, method, headers)
            if error is not None:
                await _answer(send, error)
                return
        await _LimitedBody(self.app, rule.limit)(scope, receive, send)


class _LimitedBody:
    """Counts the body as it streams in; past the limit the route's own answer is replaced by a 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.exceeded = False
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.exceeded = True
                    raise _too_large(self.limit)
            return message

        async def guarded(message: Message) -> None:
            if self.exceeded and not self.started:
                return  # whatever the route made of the cut body, the answer is the 413 below
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not self.exceeded or self.started:
                raise
        if self.exceeded and not self.started:
            await _answer(send, _too_large(self.limit), [(b"connection", b"close")])


# ---- response headers ----------------------------------------------------------------------------

# The built web app loads its scripts and styles from its own origin; Radix and the canvas editor set
# inline styles, thumbnails and previews may be blob:/data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's Swagger page (/api/docs) runs an inline script and loads Swagger UI from its CDN.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_DOCS_PATHS = ("/api/docs", "/api/docs/oauth2-redirect")


def security_headers(path: str) -> dict[str, str]:
    if path in _DOCS_PATHS:
        return {**SECURITY_HEADERS, "Content-Security-Policy": _DOCS_CSP}
    return SECURITY_HEADERS


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set its own value of one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in security_headers(scope["path"]).items()]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *(h for h in extra if h[0] not in present)],
                }
            await send(message)

        await self.app(scope, receive, with_headers)


# ---- access log ----------------------------------------------------------------------------------

_SECRET_QUERY = re.compile(r"([?&](?:token|secret|password)=)[^&\s\"]*", re.IGNORECASE)


def redact_query(text: str) -> str:
    """'/setup?token=abc&x=1' -> '/setup?token=[redacted]&x=1': setup links are one-time secrets."""
    return _SECRET_QUERY.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    """Keeps setup-link tokens (and any other token= query value) out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_query(record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger once (idempotent: create_app may run often)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
