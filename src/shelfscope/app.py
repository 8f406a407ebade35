"""create_app(): the FastAPI application with its routers, error handlers and the built web app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shelfscope import __version__
from shelfscope.auth.router import router as auth_router
from shelfscope.auth.service import LoginLimiter
from shelfscope.context import AppContext
from shelfscope.db.dialect import is_busy_error
from shelfscope.errors import Busy, ShelfscopeError
from shelfscope.http.guard import RequestGuard, SecurityHeaders, redact_access_log, security_headers
from shelfscope.http.validation import validation_failed
from shelfscope.jobs.router import router as jobs_router
from shelfscope.od.ai.router import router as ai_router
from shelfscope.od.ai.segment.router import router as ai_segment_router
from shelfscope.od.annotations.router import router as annotations_router
from shelfscope.od.classes.router import router as classes_router
from shelfscope.od.datasets.router import router as datasets_router
from shelfscope.od.exports.router import router as exports_router
from shelfscope.od.images.router import router as images_router
from shelfscope.od.imports.router import router as imports_router
from shelfscope.od.trained_models.router import router as trained_models_router
from shelfscope.od.trainers.router import router as trainers_router
from shelfscope.od.training.router import router as training_router
from shelfscope.od.versions.router import router as versions_router
from shelfscope.pr.router import router as pr_router
from shelfscope.system.router import router as system_router
from shelfscope.weights.router import router as weights_router

log = logging.getLogger("shelfscope")

_HTTP_KINDS = {
    400: "ValidationFailed",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMedia",
    422: "ValidationFailed",
    429: "RateLimited",
}


def _retry_after(error: ShelfscopeError) -> dict[str, str] | None:
    seconds = error.extra.get("retry_after_s", error.extra.get("retry_after"))
    return None if seconds is None else {"Retry-After": str(max(1, round(float(seconds))))}


def _internal(request: Request) -> JSONResponse:
    # Answered by the outermost middleware, past SecurityHeaders: the headers go on here.
    return JSONResponse(
        {"error": "Internal", "detail": "Something went wrong on the server; it is logged."},
        status_code=500,
        headers=security_headers(request.url.path),
    )


def _busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    error = Busy()
    headers = {**(_retry_after(error) or {}), **security_headers(request.url.path)}
    return JSONResponse(error.to_body(), status_code=error.status_code, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShelfscopeError)
    async def _shelfscope_error(_: Request, exc: ShelfscopeError) -> JSONResponse:
        return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=_retry_after(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_failed(exc.errors()).to_body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404:
            detail = f"No such route: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        kind = _HTTP_KINDS.get(exc.status_code, "Internal")
        return JSONResponse(
            {"error": kind, "detail": detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # The backstop behind the bounded Id types and cursor checks: a value the database cannot
        # hold (SQLite: an int past 2**63; PostgreSQL: a data exception) is the request's fault.
        log.warning("out-of-range value on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {
                "error": "ValidationFailed",
                "detail": "A value in the request is outside what the database can store "
                "(a number past 2**63, or a NUL character in text).",
            },
            status_code=422,
        )

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: Exception) -> JSONResponse:
        # A lock another writer held past the busy timeout: nothing was written, retrying works.
        if is_busy_error(exc):
            return _busy(request, exc)
        log.exception("database error on %s %s", request.method, request.url.path)
        return _internal(request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Also reached by errors raised in middleware, before the handlers above see them.
        if is_busy_error(exc):
            return _busy(request, exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _internal(request)


def _mount_web(app: FastAPI, web_dir: Path | None) -> None:
    if web_dir is None:

        @app.get("/{path:path}", include_in_schema=False)
        def _no_web(path: str) -> Response:
            if path.startswith("api/"):
                return JSONResponse(
                    {"error": "NotFound", "detail": f"No such route: GET /{path}"}, status_code=404
                )
            return HTMLResponse(
                "<h1>Shelfscope</h1><p>The web app is not built. Run <code>make run</code>, "
                "or <code>npm run build</code> in <code>web/</code>. The API is at "
                "<a href='/api/docs'>/api/docs</a>.</p>",
                status_code=503,
            )

        return

    index = web_dir / "index.html"
    if (web_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=web_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def _web(path: str) -> Response:
        if path.startswith("api/"):
            return JSONResponse(
                {"error": "NotFound", "detail": f"No such route: GET /{path}"}, status_code=404
            )
        candidate = (web_dir / path).resolve()
        if path and candidate.is_file() and web_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        # Deep links (/od/datasets/3) are client-side routes: serve the app shell.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    ctx: AppContext = app.state.ctx
    start_runner: bool = app.state.start_runner
    if start_runner:
        ctx.runner.start()
    try:
        yield
    finally:
        if start_runner:
            ctx.runner.stop()


def bind_context(app: FastAPI, ctx: AppContext, *, start_runner: bool = True) -> None:
    """Point an app made by create_app at `ctx`: routes, middleware and the lifespan read the context
    from app.state on each request, never from the app's construction. The test suite reuses one app
    for many contexts this way (building the routes' dependency graphs took half a second an app)."""
    app.state.ctx = ctx
    app.state.start_runner = start_runner
    app.state.login_limiter = LoginLimiter(ctx.settings.login_attempts_per_minute)


def create_app(ctx: AppContext, *, start_runner: bool = True) -> FastAPI:
    """The app around an existing context. The runner starts and stops with the app when asked."""
    app = FastAPI(
        title="Shelfscope",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    bind_context(app, ctx, start_runner=start_runner)
    _install_error_handlers(app)
    # Added last = runs first: headers wrap everything, the guard runs before any route reads a body.
    app.add_middleware(RequestGuard)
    app.add_middleware(SecurityHeaders)
    redact_access_log()

    api = APIRouter(prefix="/api/v1")
    api.include_router(auth_router, prefix="/auth", tags=["auth"])
    api.include_router(jobs_router, prefix="/jobs", tags=["jobs"])
    api.include_router(system_router, prefix="/od", tags=["system"])
    api.include_router(annotations_router, prefix="/od", tags=["od: annotations"])
    api.include_router(ai_router, prefix="/od/ai", tags=["od: AI"])
    # Images first: its /import/url must win over the dataset importer's /import/{format}.
    api.include_router(images_router, prefix="/od/images", tags=["od: images"])
    api.include_router(imports_router, prefix="/od/images/import", tags=["od: import"])
    api.include_router(classes_router, prefix="/od/classes", tags=["od: classes"])
    api.include_router(datasets_router, prefix="/od/datasets", tags=["od: datasets"])
    api.include_router(exports_router, prefix="/od", tags=["od: export"])
    api.include_router(versions_router, prefix="/od/datasets", tags=["od: versions"])
    api.include_router(weights_router, prefix="/ml/models", tags=["ml: models"])
    api.include_router(trainers_router, prefix="/od/trainers", tags=["od: training"])
    api.include_router(ai_segment_router, prefix="/od/ai", tags=["od: AI"])
    api.include_router(trained_models_router, prefix="/od/models", tags=["od: models"])
    api.include_router(training_router, prefix="/od/training", tags=["od: training"])
    api.include_router(pr_router, prefix="/pr")
    app.include_router(api)
    _mount_web(app, ctx.settings.resolved_web_dir)
    return app
