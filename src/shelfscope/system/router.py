"""System routes (mounted at /api/v1/od for the URLs clients already use): health and stats."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shelfscope import __version__
from shelfscope.auth.deps import CurrentUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.system import service
from shelfscope.system.schemas import Health, Stats

router = APIRouter()


@router.get("/health", response_model=Health)
def health(ctx: Ctx) -> JSONResponse:
    """Checks the database, storage and job runner; 503 when any of them is down."""
    result = service.check_health(ctx, __version__)
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if result.status == "ok" else 503)


@router.get("/stats", response_model=Stats)
def stats(session: DbSession, user: CurrentUser) -> Stats:
    return service.compute_stats(session)
